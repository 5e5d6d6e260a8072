"""From claims to a rubric's points: merge near-duplicates, choose how many, propose weights.

A claim the source says twice becomes one point with the other wording kept as an
example. When there are more claims than a teacher would mark, the most central
ones are kept (the ones the rest of the source comes back to, each shared word
counted by its rarity so that the people every claim names do not decide it, with a
little more for a conclusion and for a claim given with its reason), in source order.
The most central points, and those a mark scheme gives more marks, get weight 2
and ``required``; every proposal carries the reason, for the teacher to check.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from essaycheck.extraction.claims import Claim

_QUOTED = re.compile(r"[‘“\"][^’”\"]{3,60}[’”\"]")

_BECAUSE = frozenset({"because", "since", "as"})
_CONCLUDING = frozenset({"therefore", "thus", "hence", "consequently", "ultimately"})

Detail = Literal["fine", "default", "coarse"]
DETAILS: tuple[Detail, ...] = ("fine", "default", "coarse")
DUPLICATE_OVERLAP = {"fine": 0.99, "default": 0.6, "coarse": 0.45}
MAX_POINTS = {"fine": 60, "default": 15, "coarse": 8}
MIN_POINTS = 6


@dataclass(frozen=True)
class Proposal:
    """A claim chosen as a point, with its merged wordings and proposed weight."""

    claim: Claim
    examples: tuple[str, ...]
    weight: float
    required: bool
    reason: str
    centrality: float


def lemmas(claim: Claim) -> frozenset[str]:
    """The claim's content lemmas (lower-cased, stop words and punctuation dropped)."""
    return frozenset(
        t.lemma_.lower() for t in claim.tokens if t.is_alpha and not t.is_stop
    ) | frozenset(word for _, words in claim.replaced for word in words.lower().split())


def overlap(first: frozenset[str], second: frozenset[str]) -> float:
    """Shared words as a share of the smaller set."""
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


def _weighted_overlap(
    first: frozenset[str], second: frozenset[str], rarity: dict[str, float]
) -> float:
    """Shared words as a share of the smaller set, each word weighted by its rarity."""
    if not first or not second:
        return 0.0
    shared = sum(rarity[word] for word in first & second)
    return shared / min(sum(rarity[w] for w in first), sum(rarity[w] for w in second))


def _repeats(words: frozenset[str], other: frozenset[str], limit: float) -> bool:
    """Whether two claims share enough words, both of the shorter's and of the two together."""
    if not words or not other:
        return False
    dice = 2 * len(words & other) / (len(words) + len(other))
    return overlap(words, other) >= limit and dice >= limit


def merge_duplicates(claims: list[Claim], detail: Detail) -> list[tuple[Claim, list[str]]]:
    """Merge each near-duplicate into the first claim it repeats; keep its text as an example."""
    limit = DUPLICATE_OVERLAP[detail]
    kept: list[tuple[Claim, list[str]]] = []
    for claim in claims:
        words = lemmas(claim)
        for first, examples in kept:
            other = lemmas(first)
            same = words == other if detail == "fine" else _repeats(words, other, limit)
            if same:
                if claim.text != first.text and claim.text not in examples and not claim.is_fine:
                    examples.append(claim.text)
                break
        else:
            kept.append((claim, []))
    return kept


def choose(
    merged: list[tuple[Claim, list[str]]], detail: Detail, max_points: int | None
) -> list[Proposal]:
    """Keep the points a teacher would mark, in source order, with weights and reasons."""
    sets = [lemmas(claim) for claim, _ in merged]
    # Words most claims share (the people a source is about) are its topic: sharing them
    # says less than sharing a rarer word, so each word counts by its rarity.
    counts = Counter(word for words in sets for word in words)
    rarity = {word: math.log(1 + len(sets) / count) for word, count in counts.items()}
    first_claims: dict[str, int] = {}
    for i, (claim, _) in enumerate(merged):
        if claim.person:
            first_claims.setdefault(claim.person, i)
    centrality = [
        sum(_weighted_overlap(words, other, rarity) for j, other in enumerate(sets) if j != i)
        + 0.5 * len(examples)
        + (0.5 if claim.is_attributed else 0.0)
        # A person's opening argument and a named idea carry the argument.
        + (1.0 if i in first_claims.values() else 0.0)
        + (1.5 if _QUOTED.search(claim.text) else 0.0)
        # A conclusion ("Stalin's policy therefore won ...") is what the argument is for.
        + (1.0 if any(t.lower_ in _CONCLUDING for t in claim.tokens) else 0.0)
        # A claim given with its reason ("because ...", "since ...") is an argument.
        + (0.5 if any(t.dep_ == "mark" and t.lower_ in _BECAUSE for t in claim.tokens) else 0.0)
        for i, ((claim, examples), words) in enumerate(zip(merged, sets, strict=True))
    ]
    limit = max_points or MAX_POINTS[detail]
    order = sorted(range(len(merged)), key=lambda i: (-centrality[i], i))
    keep = sorted(order[:limit])
    marked = any(claim.marks for claim, _ in merged)
    top = set(order[: max(1, math.ceil(len(keep) / 4))]) if len(keep) >= 3 else set()
    proposals = []
    for i in keep:
        claim, examples = merged[i]
        weight, required, reason = _propose(claim, i in top, marked, centrality[i], examples)
        proposals.append(
            Proposal(claim, tuple(examples), weight, required, reason, round(centrality[i], 3))
        )
    return proposals


def _propose(
    claim: Claim, is_top: bool, marked: bool, centrality: float, examples: list[str]
) -> tuple[float, bool, str]:
    if marked:
        marks = claim.marks or 1.0
        required = marks >= 2
        return marks, required, f"the mark scheme gives it {marks:g} mark{'s' * (marks != 1)}"
    if is_top:
        why = "one of the points the rest of the source comes back to most"
        if examples:
            why += f", and the source says it {len(examples) + 1} times"
        if claim.is_attributed and claim.person:
            why += f"; it is {claim.person}'s own argument"
        return 2.0, True, f"central: {why}"
    if claim.is_attributed and claim.person:
        return 1.0, False, f"{claim.person}'s argument, but less central than the required points"
    return 1.0, False, "a supporting point: the source builds less on it"
