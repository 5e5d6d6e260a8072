"""Student answers scored by a mark scheme that counts key points, as training data.

Raters of short answers (ASAP-SAS, say) give each answer a score, not a verdict
per key point: "one mark per piece of information, at most 3", or "one mark for
a conclusion, plus one per improvement, at most 2". Such a scheme is a list of
groups of points, each counted up to a cap; an answer's score is the sum.

A score still says a lot about the points: an answer scored 0 covers none of
them, and one scored 2 on a "count, at most 3" scheme covers exactly two. Which
two is not said, so the decision rule is fitted by expectation maximisation:
each pass labels, in every answer, the points the current rule finds most
likely covered, as many as the score allows, and fits the rule on those labels.
Points the score says nothing about (past a group's cap) are left unlabelled.
Where someone has labelled an answer's points (``point_labels``), those labels are
taken instead of the guess.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from essaycheck.rubric import Rubric


@dataclass(frozen=True)
class ScoreGroup:
    """Points whose ids start with ``prefix`` (all of them for ``""``), counted up to ``cap``."""

    prefix: str
    cap: int


@dataclass(frozen=True)
class ScoredAnswers:
    """A rubric, the mark scheme's groups, and answers with the score a rater gave them.

    Attributes:
        name: how figures and meta.json name the data (``asap-1 train``).
        answers: (id, text, score) for each answer.
        licence: the data's source and terms, recorded in the rule's meta.json.
        point_labels: for answers whose points someone labelled, by answer id, each
            labelled point's id and whether the answer states it (1) or not (0).
    """

    name: str
    rubric: Rubric
    groups: tuple[ScoreGroup, ...]
    answers: tuple[tuple[str, str, int], ...]
    licence: str = ""
    point_labels: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    def members(self, group: ScoreGroup) -> list[str]:
        """The ids of the rubric's points in ``group``."""
        return [point.id for point in self.rubric if point.id.startswith(group.prefix)]


def derived_score(data: ScoredAnswers, covered: Sequence[str]) -> int:
    """The score the mark scheme gives an answer covering ``covered``."""
    return sum(
        min(group.cap, sum(point in covered for point in data.members(group)))
        for group in data.groups
    )


def pseudo_labels(data: ScoredAnswers, strength: Mapping[str, float], score: int) -> dict[str, int]:
    """Label the points of one answer given its score and how likely each point is covered.

    Of the ways the score can be shared among the groups, the one whose chosen
    points are most likely (the largest total ``strength``) is taken; in each
    group its strongest points are covered (1), the others not (0), unless the
    group is at its cap: then the others are left out, as the score cannot tell.
    """
    groups = [
        (group, sorted(data.members(group), key=lambda p: -strength[p])) for group in data.groups
    ]
    best: tuple[float, tuple[int, ...]] | None = None
    for counts in itertools.product(*(range(min(g.cap, len(m)) + 1) for g, m in groups)):
        if sum(counts) != score:
            continue
        total = sum(strength[p] for (_, m), k in zip(groups, counts, strict=True) for p in m[:k])
        if best is None or total > best[0]:
            best = (total, counts)
    if best is None:  # the score is more than the points can give: nothing can be said
        return {}
    labels: dict[str, int] = {}
    for (group, members), count in zip(groups, best[1], strict=True):
        for rank, point in enumerate(members):
            if rank < count:
                labels[point] = 1
            elif count < group.cap:
                labels[point] = 0
    return labels


@dataclass(frozen=True)
class PointLabel:
    """Whether one answer states one point (None: perhaps), and the sentence that does."""

    answer: str
    point: str
    label: int | None
    span: tuple[int, int] | None


def read_point_labels(path: Path) -> list[PointLabel]:
    """Read a CSV of answer, point, label (1, 0 or ?), start, end (labels/README.md)."""
    found = []
    with path.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            label = {"1": 1, "0": 0, "?": None}[row["label"]]
            span = (int(row["start"]), int(row["end"])) if row["start"] else None
            found.append(PointLabel(row["answer"], row["point"], label, span))
    return found


def by_answer(labels: Sequence[PointLabel]) -> dict[str, dict[str, int]]:
    """The sure labels (1 or 0) by answer id and point id, for ``ScoredAnswers.point_labels``."""
    found: dict[str, dict[str, int]] = {}
    for each in labels:
        if each.label is not None:
            found.setdefault(each.answer, {})[each.point] = each.label
    return found
