"""The decision rule's threshold, moved to where answers' scores agree with their raters."""

from __future__ import annotations

import math

import numpy as np

from essaycheck.engine.matcher import KeyPointMatcher
from essaycheck.engine.rule import FEATURES, DecisionRule
from essaycheck.engine.windows import Window
from essaycheck.rubric import KeyPoint, Rubric
from essaycheck.training.answers import ScoredAnswers, ScoreGroup
from essaycheck.training.fit import EssayFeatures, TrainingEssay, _answer_threshold

RUBRIC = Rubric("R", tuple(KeyPoint(name, f"Point {name}.") for name in ("a", "b", "c")))
DATA = ScoredAnswers("count, at most 3", RUBRIC, (ScoreGroup("", 3),), ())
# The rule's log-odds is the first feature itself.
RULE = DecisionRule(
    coefficients=(1.0,) + (0.0,) * (len(FEATURES) - 1), intercept=0.0, prior_cosine=0.3
)


def _answer(
    log_odds: tuple[float, float, float], score: int
) -> tuple[ScoredAnswers, int, EssayFeatures, None]:
    features = np.zeros((1, len(RUBRIC), len(FEATURES)))
    features[0, :, 0] = log_odds
    essay = TrainingEssay("g", "An answer.", tuple(RUBRIC), {}, False)
    return DATA, score, EssayFeatures(essay, [Window("An answer.", 0, 10, 1)], features), None


def test_points_the_raters_did_not_count_move_the_threshold_up() -> None:
    # Scores of 0.57 (log-odds 0.3) were never counted by the raters; 0.73 (1.0) always were.
    answered = [
        _answer((1.0, 0.3, -2.0), 1),
        _answer((1.0, 1.0, 0.3), 2),
        _answer((0.3, 0.3, -2.0), 0),
        _answer((1.0, 1.0, 1.0), 3),
        _answer((0.3, -2.0, 1.0), 1),
    ]

    rule, figures = _answer_threshold(answered, KeyPointMatcher(None), RULE)  # type: ignore[arg-type]

    assert figures["chosen"] == 0.6  # the nearest to 0.5 of those that agree perfectly
    assert figures["mean_qwk"]["0.60"] == 1.0 and figures["mean_qwk"]["0.50"] < 1.0
    assert math.isclose(rule.intercept, -math.log(0.6 / 0.4), abs_tol=1e-6)
    assert not rule.decide(float(rule.score(np.asarray([0.3, 0, 0, 0, 0]))))[0]
    assert rule.decide(float(rule.score(np.asarray([1.0, 0, 0, 0, 0]))))[0]


def test_answers_the_fitted_threshold_already_suits_leave_it_at_one_half() -> None:
    answered = [
        _answer((1.0, -1.0, -2.0), 1),
        _answer((1.0, 1.0, -1.0), 2),
        _answer((-1.0, -1.0, -2.0), 0),
        _answer((1.0, 1.0, 1.0), 3),
    ]

    rule, figures = _answer_threshold(answered, KeyPointMatcher(None), RULE)  # type: ignore[arg-type]

    assert figures["chosen"] == 0.5
    assert rule == RULE
