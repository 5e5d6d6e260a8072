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

import numpy as np
import numpy.typing as npt
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
