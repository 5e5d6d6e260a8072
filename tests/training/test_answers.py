"""Scored answers as training data: a mark scheme's groups, derived scores, point labels."""

from __future__ import annotations

import pytest

from essaycheck.rubric import KeyPoint, Rubric
from essaycheck.training.answers import ScoredAnswers, ScoreGroup, derived_score, pseudo_labels

COUNTED = ScoredAnswers(
    "count, at most 2",
    Rubric("R", tuple(KeyPoint(name, f"Point {name}.") for name in ("a", "b", "c"))),
    (ScoreGroup("", 2),),
    (),
)
GROUPED = ScoredAnswers(
    "a conclusion and improvements",
    Rubric(
        "R",
        tuple(
            KeyPoint(name, f"Point {name}.")
            for name in ("conclusion-x", "conclusion-y", "improvement-p", "improvement-q")
        ),
    ),
    (ScoreGroup("conclusion-", 1), ScoreGroup("improvement-", 2)),
    (),
)


def test_the_scheme_counts_each_group_up_to_its_cap() -> None:
    assert derived_score(COUNTED, ["a", "b", "c"]) == 2
    assert derived_score(GROUPED, ["conclusion-x", "conclusion-y", "improvement-q"]) == 2
    assert derived_score(GROUPED, []) == 0


def test_an_answer_scored_zero_covers_no_point() -> None:
    labels = pseudo_labels(COUNTED, {"a": 3.0, "b": 2.0, "c": 1.0}, 0)

    assert labels == {"a": 0, "b": 0, "c": 0}


def test_the_strongest_points_take_the_score_and_the_rest_are_missing() -> None:
    labels = pseudo_labels(COUNTED, {"a": -1.0, "b": 2.0, "c": 1.0}, 1)

    assert labels == {"b": 1, "a": 0, "c": 0}


def test_at_the_cap_the_other_points_are_left_unlabelled() -> None:
    labels = pseudo_labels(COUNTED, {"a": -1.0, "b": 2.0, "c": 1.0}, 2)

    assert labels == {"b": 1, "c": 1}


@pytest.mark.parametrize(
    ("strength", "expected"),
    [
        (
            {
                "conclusion-x": 2.0,
                "conclusion-y": -1.0,
                "improvement-p": -2.0,
                "improvement-q": 0.5,
            },
            {"conclusion-x": 1, "improvement-q": 1, "improvement-p": 0},
        ),
        (
            {
                "conclusion-x": -3.0,
                "conclusion-y": -2.0,
                "improvement-p": 1.0,
                "improvement-q": 0.5,
            },
            {"conclusion-x": 0, "conclusion-y": 0, "improvement-p": 1, "improvement-q": 1},
        ),
    ],
    ids=["conclusion-and-one-improvement", "two-improvements"],
)
def test_a_score_is_shared_among_the_groups_the_likeliest_way(
    strength: dict[str, float], expected: dict[str, int]
) -> None:
    assert pseudo_labels(GROUPED, strength, 2) == expected


def test_a_score_the_points_cannot_give_says_nothing() -> None:
    assert pseudo_labels(COUNTED, {"a": 1.0, "b": 1.0, "c": 1.0}, 3) == {}
