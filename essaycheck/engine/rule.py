"""DecisionRule: the learned rule that turns a window's features into a score and a decision.

The rule is logistic over FEATURES (see matcher.py); its intercept is shifted
when it is fitted so that the decision threshold sits at THRESHOLD. It is saved
as plain JSON coefficients with a meta.json beside it, never as a pickle.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from essaycheck.engine.vectors import Tensor
from essaycheck.errors import ModelError
from essaycheck.io.files import read_json, write_json
from essaycheck.io.models import check_meta, save_meta
from essaycheck.results import REVIEW_BAND, THRESHOLD, decide

FEATURES = ("centred_cosine", "cosine", "centred_overlap", "rival_margin", "aligned")
RULE_FILE = "decision-rule.json"
RULE_FORMAT = 3
RULE_KIND = "decision-rule"
RETRAIN = "Restore models/ from the repository, or run: essaycheck train"
# Fitted rules have coefficients of a few units; far beyond, a file was damaged.
MAX_COEFFICIENT = 1000.0


@dataclass(frozen=True)
class DecisionRule:
    """A logistic rule over FEATURES: covered when the score reaches THRESHOLD.

    Attributes:
        coefficients: one weight per feature in FEATURES.
        intercept: already shifted so that THRESHOLD is the fitted decision threshold.
        prior_cosine: the typical window-to-point cosine, used to pad the centring
            of a rubric with fewer than MIN_CENTRING_POINTS points.
        review_band: decisions whose score is within this distance of THRESHOLD
            are marked ``needs_review``.
    """

    coefficients: tuple[float, ...]
    intercept: float
    prior_cosine: float
    review_band: float = REVIEW_BAND

    def logits(self, features: Tensor) -> Tensor:
        """Return the log-odds for features whose last axis follows FEATURES."""
        logits: Tensor = features @ np.asarray(self.coefficients) + self.intercept
        return logits

    def score(self, features: Tensor) -> Tensor:
        """Return the score in 0..1 for features whose last axis follows FEATURES."""
        scores: Tensor = 1.0 / (1.0 + np.exp(-self.logits(features)))
        return scores

    def decide(self, score: float) -> tuple[bool, bool]:
        """Return whether ``score`` means covered, and whether it needs review."""
        return decide(score, self.review_band)

    def may_cover(self, score: float) -> bool:
        """Whether a window scoring ``score`` is covered or a close call: worth verifying."""
        return score >= THRESHOLD - self.review_band

    def to_dict(self) -> dict[str, Any]:
        """Return the rule as JSON-ready data."""
        data = asdict(self)
        data["coefficients"] = list(self.coefficients)
        data["features"] = list(FEATURES)
        data["format"] = RULE_FORMAT
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str) -> DecisionRule:
        """Rebuild a rule from ``to_dict`` data; ``where`` names it in errors."""
        if not isinstance(data, dict):
            raise ModelError(f"{where}: malformed decision rule. Retrain it with: essaycheck train")
        if data.get("format") != RULE_FORMAT or data.get("features") != list(FEATURES):
            raise ModelError(
                f"{where}: decision rule format {data.get('format')} with "
                f"features {data.get('features')} does not match this "
                "essaycheck. Retrain it with: essaycheck train"
            )
        try:
            rule = cls(
                coefficients=tuple(float(c) for c in data["coefficients"]),
                intercept=float(data["intercept"]),
                prior_cosine=float(data["prior_cosine"]),
                review_band=float(data["review_band"]),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise ModelError(
                f"{where}: malformed decision rule ({err}). Retrain it with: essaycheck train"
            ) from err
        problem = rule._problem()
        if problem:
            raise ModelError(f"{where}: {problem}. Retrain it with: essaycheck train")
        return rule

    def _problem(self) -> str | None:
        """What makes the numbers unusable, if anything (a hand-edited or damaged file)."""
        numbers = (*self.coefficients, self.intercept, self.prior_cosine, self.review_band)
        if len(self.coefficients) != len(FEATURES) or not all(map(math.isfinite, numbers)):
            return f"the rule needs {len(FEATURES)} finite coefficients and finite numbers"
        if max(abs(value) for value in (*self.coefficients, self.intercept)) > MAX_COEFFICIENT:
            return f"a coefficient or the intercept is beyond ±{MAX_COEFFICIENT:g}"
        if not -1.0 <= self.prior_cosine <= 1.0:
            return "prior_cosine is not a cosine (-1..1)"
        if not 0.0 <= self.review_band <= THRESHOLD:
            return f"review_band is outside 0..{THRESHOLD}"
        return None


def save_rule(rule: DecisionRule, folder: Path, meta: dict[str, Any]) -> Path:
    """Write the decision rule and its meta.json into ``folder``."""
    save_meta(folder, meta)
    path = folder / RULE_FILE
    write_json(path, rule.to_dict())
    return path


def load_rule(folder: Path) -> DecisionRule:
    """Read the decision rule saved by ``essaycheck train``, after checking its meta.json."""
    path = folder / RULE_FILE
    if not path.is_file():
        raise ModelError(f"{path}: the decision rule is missing. {RETRAIN}")
    check_meta(folder, kind=RULE_KIND, remedy=RETRAIN)
    return DecisionRule.from_dict(read_json(path, ModelError, RETRAIN), str(path))
