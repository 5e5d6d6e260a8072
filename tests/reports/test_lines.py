"""The student's linter output: severities, positions, codes, the summary, JSON Lines.

Results are built by hand, so each rule is shown on its own: a required point
missing is an error, another missing point a warning, a close call that counts
is info; a finding sits at its passage, or at the start when there is none.
"""

from __future__ import annotations

import json

import pytest

from essaycheck.reports import (
    Renderer,
    ReportOptions,
    render_class_summary,
    render_jsonl,
    render_lines,
    render_text,
)
from essaycheck.reports.lines import NOT_MARKED, essay_findings, summarise
from essaycheck.results import EssayResult, Evidence, Objection, PointResult, TeacherDecision
from essaycheck.rubric import Band, KeyPoint, Rubric

ESSAY = "My title\n\nTrotsky wanted revolution abroad.\nStalin did not want collective farms."
REQUIRED = KeyPoint("abroad", "Trotsky argued for revolution abroad.", required=True, hint="Where?")
FARMS = KeyPoint("farms", "Stalin forced collective farms.", hint="What about farming?")
ARMY = KeyPoint("army", "Stalin built a strong army.", required=True)
UNHINTED = KeyPoint("industry", "Stalin industrialised the country.")
RUBRIC = Rubric(
    title="T",
    points=(REQUIRED, FARMS, ARMY, UNHINTED),
    bands=(Band(0.5, "Pass"), Band(0, "Not yet")),
)


def _evidence(text: str) -> Evidence:
    start = ESSAY.index(text)
    return Evidence(text, start, start + len(text))


def _result(*points: PointResult, name: str = "ana.txt") -> EssayResult:
    return EssayResult(name, points, text=ESSAY)


CLOSE_COVERED = PointResult(
    REQUIRED, True, 0.55, True, _evidence("Trotsky wanted revolution abroad.")
)
NEGATED = PointResult(
    FARMS,
    False,
    0.1,
    False,
    _evidence("Stalin did not want collective farms."),
    Objection("negated", "your essay says the opposite: “Stalin did not want collective farms.”"),
)
MISSING_REQUIRED = PointResult(ARMY, False, 0.05, False)
MISSING_UNHINTED = PointResult(UNHINTED, False, 0.2, False)
ESSAY_RESULT = _result(CLOSE_COVERED, NEGATED, MISSING_REQUIRED, MISSING_UNHINTED)


def test_each_finding_has_its_severity_code_and_place() -> None:
    lines = render_lines([ESSAY_RESULT], RUBRIC).splitlines()

    assert lines[:4] == [
        "ana.txt:1:1: error: army: missing (required): ask your teacher for a hint",
        "ana.txt:1:1: warning: industry: missing: ask your teacher for a hint",
        "ana.txt:3:1: info: abroad: close call: this may make the point; say it more clearly "
        "to be sure",
        "ana.txt:4:1: warning: farms: not counted: your essay says the opposite: “Stalin did "
        "not want collective farms.”; hint: What about farming?",
    ]
    assert lines[4] == "ana.txt: 1 of 4 key points covered (25%, grade Not yet)"
    assert lines[5] == "3 missing (1 required), 1 close call in 1 file"
    assert len(lines) == 6


def test_a_missing_close_call_sits_at_its_passage_and_keeps_its_severity() -> None:
    point = PointResult(REQUIRED, False, 0.45, True, _evidence("revolution abroad."))

    (finding,) = essay_findings(_result(point), RUBRIC)

    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (3, 16, 3, 34)
    assert finding.severity == "error"
    assert finding.message == "missing (required), but this comes close: Where?"


def test_a_clearly_covered_point_is_not_a_finding() -> None:
    covered = PointResult(
        REQUIRED, True, 0.9, False, _evidence("Trotsky wanted revolution abroad.")
    )

    assert essay_findings(_result(covered), RUBRIC) == []
    assert summarise([_result(covered)], RUBRIC) == "nothing missing in 1 file"


def test_a_teachers_decision_is_final() -> None:
    decided = TeacherDecision("2026-01-01T00:00:00Z", "see me")
    covered = PointResult(REQUIRED, True, 0.55, False, None, teacher=decided)
    missing = PointResult(FARMS, False, 0.55, False, None, teacher=decided)

    findings = essay_findings(_result(covered, missing), RUBRIC)

    assert [(f.code, f.message) for f in findings] == [
        ("farms", "missing (your teacher's decision): What about farming?")
    ]


def test_an_essay_that_could_not_be_marked_is_an_error_with_its_own_code() -> None:
    failed = EssayResult("bad.txt", error="bad.txt: is empty. There is nothing to mark.")

    lines = render_lines([failed, ESSAY_RESULT], RUBRIC).splitlines()

    assert lines[0] == (
        f"bad.txt:1:1: error: {NOT_MARKED}: could not be marked: bad.txt: is empty. "
        "There is nothing to mark."
    )
    assert lines[-1] == "3 missing (1 required), 1 close call, 1 not marked in 2 files"
    assert not any(line.startswith("bad.txt: ") for line in lines)


def test_findings_follow_the_essay_and_positions_count_characters() -> None:
    text = "Ünïcödé first line\nsecond “line” here"
    start = text.index("here")
    point = PointResult(FARMS, True, 0.6, True, Evidence("here", start, start + 4))
    result = EssayResult("e.txt", (point, MISSING_REQUIRED), text=text)

    findings = essay_findings(result, RUBRIC)

    assert [(f.code, f.line, f.column) for f in findings] == [("army", 1, 1), ("farms", 2, 15)]
    assert findings[1].end_column == 19


def test_line_output_never_shows_a_missing_claim_with_hints() -> None:
    output = render_lines([ESSAY_RESULT], RUBRIC) + render_jsonl([ESSAY_RESULT], RUBRIC)

    for point in (FARMS, ARMY, UNHINTED):
        assert point.text not in output


def test_line_output_shows_an_unhinted_claim_with_claims() -> None:
    rubric = Rubric(title="T", points=RUBRIC.points, student_view="claims")

    output = render_lines([ESSAY_RESULT], rubric)

    assert f"army: missing (required): {ARMY.text}" in output
    assert "ask your teacher" not in output


def test_jsonl_is_one_finding_per_line_with_sorted_keys() -> None:
    rows = render_jsonl([ESSAY_RESULT], RUBRIC).splitlines()

    assert len(rows) == 4
    first = json.loads(rows[0])
    assert list(first) == sorted(first)
    assert first == {
        "code": "army",
        "column": 1,
        "end_column": 1,
        "end_line": 1,
        "kind": "missing",
        "line": 1,
        "message": "missing (required): ask your teacher for a hint",
        "path": "ana.txt",
        "severity": "error",
    }
    assert [json.loads(row)["kind"] for row in rows] == [
        "missing",
        "missing",
        "close-call",
        "not-counted",
    ]


@pytest.mark.parametrize(
    ("render", "shown"),
    [
        (render_lines, "a\ufffd]0;x\ufffd\ufffd.txt"),
        (render_jsonl, "a\\u001b]0;x\\u0007\\u202e.txt"),
    ],
    ids=["line", "jsonl"],
)
def test_control_codes_in_a_name_never_reach_the_terminal(render: Renderer, shown: str) -> None:
    result = _result(MISSING_REQUIRED, name="a\x1b]0;x\x07\u202e.txt")

    output = render([result], RUBRIC, ReportOptions())

    assert not {"\x1b", "\x07", "\u202e"} & set(output)
    assert shown in output


def test_text_report_shows_the_grade_and_what_each_point_was_credited_for() -> None:
    text = render_text([ESSAY_RESULT], RUBRIC)

    assert text.startswith("ana.txt: 1 of 4 key points covered (score 0.25, grade Not yet)\n")
    assert f"      credited for: {REQUIRED.text}\n      “Trotsky wanted revolution abroad.”" in text


def test_class_summary_counts_grades_and_the_close_calls_left_to_check() -> None:
    decided = PointResult(FARMS, True, 0.55, False, teacher=TeacherDecision("t"))
    results = [
        ESSAY_RESULT,
        _result(CLOSE_COVERED, decided, MISSING_REQUIRED, MISSING_UNHINTED, name="ben.txt"),
        EssayResult("bad.txt", error="bad.txt: is empty."),
    ]

    summary = render_class_summary(iter(results), RUBRIC).splitlines()

    assert summary[-3] == "mean score 0.38; grades: Pass 1, Not yet 1"
    assert summary[-2] == "2 essays marked, 1 failed"
    assert summary[-1] == "2 close calls to check, each flagged in report.html"


def test_class_summary_of_no_marked_essay_says_so() -> None:
    summary = render_class_summary([EssayResult("bad.txt", error="x")], RUBRIC)

    assert summary == "0 essays marked, 1 failed\n"


def test_a_missing_point_sits_at_the_paragraph_of_the_passage_nearest_it() -> None:
    nearest = _evidence("Stalin did not want collective farms.")
    point = PointResult(UNHINTED, False, 0.2, False, nearest=nearest)
    [finding] = essay_findings(_result(point), RUBRIC)
    # the paragraph starts after the blank line, at "Trotsky wanted ..." on line 3
    assert (finding.line, finding.column, finding.code) == (3, 1, "industry")
