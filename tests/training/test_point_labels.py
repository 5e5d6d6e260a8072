"""Answers whose points someone labelled: the labels are read, and fitting takes them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from essaycheck.engine.matcher import KeyPointMatcher
from essaycheck.engine.rule import FEATURES, DecisionRule
from essaycheck.engine.windows import Window
from essaycheck.rubric import KeyPoint, Rubric
from essaycheck.training.answers import (
    PointLabel,
    ScoredAnswers,
    ScoreGroup,
    by_answer,
    read_point_labels,
)
from essaycheck.training.fit import EssayFeatures, TrainingEssay, _answer_rows

RUBRIC = Rubric("R", tuple(KeyPoint(name, f"Point {name}.") for name in ("a", "b")))
RULE = DecisionRule(
    coefficients=(1.0,) + (0.0,) * (len(FEATURES) - 1), intercept=0.0, prior_cosine=0.3
)


def test_a_labels_file_gives_each_pair_its_label_and_sentence(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(
        "answer,point,label,start,end\nq:1,a,1,0,12\nq:1,b,0,,\nq:2,a,?,4,9\nq:2,b,0,,\n",
        encoding="utf-8",
    )

    labels = read_point_labels(path)

    assert labels == [
        PointLabel("q:1", "a", 1, (0, 12)),
        PointLabel("q:1", "b", 0, None),
        PointLabel("q:2", "a", None, (4, 9)),
        PointLabel("q:2", "b", 0, None),
    ]
    # an unsure label is left out: the answer's other points still count
    assert by_answer(labels) == {"q:1": {"a": 1, "b": 0}, "q:2": {"b": 0}}


def _answered(
    labels: dict[str, int] | None,
) -> tuple[ScoredAnswers, int, EssayFeatures, dict[str, int] | None]:
    data = ScoredAnswers("count", RUBRIC, (ScoreGroup("", 2),), (("q:1", "An answer.", 1),))
    features = np.zeros((1, len(RUBRIC), len(FEATURES)))
    features[0, :, 0] = (3.0, -3.0)  # the rule finds point a far likelier than b
    essay = TrainingEssay("g", "An answer.", tuple(RUBRIC), {}, False)
    return data, 1, EssayFeatures(essay, [Window("An answer.", 0, 10, 1)], features), labels


def test_fitting_takes_an_answers_labels_over_the_guess_from_its_score() -> None:
    matcher = KeyPointMatcher(None)  # type: ignore[arg-type]

    _, guessed = _answer_rows([_answered(None)], matcher, RULE)
    _, labelled = _answer_rows([_answered({"a": 0, "b": 1})], matcher, RULE)

    # scored 1: the guess credits the likelier point, a; the labels say it was b
    assert guessed.tolist() == [1, 0]
    assert labelled.tolist() == [0, 1]
