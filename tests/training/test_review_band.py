"""The entailment rule's review bands: one chosen on the answers, one on essays."""

import math

import numpy as np

from essaycheck.engine.entailment import EntailmentRule
from essaycheck.training.entailment import _essay_band, _review_band

RULE = EntailmentRule((1.0, 0.0, 0.0), 0.0, 0.2, 3, 0.5)


def _features(scores: list[float]) -> np.ndarray:
    """Rows whose score under RULE is each of ``scores``."""
    return np.asarray([[math.log(s / (1 - s)), 0.0, 0.0] for s in scores])


def test_the_band_is_the_widest_that_flags_at_most_a_fifth_of_the_answers() -> None:
    scores = [0.02] * 6 + [0.98] + [0.62, 0.7, 0.8]  # inside 0.125, 0.225 and 0.325
    labels = np.asarray([0] * 6 + [1] + [0, 1, 1])
    band, figures = _review_band(RULE, _features(scores), labels, 0)
    assert band == 0.3  # two of ten flagged; at 0.325, three
    assert figures["flagged_share"] == 0.2
    assert figures["wrong_inside_band"] == 1.0  # the one wrong decision (0.62) is inside


def test_unread_points_count_as_decisions_never_flagged() -> None:
    scores = [0.6, 0.7, 0.8]
    band, figures = _review_band(RULE, _features(scores), np.asarray([1, 1, 1]), 7)
    assert band == 0.3
    assert figures["flagged_share"] == 0.2  # two of ten decisions: the seven unread count


def test_an_essays_band_is_the_widest_that_flags_at_most_a_fifth_of_its_decisions() -> None:
    scores = np.asarray([0.02] * 7 + [0.6, 0.72, 0.85])  # inside 0.125, 0.225 and 0.375
    band, figures = _essay_band(scores)
    assert band == 0.35  # two of ten flagged; at 0.375, three
    assert figures == {"essay_review_band": 0.35, "essay_flagged_share": 0.2}
