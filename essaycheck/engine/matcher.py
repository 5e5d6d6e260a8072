"""KeyPointMatcher: score every key point of a rubric against an essay's windows.

For each window and key point the matcher measures three things: the cosine
between their static embeddings (the best over the point's phrasings), that
cosine *centred* (minus the window's mean cosine over all of the rubric's
points, so that a sentence that is merely on topic does not look like it covers
every point), and the centred share of the point's content words the window
uses. A logistic decision rule, fitted on labelled data by ``fit``, turns them
into a score in 0..1 for every window; a point's score is its best window's
score, that window is its evidence, and the rule decides (``DecisionRule.decide``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np
import numpy.typing as npt

from essaycheck.engine import lexical
from essaycheck.engine.base import Embeddings
from essaycheck.engine.lexical import content_stems
from essaycheck.engine.rule import FEATURES, DecisionRule
from essaycheck.engine.vectors import Matrix, Tensor
from essaycheck.engine.windows import Window
from essaycheck.errors import NotFittedError
from essaycheck.results import Objection
from essaycheck.rubric import Rubric

# A rubric of one or two points is centred as if padded to this many points with
# a typical value, so that its scores still mean something.
MIN_CENTRING_POINTS = 3
# A pair of sentences must beat its best single sentence by this much (in
# log-odds) to be the evidence, so that evidence is as short as it can be.
PAIR_MARGIN = 0.2
MAX_CANDIDATES = 3
_ANAPHORA = {"he", "she", "they", "it", "this", "these", "his", "her", "their", "its", "that"}


@dataclass(frozen=True)
class PointMatch:
    """The matcher's verdict on one key point.

    ``candidates`` are the windows that could be its evidence, best first, with
    their scores: every window scoring within the review band of covered, at
    most MAX_CANDIDATES of them (or those that ``match`` was asked for).
    ``rejected``: the window a later stage found to deny the point, and why,
    when the point is missing because of it. ``unread``: the candidates as
    proposed, when the entailment stage settled the point on the first and did
    not read the others (``EntailmentStage.finish`` reads them). ``sure``: the
    candidates the entailment stage surely reads as stating the point, which
    the parser's negation check does not reject (``EntailmentRule.sure``).
    """

    point_id: str
    is_covered: bool
    score: float
    needs_review: bool
    window: Window | None
    candidates: tuple[tuple[Window, float], ...] = ()
    rejected: tuple[Window, Objection] | None = None
    unread: tuple[tuple[Window, float], ...] = ()
    sure: tuple[Window, ...] = ()


@dataclass(frozen=True)
class PreparedRubric:
    """A rubric's phrasings embedded and stemmed once, reused for every essay."""

    rubric: Rubric
    vectors: Matrix
    stems: tuple[frozenset[str], ...]
    owners: npt.NDArray[np.intp]
    words: lexical.PointWords


class KeyPointMatcher:
    """Decide which key points an essay covers.

    Args:
        embeddings: the static sentence embeddings.
        rule: a fitted decision rule, or None until ``fit`` is called.
    """

    def __init__(self, embeddings: Embeddings, rule: DecisionRule | None = None) -> None:
        self.embeddings = embeddings
        self.rule = rule

    def prepare(self, rubric: Rubric) -> PreparedRubric:
        """Embed and stem every phrasing of every key point."""
        phrasings = [
            (index, text) for index, point in enumerate(rubric) for text in point.phrasings
        ]
        vectors = self.embeddings.embed([text for _, text in phrasings])
        stems = tuple(content_stems(text) for _, text in phrasings)
        owners = np.asarray([index for index, _ in phrasings], dtype=np.intp)
        words = lexical.point_words([text for _, text in phrasings], owners.tolist())
        return PreparedRubric(rubric, vectors, stems, owners, words)

    def window_features(
        self,
        windows: Sequence[Window],
        prepared: PreparedRubric,
        prior_cosine: float,
        vectors: Matrix | None = None,
    ) -> Tensor:
        """Return features for every window and point: shape (windows, points, FEATURES).

        ``vectors`` are the windows' embeddings, when they were embedded already.
        """
        points = len(prepared.rubric)
        if not windows:
            return np.zeros((0, points, len(FEATURES)))
        window_vectors = self.embeddings.embed_windows(windows) if vectors is None else vectors
        by_phrasing = window_vectors @ prepared.vectors.T
        overlaps_by_phrasing = lexical.overlaps(window_stems(windows), prepared.stems)
        aligned_by_phrasing = lexical.alignments(
            [window.sentences or (window.text,) for window in windows], prepared.words
        )
        cosines = np.full((len(windows), points), -1.0)
        overlaps = np.zeros((len(windows), points))
        aligned = np.zeros((len(windows), points))
        for column, owner in enumerate(prepared.owners):
            cosines[:, owner] = np.maximum(cosines[:, owner], by_phrasing[:, column])
            overlaps[:, owner] = np.maximum(overlaps[:, owner], overlaps_by_phrasing[:, column])
            aligned[:, owner] = np.maximum(aligned[:, owner], aligned_by_phrasing[:, column])
        prior_overlap = 0.0
        return np.stack(
            [
                _centred(cosines, prior_cosine),
                cosines,
                _centred(overlaps, prior_overlap),
                _rival_margin(cosines, prior_cosine),
                aligned,
            ],
            axis=-1,
        )

    def preference(
        self, features: Tensor, windows: Sequence[Window], rule: DecisionRule | None
    ) -> Tensor:
        """How much each window is preferred as each point's evidence: (windows, points).

        The rule's log-odds (the centred cosine when there is no rule yet), less
        a margin for a pair of sentences, so that evidence is as short as it can be.
        """
        strength = features[:, :, 0] if rule is None else rule.logits(features)
        pairs = np.asarray([window.sentence_count > 1 for window in windows])
        margin = PAIR_MARGIN if rule is not None else PAIR_MARGIN / 10
        preferred: Tensor = strength - margin * pairs[:, np.newaxis]
        return preferred

    def best_windows(
        self, features: Tensor, windows: Sequence[Window], rule: DecisionRule | None
    ) -> npt.NDArray[np.intp]:
        """Return each point's best window under the rule (by centred cosine if None)."""
        best: npt.NDArray[np.intp] = self.preference(features, windows, rule).argmax(axis=0)
        return best

    def match_many(
        self,
        essays: Sequence[Sequence[Window]],
        prepared: PreparedRubric,
        proposals: Sequence[tuple[float, int] | None] | None = None,
    ) -> list[list[PointMatch]]:
        """``match`` for several essays' windows, embedding them all in one call.

        ``proposals``: each essay's ``proposal`` (default: None for every essay).
        A transformer encodes one large batch of sentences, sorted by length, far
        faster than many small ones.
        """
        vectors = self.embeddings.embed_windows(
            [window for windows in essays for window in windows]
        )
        ends = np.cumsum([len(windows) for windows in essays])
        if proposals is None:
            proposals = [None] * len(essays)
        return [
            self.match(windows, prepared, vectors[end - len(windows) : end], proposal)
            for windows, end, proposal in zip(essays, ends, proposals, strict=True)
        ]

    def match(
        self,
        windows: Sequence[Window],
        prepared: PreparedRubric,
        vectors: Matrix | None = None,
        proposal: tuple[float, int] | None = None,
    ) -> list[PointMatch]:
        """Decide, for every key point, whether the windows cover it.

        ``vectors`` are the windows' embeddings, when they were embedded already.
        ``proposal`` (floor, count): propose as candidates the best ``count``
        windows scoring at least ``floor`` that do not overlap a better one, for
        a later stage to read (default: those within the review band of covered).
        """
        rule = self.decision_rule()
        if not windows:
            return [PointMatch(point.id, False, 0.0, False, None) for point in prepared.rubric]
        features = self.window_features(windows, prepared, rule.prior_cosine, vectors)
        scores = rule.score(features)
        preference = self.preference(features, windows, rule)
        pair_ending = {w.end: w for w in windows if w.sentence_count > 1}
        matches = []
        for column, point in enumerate(prepared.rubric):
            order = np.argsort(-preference[:, column], kind="stable")
            score = float(scores[order[0], column])
            if proposal is None:
                candidates = tuple(
                    (_with_antecedent(windows[index], pair_ending), float(scores[index, column]))
                    for index in order[:MAX_CANDIDATES]
                    if rule.may_cover(float(scores[index, column]))
                )
            else:
                candidates = _proposed(windows, order, scores[:, column], *proposal)
            is_covered, needs_review = rule.decide(score)
            matches.append(
                PointMatch(
                    point_id=point.id,
                    is_covered=is_covered,
                    score=score,
                    needs_review=needs_review,
                    window=_with_antecedent(windows[order[0]], pair_ending),
                    candidates=candidates,
                )
            )
        return matches

    def fit(
        self,
        features: Tensor,
        labels: npt.NDArray[np.int_],
        prior_cosine: float,
        weights: Tensor | None = None,
    ) -> Self:
        """Fit the decision rule on labelled feature rows (one per essay and point).

        The logistic model is fitted by scikit-learn; its threshold is then moved
        to the one that maximises F1 of "covered" on the same rows, and folded
        into the intercept so that the decision boundary sits at THRESHOLD.
        ``weights`` says how much each row counts, in both (default: the same).
        """
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import precision_recall_curve

        if features.ndim != 2 or features.shape[1] != len(FEATURES):
            raise ValueError(f"expected rows of {len(FEATURES)} features {FEATURES}")
        model = LogisticRegression(C=1.0, max_iter=1000)
        model.fit(features, labels, sample_weight=weights)
        probabilities = model.predict_proba(features)[:, 1]
        precision, recall, thresholds = precision_recall_curve(
            labels, probabilities, sample_weight=weights
        )
        f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
        threshold = float(thresholds[int(np.argmax(f1[:-1]))])
        shift = math.log(threshold / (1.0 - threshold))
        self.rule_ = DecisionRule(
            coefficients=tuple(round(float(c), 6) for c in model.coef_[0]),
            intercept=round(float(model.intercept_[0]) - shift, 6),
            prior_cosine=round(prior_cosine, 6),
        )
        return self

    def decision_rule(self) -> DecisionRule:
        """Return the rule ``fit`` learned, else the one given; NotFittedError if neither."""
        rule = getattr(self, "rule_", None) or self.rule
        if rule is None:
            raise NotFittedError(
                "KeyPointMatcher has no decision rule: call fit() or load it with load_rule()"
            )
        return rule


def _proposed(
    windows: Sequence[Window], order: npt.NDArray[np.intp], scores: Tensor, floor: float, count: int
) -> tuple[tuple[Window, float], ...]:
    """The best ``count`` windows scoring at least ``floor``, none overlapping a better one.

    A chosen pair of sentences brings its own sentences with it (those scoring at
    least ``floor``): the point may be stated by one of them alone, which a later
    stage reads more surely without the other beside it.
    """
    chosen: list[tuple[Window, float]] = []
    for index in order:
        score = float(scores[index])
        if len(chosen) == count:
            break
        if score < floor:
            continue
        window = windows[index]
        if not any(window.start < other.end and other.start < window.end for other, _ in chosen):
            chosen.append((window, score))
    parts = [
        (window, float(score))
        for pair, _ in chosen
        if pair.sentence_count > 1
        for window, score in zip(windows, scores, strict=True)
        if window.sentence_count == 1
        and pair.start <= window.start
        and window.end <= pair.end
        and score >= floor
    ]
    return (*chosen, *parts)


def window_stems(windows: Sequence[Window]) -> list[frozenset[str]]:
    """The content stems of every window, each sentence's found once."""
    by_sentence: dict[str, frozenset[str]] = {}
    for window in windows:
        for sentence in window.sentences or (window.text,):
            if sentence not in by_sentence:
                by_sentence[sentence] = content_stems(sentence)
    return [
        frozenset().union(*(by_sentence[s] for s in window.sentences or (window.text,)))
        for window in windows
    ]


def _with_antecedent(window: Window, pair_ending: dict[int, Window]) -> Window:
    """A sentence that opens with "he", "this"... is shown with the sentence before it.

    The evidence then says who or what the sentence is about; the score stays
    the sentence's own.
    """
    first = window.text.split(maxsplit=1)[0].lower() if window.text.strip() else ""
    if window.sentence_count == 1 and first in _ANAPHORA:
        return pair_ending.get(window.end, window)
    return window


def _rival_margin(values: Tensor, prior: float) -> Tensor:
    """How far each point leads (or trails) the window's best other point.

    A window that makes another of the rubric's points better than this one is
    probably making that point. A one-point rubric has no rival: the typical
    value stands in for one.
    """
    if values.shape[1] < 2:
        rival: Tensor = values - prior
        return rival
    top_two = np.sort(values, axis=1)[:, -2:]
    best_other = np.where(values >= top_two[:, 1:2], top_two[:, 0:1], top_two[:, 1:2])
    margin: Tensor = values - best_other
    return margin


def _centred(values: Tensor, prior: float) -> Tensor:
    """Subtract each window's mean over the rubric's points (padded to a minimum)."""
    points = values.shape[1]
    padding = max(0, MIN_CENTRING_POINTS - points)
    centre = (values.sum(axis=1, keepdims=True) + padding * prior) / (points + padding)
    centred: Tensor = values - centre
    return centred
