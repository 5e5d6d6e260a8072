"""Findings like a linter's, for a student's editor and pre-commit hook.

``--format line`` prints one ``FILE:LINE:COL: SEVERITY: CODE: MESSAGE`` line per
finding (the layout compilers use, which editors and hook runners already read),
then one line per essay with its share and grade band, then one summary line.
``--format jsonl`` prints one JSON object per finding instead, with end positions.

A finding is a key point to act on:

- a missing point: ``error`` when the rubric marks it ``required``, else ``warning``.
  It sits at the passage that came closest when the results carry one (a close
  call, or a sentence that was not counted), else at the start of the paragraph of
  the sentence most related to it (``PointResult.nearest``), where it would fit;
- a close call that counts as covered: ``info``, at its evidence.

A point the essay clearly covers is not a finding. The code is the key point's id
(stable: it names the point in the rubric and the gradebook); an essay that could
not be marked has the code ``NOT-MARKED``, which no point id can be. Positions are
1-based, columns counted in characters, in the text essaycheck read: the file
itself for .txt and .md, the extracted text for the other formats.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from essaycheck.reports._text import json_safe, one_line, terminal_safe
from essaycheck.reports.options import ReportOptions
from essaycheck.results import EssayResult, PointResult
from essaycheck.rubric import Rubric

Severity = Literal["error", "warning", "info"]
Kind = Literal["missing", "not-counted", "close-call", "not-marked"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
"""The severities, most serious first."""
NOT_MARKED = "NOT-MARKED"
"""The code of an essay that could not be marked (upper case: never a point's id)."""
NO_HINT = "ask your teacher for a hint"
_DEFAULT = ReportOptions()


@dataclass(frozen=True)
class Finding:
    """One thing for a student to act on, at a place in one essay.

    Attributes:
        path: the essay's name, as given on the command line.
        line, column: where it starts (1-based; the column counts characters).
        end_line, end_column: where it ends (the same place for a point with no
            passage to show: the place to add it).
        severity: ``error`` (a required point is missing), ``warning`` (a point
            is missing) or ``info`` (a close call that counts as covered).
        code: the key point's id, or ``NOT-MARKED``.
        kind: ``missing``, ``not-counted`` (the closest passage says the opposite
            or credits someone else), ``close-call`` or ``not-marked``.
        message: what to do, in the student's words.
    """

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    severity: Severity
    code: str
    kind: Kind
    message: str

    def to_line(self) -> str:
        """The finding as ``FILE:LINE:COL: SEVERITY: CODE: MESSAGE``."""
        return (
            f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.code}: "
            f"{one_line(self.message)}"
        )

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready data (``--format jsonl``)."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "severity": self.severity,
            "code": self.code,
            "kind": self.kind,
            "message": one_line(self.message),
        }


def render_lines(
    results: Sequence[EssayResult], rubric: Rubric, options: ReportOptions = _DEFAULT
) -> str:
    """Return the findings as ``FILE:LINE:COL: SEVERITY: CODE: MESSAGE`` lines, and a summary.

    After the findings, one line per essay gives its share of the rubric and its
    grade band; the last line counts the findings (``3 missing (1 required) in
    1 file``).
    """
    lines = [finding.to_line() for result in results for finding in essay_findings(result, rubric)]
    lines += [_essay_summary(result, rubric) for result in results if not result.is_failed]
    lines.append(summarise(results, rubric))
    return "".join(terminal_safe(line) + "\n" for line in lines)


def render_jsonl(
    results: Sequence[EssayResult], rubric: Rubric, options: ReportOptions = _DEFAULT
) -> str:
    """Return one JSON object per finding, one per line (JSON Lines), for editors.

    Each object has ``path``, ``line``, ``column``, ``end_line``, ``end_column``,
    ``severity``, ``code``, ``kind`` and ``message``, with sorted keys.
    """
    return "".join(
        json_safe(json.dumps(finding.to_dict(), sort_keys=True, ensure_ascii=False)) + "\n"
        for result in results
        for finding in essay_findings(result, rubric)
    )


def essay_findings(result: EssayResult, rubric: Rubric) -> list[Finding]:
    """Return one essay's findings, in the order they come in the essay."""
    if result.error is not None:
        message = f"could not be marked: {result.error}"
        return [Finding(result.name, 1, 1, 1, 1, "error", NOT_MARKED, "not-marked", message)]
    found = [
        finding
        for point in result.points
        if (finding := _point_finding(result, point, rubric.shows_claims)) is not None
    ]
    # Stable: findings at the same place keep the rubric's order.
    return sorted(found, key=lambda finding: (finding.line, finding.column))


def summarise(results: Iterable[EssayResult], rubric: Rubric) -> str:
    """Return the line that counts the findings: ``3 missing (1 required) in 1 file``."""
    files = missing = required = close = failed = 0
    for result in results:
        files += 1
        if result.is_failed:
            failed += 1
            continue
        for finding in essay_findings(result, rubric):
            if finding.kind == "close-call":
                close += 1
            else:
                missing += 1
                required += finding.severity == "error"
    parts = [f"{missing} missing" + (f" ({required} required)" if required else "")]
    if close:
        parts.append(_count(close, "close call"))
    if failed:
        parts.append(f"{failed} not marked")
    if parts == ["0 missing"]:
        parts = ["nothing missing"]
    return f"{', '.join(parts)} in {_count(files, 'file')}"


def _essay_summary(result: EssayResult, rubric: Rubric) -> str:
    covered = sum(point.is_covered for point in result.points)
    grade = rubric.grade(result.score)
    band = f", grade {grade}" if grade is not None else ""
    return (
        f"{result.name}: {covered} of {len(result.points)} key points covered "
        f"({result.score:.0%}{band})"
    )


def _point_finding(result: EssayResult, point: PointResult, shows_claims: bool) -> Finding | None:
    """The finding for one point, or None when it is clearly covered."""
    if point.is_covered and (not point.needs_review or point.teacher is not None):
        return None
    if point.is_covered:
        severity: Severity = "info"
        kind: Kind = "close-call"
        message = "close call: this may make the point; say it more clearly to be sure"
    else:
        severity = "error" if point.point.required else "warning"
        kind = "not-counted" if point.objection is not None else "missing"
        message = _missing_message(point, shows_claims)
    start = end = 0
    if point.evidence is not None:
        start, end = point.evidence.start, point.evidence.end
    elif point.nearest is not None:  # where the point would fit: its paragraph's start
        start = end = _paragraph_start(result.text, point.nearest.start)
    line, column = _position(result.text, start)
    end_line, end_column = _position(result.text, end)
    return Finding(
        result.name,
        line,
        column,
        end_line,
        end_column,
        severity,
        point.point.id,
        kind,
        message,
    )


def _missing_message(point: PointResult, shows_claims: bool) -> str:
    """What a student is told of a missing point: with ``shows_claims`` false, never its claim."""
    if point.point.hint:
        advice = point.point.hint
    elif shows_claims:
        advice = point.point.text
    else:
        advice = NO_HINT
    required = " (required)" if point.point.required else ""
    if point.teacher is not None:
        return f"missing{required} (your teacher's decision): {advice}"
    if point.objection is not None:
        label = "hint: " if point.point.hint else "the point: " if shows_claims else ""
        return f"not counted{required}: {point.objection.message}; {label}{advice}"
    if point.needs_review and point.evidence is not None:
        return f"missing{required}, but this comes close: {advice}"
    return f"missing{required}: {advice}"


def _paragraph_start(text: str, offset: int) -> int:
    """Where the paragraph holding ``offset`` starts (after a blank line), past its indent."""
    blank = max(text.rfind("\n\n", 0, offset), text.rfind("\n\r\n", 0, offset))
    start = 0 if blank < 0 else blank
    while start < offset and text[start].isspace():
        start += 1
    return start


def _position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters) of ``offset`` in ``text``."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
