"""Reports: every way essaycheck shows results, as two tables of renderers.

Every renderer takes the same three things, ``(results, rubric, options)``, and
returns a string; the class files ``mark`` writes have a streaming form that
writes into an open file instead, so a class is never one string in memory.
``ESSAY_FORMATS`` is what ``check --format`` offers; ``CLASS_REPORTS`` is the
files ``mark`` writes into its output folder. Nothing here loads spaCy or a
model: results can be rendered anywhere.

Essay text is data, never markup or formulas: HTML is autoescaped, Markdown
escaped, CSV cells neutralised.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import IO

from essaycheck.reports.gradebook import render_gradebook, write_gradebook
from essaycheck.reports.html import render_class_html, render_essays_html, write_class_html
from essaycheck.reports.json_contract import SCHEMA_VERSION, render_json, stream_json, write_json
from essaycheck.reports.lines import render_jsonl, render_lines
from essaycheck.reports.lms import CANVAS, MOODLE, FolderWriter
from essaycheck.reports.markdown import render_feedback, render_markdown
from essaycheck.reports.options import ReportOptions
from essaycheck.reports.text import render_class_summary, render_text
from essaycheck.results import EssayResult
from essaycheck.rubric import Rubric

Renderer = Callable[[Sequence[EssayResult], Rubric, ReportOptions], str]
Writer = Callable[[Sequence[EssayResult], Rubric, ReportOptions, IO[str]], None]

ESSAY_FORMATS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
    "html": render_essays_html,
    "line": render_lines,
    "jsonl": render_jsonl,
}
"""``check --format`` choices (the first is the default) and what renders each."""

CLASS_REPORTS: dict[str, Writer | FolderWriter] = {
    "report.html": write_class_html,
    "gradebook.csv": write_gradebook,
    "results.json": write_json,
    "canvas": CANVAS,
    "moodle": MOODLE,
}
"""The files ``mark`` writes into its output folder, and what writes each (slowest first).

A ``FolderWriter`` writes a folder, and only for a class it applies to: ``canvas/``
and ``moodle/`` appear when the essays' names show they were downloaded from there.
"""

FEEDBACK = "feedback"
"""The folder of ``mark``'s per-essay Markdown feedback (``render_feedback``)."""

__all__ = [
    "CLASS_REPORTS",
    "ESSAY_FORMATS",
    "FEEDBACK",
    "SCHEMA_VERSION",
    "Renderer",
    "ReportOptions",
    "Writer",
    "render_class_html",
    "render_class_summary",
    "render_essays_html",
    "render_feedback",
    "render_gradebook",
    "render_json",
    "render_jsonl",
    "render_lines",
    "render_markdown",
    "render_text",
    "stream_json",
]
