"""The result vocabulary: one to_dict/from_dict pair for the JSON report and the journal."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from essaycheck.results import (
    DECISION,
    EngineInfo,
    EssayResult,
    Evidence,
    Objection,
    PointResult,
    decide,
)
from essaycheck.rubric import KeyPoint, Rubric

COVERED = KeyPoint("permanent-revolution", "Trotsky argued for permanent revolution.", weight=2)
DENIED = KeyPoint("one-country", "Stalin argued for socialism in one country.")
RUBRIC = Rubric("Trotsky and Stalin", (COVERED, DENIED))
TEXT = "Trotsky wanted revolution everywhere. Stalin never wanted socialism in one country."
RESULT = EssayResult(
    name="class/ana.txt",
    points=(
        PointResult(
            point=COVERED,
            is_covered=True,
            score=0.8123456789,
            needs_review=False,
            evidence=Evidence(TEXT[:37], 0, 37),
        ),
        PointResult(
            point=DENIED,
            is_covered=False,
            score=0.25,
            needs_review=False,
            evidence=Evidence(TEXT[38:], 38, len(TEXT)),
            objection=Objection("negated", "your essay says the opposite"),
        ),
    ),
    text=TEXT,
    student="Ana",
    warnings=("short essay",),
    format="txt",
    encoding="utf-8",
)


def test_the_json_contract_rounds_scores_and_names_the_objection_a_note() -> None:
    data = RESULT.to_dict()

    assert data["score"] == pytest.approx(2 / 3, abs=1e-3)
    assert data["points"][0]["score"] == 0.812
    assert data["points"][0]["status"] == "covered"
    assert data["points"][1]["note"] == {
        "kind": "negated",
        "message": "your essay says the opposite",
    }
    assert "text" not in data


def test_full_precision_round_trips_through_json_exactly() -> None:
    data = json.loads(json.dumps(RESULT.to_dict(rounded=False)))

    again = EssayResult.from_dict(data, RUBRIC, text=TEXT)

    assert again == RESULT
    assert again.points[0].score == 0.8123456789


def test_a_failed_essay_round_trips_with_its_error() -> None:
    failed = EssayResult(name="bob.doc", error="bob.doc: .doc files are not supported.")

    again = EssayResult.from_dict(failed.to_dict(rounded=False), RUBRIC)

    assert again == failed
    assert again.is_failed
    assert failed.to_dict()["score"] is None


def test_the_score_is_the_weighted_share_covered() -> None:
    assert RESULT.score == pytest.approx(2 / 3)
    assert EssayResult(name="empty").score == 0.0


@pytest.mark.parametrize(
    ("score", "band", "expected"),
    [(0.5, 0.15, (True, True)), (0.49, 0.0, (False, False)), (0.66, 0.15, (True, False))],
)
def test_one_decision_from_a_score(score: float, band: float, expected: tuple[bool, bool]) -> None:
    assert decide(score, band) == expected


def test_engine_info_is_what_the_reports_record() -> None:
    info = EngineInfo("static-centred", "1", "minilm", DECISION, 0.15, ("negation",))

    assert info.to_dict() == {
        "calibration": None,
        "checks": ["negation"],
        "decision": "covered when score >= 0.5",
        "embeddings": "minilm",
        "name": "static-centred",
        "review_band": 0.15,
        "version": "1",
    }


def test_the_journal_keeps_where_a_missing_point_would_fit_and_the_contract_does_not() -> None:
    point = RESULT.points[0]
    missing = EssayResult(
        RESULT.name,
        (replace(point, is_covered=False, evidence=None, nearest=Evidence(TEXT[:37], 0, 37)),),
        text=TEXT,
    )
    assert "nearest" not in missing.to_dict()["points"][0]
    journal = json.loads(json.dumps(missing.to_dict(rounded=False)))
    again = EssayResult.from_dict(journal, RUBRIC, text=TEXT)
    assert again == missing
