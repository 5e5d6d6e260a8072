"""The entailment rule's review band: chosen on the answers; its share of essays reported."""

import math

import numpy as np

from essaycheck.engine.entailment import EntailmentRule
from essaycheck.training.entailment import _review_band

RULE = EntailmentRule((1.0, 0.0, 0.0), 0.0, 0.2, 3, 0.5)


def _features(scores: list[float]) -> np.ndarray:
    """Rows whose score under RULE is each of ``scores``."""
    return np.asarray([[math.log(s / (1 - s)), 0.0, 0.0] for s in scores])


def test_the_band_is_the_widest_that_flags_at_most_a_fifth_of_the_answers() -> None:
    scores = [0.02] * 6 + [0.98] + [0.62, 0.7, 0.8]  # inside 0.125, 0.225 and 0.325
    labels = np.asarray([0] * 6 + [1] + [0, 1, 1])
    band, figures = _review_band(RULE, _features(scores), labels, 0, np.asarray([0.5] * 4))
    assert band == 0.3  # two of ten flagged; at 0.325, three
    assert figures["flagged_share"] == 0.2
    assert figures["wrong_inside_band"] == 1.0  # the one wrong decision (0.62) is inside


def test_unread_points_count_as_decisions_never_flagged() -> None:
    scores = [0.6, 0.7, 0.8]
    band, figures = _review_band(RULE, _features(scores), np.asarray([1, 1, 1]), 7, np.zeros(0))
    assert band == 0.3
    assert figures["flagged_share"] == 0.2  # two of ten decisions: the seven unread count


def test_the_share_of_an_essays_decisions_is_reported_not_bounded() -> None:
    scores = [0.02] * 9 + [0.98]
    essays = np.asarray([0.45, 0.55, 0.3, 0.02])
    band, figures = _review_band(RULE, _features(scores), np.asarray([0] * 9 + [1]), 0, essays)
    assert band == 0.45  # no answer is near the middle
    assert figures["essay_flagged_share"] == 0.75  # 0.45, 0.55 and 0.3 are inside 0.45
