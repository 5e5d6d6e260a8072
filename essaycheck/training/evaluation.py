"""Measure the engine's coverage decisions against human labels.

The metrics are those of the ArgKP-2021 shared task and REALSumm: ROC AUC over
labelled pairs; KPA mAP, strict and relaxed; precision, recall and F1 of
"covered" at the shipped decision rule; top-1 key point accuracy; and, for
summary-style data, the summary-level correlation between the engine's and the
humans' covered fractions. Unlabelled pairs are skipped, except where mAP
defines how to count them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from essaycheck.engine.checker import Checker
from essaycheck.io.essays import Essay
from essaycheck.training.dataset import LabelledText, group_texts


@dataclass(frozen=True)
class ScoredText:
    """The engine's score and decision for every key point of one labelled text."""

    record: LabelledText
    scores: dict[str, float]
    covered: dict[str, bool]


def score_texts(records: list[LabelledText], checker: Checker) -> Iterator[ScoredText]:
    """Run the marking path on every text, against its group's key points."""
    for _, texts in group_texts(records):
        rubric = texts[0].rubric()
        essays = (Essay(name=text.id, text=text.text) for text in texts)
        for record, result in zip(texts, checker.check_many(essays, rubric), strict=True):
            yield ScoredText(
                record,
                scores={r.point.id: r.score for r in result.points},
                covered={r.point.id: r.is_covered for r in result.points},
            )


SUMMARY_DATASETS = frozenset({"realsumm", "pyrxsum"})


def compute_metrics(scored: list[ScoredText]) -> dict[str, Any]:
    """Return every metric that applies to the scored texts.

    The summary-level correlation applies to summary data (REALSumm), where each
    document's many summaries are checked against the same content units.
    """
    from sklearn.metrics import precision_recall_fscore_support, roc_auc_score

    labels, scores, decisions = [], [], []
    for item in scored:
        for point_id, label in item.record.labels.items():
            labels.append(label)
            scores.append(item.scores[point_id])
            decisions.append(item.covered[point_id])
    if not labels:
        return {"texts": len(scored), "labelled_pairs": 0}
    precision, recall, f1, _ = precision_recall_fscore_support(
        labels, decisions, average="binary", zero_division=0.0
    )
    metrics: dict[str, Any] = {
        "texts": len(scored),
        "labelled_pairs": len(labels),
        "positive_rate": float(np.mean(labels)),
        "auc": float(roc_auc_score(labels, scores)) if len(set(labels)) > 1 else None,
        "map_strict": kpa_map(scored, relaxed=False),
        "map_relaxed": kpa_map(scored, relaxed=True),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "top1_accuracy": top1_accuracy(scored),
    }
    summaries = [item for item in scored if item.record.dataset in SUMMARY_DATASETS]
    correlation, documents = summary_correlation(summaries)
    if documents:
        metrics["summary_correlation"] = correlation
        metrics["summary_documents"] = documents
    return metrics


def kpa_map(scored: list[ScoredText], *, relaxed: bool, top_share: float = 0.5) -> float:
    """KPA mean average precision over groups (topic and stance).

    As scored by the ArgKP-2021 shared task: each text contributes its single
    best-scoring key point; per group the top half of those pairs by score are
    kept; their average precision is multiplied by the share of kept pairs that
    are correct (so a ranking of few correct pairs cannot score high). An
    unlabelled pair counts as wrong (strict) or right (relaxed).
    """
    from sklearn.metrics import average_precision_score

    by_group: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for item in scored:
        if not item.scores:
            continue
        best = max(item.scores, key=lambda point_id: (item.scores[point_id], point_id))
        label = item.record.labels.get(best, 1 if relaxed else 0)
        by_group[item.record.group].append((item.scores[best], label))
    precisions = []
    for pairs in by_group.values():
        kept = sorted(pairs, key=lambda pair: -pair[0])[: int(len(pairs) * top_share)]
        if not kept:
            continue
        truth = [label for _, label in kept]
        if not any(truth):
            precisions.append(0.0)
            continue
        precision = average_precision_score(truth, [s for s, _ in kept])
        precisions.append(float(precision) * sum(truth) / len(truth))
    return float(np.mean(precisions)) if precisions else 0.0


def top1_accuracy(scored: list[ScoredText]) -> float | None:
    """Share of texts with a matching key point whose best-scoring point matches."""
    hits = []
    for item in scored:
        if not any(item.record.labels.values()):
            continue
        best = max(item.scores, key=lambda point_id: (item.scores[point_id], point_id))
        hits.append(item.record.labels.get(best, 0) == 1)
    return float(np.mean(hits)) if hits else None


def summary_correlation(scored: list[ScoredText]) -> tuple[float | None, int]:
    """Mean over documents of the Pearson correlation of covered fractions.

    For each document (group), across its summaries: the engine's share of the
    labelled units it decides are covered, against the humans' share. Groups of
    fewer than three texts, or where either share is constant, are skipped.
    Returns the mean and the number of groups it averages.
    """
    by_group: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for item in scored:
        labels = item.record.labels
        if not labels:
            continue
        human = sum(labels.values()) / len(labels)
        engine = sum(item.covered[point_id] for point_id in labels) / len(labels)
        by_group[item.record.group].append((engine, human))
    correlations = []
    for pairs in by_group.values():
        engine_shares, human_shares = np.array(pairs).T
        if len(pairs) < 3 or engine_shares.std() == 0 or human_shares.std() == 0:
            continue
        correlations.append(float(np.corrcoef(engine_shares, human_shares)[0, 1]))
    if not correlations:
        return None, 0
    return float(np.mean(correlations)), len(correlations)
