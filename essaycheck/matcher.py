"""KeyPointMatcher: score every key point of a rubric against an essay's windows.

For each window and key point the matcher takes the cosine between their static
embeddings (the best over the point's phrasings), then centres it: it subtracts
the window's mean cosine over all of the rubric's points, so a sentence that is
merely on topic does not look like it covers every point. A point's evidence is
its best-scoring window. A logistic decision rule over the evidence's centred
and raw cosines (the raw cosine tells an on-topic essay from an off-topic one),
fitted on labelled data by ``fit``, turns them into a score in 0..1 with the
decision boundary at 0.5.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Self

import numpy as np
import numpy.typing as npt

from essaycheck.embeddings import Matrix, StaticEmbeddings
from essaycheck.errors import ModelError, NotFittedError
from essaycheck.rubric import Rubric
from essaycheck.windows import Window

FEATURES = ("centred", "cosine")
RULE_FILE = "decision-rule.json"
RULE_FORMAT = 1
# A rubric of one or two points is centred as if padded to this many points with
# a typical cosine, so that its scores still mean something.
MIN_CENTRING_POINTS = 3
PAIR_MARGIN = 0.02


@dataclass(frozen=True)
class DecisionRule:
    """A logistic rule over FEATURES: covered when the score reaches 0.5.

    Attributes:
        coefficients: one weight per feature in FEATURES.
        intercept: already shifted so that 0.5 is the fitted decision threshold.
        prior_cosine: the typical window-to-point cosine centring shrinks towards.
        review_band: decisions whose score is within this distance of 0.5 are
            marked ``needs_review``.
    """

    coefficients: tuple[float, ...]
    intercept: float
    prior_cosine: float
    review_band: float = 0.15

    def score(self, features: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Return the score in 0..1 for each row of features."""
        logits = features @ np.asarray(self.coefficients) + self.intercept
        scores: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-logits))
        return scores

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
        if data.get("format") != RULE_FORMAT or data.get("features") != list(FEATURES):
            raise ModelError(
                f"{where}: decision rule format {data.get('format')} with "
                f"features {data.get('features')} does not match this "
                "essaycheck. Retrain it with: essaycheck train"
            )
        try:
            return cls(
                coefficients=tuple(float(c) for c in data["coefficients"]),
                intercept=float(data["intercept"]),
                prior_cosine=float(data["prior_cosine"]),
                review_band=float(data["review_band"]),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise ModelError(
                f"{where}: malformed decision rule ({err}). Retrain it with: essaycheck train"
            ) from err


@dataclass(frozen=True)
class PointMatch:
    """The matcher's verdict on one key point."""

    point_id: str
    is_covered: bool
    score: float
    needs_review: bool
    window: Window | None
    similarity: float


@dataclass(frozen=True)
class PreparedRubric:
    """A rubric's phrasings embedded once, reused for every essay."""

    rubric: Rubric
    vectors: Matrix
    owners: npt.NDArray[np.intp]


class KeyPointMatcher:
    """Decide which key points an essay covers.

    Args:
        embeddings: the static sentence embeddings.
        rule: a fitted decision rule, or None until ``fit`` is called.
    """

    def __init__(self, embeddings: StaticEmbeddings, rule: DecisionRule | None = None) -> None:
        self.embeddings = embeddings
        self.rule = rule
        if rule is not None:
            self.rule_ = rule

    def prepare(self, rubric: Rubric) -> PreparedRubric:
        """Embed every phrasing of every key point."""
        phrasings = [
            (index, text) for index, point in enumerate(rubric) for text in point.phrasings
        ]
        vectors = self.embeddings.embed([text for _, text in phrasings])
        owners = np.asarray([index for index, _ in phrasings], dtype=np.intp)
        return PreparedRubric(rubric, vectors, owners)

    def features(
        self, windows: Sequence[Window], prepared: PreparedRubric, prior_cosine: float
    ) -> tuple[npt.NDArray[np.float64], list[int], Matrix]:
        """Return per-point feature rows, each point's best window, and raw cosines.

        Rows follow the rubric's order; a point's best window index is -1 when the
        essay has no windows.
        """
        points = len(prepared.rubric)
        if not windows:
            return (
                np.zeros((points, len(FEATURES))),
                [-1] * points,
                np.zeros((0, points), dtype=np.float32),
            )
        window_vectors = self.embeddings.embed([window.text for window in windows])
        cosines_by_phrasing = window_vectors @ prepared.vectors.T
        cosines = np.full((len(windows), points), -1.0, dtype=np.float32)
        for column, owner in enumerate(prepared.owners):
            cosines[:, owner] = np.maximum(cosines[:, owner], cosines_by_phrasing[:, column])
        padding = max(0, MIN_CENTRING_POINTS - points)
        centre = (cosines.sum(axis=1, keepdims=True) + padding * prior_cosine) / (points + padding)
        centred = cosines - centre
        # A pair of sentences must beat its best single sentence by a margin to be
        # the evidence, so that evidence is as short as it can be.
        pairs = np.asarray([window.sentence_count > 1 for window in windows])
        best = (centred - PAIR_MARGIN * pairs[:, np.newaxis]).argmax(axis=0)
        columns = np.arange(points)
        rows = np.column_stack([centred[best, columns], cosines[best, columns]]).astype(np.float64)
        return rows, [int(index) for index in best], cosines

    def match(self, windows: Sequence[Window], prepared: PreparedRubric) -> list[PointMatch]:
        """Decide, for every key point, whether the windows cover it."""
        rule = self._fitted_rule()
        rows, best, _ = self.features(windows, prepared, rule.prior_cosine)
        scores = rule.score(rows) if windows else np.zeros(len(prepared.rubric))
        return [
            PointMatch(
                point_id=point.id,
                is_covered=bool(windows) and bool(score >= 0.5),
                score=float(score),
                needs_review=bool(windows) and abs(float(score) - 0.5) < rule.review_band,
                window=windows[index] if index >= 0 else None,
                similarity=float(row[0]),
            )
            for point, score, index, row in zip(prepared.rubric, scores, best, rows, strict=True)
        ]

    def fit(
        self, features: npt.NDArray[np.float64], labels: npt.NDArray[np.int_], prior_cosine: float
    ) -> Self:
        """Fit the decision rule on labelled feature rows (one per essay and point).

        The logistic model is fitted by scikit-learn; its threshold is then moved
        to the one that maximises F1 of "covered" on the same rows, and folded
        into the intercept so that the decision boundary sits at 0.5.
        """
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import precision_recall_curve

        if features.ndim != 2 or features.shape[1] != len(FEATURES):
            raise ValueError(f"expected rows of {len(FEATURES)} features {FEATURES}")
        model = LogisticRegression(C=1.0, max_iter=1000)
        model.fit(features, labels)
        probabilities = model.predict_proba(features)[:, 1]
        precision, recall, thresholds = precision_recall_curve(labels, probabilities)
        f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
        threshold = float(thresholds[int(np.argmax(f1[:-1]))])
        shift = math.log(threshold / (1.0 - threshold))
        self.rule_ = DecisionRule(
            coefficients=tuple(round(float(c), 6) for c in model.coef_[0]),
            intercept=round(float(model.intercept_[0]) - shift, 6),
            prior_cosine=round(prior_cosine, 6),
        )
        self.rule = self.rule_
        return self

    def _fitted_rule(self) -> DecisionRule:
        if not hasattr(self, "rule_"):
            raise NotFittedError(
                "KeyPointMatcher has no decision rule: call fit() or load it with load_matcher()"
            )
        return self.rule_


def save_rule(rule: DecisionRule, folder: Path, meta: dict[str, Any]) -> Path:
    """Write the decision rule and its meta.json into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / RULE_FILE
    path.write_text(json.dumps(rule.to_dict(), indent=2, sort_keys=True) + "\n", "utf-8")
    (folder / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", "utf-8")
    return path


def load_rule(folder: Path) -> DecisionRule:
    """Read the decision rule saved by ``essaycheck train``."""
    path = folder / RULE_FILE
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError as err:
        raise ModelError(
            f"{path}: the decision rule is missing. Restore models/ from the "
            "repository or run: essaycheck train"
        ) from err
    except (OSError, json.JSONDecodeError) as err:
        raise ModelError(
            f"{path}: unreadable decision rule ({err}). Run: essaycheck train"
        ) from err
    return DecisionRule.from_dict(data, str(path))
