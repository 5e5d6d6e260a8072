"""The result vocabulary every part of essaycheck shares: evidence, verdicts, the engine.

These are plain records. They depend on the rubric only, so a renderer, a test
or a Python caller can build and read results without loading spaCy or a model.
Each has one ``to_dict``/``from_dict`` pair, used both by the JSON report (scores
rounded to 3 decimals, the documented contract) and by the marking journal
(``rounded=False``: full precision, so a resumed run writes the same reports).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, Self

from essaycheck.rubric import KeyPoint, Rubric

ObjectionKind = Literal["negated", "misattributed"]
THRESHOLD = 0.5
"""A point is covered when its score reaches this."""
REVIEW_BAND = 0.15
"""By default, a decision whose score is this close to THRESHOLD needs a teacher's review."""
DECISION = f"covered when score >= {THRESHOLD}"
COPY_FLAG = 0.2
"""A share of an essay's words copied from one place (the source, or the class) that the
teacher's reports flag."""
FROM_SOURCE = "source"
"""Where a shared passage copied from the source is from (else: the other essay's name)."""


def decide(score: float, review_band: float) -> tuple[bool, bool]:
    """Return whether a score means covered, and whether it is a close call.

    The one place a decision is made from a score: the engine's decision rule
    and a teacher's calibration both decide through it.
    """
    return score >= THRESHOLD, abs(score - THRESHOLD) < review_band


def _rounded(value: float, rounded: bool) -> float:
    return round(value, 3) if rounded else value


@dataclass(frozen=True)
class Evidence:
    """The essay text a decision rests on; ``essay.text[start:end] == text``."""

    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        """Return the evidence as JSON-ready data."""
        return {"text": self.text, "start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild evidence from ``to_dict`` data."""
        return cls(text=data["text"], start=data["start"], end=data["end"])


@dataclass(frozen=True)
class Objection:
    """Why a window does not count as evidence for a point: it denies it, or credits another."""

    kind: ObjectionKind
    message: str

    def to_dict(self) -> dict[str, str]:
        """Return the objection as JSON-ready data."""
        return {"kind": self.kind, "message": self.message}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild an objection from ``to_dict`` data."""
        return cls(kind=data["kind"], message=data["message"])


@dataclass(frozen=True)
class TeacherDecision:
    """A teacher's override of one decision (``essaycheck override``): when, and why."""

    time: str
    comment: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the decision's provenance as JSON-ready data."""
        return {"time": self.time, "comment": self.comment}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild it from ``to_dict`` data."""
        return cls(time=data["time"], comment=data.get("comment"))


@dataclass(frozen=True)
class PointResult:
    """Whether one essay covers one key point, and the evidence.

    ``evidence`` is the best-matching stretch of the essay: given when the point
    is covered, when the decision needs review, or when the best match was
    rejected (``objection`` then says why: it denies the point, or credits it to
    someone else); None otherwise. ``teacher`` is set when the decision is a
    teacher's override, not the engine's. ``nearest``: for a missing point with no
    evidence, the stretch of the essay that came closest, where the point would fit
    best (the journal keeps it; the JSON report's contract does not carry it).
    """

    point: KeyPoint
    is_covered: bool
    score: float
    needs_review: bool
    evidence: Evidence | None = None
    objection: Objection | None = None
    teacher: TeacherDecision | None = None
    nearest: Evidence | None = None

    @property
    def status(self) -> Literal["covered", "missing"]:
        """``covered`` or ``missing``: the decision, as the reports name it."""
        return "covered" if self.is_covered else "missing"

    def to_dict(self, *, rounded: bool = True) -> dict[str, Any]:
        """Return the result as JSON-ready data (the documented contract).

        Unrounded (the journal), it also keeps ``nearest``, so that a re-rendered
        report places a missing point where the first one did.
        """
        data = {
            "id": self.point.id,
            "status": self.status,
            "score": _rounded(self.score, rounded),
            "needs_review": self.needs_review,
            "evidence": self.evidence.to_dict() if self.evidence else None,
            "note": self.objection.to_dict() if self.objection else None,
            "teacher": self.teacher.to_dict() if self.teacher else None,
        }
        if not rounded and self.nearest is not None:
            data["nearest"] = self.nearest.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], point: KeyPoint) -> Self:
        """Rebuild a result from ``to_dict`` data, for the rubric's ``point``."""
        return cls(
            point=point,
            is_covered=data["status"] == "covered",
            score=data["score"],
            needs_review=data["needs_review"],
            evidence=Evidence.from_dict(data["evidence"]) if data["evidence"] else None,
            objection=Objection.from_dict(data["note"]) if data["note"] else None,
            teacher=TeacherDecision.from_dict(data["teacher"]) if data.get("teacher") else None,
            nearest=Evidence.from_dict(data["nearest"]) if data.get("nearest") else None,
        )


@dataclass(frozen=True)
class SharedPassage:
    """A stretch of an essay shared with the source or another essay (``essay.text[start:end]``).

    ``origin`` is ``source``, or the name of the other essay of the class; the JSON
    report calls it ``from``.
    """

    start: int
    end: int
    origin: str

    def to_dict(self) -> dict[str, Any]:
        """Return the passage as JSON-ready data."""
        return {"start": self.start, "end": self.end, "from": self.origin}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild a passage from ``to_dict`` data."""
        return cls(start=data["start"], end=data["end"], origin=data["from"])


@dataclass(frozen=True)
class Copying:
    """How much of an essay is copied, for the teacher (see essaycheck.batch.copying).

    Attributes:
        source: the share of the essay's words in passages shared with the source
            (None when there was no source to compare with).
        class_share: the share in passages shared with other essays of the class
            (text also in the source is counted as from the source); ``class`` in JSON.
        passages: the shared passages, in the essay's order.
    """

    source: float | None
    class_share: float
    passages: tuple[SharedPassage, ...] = ()

    def to_dict(self, *, rounded: bool = True) -> dict[str, Any]:
        """Return the figures and passages as JSON-ready data."""
        return {
            "source": None if self.source is None else _rounded(self.source, rounded),
            "class": _rounded(self.class_share, rounded),
            "passages": [passage.to_dict() for passage in self.passages],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild the figures from ``to_dict`` data."""
        return cls(
            source=data["source"],
            class_share=data["class"],
            passages=tuple(SharedPassage.from_dict(item) for item in data["passages"]),
        )


@dataclass(frozen=True)
class EssayResult:
    """The verdict on one essay: every key point, and the weighted share covered.

    A failed essay (one that could not be read) has ``error`` set and no points.
    ``copying`` is set by ``mark``'s class pass (a teacher's figure, never a student's).
    """

    name: str
    points: tuple[PointResult, ...] = ()
    error: str | None = None
    text: str = field(default="", repr=False)
    student: str | None = None
    warnings: tuple[str, ...] = ()
    format: str | None = None
    encoding: str | None = None
    copying: Copying | None = None

    @property
    def is_failed(self) -> bool:
        """Whether the essay could not be marked."""
        return self.error is not None

    @property
    def score(self) -> float:
        """Weighted share of the rubric's points the essay covers (0..1)."""
        total = sum(result.point.weight for result in self.points)
        covered = sum(result.point.weight for result in self.points if result.is_covered)
        return covered / total if total else 0.0

    def to_dict(self, *, rounded: bool = True) -> dict[str, Any]:
        """Return the result as JSON-ready data (the documented contract).

        The essay's text is not part of it: the journal stores it beside.
        """
        data: dict[str, Any] = {
            "path": self.name,
            "student": self.student,
            "format": self.format,
            "encoding": self.encoding,
        }
        if self.error is not None:
            data.update(error=self.error, score=None, points=[])
        else:
            data.update(
                score=_rounded(self.score, rounded),
                points=[result.to_dict(rounded=rounded) for result in self.points],
            )
        data["warnings"] = list(self.warnings)
        if self.copying is not None:  # computed by mark for a class; absent elsewhere
            data["copying"] = self.copying.to_dict(rounded=rounded)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], rubric: Rubric, text: str = "") -> Self:
        """Rebuild a result from ``to_dict`` data, against the rubric it was marked with."""
        points = {point.id: point for point in rubric}
        return cls(
            name=data["path"],
            points=tuple(
                PointResult.from_dict(item, points[item["id"]]) for item in data["points"]
            ),
            error=data.get("error"),
            text=text,
            student=data["student"],
            warnings=tuple(data["warnings"]),
            format=data["format"],
            encoding=data["encoding"],
            copying=Copying.from_dict(data["copying"]) if data.get("copying") else None,
        )


@dataclass(frozen=True)
class EngineInfo:
    """What marked the essays, as the reports and the journal record it.

    Attributes:
        name: the engine's name (``static-centred``), from the engine table.
        version: the engine's version, from the engine table.
        embeddings: the sentence-embedding model's name.
        review_band: scores within this distance of the threshold need review.
        checks: the verification checks the engine runs on candidate evidence.
        calibration: what the teacher's calibration was fitted on, if one is used.
    """

    name: str
    version: str
    embeddings: str
    decision: str
    review_band: float | None
    checks: tuple[str, ...] = ()
    calibration: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the description as JSON-ready data."""
        return {
            "calibration": self.calibration,
            "name": self.name,
            "version": self.version,
            "embeddings": self.embeddings,
            "decision": self.decision,
            "review_band": self.review_band,
            "checks": list(self.checks),
        }


class Calibrator(Protocol):
    """A teacher's calibration of one rubric (see essaycheck.calibration)."""

    def apply(self, result: EssayResult) -> EssayResult:
        """Return the result with every decision re-scaled."""

    def describe(self) -> dict[str, Any]:
        """Say what the calibration was fitted on, for reports."""
