"""Fit the entailment rule: how the cross-encoder's verdicts and the similarity decide together.

The rule (``essaycheck.engine.entailment.EntailmentRule``) is logistic over three
features of a candidate window: the similarity rule's log-odds, and the model's
entailed and contradicted log-odds. It is fitted on data the model never saw:
ArgKP-2021 train topics held out of the model's training (labelled per key point)
and the ``rule`` half of the ASAP train answers (scored per answer, so labelled
by expectation maximisation as the decision rule is: each pass labels, in every
answer, the points the current rule finds most likely covered, as many as the
score allows). A point's row is its best candidate under the current rule.
Then each side of the threshold has its log-odds scaled to fit the answers'
labels (no decision moves), and the review band is chosen on those scores.

An essay's rule (``EntailmentRule.essay``) is fitted the same way on marked
essays (``labels/essays``: the team's own, a mark on every point), starting
from the answers' rule, with its own scales and band.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from essaycheck.engine.checker import Checker
from essaycheck.engine.entailment import (
    EntailmentModel,
    EntailmentRule,
    entailment_features,
    logit,
)
from essaycheck.engine.windows import essay_windows
from essaycheck.results import THRESHOLD
from essaycheck.rubric import Rubric
from essaycheck.training.answers import ScoredAnswers, pseudo_labels
from essaycheck.training.dataset import LabelledText, group_texts
from essaycheck.training.essays import MarkedEssays

# The model reads up to CANDIDATES windows per point scoring at least FLOOR: chosen on the
# train answers' two folds (docs/accuracy.md), deeper than the matcher's own proposal.
FLOOR = 0.05
CANDIDATES = 4
# An essay (ESSAY_SENTENCES sentences or more) has many windows: on the marked essays,
# each topic decided by a rule fitted on the other two, 3 candidates from 0.4 decide
# as 3 from 0.2 do with 39% fewer model runs, and an item of a list read on its own
# misleads the model in an essay (docs/accuracy.md).
ESSAY_PROPOSAL = (0.4, 3)
CONTRADICTION = 0.5
# The parser's negation check gives way where the model reads a candidate as entailed
# with at least this probability and has no negation but "not": on the train answers
# and the marked essays every decision it moves is a stated point credited (0.8 and
# 0.9 decide alike, 0.95 misses one more, 0.5 credits one more wrongly; docs/accuracy.md).
SURE = 0.9
PASSES = 4
ANSWER_WEIGHT = 3.0
# The review band is the widest of these that flags at most MAX_FLAGGED of the
# answers' decisions (a point with no candidate is a sure "missing"): as many wrong
# decisions inside as can be. An essay's band is chosen the same way on the essays.
BANDS = tuple(round(0.05 + 0.025 * step, 3) for step in range(17))  # 0.05 ... 0.45
MAX_FLAGGED = 0.2
SCALES = np.round(np.arange(0.1, 5.0001, 0.01), 2)  # factors tried on each side's log-odds
START = EntailmentRule((1.0, 1.0, -1.0), 0.0, FLOOR, CANDIDATES, CONTRADICTION)


@dataclass
class _Point:
    """One (text, point): its candidates' features and contradiction flags, and its label."""

    source: str  # "argkp" or the answers' name
    answer: int  # index of the answer in its data (ArgKP: -1)
    point_id: str
    features: np.ndarray  # (candidates, 3)
    contradicted: np.ndarray  # (candidates,) bool
    label: int | None  # ArgKP's label; None for answers (pseudo-labelled)


def _read(
    checker: Checker,
    model: EntailmentModel,
    texts: Sequence[str],
    rubric: Rubric,
    source: str,
    proposal: tuple[float, int] = (FLOOR, CANDIDATES),
    items: bool = True,
) -> list[list[_Point]]:
    """Match each text against the rubric, read its candidates, and gather their features."""
    prepared = checker.prepare(rubric)
    windows = [essay_windows(doc, items=items) for doc in checker.nlp.pipe(texts)]
    matches = checker.matcher.match_many(windows, prepared, [proposal] * len(windows))
    pairs = [
        (point.text, window.text)
        for found in matches
        for point, match in zip(rubric, found, strict=True)
        for window, _ in match.candidates
    ]
    probabilities = model.judge(pairs)
    at = 0
    read = []
    for number, found in enumerate(matches):
        points = []
        for match in found:
            count = len(match.candidates)
            logits = np.asarray([logit(score) for _, score in match.candidates])
            chunk = probabilities[at : at + count]
            at += count
            features = entailment_features(logits, chunk) if count else np.zeros((0, 3))
            flags = np.asarray([START.contradicts(row) for row in chunk], dtype=bool)
            points.append(_Point(source, number, match.point_id, features, flags, None))
        read.append(points)
    return read


def _best(point: _Point, rule: EntailmentRule) -> tuple[float, np.ndarray | None]:
    """The point's score under ``rule`` and the features of its best candidate."""
    standing = ~point.contradicted
    if not standing.any():
        return 0.0, None
    scores = rule.score(point.features[standing])
    best = int(np.argmax(scores))
    return float(scores[best]), point.features[standing][best]


def fit_entailment_rule(
    checker: Checker,
    model: EntailmentModel,
    labelled: Sequence[LabelledText],
    answers: Sequence[ScoredAnswers],
    essays: Sequence[MarkedEssays] = (),
) -> tuple[EntailmentRule, dict[str, object]]:
    """Fit the rule on labelled texts and scored answers, its essays' rule on marked essays.

    Returns the rule and figures on its fit (without ``essays``, the rule has no
    essays' rule: it decides every text).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import precision_recall_curve

    argkp: list[_Point] = []
    for _, records in group_texts(list(labelled)):
        rubric = records[0].rubric()
        for record, points in zip(
            records, _read(checker, model, [r.text for r in records], rubric, "argkp"), strict=True
        ):
            for point in points:
                if point.point_id in record.labels:
                    point.label = record.labels[point.point_id]
                    argkp.append(point)
    scored = [
        (data, _read(checker, model, [text for _, text, _ in data.answers], data.rubric, data.name))
        for data in answers
    ]
    rule = START
    figures: dict[str, object] = {}
    for _ in range(PASSES):
        features, targets, sample = _rows(argkp, scored, rule)
        fitted = LogisticRegression(C=1.0, max_iter=1000).fit(
            features, targets, sample_weight=sample
        )
        probabilities = fitted.predict_proba(features)[:, 1]
        precision, recall, thresholds = precision_recall_curve(
            targets, probabilities, sample_weight=sample
        )
        f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
        best_index = int(np.argmax(f1[:-1]))
        threshold = float(thresholds[best_index])
        rule = EntailmentRule(
            coefficients=tuple(round(float(c), 6) for c in fitted.coef_[0]),  # type: ignore[arg-type]
            intercept=round(float(fitted.intercept_[0]) - math.log(threshold / (1 - threshold)), 6),
            floor=FLOOR,
            candidates=CANDIDATES,
            contradiction=CONTRADICTION,
        )
        figures = {
            "rows": len(targets),
            "argkp_rows": int(np.sum(sample == 1.0)),
            "answer_rows": int(np.sum(sample != 1.0)),
            "f1": round(float(f1[best_index]), 4),
        }
    from_answers = sample != 1.0
    covered_scale, missing_scale = _scales(rule, features[from_answers], targets[from_answers])
    rule = replace(rule, covered_scale=covered_scale, missing_scale=missing_scale)
    figures |= {"covered_scale": covered_scale, "missing_scale": missing_scale}
    unread = _unread(scored, rule)
    band, review = _review_band(rule, features[from_answers], targets[from_answers], unread)
    rule = replace(rule, review_band=band, sure=SURE)
    if not essays:
        return rule, figures | review
    essay_rule, essay_figures = fit_essay_rule(checker, model, essays, rule)
    return replace(rule, essay=essay_rule), figures | review | {"essays": essay_figures}


def fit_essay_rule(
    checker: Checker, model: EntailmentModel, essays: Sequence[MarkedEssays], start: EntailmentRule
) -> tuple[EntailmentRule, dict[str, object]]:
    """The rule for essays: fitted on the marked essays' points, from the answers' rule."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score

    points: list[_Point] = []
    for data in essays:
        read = _read(checker, model, data.texts, data.rubric, data.name, ESSAY_PROPOSAL, False)
        for number, found in enumerate(read):
            marks = data.labels(number)
            for point in found:
                point.label = marks[point.point_id]
                points.append(point)
    rule = replace(
        start,
        floor=ESSAY_PROPOSAL[0],
        candidates=ESSAY_PROPOSAL[1],
        items=False,
        covered_scale=1.0,
        missing_scale=1.0,
    )
    for _ in range(PASSES):
        features, targets, _ = _rows(points, [], rule)
        fitted = LogisticRegression(C=1.0, max_iter=1000).fit(features, targets)
        rule = replace(
            rule,
            coefficients=tuple(round(float(c), 6) for c in fitted.coef_[0]),  # type: ignore[arg-type]
            intercept=round(float(fitted.intercept_[0]), 6),
        )
    covered_scale, missing_scale = _scales(rule, features, targets)
    rule = replace(rule, covered_scale=covered_scale, missing_scale=missing_scale)
    unread = sum(1 for point in points if _best(point, rule)[1] is None)
    band, review = _review_band(rule, features, targets, unread)
    decided = rule.score(features) >= THRESHOLD
    return replace(rule, review_band=band), {
        "essays": sum(len(data.texts) for data in essays),
        "topics": [data.name for data in essays],
        "rows": len(targets),
        "f1": round(float(f1_score(targets, decided)), 4),
        "covered_scale": covered_scale,
        "missing_scale": missing_scale,
        **review,
    }


def _rows(
    argkp: Sequence[_Point],
    scored: Sequence[tuple[ScoredAnswers, list[list[_Point]]]],
    rule: EntailmentRule,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each labelled point's best candidate under ``rule``: features, labels, weights.

    The answers' points are labelled from their scores, by ``rule``'s strengths,
    unless someone labelled them (``ScoredAnswers.point_labels``).
    """
    rows, labels, weights = [], [], []
    for point in argkp:
        _, best = _best(point, rule)
        if best is not None and point.label is not None:
            rows.append(best)
            labels.append(point.label)
            weights.append(1.0)
    for data, read in scored:
        for (answer, _, score), points in zip(data.answers, read, strict=True):
            strength = {p.point_id: _best(p, rule)[0] for p in points}
            found = data.point_labels.get(answer) or pseudo_labels(data, strength, score)
            for point in points:
                label = found.get(point.point_id)
                best = _best(point, rule)[1]
                if label is not None and best is not None:
                    rows.append(best)
                    labels.append(label)
                    weights.append(ANSWER_WEIGHT)
    return np.asarray(rows), np.asarray(labels), np.asarray(weights)


def _scales(rule: EntailmentRule, features: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """The factors on the rule's log-odds, each side of the threshold, that fit the answers best.

    Each side's factor maximises the likelihood of the answers' labels given
    the scores on that side, so a score says how often such a decision is
    right; the decisions do not move.
    """
    raw = rule.log_odds(features)
    found = []
    for side in (raw >= 0, raw < 0):
        stated, z = labels[side] == 1, raw[side]
        losses = [
            np.logaddexp(0, -scale * z[stated]).sum() + np.logaddexp(0, scale * z[~stated]).sum()
            for scale in SCALES
        ]
        found.append(float(SCALES[int(np.argmin(losses))]) if side.any() else 1.0)
    return found[0], found[1]


def _unread(
    scored: Sequence[tuple[ScoredAnswers, list[list[_Point]]]], rule: EntailmentRule
) -> int:
    """How many of the answers' labelled points have no candidate (a sure "missing")."""
    count = 0
    for data, read in scored:
        for (answer, _, score), points in zip(data.answers, read, strict=True):
            strength = {p.point_id: _best(p, rule)[0] for p in points}
            found = data.point_labels.get(answer) or pseudo_labels(data, strength, score)
            count += sum(
                1 for p in points if found.get(p.point_id) is not None and _best(p, rule)[1] is None
            )
    return count


def _review_band(
    rule: EntailmentRule, features: np.ndarray, labels: np.ndarray, unread: int
) -> tuple[float, dict[str, float]]:
    """The widest band in BANDS flagging at most MAX_FLAGGED of the answers' decisions.

    ``features`` and ``labels`` are the answers' points that have a candidate;
    ``unread`` more points had none (missing, never flagged, counted as decisions).
    """
    scores = rule.score(features)
    wrong = (scores >= THRESHOLD) != (labels == 1)
    decisions = len(scores) + unread
    band = _widest_band(lambda band: float((np.abs(scores - THRESHOLD) < band).sum() / decisions))
    flagged = np.abs(scores - THRESHOLD) < band
    return band, {
        "review_band": band,
        "flagged_share": round(float(flagged.sum() / decisions), 4),
        "wrong_share": round(float(wrong.sum() / decisions), 4),
        "wrong_inside_band": round(float(flagged[wrong].mean()) if wrong.any() else 1.0, 4),
    }


def _widest_band(flagged_share: Callable[[float], float]) -> float:
    """The widest band in BANDS whose ``flagged_share`` is at most MAX_FLAGGED (else the first)."""
    chosen = BANDS[0]
    for band in BANDS[1:]:
        if flagged_share(band) > MAX_FLAGGED:
            break
        chosen = band
    return chosen
