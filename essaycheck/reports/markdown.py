"""Markdown feedback for students: covered points with evidence, missing ones with hints."""

from __future__ import annotations

from collections.abc import Sequence

from essaycheck.reports._text import capitalised, markdown_text, one_line, unhinted_point
from essaycheck.reports.options import ReportOptions
from essaycheck.results import EssayResult, PointResult
from essaycheck.rubric import Rubric

_DEFAULT = ReportOptions()


def render_markdown(
    results: Sequence[EssayResult], rubric: Rubric, options: ReportOptions = _DEFAULT
) -> str:
    """Return feedback for students: covered points with evidence, missing ones with hints."""
    return "\n---\n\n".join(render_feedback(result, rubric) for result in results)


def render_feedback(result: EssayResult, rubric: Rubric) -> str:
    """Return one essay's Markdown feedback (``feedback/<essay>.md``).

    A missing point shows its claim only when the rubric's ``student_view`` is
    ``claims``; otherwise its id and hint (the claim is the answer).
    """
    md = markdown_text
    lines = [f"# Feedback: {md(result.name)}", "", f"Rubric: {md(rubric.title)}", ""]
    if result.error is not None:
        lines += [f"This essay could not be marked: {md(result.error)}", ""]
        return "\n".join(lines)
    covered = [r for r in result.points if r.is_covered]
    missing = [r for r in result.points if not r.is_covered]
    lines += [f"> Note: {md(warning)}" for warning in result.warnings]
    if result.warnings:
        lines.append("")
    grade = rubric.grade(result.score)
    band = f" **Grade: {md(grade)}**" if grade is not None else ""
    lines += [
        f"**Score: {result.score:.0%}** of the rubric's weight "
        f"({len(covered)} of {len(result.points)} key points covered).{band}",
        "",
    ]
    if covered:
        lines += ["## Covered", ""]
        for point in covered:
            lines.append(f"- **{md(point.point.text)}**{_review_note(point)}")
            if point.evidence:
                lines.append(f"  > {md(one_line(point.evidence.text))}")
        lines.append("")
    if missing:
        lines += ["## Missing", ""]
        for point in missing:
            required = " (required)" if point.point.required else ""
            name = point.point.text if rubric.shows_claims else point.point.id
            lines.append(f"- **{md(name)}**{required}{_review_note(point)}")
            if point.objection:
                lines.append(f"  Not counted: {md(capitalised(point.objection.message))}")
            if point.point.hint:
                lines.append(f"  Hint: {md(point.point.hint)}")
            elif not rubric.shows_claims:
                lines.append(f"  {md(capitalised(unhinted_point(point.point.id)))}.")
        lines.append("")
    return "\n".join(lines)


def _review_note(point: PointResult) -> str:
    if point.teacher is not None:
        comment = point.teacher.comment
        return f" _(your teacher's decision{': ' + markdown_text(comment) if comment else ''})_"
    if not point.needs_review:
        return ""
    if point.is_covered:
        return " _(a close call: this may make the point; say it more plainly to be sure)_"
    return " _(almost: this comes close; say it more plainly)_"
