"""Lexical evidence: which of a key point's content words an essay's window uses.

Sentence embeddings miss what a fact-level point needs (the right name, number
or term); the share of the point's content words found in a window carries it.
Words are lower-cased, stop words dropped, and cut to their first five letters,
a crude stem that lets "collective" match "collectivisation" and "farms" match
"farming".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cdist
from spacy.lang.en.stop_words import STOP_WORDS

STEM_LENGTH = 5
_WORD = re.compile(r"[a-z0-9]+")


def content_stems(text: str) -> frozenset[str]:
    """Return the stems of the text's content words."""
    return frozenset(
        word[:STEM_LENGTH] for word in _WORD.findall(text.lower()) if word not in STOP_WORDS
    )


def overlaps(
    windows: Sequence[frozenset[str]], points: Sequence[frozenset[str]]
) -> npt.NDArray[np.float64]:
    """Share of each point's stems in each window (0 for a point with none): (windows, points)."""
    vocabulary = {stem: index for index, stem in enumerate(sorted(frozenset().union(*points)))}
    in_point = np.zeros((len(points), len(vocabulary)))
    for row, stems in enumerate(points):
        in_point[row, [vocabulary[stem] for stem in stems]] = 1.0
    in_window = np.zeros((len(windows), len(vocabulary)))
    for row, stems in enumerate(windows):
        in_window[row, [vocabulary[stem] for stem in stems & vocabulary.keys()]] = 1.0
    sizes = in_point.sum(axis=1)
    shared = in_window @ in_point.T
    shares: npt.NDArray[np.float64] = np.divide(
        shared, sizes, out=np.zeros_like(shared), where=sizes > 0
    )
    return shares


# --- alignment: the point's informative words, found in the window even when misspelt ----

# A word this long or longer may be matched by a close spelling ("fotosynthesis" for
# "photosynthesis", "vinager" for "vinegar"); shorter words must match exactly.
FUZZY_MIN_LENGTH = 5
# How alike two spellings must be (normalised Levenshtein similarity, 0..1).
FUZZY_MIN_SIMILARITY = 0.8


@dataclass(frozen=True)
class PointWords:
    """A rubric's content words, and how much each phrasing's words weigh in it.

    Attributes:
        vocabulary: every content word of the rubric's phrasings, sorted.
        weights: (phrasings, vocabulary): each phrasing's words weighted by how
            few of the rubric's points use them (a word every point shares tells
            the points apart least), normalised to sum to 1.
        by_stem: the vocabulary's columns by stem, to find exact matches at once.
        long_columns: the columns of the words long enough to match a misspelling.
    """

    vocabulary: tuple[str, ...]
    weights: npt.NDArray[np.float64]
    by_stem: dict[str, tuple[int, ...]]
    long_columns: npt.NDArray[np.intp]


def content_words(text: str) -> tuple[str, ...]:
    """The text's content words, lower-cased, stop words dropped, in order."""
    return tuple(word for word in _WORD.findall(text.lower()) if word not in STOP_WORDS)


def point_words(phrasings: Sequence[str], owners: Sequence[int]) -> PointWords:
    """Weigh the content words of every phrasing by their rarity among the rubric's points."""
    words = [frozenset(content_words(text)) for text in phrasings]
    vocabulary = tuple(sorted(frozenset().union(*words)))
    index = {word: column for column, word in enumerate(vocabulary)}
    by_point: dict[int, set[str]] = {}
    for owner, found in zip(owners, words, strict=True):
        by_point.setdefault(owner, set()).update(found)
    points = len(by_point)
    spread = {word: sum(word in found for found in by_point.values()) for word in vocabulary}
    weights = np.zeros((len(phrasings), len(vocabulary)))
    for row, found in enumerate(words):
        for word in found:
            weights[row, index[word]] = np.log((1 + points) / spread[word])
    totals = weights.sum(axis=1, keepdims=True)
    normalised: npt.NDArray[np.float64] = np.divide(
        weights, totals, out=np.zeros_like(weights), where=totals > 0
    )
    by_stem: dict[str, list[int]] = {}
    for column, word in enumerate(vocabulary):
        by_stem.setdefault(word[:STEM_LENGTH], []).append(column)
    long_columns = np.asarray(
        [c for c, word in enumerate(vocabulary) if len(word) >= FUZZY_MIN_LENGTH], dtype=np.intp
    )
    return PointWords(
        vocabulary, normalised, {k: tuple(v) for k, v in by_stem.items()}, long_columns
    )


def sentence_matches(sentence: str, words: PointWords) -> npt.NDArray[np.float64]:
    """Say how well the sentence uses each of the rubric's words (0..1).

    1 for the word or its stem; else the similarity of the sentence's closest
    spelling of it, when that is at least FUZZY_MIN_SIMILARITY; else 0.
    """
    matches = np.zeros(len(words.vocabulary))
    found = set(content_words(sentence))
    if not found or not words.vocabulary:
        return matches
    unmatched = []
    for word in found:
        columns = words.by_stem.get(word[:STEM_LENGTH])
        if columns:
            matches[list(columns)] = 1.0
        elif len(word) >= FUZZY_MIN_LENGTH - 1:
            unmatched.append(word)
    fuzzy = words.long_columns[matches[words.long_columns] == 0.0]
    if unmatched and fuzzy.size:
        similarity = cdist(
            unmatched,
            [words.vocabulary[c] for c in fuzzy],
            scorer=Levenshtein.normalized_similarity,
            score_cutoff=FUZZY_MIN_SIMILARITY,
            dtype=np.float64,
        ).max(axis=0)
        matches[fuzzy] = similarity
    return matches


def alignments(windows: Sequence[Sequence[str]], words: PointWords) -> npt.NDArray[np.float64]:
    """Weighted share of each phrasing's words that each window uses: (windows, phrasings).

    ``windows`` gives each window's sentences; each sentence is compared once.
    """
    by_sentence: dict[str, npt.NDArray[np.float64]] = {}
    rows = np.zeros((len(windows), len(words.vocabulary)))
    for row, sentences in enumerate(windows):
        for sentence in sentences:
            if sentence not in by_sentence:
                by_sentence[sentence] = sentence_matches(sentence, words)
            rows[row] = np.maximum(rows[row], by_sentence[sentence])
    aligned: npt.NDArray[np.float64] = rows @ words.weights.T
    return aligned
