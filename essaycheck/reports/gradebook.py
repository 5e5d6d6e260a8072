"""The gradebook: the CSV a learning platform imports, one row per essay."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import IO

from essaycheck.reports._text import csv_cell
from essaycheck.reports.options import ReportOptions
from essaycheck.results import EssayResult
from essaycheck.rubric import Rubric

_DEFAULT = ReportOptions()


def render_gradebook(
    results: Sequence[EssayResult], rubric: Rubric, options: ReportOptions = _DEFAULT
) -> str:
    """Return the gradebook CSV (see ``write_gradebook``)."""
    buffer = io.StringIO()
    write_gradebook(results, rubric, options, buffer)
    return buffer.getvalue()


def write_gradebook(
    results: Sequence[EssayResult], rubric: Rubric, options: ReportOptions, stream: IO[str]
) -> None:
    """Write the gradebook CSV that a learning platform imports, row by row.

    Columns: file, student, score (the weighted share covered, 0..1), ``marks``
    (the score times ``options.scale``, when given), ``grade`` (the rubric's
    band, when it has bands), one 1/0 column per key point, and error.
    """
    scale = options.scale
    writer = csv.writer(stream, lineterminator="\n")
    extra = (["marks"] if scale is not None else []) + (["grade"] if rubric.bands else [])
    writer.writerow(["file", "student", "score", *extra, *(p.id for p in rubric), "error"])
    for result in results:
        who = [csv_cell(result.name), csv_cell(result.student or "")]
        if result.error is not None:
            blanks = [""] * (1 + len(extra) + len(rubric))
            writer.writerow([*who, *blanks, csv_cell(result.error)])
            continue
        marks = [f"{result.score * scale:.1f}"] if scale is not None else []
        grade = [csv_cell(rubric.grade(result.score) or "")] if rubric.bands else []
        flags = [int(point.is_covered) for point in result.points]
        writer.writerow([*who, f"{result.score:.3f}", *marks, *grade, *flags, ""])
