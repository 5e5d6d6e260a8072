"""The student's page: a draft checked against an assignment's rubric, in student wording.

Nothing a student sends is stored: a draft is checked in memory and forgotten.
What the page is told obeys the rubric's ``student_view``: with ``hints`` (the
default) a missing key point is named by its id and hint, and its claim is
never sent to the browser at all. A close call reads as "maybe", never as a
score or an engine's flag.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from essaycheck.errors import EssayReadError, RubricError
from essaycheck.io.essays import Essay, essay_from_bytes
from essaycheck.io.formats import MAX_ESSAY_CHARS, format_size
from essaycheck.reports._text import capitalised, unhinted_point
from essaycheck.reports.html import highlight_segments
from essaycheck.results import Calibrator, EssayResult, PointResult
from essaycheck.rubric import YAML_SUFFIXES, Rubric

if TYPE_CHECKING:
    from essaycheck.engine.checker import Checker

UPLOAD_FORMATS = ("txt", "md", "docx", "odt", "pdf")
"""What a student may drop on the page, by suffix."""
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
"""The largest file a student may drop on the page."""
RUBRIC_SUFFIXES = (".json", *YAML_SUFFIXES)
_KEY = re.compile(r"[^a-z0-9]+")
CLOSE_CALL_ADVICE = "maybe: say it more plainly"
_LABELS = {
    "covered": "covered",
    "maybe": "maybe covered",
    "almost": "almost there",
    "not-counted": "not counted",
    "missing": "missing",
}


@dataclass(frozen=True)
class Assignment:
    """One rubric the page checks drafts against.

    Attributes:
        key: how the page names it (from the rubric's file name).
        rubric: the rubric.
        calibration: the teacher's calibration of the rubric for this engine, if any.
    """

    key: str
    rubric: Rubric
    calibration: Calibrator | None = None


def assignment_key(path: Path, taken: Sequence[str] = ()) -> str:
    """A short key for a rubric file, unique among ``taken``: ``water-cycle``."""
    base = _KEY.sub("-", path.stem.lower()).strip("-") or "rubric"
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    return key


def rubric_files(folder: Path) -> list[Path]:
    """The rubric files directly in ``folder``, sorted (calibrations left out).

    Raises:
        RubricError: the folder cannot be listed, or holds no rubric.
    """
    try:
        found = sorted(
            path
            for path in folder.iterdir()
            if path.suffix.lower() in RUBRIC_SUFFIXES
            and path.is_file()
            and not path.name.endswith(".calibration.json")
        )
    except OSError as err:
        raise RubricError(f"{folder}: cannot be listed ({err.strerror or err}).") from err
    if not found:
        raise RubricError(
            f"{folder}: holds no rubric (.json, .yaml or .yml). Name a folder of "
            "rubrics, or pass one rubric with --rubric."
        )
    return found


class StudentPage:
    """Checks drafts for the student's page, one at a time (the engine is not shared)."""

    def __init__(self, checker: Checker, assignments: Sequence[Assignment]) -> None:
        self.checker = checker
        self.assignments = {assignment.key: assignment for assignment in assignments}
        self._lock = threading.Lock()

    def check(self, key: str, text: str) -> dict[str, Any]:
        """Check a draft against an assignment; return what the page shows of it.

        Raises:
            EssayReadError: the assignment is unknown, or the draft is too long.
        """
        assignment = self.assignments.get(key)
        if assignment is None:
            raise EssayReadError(f"there is no assignment {key!r} here: reload the page")
        if len(text) > MAX_ESSAY_CHARS:
            raise EssayReadError(
                f"the draft is longer than {MAX_ESSAY_CHARS:,} characters, the most this "
                "page checks: check it in parts"
            )
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        rubric = assignment.rubric
        if not text.strip():
            empty = EssayResult("draft", tuple(_unchecked(p) for p in rubric), text=text)
            return student_view(empty, rubric)
        with self._lock:
            result = self.checker.check(Essay("draft", text), rubric, assignment.calibration)
        return student_view(result, rubric)


def _unchecked(point: Any) -> PointResult:
    return PointResult(point=point, is_covered=False, score=0.0, needs_review=False)


def student_view(result: EssayResult, rubric: Rubric) -> dict[str, Any]:
    """What the page shows of a checked draft: no claim of a missing point under ``hints``.

    ``segments`` cut the draft's text where evidence starts and ends, so the page
    highlights it without counting characters itself.
    """
    if result.is_failed:
        return {"error": result.error or "the draft could not be checked"}
    statuses = {point.point.id: _status(point) for point in result.points}
    points = [_point_view(point, statuses[point.point.id], rubric) for point in result.points]
    segments = []
    for segment in highlight_segments(result):
        shown = [point_id for point_id in segment.point_ids if statuses[point_id] != "missing"]
        segments.append(
            {
                "text": segment.text,
                "points": shown,
                "status": _strongest([statuses[point_id] for point_id in shown]),
                "labels": [label.point_id for label in segment.labels if label.point_id in shown],
            }
        )
    covered = sum(point.is_covered for point in result.points)
    return {
        "share": round(result.score, 3),
        "share_text": f"{result.score:.0%}",
        "grade": rubric.grade(result.score),
        "covered": covered,
        "total": len(result.points),
        "summary": f"{covered} of {len(result.points)} key points covered",
        "points": points,
        "segments": segments,
        "warnings": [capitalised(warning) for warning in result.warnings],
    }


def _status(point: PointResult) -> str:
    if point.is_covered:
        return "maybe" if point.needs_review else "covered"
    if point.objection is not None:
        return "not-counted"
    return "almost" if point.needs_review else "missing"


def _strongest(statuses: list[str]) -> str:
    """The status a highlight takes its colour from: covered before maybe, and so on."""
    order = list(_LABELS)
    return min(statuses, key=order.index) if statuses else ""


def _point_view(point: PointResult, status: str, rubric: Rubric) -> dict[str, Any]:
    shows_claim = point.is_covered or rubric.shows_claims
    advice = []
    if status in ("maybe", "almost"):
        advice.append(capitalised(CLOSE_CALL_ADVICE))
    if point.objection is not None:
        advice.append(f"Not counted: {capitalised(point.objection.message)}")
    if not point.is_covered:
        if point.point.hint:
            advice.append(f"Hint: {point.point.hint}")
        elif not rubric.shows_claims:
            advice.append(capitalised(unhinted_point(point.point.id)) + ".")
    return {
        "id": point.point.id,
        "status": status,
        "label": _LABELS[status],
        "claim": point.point.text if shows_claim else None,
        "required": point.point.required,
        "advice": advice,
        "evidence": point.evidence.text if point.evidence and status != "missing" else None,
    }


def read_upload(filename: str, data: bytes) -> dict[str, Any]:
    """Read a dropped file's text with essaycheck's essay readers.

    Raises:
        EssayReadError: the file is too large, of another type, or not a readable
            essay; the message says what to do.
    """
    name = Path(filename.replace("\\", "/")).name or "draft"
    if len(data) > MAX_UPLOAD_BYTES:
        raise EssayReadError(
            f"{name}: larger than {format_size(MAX_UPLOAD_BYTES)}, the most this page "
            "takes. Save the essay's text alone, or paste it in."
        )
    fmt = Path(name).suffix.lower().lstrip(".")
    if fmt not in UPLOAD_FORMATS:
        listed = ", ".join(f".{item}" for item in UPLOAD_FORMATS)
        raise EssayReadError(
            f"{name}: this page reads {listed} files. Save the draft as one of them, "
            "or paste its text in."
        )
    try:
        essay = essay_from_bytes(data, name, fmt)
    except EssayReadError as err:
        raise EssayReadError(for_student(str(err))) from err
    return {"name": name, "text": essay.text, "warnings": list(essay.warnings)}


_ASK_TO = re.compile(r"\b([Aa])sk the student to (.+?)(?: and resubmit it)?\.")
_ASK_FOR = re.compile(r"\b([Aa])sk the student for (.+?)\.")


def for_student(message: str) -> str:
    """A reader's message, which speaks to the teacher, said to the student instead.

    ``ask the student to save it again and resubmit it`` becomes ``save it again,
    then drop it here again``.
    """

    def to(found: re.Match[str]) -> str:
        verb = found[2][:1].upper() + found[2][1:] if found[1] == "A" else found[2]
        return f"{verb}, then drop it here again."

    def for_(found: re.Match[str]) -> str:
        drop = "Drop" if found[1] == "A" else "drop"
        return f"{drop} {found[2]} here instead."

    return _ASK_FOR.sub(for_, _ASK_TO.sub(to, message))
