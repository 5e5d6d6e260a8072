"""The rubric's ``student_view``: student-facing reports hide a missing point's claim.

With ``hints`` (the default) a student sees a missing point's id and hint, never its
text (the answer key); with ``claims`` the text as well. Teacher reports always show it.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from essaycheck.errors import RubricError
from essaycheck.reports import (
    ESSAY_FORMATS,
    ReportOptions,
    render_class_html,
    render_feedback,
    render_json,
)
from essaycheck.results import EngineInfo, EssayResult, Evidence, PointResult
from essaycheck.rubric import KeyPoint, Rubric, parse_rubric

OPTIONS = ReportOptions(
    engine=EngineInfo(
        name="static-centred",
        version="1",
        embeddings="minilm-static-256-argkp",
        decision="covered when score >= 0.5",
        review_band=0.15,
        checks=(),
    )
)
COVERED_CLAIM = "Trotsky argued for permanent revolution abroad."
HINTED_CLAIM = "Stalin built socialism in one country."
UNHINTED_CLAIM = "Stalin forced peasants onto collective farms."
HINT = "What did Stalin think could be built in Russia alone?"
ESSAY = "Trotsky believed in permanent revolution. Nothing else."
STUDENT_FORMATS = ("text", "markdown", "html", "line")


def _rubric(**extra: str) -> Rubric:
    data = {
        "title": "Trotsky and Stalin",
        "points": [
            {"id": "permanent-revolution", "text": COVERED_CLAIM},
            {"id": "socialism-in-one-country", "text": HINTED_CLAIM, "hint": HINT},
            {"id": "collectivisation", "text": UNHINTED_CLAIM},
        ],
        **extra,
    }
    return parse_rubric(json.dumps(data), "rubric.json")


def _result(rubric: Rubric) -> EssayResult:
    covered, hinted, unhinted = rubric.points
    evidence = "Trotsky believed in permanent revolution."
    return EssayResult(
        "essays/ana.txt",
        (
            PointResult(covered, True, 0.9, False, Evidence(evidence, 0, len(evidence))),
            PointResult(hinted, False, 0.2, False),
            PointResult(unhinted, False, 0.1, False),
        ),
        text=ESSAY,
    )


def _student_outputs(rubric: Rubric) -> dict[str, str]:
    result = _result(rubric)
    outputs = {fmt: ESSAY_FORMATS[fmt]([result], rubric, OPTIONS) for fmt in STUDENT_FORMATS}
    outputs["feedback"] = render_feedback(result, rubric)
    return outputs


def test_the_default_is_hints() -> None:
    rubric = _rubric()
    assert rubric.student_view == "hints"
    assert not rubric.shows_claims
    assert "student_view" not in rubric.to_dict()


@pytest.mark.parametrize("fmt", [*STUDENT_FORMATS, "feedback"])
def test_by_default_a_missing_claim_reaches_no_student_output(fmt: str) -> None:
    output = _student_outputs(_rubric())[fmt]

    assert HINTED_CLAIM not in output
    assert UNHINTED_CLAIM not in output
    assert HINT in output
    assert "socialism-in-one-country" in output
    # A point with no hint still tells the student something, in student wording.
    assert "collectivisation" in output
    assert "ask your teacher for a hint" in output


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "feedback"])
def test_a_covered_point_still_shows_its_claim_and_evidence(fmt: str) -> None:
    output = _student_outputs(_rubric())[fmt]
    assert "Trotsky believed in permanent revolution." in output
    if fmt != "text":  # the terminal view lists a covered point by id and evidence
        assert COVERED_CLAIM in output


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "feedback"])
def test_student_view_claims_shows_the_claims(fmt: str) -> None:
    output = _student_outputs(_rubric(student_view="claims"))[fmt]
    assert UNHINTED_CLAIM in output
    assert "ask your teacher" not in output
    if fmt != "text":  # the terminal view shows a hint instead of the claim, as before
        assert HINTED_CLAIM in output


def test_student_view_claims_in_line_format_shows_an_unhinted_claim() -> None:
    output = _student_outputs(_rubric(student_view="claims"))["line"]
    assert f"collectivisation: missing: {UNHINTED_CLAIM}" in output


def test_teacher_outputs_keep_the_claims() -> None:
    rubric = _rubric()
    result = _result(rubric)

    class_html = render_class_html([result], rubric, OPTIONS)
    as_json = render_json([result], rubric, OPTIONS)

    for claim in (HINTED_CLAIM, UNHINTED_CLAIM):
        assert claim in class_html
        assert claim in as_json
    assert as_json == render_json([result], replace(rubric, student_view="claims"), OPTIONS)


@pytest.mark.parametrize("value", ["answers", "", 1, None, ["hints"]])
def test_a_bad_student_view_is_a_clear_rubric_error(value: object) -> None:
    data = {"title": "T", "points": [{"id": "a", "text": "A."}], "student_view": value}

    with pytest.raises(RubricError) as caught:
        parse_rubric(json.dumps(data), "rubric.json")

    message = str(caught.value)
    assert "$.student_view" in message
    assert "not a valid student_view" in message
    assert "'hints' or 'claims'" in message


def test_student_view_survives_a_round_trip_and_leaves_the_fingerprint_alone() -> None:
    claims = _rubric(student_view="claims")
    again = parse_rubric(json.dumps(claims.to_dict()), "again.json")

    assert again.student_view == "claims"
    assert claims.sha256 == _rubric().sha256
    assert _rubric(student_view="hints") == _rubric()


def test_the_default_rubric_object_hides_claims() -> None:
    point = KeyPoint("a", "The answer.")
    rubric = Rubric(title="T", points=(point,))
    result = EssayResult("e.txt", (PointResult(point, False, 0.0, False),), text="x")
    for fmt in STUDENT_FORMATS:
        assert "The answer." not in ESSAY_FORMATS[fmt]([result], rubric, OPTIONS)
