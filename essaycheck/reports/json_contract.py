"""The JSON report: the documented, stable contract (``schema_version`` on top)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from essaycheck.reports._text import json_safe
from essaycheck.reports.options import ReportOptions
from essaycheck.results import EssayResult
from essaycheck.rubric import Rubric

SCHEMA_VERSION = 1
_JSON_STYLE: dict[str, Any] = {"indent": 2, "sort_keys": True, "ensure_ascii": False}
# Stands in for the list of essays while the rest of the JSON report is laid out.
_ESSAYS_MARK = "essaycheck: the essays go here"


def render_json(results: Sequence[EssayResult], rubric: Rubric, options: ReportOptions) -> str:
    """Return the JSON report: the same shape for one essay or many."""
    return "".join(stream_json(results, rubric, options))


def write_json(
    results: Sequence[EssayResult], rubric: Rubric, options: ReportOptions, stream: IO[str]
) -> None:
    """Write the JSON report to ``stream``, one essay at a time."""
    stream.writelines(stream_json(results, rubric, options))


def stream_json(
    results: Iterable[EssayResult], rubric: Rubric, options: ReportOptions
) -> Iterator[str]:
    r"""Yield the JSON report in pieces, one essay at a time, so a class is never one string.

    The pieces join to exactly what ``json.dumps`` gives for the whole report,
    except that characters a terminal would act on are written as ``\uXXXX``
    escapes (the same data once parsed).
    """
    return (json_safe(piece) for piece in _pieces(results, rubric, options))


def _pieces(
    results: Iterable[EssayResult], rubric: Rubric, options: ReportOptions
) -> Iterator[str]:
    engine = options.engine_dict()
    report = _json_report(rubric, engine, [_ESSAYS_MARK])
    text = json.dumps(report, **_JSON_STYLE) + "\n"
    head, tail = text.split(json.dumps(_ESSAYS_MARK), 1)
    essays = iter(results)
    first = next(essays, None)
    if first is None:
        yield json.dumps(_json_report(rubric, engine, []), **_JSON_STYLE) + "\n"
        return
    yield head + _json_item(first, rubric)
    for result in essays:
        yield ",\n    " + _json_item(result, rubric)
    yield tail


def _json_item(result: EssayResult, rubric: Rubric) -> str:
    """One essay as the report's list of essays shows it (two levels in), with its grade."""
    data = result.to_dict()
    data["grade"] = None if result.is_failed else rubric.grade(result.score)
    return json.dumps(data, **_JSON_STYLE).replace("\n", "\n    ")


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
