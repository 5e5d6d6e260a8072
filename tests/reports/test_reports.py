"""Rendered reports: byte for byte against tests/golden/, the JSON contract, safe output.

Golden files are rewritten with `pytest --update-golden`; review that diff like code.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import replace

import pytest
from conftest import DATA_DIR

from essaycheck.engine.checker import Checker
from essaycheck.errors import EssayReadError
from essaycheck.io.essays import Essay, decode_essay
from essaycheck.reports import (
    ReportOptions,
    render_class_summary,
    render_gradebook,
    render_json,
    render_jsonl,
    render_lines,
    render_markdown,
    render_text,
    stream_json,
)
from essaycheck.reports.models import render_metrics
from essaycheck.results import EssayResult, Evidence, PointResult
from essaycheck.rubric import Band, KeyPoint, Rubric

ANSI = re.compile(r"\x1b\[[0-9;]*m")

Golden = Callable[[str, str], None]


@pytest.fixture(scope="module")
def results(checker: Checker, small_rubric: Rubric) -> list[EssayResult]:
    """A short essay, marked; and an empty one, which could not be."""
    text = (DATA_DIR / "essays" / "short-essay.txt").read_text("utf-8")
    marked = checker.check(Essay(name="essays/short-essay.txt", text=text), small_rubric)
    with pytest.raises(EssayReadError) as caught:
        decode_essay(b"", "essays/blank.txt")
    return [marked, EssayResult("essays/blank.txt", error=str(caught.value))]


@pytest.fixture(scope="module")
def banded_rubric(small_rubric: Rubric) -> Rubric:
    """The small rubric with grade bands: every student format shows the essay's band."""
    return replace(small_rubric, bands=(Band(0.8, "A"), Band(0.5, "B"), Band(0, "C")))


# --- golden files --------------------------------------------------------------------


def test_text_report_matches_golden(
    results: list[EssayResult], banded_rubric: Rubric, golden: Golden
) -> None:
    golden("report.txt", render_text(results, banded_rubric, ReportOptions(colour=False)))


def test_json_report_matches_golden(
    results: list[EssayResult], small_rubric: Rubric, checker: Checker, golden: Golden
) -> None:
    golden("report.json", render_json(results, small_rubric, ReportOptions(engine=checker.info())))


def test_markdown_report_matches_golden(
    results: list[EssayResult], banded_rubric: Rubric, golden: Golden
) -> None:
    golden("report.md", render_markdown(results, banded_rubric))


def test_line_report_matches_golden(
    results: list[EssayResult], banded_rubric: Rubric, golden: Golden
) -> None:
    golden("report.lines", render_lines(results, banded_rubric))


def test_jsonl_report_matches_golden(
    results: list[EssayResult], banded_rubric: Rubric, golden: Golden
) -> None:
    golden("report.jsonl", render_jsonl(results, banded_rubric))


def test_gradebook_matches_golden(
    results: list[EssayResult], small_rubric: Rubric, golden: Golden
) -> None:
    golden("gradebook.csv", render_gradebook(results, small_rubric))


def test_class_summary_matches_golden(
    results: list[EssayResult], banded_rubric: Rubric, golden: Golden
) -> None:
    golden("class-summary.txt", render_class_summary(results, banded_rubric))


# --- the JSON contract -----------------------------------------------------------------


def test_json_report_has_the_documented_shape(
    results: list[EssayResult], small_rubric: Rubric, checker: Checker
) -> None:
    report = json.loads(render_json(results, small_rubric, ReportOptions(engine=checker.info())))

    assert report["schema_version"] == 1
    assert report["rubric"]["title"] == "Trotsky and Stalin"
    assert re.fullmatch(r"[0-9a-f]{64}", report["rubric"]["sha256"])
    assert report["rubric"]["sha256"] == small_rubric.sha256
    assert [p["id"] for p in report["rubric"]["points"]] == [p.id for p in small_rubric]
    assert report["engine"]["name"] == "static-centred"
    assert isinstance(report["engine"]["version"], str)
    marked, failed = report["essays"]
    assert set(marked) == {
        "path",
        "student",
        "format",
        "encoding",
        "score",
        "grade",
        "points",
        "warnings",
    }
    assert marked["grade"] is None and failed["grade"] is None  # no bands in this rubric
    assert marked["path"] == "essays/short-essay.txt"
    assert 0 <= marked["score"] <= 1
    for point in marked["points"]:
        assert set(point) == {
            "id",
            "status",
            "score",
            "needs_review",
            "evidence",
            "note",
            "teacher",
        }
        assert point["status"] in {"covered", "missing"}
        assert isinstance(point["needs_review"], bool)
        assert point["score"] == round(point["score"], 3)
        if point["status"] == "covered":
            assert set(point["evidence"]) == {"text", "start", "end"}
    assert failed == {
        "path": "essays/blank.txt",
        "error": "essays/blank.txt: is empty. There is nothing to mark.",
        "score": None,
        "grade": None,
        "points": [],
        "student": None,
        "format": None,
        "encoding": None,
        "warnings": [],
    }


def test_json_report_streams_one_essay_at_a_time_and_joins_to_the_whole(
    results: list[EssayResult], small_rubric: Rubric, checker: Checker
) -> None:
    pieces = list(stream_json(results, small_rubric, ReportOptions(engine=checker.info())))
    text = "".join(pieces)

    assert len(pieces) == len(results) + 1
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_json_report_of_no_essays_is_complete(small_rubric: Rubric, checker: Checker) -> None:
    text = "".join(stream_json([], small_rubric, ReportOptions(engine=checker.info())))

    assert json.loads(text)["essays"] == []


def test_json_report_keys_are_sorted(
    results: list[EssayResult], small_rubric: Rubric, checker: Checker
) -> None:
    text = render_json(results, small_rubric, ReportOptions(engine=checker.info()))

    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- text for a terminal -----------------------------------------------------------------


def test_text_report_is_plain_without_colour(
    results: list[EssayResult], small_rubric: Rubric
) -> None:
    assert not ANSI.search(render_text(results, small_rubric, ReportOptions(colour=False)))


def test_text_report_is_coloured_on_request(
    results: list[EssayResult], small_rubric: Rubric
) -> None:
    coloured = render_text(results, small_rubric, ReportOptions(colour=True))

    assert "\x1b[32m✓\x1b[0m" in coloured
    assert ANSI.sub("", coloured) == render_text(results, small_rubric, ReportOptions(colour=False))


# --- essay text is data, never markup or a formula ----------------------------------------------

POINT = KeyPoint(id="point", text="A claim.", hint="Think about it.")
RUBRIC = Rubric(title="Safety", points=(POINT,))


def _covered(name: str, evidence: str) -> EssayResult:
    found = Evidence(evidence, 0, len(evidence))
    return EssayResult(name, (PointResult(POINT, True, 0.9, False, found),), text=evidence)


@pytest.mark.parametrize("start", ["=", "+", "-", "@"], ids=["equals", "plus", "minus", "at"])
def test_gradebook_neutralises_cells_that_a_spreadsheet_would_run(start: str) -> None:
    name = f'{start}HYPERLINK("http://example.invalid")'
    results = [_covered(name, "A claim."), EssayResult("ok.txt", error=f"{start}cmd|'/c calc'!A0")]

    rows = list(csv.reader(io.StringIO(render_gradebook(results, RUBRIC))))

    assert rows[0] == ["file", "student", "score", "point", "error"]
    assert rows[1][0] == "'" + name
    assert rows[2][-1] == f"'{start}cmd|'/c calc'!A0"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_gradebook_leaves_ordinary_cells_alone() -> None:
    rows = list(
        csv.reader(io.StringIO(render_gradebook([_covered("ana.txt", "A claim.")], RUBRIC)))
    )

    assert rows[1] == ["ana.txt", "", "1.000", "1", ""]


def test_markdown_escapes_html_in_essays() -> None:
    script = "<script>alert('x')</script>"
    results = [_covered(f"{script}.txt", f"A claim. {script}")]

    markdown = render_markdown(results, RUBRIC)

    assert "<script>" not in markdown
    assert "</script>" not in markdown
    assert "\\<script\\>" in markdown
    assert markdown.count("\\<script\\>") == 2


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("**bold**", "\\*\\*bold\\*\\*"),
        ("[link](http://x)", "\\[link\\](http://x)"),
        ("# heading", "\\# heading"),
        ("a | b", "a \\| b"),
        ("`code`", "\\`code\\`"),
    ],
    ids=["bold", "link", "heading", "table-pipe", "code"],
)
def test_markdown_escapes_markup_in_evidence(text: str, escaped: str) -> None:
    markdown = render_markdown([_covered("e.txt", text)], RUBRIC)

    assert f"  > {escaped}\n" in markdown


def test_markdown_puts_multi_line_evidence_on_one_line() -> None:
    markdown = render_markdown([_covered("e.txt", "First line.\nSecond line.")], RUBRIC)

    assert "  > First line. Second line.\n" in markdown


# --- evaluation metrics ------------------------------------------------------------------------


def test_metrics_table_lists_the_metrics_that_apply() -> None:
    metrics = {
        "data": "d.jsonl",
        "texts": 3,
        "labelled_pairs": 9,
        "auc": 0.75,
        "f1": 0.5,
        "top1_accuracy": None,
    }

    assert render_metrics(metrics) == (
        "data: d.jsonl\n"
        "texts: 3, labelled pairs: 9\n"
        "  ROC AUC                  0.750\n"
        "  F1 of covered            0.500\n"
    )
