"""The entailment rule's review band and scales, as fitted."""

import math
from dataclasses import replace

import numpy as np
import pytest

from essaycheck.engine.entailment import EntailmentRule
from essaycheck.training.entailment import _review_band, _scales

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


def test_an_over_sure_side_is_scaled_towards_the_middle_and_no_decision_moves() -> None:
    # said covered at 0.95, stated 7 times in 10: over-sure; said missing at 0.05, never stated
    scores = [0.95] * 10 + [0.05] * 10
    labels = np.asarray([1] * 7 + [0] * 3 + [0] * 10)
    covered_scale, missing_scale = _scales(RULE, _features(scores), labels)
    assert covered_scale < 0.5 and missing_scale > 1.0
    scaled = replace(RULE, covered_scale=covered_scale, missing_scale=missing_scale)
    after = scaled.score(_features(scores))
    assert after[0] == pytest.approx(0.7, abs=0.01)  # how often such a decision is right
    assert list(after >= 0.5) == list(RULE.score(_features(scores)) >= 0.5)
