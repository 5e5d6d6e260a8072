"""Render results: text for a terminal, JSON (the documented contract), Markdown, CSV.

Every renderer returns a string and writes nothing; essay text is data, never
markup or formulas: Markdown output escapes it, CSV cells are neutralised.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from essaycheck.calibration import Agreement, CalibrationReport
from essaycheck.feedback import EssayResult, PointResult
from essaycheck.rubric import Rubric

SCHEMA_VERSION = 1
_ANSI = {
    "green": "\x1b[32m",
    "red": "\x1b[31m",
    "yellow": "\x1b[33m",
    "bold": "\x1b[1m",
    "dim": "\x1b[2m",
    "reset": "\x1b[0m",
}
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters that could turn essay text into Markdown markup or HTML.
_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|~&"})
_JSON_STYLE: dict[str, Any] = {"indent": 2, "sort_keys": True, "ensure_ascii": False}
# Stands in for the list of essays while the rest of the JSON report is laid out.
_ESSAYS_MARK = "essaycheck: the essays go here"


def render_json(results: Sequence[EssayResult], rubric: Rubric, engine: dict[str, Any]) -> str:
    """Return the JSON report: the same shape for one essay or many."""
    return "".join(stream_json(results, rubric, engine))


def stream_json(
    results: Iterable[EssayResult], rubric: Rubric, engine: dict[str, Any]
) -> Iterator[str]:
    """Yield the JSON report in pieces, one essay at a time, so a class is never one string.

    The pieces join to exactly what ``json.dumps`` gives for the whole report.
    """
    report = _json_report(rubric, engine, [_ESSAYS_MARK])
    text = json.dumps(report, **_JSON_STYLE) + "\n"
    head, tail = text.split(json.dumps(_ESSAYS_MARK), 1)
    essays = iter(results)
    first = next(essays, None)
    if first is None:
        yield json.dumps(_json_report(rubric, engine, []), **_JSON_STYLE) + "\n"
        return
    yield head + _json_item(first)
    for result in essays:
        yield ",\n    " + _json_item(result)
    yield tail


def _json_item(result: EssayResult) -> str:
    """One essay as the report's list of essays shows it (two levels in)."""
    return json.dumps(result.to_dict(), **_JSON_STYLE).replace("\n", "\n    ")


def _json_report(rubric: Rubric, engine: dict[str, Any], essays: list[Any]) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "rubric": {
            "title": rubric.title,
            "sha256": rubric.sha256,
            "points": [
                {"id": p.id, "text": p.text, "weight": p.weight, "required": p.required}
                for p in rubric
            ],
        },
        "engine": engine,
        "essays": essays,
    }


def render_text(results: Sequence[EssayResult], rubric: Rubric, *, colour: bool = False) -> str:
    """Return a quick view for a person at a terminal."""

    def paint(text: str, *styles: str) -> str:
        if not colour:
            return text
        return "".join(_ANSI[s] for s in styles) + text + _ANSI["reset"]

    width = max((len(point.id) for point in rubric), default=0)
    blocks = []
    for result in results:
        if result.error is not None:
            blocks.append(paint(f"{result.name}: not marked: {result.error}", "red"))
            continue
        covered = sum(r.is_covered for r in result.points)
        lines = [
            paint(
                f"{result.name}: {covered} of {len(result.points)} key points "
                f"covered (score {result.score:.2f})",
                "bold",
            ),
            *(paint(f"  ! {warning}", "yellow") for warning in result.warnings),
        ]
        for point in result.points:
            mark = paint("✓", "green") if point.is_covered else paint("✗", "red")
            review = paint(" (needs review)", "yellow") if point.needs_review else ""
            lines.append(f"  {mark} {point.point.id:<{width}}  {point.score:.2f}{review}")
            if point.is_covered and point.evidence:
                lines.append(paint(f"      “{_one_line(point.evidence.text)}”", "dim"))
            elif not point.is_covered:
                lines.append(f"      {_missing_advice(point)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def render_markdown(results: Sequence[EssayResult], rubric: Rubric) -> str:
    """Return feedback for students: covered points with evidence, missing ones with hints."""
    return "\n---\n\n".join(render_feedback(result, rubric) for result in results)


def render_feedback(result: EssayResult, rubric: Rubric) -> str:
    """Return one essay's Markdown feedback."""
    lines = [f"# Feedback: {_md(result.name)}", "", f"Rubric: {_md(rubric.title)}", ""]
    if result.error is not None:
        lines += [f"This essay could not be marked: {_md(result.error)}", ""]
        return "\n".join(lines)
    covered = [r for r in result.points if r.is_covered]
    missing = [r for r in result.points if not r.is_covered]
    lines += [f"> Note: {_md(warning)}" for warning in result.warnings]
    if result.warnings:
        lines.append("")
    lines += [
        f"**Score: {result.score:.0%}** of the rubric's weight "
        f"({len(covered)} of {len(result.points)} key points covered).",
        "",
    ]
    if covered:
        lines += ["## Covered", ""]
        for point in covered:
            lines.append(f"- **{_md(point.point.text)}**{_review_note(point)}")
            if point.evidence:
                lines.append(f"  > {_md(_one_line(point.evidence.text))}")
        lines.append("")
    if missing:
        lines += ["## Missing", ""]
        for point in missing:
            required = " (required)" if point.point.required else ""
            lines.append(f"- **{_md(point.point.text)}**{required}{_review_note(point)}")
            if point.note:
                lines.append(f"  Not counted: {_md(_capitalised(point.note.message))}")
            if point.point.hint:
                lines.append(f"  Hint: {_md(point.point.hint)}")
        lines.append("")
    return "\n".join(lines)


def render_gradebook(
    results: Sequence[EssayResult], rubric: Rubric, scale: float | None = None
) -> str:
    """Return the gradebook CSV that a learning platform imports.

    Columns: file, student, score (the weighted share covered, 0..1), ``marks``
    (the score times ``scale``, when given), ``grade`` (the rubric's band, when it
    has bands), one 1/0 column per key point, and error.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    extra = (["marks"] if scale is not None else []) + (["grade"] if rubric.bands else [])
    writer.writerow(["file", "student", "score", *extra, *(p.id for p in rubric), "error"])
    for result in results:
        who = [_cell(result.name), _cell(result.student or "")]
        if result.error is not None:
            blanks = [""] * (1 + len(extra) + len(rubric))
            writer.writerow([*who, *blanks, _cell(result.error)])
            continue
        marks = [_marks(result.score, scale)] if scale is not None else []
        grade = [_cell(rubric.grade(result.score) or "")] if rubric.bands else []
        flags = [int(point.is_covered) for point in result.points]
        writer.writerow([*who, f"{result.score:.3f}", *marks, *grade, *flags, ""])
    return buffer.getvalue()


def render_lines(results: Sequence[EssayResult]) -> str:
    """Return one ``file:line:col: point-id: message`` line per point to act on.

    For editors and pre-commit hooks: a missing point (at the start of the essay,
    or at the sentence that was not counted), and a close call (at its evidence).
    """
    lines = []
    for result in results:
        if result.error is not None:
            lines.append(f"{result.name}:1:1: error: {_one_line(result.error)}")
            continue
        for point in result.points:
            message = _line_message(point)
            if message is None:
                continue
            start = point.evidence.start if point.evidence else 0
            line = result.text.count("\n", 0, start) + 1
            column = start - (result.text.rfind("\n", 0, start) + 1) + 1
            lines.append(f"{result.name}:{line}:{column}: {point.point.id}: {message}")
    return "".join(line + "\n" for line in lines)


def _line_message(point: PointResult) -> str | None:
    if point.note is not None:
        return f"not counted: {_one_line(point.note.message)}"
    if not point.is_covered:
        advice = point.point.hint or point.point.text
        return f"missing: {_one_line(advice)}"
    if point.needs_review:
        return f"close call ({point.score:.2f}): check that this makes the point"
    return None


def _marks(score: float, scale: float) -> str:
    return f"{score * scale:.1f}"


def render_class_summary(results: Sequence[EssayResult], rubric: Rubric) -> str:
    """Return a short class summary: essays marked, mean score, each point's coverage."""
    marked = [r for r in results if r.error is None]
    failed = len(results) - len(marked)
    plural = "" if len(marked) == 1 else "s"
    lines = [f"{len(marked)} essay{plural} marked" + (f", {failed} failed" if failed else "")]
    if marked:
        mean = sum(r.score for r in marked) / len(marked)
        lines.append(f"mean score {mean:.2f}")
        width = max(len(point.id) for point in rubric)
        lines.append("key point coverage (share of the class):")
        for index, point in enumerate(rubric):
            share = sum(r.points[index].is_covered for r in marked) / len(marked)
            bar = "█" * round(share * 20)
            lines.append(f"  {point.id:<{width}}  {share:>4.0%}  {bar}".rstrip())
    return "\n".join(lines) + "\n"


METRIC_LABELS = (
    ("auc", "ROC AUC"),
    ("map_strict", "KPA mAP (strict)"),
    ("map_relaxed", "KPA mAP (relaxed)"),
    ("precision", "precision of covered"),
    ("recall", "recall of covered"),
    ("f1", "F1 of covered"),
    ("top1_accuracy", "top-1 accuracy"),
    ("summary_correlation", "summary-level Pearson"),
)


def render_metrics(metrics: dict[str, Any]) -> str:
    """Return evaluation metrics as an aligned table for a terminal."""
    lines = [
        f"data: {metrics.get('data', '?')}",
        f"texts: {metrics['texts']}, labelled pairs: {metrics['labelled_pairs']}",
    ]
    for key, label in METRIC_LABELS:
        if metrics.get(key) is not None:
            lines.append(f"  {label:<24} {metrics[key]:.3f}")
    if "summary_documents" in metrics:
        lines.append(f"  (summary correlation over {metrics['summary_documents']} documents)")
    return "\n".join(lines) + "\n"


def render_calibration(report: CalibrationReport, fmt: str = "text") -> str:
    """Return a calibration's agreement with the teacher and its disagreements."""
    calibration = report.calibration
    if fmt == "json":
        data = {
            "calibration": calibration.to_dict(),
            "per_point": {key: value.to_dict() for key, value in report.per_point.items()},
            "disagreements": [
                {
                    "essay": d.essay,
                    "point_id": d.point_id,
                    "teacher": "covered" if d.teacher else "missing",
                    "score": round(d.score, 3),
                    "evidence": d.evidence,
                }
                for d in report.disagreements
            ],
        }
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    width = max([len("calibrated rule"), *(len(key) for key in report.per_point)])
    header = f"  {'':<{width}}  marks  precision  recall  kappa"
    lines = [
        f"Calibrated on {calibration.essays} essays ({calibration.marks} marks).",
        "Agreement with the teacher, estimated leaving one essay out:",
        header,
        _agreement_line("shipped rule", calibration.uncalibrated, width),
        _agreement_line("calibrated rule", calibration.held_out, width),
        "",
        "Per key point (calibrated, leaving one essay out):",
        header,
        *(_agreement_line(key, value, width) for key, value in report.per_point.items()),
        "",
        f"Disagreements ({len(report.disagreements)}):",
    ]
    for item in report.disagreements:
        teacher = "covered" if item.teacher else "missing"
        engine = "missing" if item.teacher else "covered"
        lines.append(
            f"  {item.essay}  {item.point_id}: teacher {teacher}, "
            f"essaycheck {engine} ({item.score:.2f})"
        )
        if item.evidence:
            lines.append(f"      “{_one_line(item.evidence)}”")
    return "\n".join(lines) + "\n"


def _agreement_line(label: str, agreement: Agreement, width: int) -> str:
    def number(value: float | None) -> str:
        return "   —" if value is None else f"{value:.2f}"

    return (
        f"  {label:<{width}}  {agreement.marks:>5}  {number(agreement.precision):>9}  "
        f"{number(agreement.recall):>6}  {number(agreement.kappa):>5}"
    )


def _missing_advice(point: PointResult) -> str:
    if point.note:
        return f"not counted: {point.note.message}"
    return f"hint: {point.point.hint}" if point.point.hint else f"missing: {point.point.text}"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _review_note(point: PointResult) -> str:
    return " _(close call: a teacher should check)_" if point.needs_review else ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _md(text: str) -> str:
    return _one_line(text).translate(_MARKDOWN_SPECIAL)


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
