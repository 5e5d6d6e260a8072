"""Teacher calibration: fit a rubric's decision rule to a teacher's own marks.

The shipped decision rule was fitted on ArgKP-2021, whose arguments and key points
are not a history class's essays: on a new rubric its scores can be shifted (more
lenient or stricter than the teacher). A teacher marks a handful of essays (CSV:
essay, point id, 1/0); ``fit_calibration`` re-scales the engine's score on them
(Platt scaling: a logistic regression on the score's log-odds) and estimates, by
leaving one essay out at a time, how well the calibrated decisions agree with the
teacher. The calibration is saved beside the rubric and used by ``check`` and
``mark`` from then on.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from jsonschema.protocols import Validator

from essaycheck.errors import CalibrationError
from essaycheck.io.documents import schema_validator, shorten
from essaycheck.io.files import read_json, write_json
from essaycheck.results import REVIEW_BAND, THRESHOLD, EssayResult, PointResult, decide
from essaycheck.rubric import Rubric

CALIBRATION_FORMAT = 2
CALIBRATION_SUFFIX = ".calibration.json"
_TRUE = {"1", "yes", "y", "true", "covered"}
_FALSE = {"0", "no", "n", "false", "missing"}
_SCORE_FLOOR = 1e-4
MAX_COEFFICIENT = 1000.0
"""The largest slope or intercept a calibration file may hold. A fit on a teacher's marks
gives single digits (the scores' log-odds lie within +-9.2); a hand-edited 1e308 would
turn every decision into "covered" or "missing" regardless of the essay."""
_SHOWN_PROBLEMS = 5
# Fewer marked essays than this cannot tell, leaving one out, whether a calibration helps.
MIN_ESSAYS_TO_TELL = 5
_SHARE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
_AGREEMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["marks", "precision", "recall", "kappa", "accuracy"],
    "additionalProperties": False,
    "properties": {
        "marks": {"type": "integer", "minimum": 0},
        "precision": _SHARE,
        "recall": _SHARE,
        "kappa": {"type": ["number", "null"], "minimum": -1, "maximum": 1},
        "accuracy": {"type": "number", "minimum": 0, "maximum": 1},
    },
}
_COEFFICIENT = {"type": "number", "minimum": -MAX_COEFFICIENT, "maximum": MAX_COEFFICIENT}
CALIBRATION_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "essaycheck calibration, format 2",
    "type": "object",
    "required": [
        "format",
        "slope",
        "intercept",
        "review_band",
        "rubric_sha256",
        "engine_name",
        "engine_version",
        "essays",
        "marks",
        "held_out",
        "uncalibrated",
    ],
    "properties": {
        "format": {"const": CALIBRATION_FORMAT},
        "slope": _COEFFICIENT,
        "intercept": _COEFFICIENT,
        # a band wider than the threshold would make every decision a close call
        "review_band": {"type": "number", "minimum": 0, "maximum": THRESHOLD},
        "rubric_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "points_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "engine_name": {"type": "string", "pattern": "^\\S+$"},
        "engine_version": {"type": "string", "pattern": "\\S"},
        "essays": {"type": "integer", "minimum": 1},
        "marks": {"type": "integer", "minimum": 1},
        "held_out": _AGREEMENT_SCHEMA,
        "uncalibrated": _AGREEMENT_SCHEMA,
    },
}
"""What load_calibration accepts (format 1 files are read as format 2 first)."""


@dataclass(frozen=True)
class TeacherMark:
    """One decision of the teacher's: does this essay cover this key point?"""

    essay: str
    point_id: str
    is_covered: bool


@dataclass(frozen=True)
class Agreement:
    """How often calibrated decisions agree with the teacher, on some marks."""

    marks: int
    precision: float | None
    recall: float | None
    kappa: float | None
    accuracy: float

    def to_dict(self) -> dict[str, Any]:
        """Return the figures as JSON-ready data, rounded to 3 decimals."""
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class Disagreement:
    """A decision the calibrated engine makes differently from the teacher.

    ``score`` is the calibrated score with the essay left out of the fit, the one
    its decision was made on.
    """

    essay: str
    point_id: str
    teacher: bool
    score: float
    evidence: str | None


@dataclass(frozen=True)
class Calibration:
    """A rubric's calibrated decision rule: score' = sigmoid(slope * logit(score) + intercept).

    Attributes:
        rubric_sha256: the rubric it was fitted for.
        points_sha256: what its decisions depend on (``points_fingerprint``): it
            still applies when only a hint, a weight or the title has changed.
        engine_name: the engine whose scores it re-scales, as the engine table names it.
        engine_version: that engine's version.
        essays: how many marked essays it was fitted on.
        marks: how many (essay, point) decisions.
        held_out: agreement with the teacher, estimated leaving one essay out.
        uncalibrated: the shipped rule's agreement on the same marks, for comparison.
    """

    slope: float
    intercept: float
    rubric_sha256: str
    engine_name: str
    engine_version: str
    essays: int
    marks: int
    held_out: Agreement
    uncalibrated: Agreement
    review_band: float = REVIEW_BAND
    points_sha256: str | None = None

    def fits(self, rubric: Rubric) -> bool:
        """Whether the calibration still applies to ``rubric``: its points decide the same way.

        A calibration saved before ``points_sha256`` existed needs the whole rubric unchanged.
        """
        if self.points_sha256 is not None:
            return self.points_sha256 == points_fingerprint(rubric)
        return self.rubric_sha256 == rubric.sha256

    def score(self, score: float) -> float:
        """Return the calibrated score for one of the engine's scores."""
        return _sigmoid(self.slope * _logit(score) + self.intercept)

    def apply(self, result: EssayResult) -> EssayResult:
        """Return the essay's result with every decision re-scaled by the calibration."""
        if result.error is not None:
            return result
        return replace(result, points=tuple(self._point(p) for p in result.points))

    def _point(self, point: PointResult) -> PointResult:
        score = self.score(point.score)
        if point.objection is not None:  # evidence that denies the point never counts
            return replace(
                point, is_covered=False, score=min(score, point.score), needs_review=False
            )
        is_covered, needs_review = decide(score, self.review_band)
        shown = is_covered or needs_review
        return PointResult(
            point=point.point,
            is_covered=is_covered,
            score=score,
            needs_review=needs_review,
            evidence=point.evidence if shown else None,
            nearest=None if shown else (point.nearest or point.evidence),
        )

    def describe(self) -> dict[str, Any]:
        """Say what the calibration was fitted on, for reports."""
        return {
            "essays": self.essays,
            "marks": self.marks,
            "held_out_kappa": self.held_out.to_dict()["kappa"],
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the calibration as JSON-ready data."""
        return {
            "format": CALIBRATION_FORMAT,
            "slope": self.slope,
            "intercept": self.intercept,
            "review_band": self.review_band,
            "rubric_sha256": self.rubric_sha256,
            "engine_name": self.engine_name,
            "engine_version": self.engine_version,
            "essays": self.essays,
            "marks": self.marks,
            "held_out": self.held_out.to_dict(),
            "uncalibrated": self.uncalibrated.to_dict(),
        } | ({"points_sha256": self.points_sha256} if self.points_sha256 else {})


@dataclass(frozen=True)
class CalibrationReport:
    """A fitted calibration, its per-point agreement, and the disagreements."""

    calibration: Calibration
    per_point: dict[str, Agreement]
    disagreements: tuple[Disagreement, ...]

    def verdict(self) -> tuple[bool, str]:
        """Whether the calibration should be used, and why (or why not).

        It is used only when, leaving one essay out at a time, it agrees with the
        teacher better than the shipped rule does on the same marks, and there
        are enough marked essays for that estimate to mean something.
        """
        calibration = self.calibration
        if calibration.essays < MIN_ESSAYS_TO_TELL:
            return False, (
                f"{calibration.essays} marked essays are too few to tell whether it helps; "
                f"mark at least {MIN_ESSAYS_TO_TELL}"
            )
        fitted, shipped = (
            _agreement_value(calibration.held_out),
            _agreement_value(calibration.uncalibrated),
        )
        measure = "kappa" if calibration.held_out.kappa is not None else "accuracy"
        if fitted <= shipped:
            return False, (
                f"leaving one essay out, it agrees with your marks less than the shipped rule "
                f"does ({measure} {fitted:.2f} against {shipped:.2f})"
            )
        return True, (
            f"leaving one essay out, it agrees with your marks better than the shipped rule "
            f"({measure} {fitted:.2f} against {shipped:.2f})"
        )


def _agreement_value(agreement: Agreement) -> float:
    """Kappa, or accuracy where kappa is undefined (one kind of mark only)."""
    return agreement.kappa if agreement.kappa is not None else agreement.accuracy


def points_fingerprint(rubric: Rubric) -> str:
    """A fingerprint of what a calibration's decisions depend on: each point's id, text, examples.

    A hint, a weight or the title can change without making a calibration stale.
    """
    import hashlib
    import json

    canonical = json.dumps(
        [[point.id, point.text, list(point.examples)] for point in rubric],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_teacher_marks(path: Path, rubric: Rubric) -> list[TeacherMark]:
    """Read a teacher's marks: CSV with columns essay, point_id, covered (1/0).

    Raises:
        CalibrationError: naming the line of every problem found.
    """
    try:
        rows = list(csv.DictReader(path.read_text("utf-8-sig").splitlines()))
    except FileNotFoundError as err:
        raise CalibrationError(f"{path}: no such file of teacher's marks.") from err
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise CalibrationError(f"{path}: cannot read it as a UTF-8 CSV file ({err}).") from err
    known = {point.id for point in rubric}
    marks, problems = [], []
    for number, row in enumerate(rows, start=2):
        essay = (row.get("essay") or row.get("file") or "").strip()
        point_id = (row.get("point_id") or row.get("point") or "").strip()
        value = (row.get("covered") or "").strip().lower()
        if not essay or not point_id or not value:
            problems.append(f"line {number}: needs the columns essay, point_id and covered")
        elif point_id not in known:
            problems.append(f"line {number}: {point_id!r} is not a key point of the rubric")
        elif value not in _TRUE | _FALSE:
            problems.append(f"line {number}: covered must be 1 or 0, not {value!r}")
        else:
            marks.append(TeacherMark(essay, point_id, value in _TRUE))
    if problems:
        listed = "\n".join(f"  {path}: {problem}" for problem in problems[:20])
        raise CalibrationError(f"{path}: {len(problems)} problem(s) in the marks:\n{listed}")
    essays = {mark.essay for mark in marks}
    if len(essays) < 3 or len({mark.is_covered for mark in marks}) < 2:
        raise CalibrationError(
            f"{path}: calibration needs marks for at least 3 essays, with both covered (1) "
            f"and missing (0) decisions; found {len(essays)} essay(s). Mark a few more essays."
        )
    return marks


def fit_calibration(
    marks: Sequence[TeacherMark],
    results: dict[str, EssayResult],
    rubric: Rubric,
    engine: tuple[str, str],
) -> CalibrationReport:
    """Fit the calibration on every mark and estimate its agreement leaving one essay out.

    Args:
        marks: the teacher's decisions.
        results: the engine's (uncalibrated) result for every marked essay, by name.
        rubric: the rubric the essays were checked against.
        engine: the engine's name and version, recorded in the calibration.
    """
    rows = [_row(mark, results) for mark in marks]
    scores = np.asarray([row.score for row in rows])
    labels = np.asarray([mark.is_covered for mark in marks])
    essays = np.asarray([mark.essay for mark in marks])
    slope, intercept = _fit(scores, labels)
    rejected = np.asarray([row.is_rejected for row in rows])
    held_out_scores = np.zeros(len(marks))
    for essay in sorted(set(essays)):
        inside = essays == essay
        fold_slope, fold_intercept = _fit(scores[~inside], labels[~inside])
        held_out_scores[inside] = _calibrated(scores[inside], fold_slope, fold_intercept)
    held_out = (held_out_scores >= THRESHOLD) & ~rejected
    calibration = Calibration(
        slope=round(slope, 6),
        intercept=round(intercept, 6),
        rubric_sha256=rubric.sha256,
        points_sha256=points_fingerprint(rubric),
        engine_name=engine[0],
        engine_version=engine[1],
        essays=len(set(essays)),
        marks=len(marks),
        held_out=agreement(labels, held_out),
        uncalibrated=agreement(labels, np.asarray([row.is_covered for row in rows])),
    )
    per_point = {
        point.id: agreement(labels[mask], held_out[mask])
        for point in rubric
        if (mask := np.asarray([mark.point_id == point.id for mark in marks])).any()
    }
    disagreements = tuple(
        Disagreement(
            mark.essay,
            mark.point_id,
            mark.is_covered,
            float(score),
            row.evidence.text if row.evidence else None,
        )
        for mark, row, decided, score in zip(marks, rows, held_out, held_out_scores, strict=True)
        if decided != mark.is_covered
    )
    return CalibrationReport(calibration, per_point, disagreements)


def agreement(truth: np.ndarray, decided: np.ndarray) -> Agreement:
    """Precision, recall and Cohen's kappa of ``decided`` against the teacher's ``truth``."""
    from sklearn.metrics import cohen_kappa_score

    positives = int(decided.sum())
    actual = int(truth.sum())
    both = int((truth & decided).sum())
    constant = len(set(truth.tolist())) < 2 and len(set(decided.tolist())) < 2
    kappa = None if constant else float(cohen_kappa_score(truth, decided))
    return Agreement(
        marks=len(truth),
        precision=both / positives if positives else None,
        recall=both / actual if actual else None,
        kappa=kappa,
        accuracy=float((truth == decided).mean()) if len(truth) else 0.0,
    )


def calibration_path(rubric_path: Path) -> Path:
    """Where a rubric's calibration lives: beside it, ``<rubric>.calibration.json``."""
    return rubric_path.with_name(rubric_path.stem + CALIBRATION_SUFFIX)


def save_calibration(calibration: Calibration, path: Path) -> None:
    """Write the calibration file atomically."""
    write_json(path, calibration.to_dict())


def load_calibration(
    rubric: Rubric, path: Path, engine: tuple[str, str] | None = None
) -> Calibration | None:
    """Read a rubric's calibration; None if there is none.

    Args:
        rubric: the rubric the calibration must have been fitted for.
        path: the calibration file.
        engine: the engine's name and version; a calibration of another engine's
            scores is refused.

    Raises:
        CalibrationError: the file is malformed, or was fitted for another version
            of the rubric or another engine.
    """
    if not path.is_file():
        return None
    remedy = "Delete it, or rerun essaycheck calibrate."
    data = read_json(path, CalibrationError, remedy)
    problems = find_calibration_problems(data)
    if problems:
        shown = "; ".join(problems[:_SHOWN_PROBLEMS])
        more = len(problems) - _SHOWN_PROBLEMS
        shown += f"; and {more} more" if more > 0 else ""
        raise CalibrationError(f"{path}: not a valid calibration file ({shown}). {remedy}")
    calibration = _calibration_from_dict(_upgraded(data))
    fitted_for = (calibration.engine_name, calibration.engine_version)
    if engine is not None and fitted_for != engine:
        raise CalibrationError(
            f"{path}: calibrates the {' '.join(fitted_for)} engine's scores, not "
            f"{' '.join(engine)}'s. Rerun essaycheck calibrate with the same --engine, or pass "
            "--no-calibration."
        )
    if not calibration.fits(rubric):
        raise CalibrationError(
            f"{path}: was fitted when the rubric's key points were different (a point's "
            "id, text or examples has changed since), so it no longer applies. Rerun "
            "essaycheck calibrate with your marks, or delete the file to use the shipped rule."
        )
    return calibration


def find_calibration_problems(data: Any) -> list[str]:
    """Return every way parsed calibration data breaks CALIBRATION_SCHEMA, as text.

    Each problem starts with its JSON path: ``$.slope: 1e+308 is greater than ...``.
    Format 1 data is checked as the format 2 data it is read as.
    """
    if _is_format_1(data) and not isinstance(data.get("engine"), str):
        engine = shorten(repr(data.get("engine")), 80)
        return [f"$.engine: {engine} should be the engine's name and version"]
    data = _upgraded(data)
    errors = sorted(_validator().iter_errors(data), key=lambda err: (err.json_path, err.message))
    problems = [f"{err.json_path}: {shorten(err.message)}" for err in errors]
    if not problems and data["essays"] > data["marks"]:
        problems.append(
            f"$.essays: {data['essays']} marked essays but only {data['marks']} marks; "
            "every marked essay has at least one"
        )
    return problems


def _is_format_1(data: Any) -> bool:
    return isinstance(data, dict) and data.get("format") == 1 and data["format"] is not True


def _upgraded(data: Any) -> Any:
    """Read a format 1 calibration, which kept the engine as one "name version" string."""
    if not _is_format_1(data) or not isinstance(data.get("engine"), str):
        return data
    name, _, version = data["engine"].partition(" ")
    return {**data, "format": CALIBRATION_FORMAT, "engine_name": name, "engine_version": version}


@cache
def _validator() -> Validator:
    return schema_validator(CALIBRATION_SCHEMA)


def _calibration_from_dict(data: dict[str, Any]) -> Calibration:
    """Rebuild a calibration from data that find_calibration_problems passed."""
    return Calibration(
        slope=float(data["slope"]),
        intercept=float(data["intercept"]),
        rubric_sha256=data["rubric_sha256"],
        engine_name=data["engine_name"],
        engine_version=data["engine_version"],
        essays=int(data["essays"]),
        marks=int(data["marks"]),
        held_out=Agreement(**data["held_out"]),
        uncalibrated=Agreement(**data["uncalibrated"]),
        review_band=float(data["review_band"]),
        points_sha256=data.get("points_sha256"),
    )


@dataclass(frozen=True)
class _Row:
    score: float
    is_covered: bool
    is_rejected: bool
    evidence: Any


def _row(mark: TeacherMark, results: dict[str, EssayResult]) -> _Row:
    result = results[mark.essay]
    point = next(p for p in result.points if p.point.id == mark.point_id)
    return _Row(point.score, point.is_covered, point.objection is not None, point.evidence)


def _fit(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    if len(set(labels.tolist())) < 2:  # one class only: keep the shipped rule
        return 1.0, 0.0
    model = LogisticRegression(C=1.0, max_iter=1000)
    model.fit(_logit_array(scores)[:, np.newaxis], labels)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def _calibrated(scores: np.ndarray, slope: float, intercept: float) -> np.ndarray:
    with np.errstate(over="ignore"):  # exp(-x) overflowing to inf gives the right 0.0
        calibrated: np.ndarray = 1.0 / (1.0 + np.exp(-(slope * _logit_array(scores) + intercept)))
    return calibrated


def _logit(score: float) -> float:
    score = min(max(score, _SCORE_FLOOR), 1 - _SCORE_FLOOR)
    return math.log(score / (1 - score))


def _logit_array(scores: np.ndarray) -> np.ndarray:
    clipped = np.clip(scores, _SCORE_FLOOR, 1 - _SCORE_FLOOR)
    logits: np.ndarray = np.log(clipped / (1 - clipped))
    return logits


def _sigmoid(value: float) -> float:
    """Return the logistic function of ``value``, for any float."""
    try:
        return 1.0 / (1.0 + math.exp(-value))
    except OverflowError:  # value below about -709: the logistic is 0 to within 1e-308
        return 0.0


def informative_essays(
    results: Sequence[EssayResult], marked: set[str], review_band: float, count: int = 3
) -> list[tuple[str, int]]:
    """The unmarked essays whose marks would tell a calibration most: the most close calls.

    Returns (essay, close calls) pairs, most first, ties by name.
    """
    close = [
        (result.name, sum(abs(p.score - THRESHOLD) < review_band for p in result.points))
        for result in results
        if result.name not in marked and not result.is_failed
    ]
    ranked = sorted((item for item in close if item[1]), key=lambda item: (-item[1], item[0]))
    return ranked[:count]
