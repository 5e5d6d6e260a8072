"""Text for a person at a terminal: one essay's verdict, or a class's summary."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

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

    Each covered point names the claim it was credited for and quotes the evidence;
    each missing one gives its hint (its claim only with ``student_view: claims``).
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
        grade = rubric.grade(result.score)
        band = f", grade {grade}" if grade is not None else ""
        lines = [
            paint(
                f"{result.name}: {covered} of {len(result.points)} key points "
                f"covered (score {result.score:.2f}{band})",
                "bold",
            ),
            *(paint(f"  ! {warning}", "yellow") for warning in result.warnings),
        ]
        for point in result.points:
            mark = paint("✓", "green") if point.is_covered else paint("✗", "red")
            point_id = terminal_safe(point.point.id)
            note = _note(point)
            note = paint(f" ({note})", "yellow") if note else ""
            lines.append(f"  {mark} {point_id:<{width}}  {point.score:.2f}{note}")
            if point.is_covered:
                lines.append(f"      credited for: {terminal_safe(one_line(point.point.text))}")
                if point.evidence:
                    lines.append(paint(f"      “{one_line(point.evidence.text)}”", "dim"))
            else:
                advice = _missing_advice(point, rubric.shows_claims)
                lines.append(f"      {terminal_safe(one_line(advice))}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def render_class_summary(results: Iterable[EssayResult], rubric: Rubric) -> str:
    """Return a short class summary: each point's coverage, the mean, the grades, what to check.

    One pass over ``results``, holding counts only: a class of any size is
    summarised in the same memory.
    """
    marked = failed = close = 0
    total = 0.0
    covered = [0] * len(rubric)
    graded = {band.label: 0 for band in sorted(rubric.bands, key=lambda band: -band.min)}
    for result in results:
        if result.is_failed:
            failed += 1
            continue
        marked += 1
        total += result.score
        for index, decision in enumerate(result.points):
            covered[index] += decision.is_covered
            close += decision.needs_review and decision.teacher is None
        grade = rubric.grade(result.score)
        if grade is not None:
            graded[grade] += 1
    lines = []
    if marked:
        width = max(len(point.id) for point in rubric)
        lines.append("key point coverage (share of the class):")
        for index, point in enumerate(rubric):
            share = covered[index] / marked
            bar = "█" * round(share * 20)
            lines.append(f"  {point.id:<{width}}  {share:>4.0%}  {bar}".rstrip())
        mean = f"mean score {total / marked:.2f}"
        if graded:
            mean += "; grades: " + ", ".join(f"{label} {n}" for label, n in graded.items())
        lines.append(mean)
    plural = "" if marked == 1 else "s"
    lines.append(f"{marked} essay{plural} marked" + (f", {failed} failed" if failed else ""))
    if close:
        plural = "" if close == 1 else "s"
        lines.append(f"{close} close call{plural} to check, each flagged in report.html")
    elif marked:
        lines.append("no close calls to check")
    return terminal_safe("\n".join(lines)) + "\n"


def _note(point: PointResult) -> str:
    """What the terminal view says beside a point's score: who decided, or how close it was."""
    if point.teacher is not None:
        return "your teacher's decision"
    if point.needs_review:
        return f"close call, leans {point.status}"
    return ""


def _missing_advice(point: PointResult, shows_claims: bool) -> str:
    """A missing point's line for a student: with ``shows_claims`` false, never its claim."""
    if point.objection:
        return f"not counted: {point.objection.message}"
    if point.point.hint:
        return f"hint: {point.point.hint}"
    return f"missing: {point.point.text}" if shows_claims else unhinted_point(point.point.id)
