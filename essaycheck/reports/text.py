"""Text for a person at a terminal, and ``file:line:col`` lines for editors and hooks."""

from __future__ import annotations

from collections.abc import Sequence

from essaycheck.reports._text import one_line, terminal_safe, unhinted_point
from essaycheck.reports.options import ReportOptions
from essaycheck.results import EssayResult, PointResult
from essaycheck.rubric import Rubric

_ANSI = {
    "green": "\x1b[32m",
    "red": "\x1b[31m",
    "yellow": "\x1b[33m",
    "bold": "\x1b[1m",
    "dim": "\x1b[2m",
    "reset": "\x1b[0m",
}
_DEFAULT = ReportOptions()


def render_text(
    results: Sequence[EssayResult], rubric: Rubric, options: ReportOptions = _DEFAULT
) -> str:
    """Return a quick view for a person at a terminal (coloured when ``options.colour``).

    Essay text, names and messages are made safe for a terminal first: only the
    colour codes essaycheck adds itself reach it.
    """

    def paint(text: str, *styles: str) -> str:
        text = terminal_safe(text)
        if not options.colour:
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
            review = (
                paint(f" (close call, leans {point.status})", "yellow")
                if point.needs_review
                else ""
            )
            point_id = terminal_safe(point.point.id)
            lines.append(f"  {mark} {point_id:<{width}}  {point.score:.2f}{review}")
            if point.is_covered and point.evidence:
                lines.append(paint(f"      “{one_line(point.evidence.text)}”", "dim"))
            elif not point.is_covered:
                advice = _missing_advice(point, rubric.shows_claims)
                lines.append(f"      {terminal_safe(advice)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def render_lines(
    results: Sequence[EssayResult], rubric: Rubric, options: ReportOptions = _DEFAULT
) -> str:
    """Return one ``file:line:col: point-id: message`` line per point to act on.

    For editors and pre-commit hooks: a missing point (at the start of the essay,
    or at the sentence that was not counted), and a close call (at its evidence).
    """
    lines = []
    for result in results:
        if result.error is not None:
            lines.append(f"{result.name}:1:1: error: {one_line(result.error)}")
            continue
        for point in result.points:
            message = _line_message(point, rubric.shows_claims)
            if message is None:
                continue
            start = point.evidence.start if point.evidence else 0
            line = result.text.count("\n", 0, start) + 1
            column = start - (result.text.rfind("\n", 0, start) + 1) + 1
            lines.append(f"{result.name}:{line}:{column}: {point.point.id}: {message}")
    return "".join(terminal_safe(line) + "\n" for line in lines)


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
    return terminal_safe("\n".join(lines)) + "\n"


def _line_message(point: PointResult, shows_claims: bool) -> str | None:
    if point.objection is not None:
        return f"not counted: {one_line(point.objection.message)}"
    if not point.is_covered:
        if point.point.hint:
            advice = point.point.hint
        elif shows_claims:
            advice = point.point.text
        else:
            return unhinted_point(point.point.id)
        close = f" (close call, {point.score:.2f})" if point.needs_review else ""
        return f"missing{close}: {one_line(advice)}"
    if point.needs_review:
        return f"close call ({point.score:.2f}, leans covered): check that this makes the point"
    return None


def _missing_advice(point: PointResult, shows_claims: bool) -> str:
    """A missing point's line for a student: with ``shows_claims`` false, never its claim."""
    if point.objection:
        return f"not counted: {point.objection.message}"
    if point.point.hint:
        return f"hint: {point.point.hint}"
    return f"missing: {point.point.text}" if shows_claims else unhinted_point(point.point.id)
