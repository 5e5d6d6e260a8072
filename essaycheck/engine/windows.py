"""Sentence windows: the stretches of an essay that can be evidence for a key point.

A student may make a point across two adjacent sentences, so every single
sentence and every pair of adjacent sentences is a window. A run-on "sentence"
with no punctuation is cut into pieces of a readable length.

A sentence that lists several things ("you would need to know how much vinegar,
what type of container and how long to rinse") can also give each item as a
window of its own (``items=True``, for the entailment stage): read whole, the
cross-encoder binds the words of one item to another ("type" of container to
"type of vinegar").
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span

MAX_SENTENCE_TOKENS = 60
PIECE_TOKENS = 30
# The items of a list: separated by a comma, semicolon or colon, "and" or "also".
ITEM_BREAK = re.compile(r"\s*(?:[,;:]|\band\b|\balso\b)\s*", re.IGNORECASE)
MIN_ITEM_WORDS = 3


@dataclass(frozen=True)
class Window:
    """A stretch of the essay; ``essay[start:end] == text``.

    ``sentences`` holds the text of each sentence in it (one or two).
    """

    text: str
    start: int
    end: int
    sentence_count: int
    sentences: tuple[str, ...] = ()


def essay_sentences(doc: Doc) -> list[Span]:
    """Return the essay's sentences with text in them, long run-ons cut into pieces."""
    sentences: list[Span] = []
    for sentence in doc.sents:
        if not any(not token.is_space and not token.is_punct for token in sentence):
            continue
        if len(sentence) <= MAX_SENTENCE_TOKENS:
            sentences.append(sentence)
            continue
        for start in range(sentence.start, sentence.end, PIECE_TOKENS):
            sentences.append(doc[start : min(start + PIECE_TOKENS, sentence.end)])
    return sentences


def essay_windows(doc: Doc, items: bool = False) -> list[Window]:
    """Return every sentence, then every pair of adjacent sentences, as windows.

    A pair never spans a line break: a heading or a new paragraph starts afresh.
    With ``items``, each item of a sentence that lists two or more (of at least
    MIN_ITEM_WORDS words) follows, as a window of one sentence.
    """
    text = doc.text  # spaCy rebuilds doc.text from its tokens on every access
    sentences = [_trimmed(text, span.start_char, span.end_char) for span in essay_sentences(doc)]
    windows = [
        Window(text[start:end], start, end, 1, (text[start:end],)) for start, end in sentences
    ]
    for (start, first_end), (second_start, end) in itertools.pairwise(sentences):
        if "\n" not in text[first_end:second_start]:
            parts = (text[start:first_end], text[second_start:end])
            windows.append(Window(text[start:end], start, end, 2, parts))
    if items:
        windows += [item for start, end in sentences for item in list_items(text, start, end)]
    return windows


def list_items(text: str, start: int, end: int) -> list[Window]:
    """The items of the sentence ``text[start:end]`` when it lists two or more, else none."""
    sentence = text[start:end]
    bounds, at = [], 0
    for found in ITEM_BREAK.finditer(sentence):
        bounds.append((at, found.start()))
        at = found.end()
    bounds.append((at, len(sentence)))
    kept = [(s, e) for s, e in bounds if len(sentence[s:e].split()) >= MIN_ITEM_WORDS]
    if len(kept) < 2:
        return []
    return [Window(sentence[s:e], start + s, start + e, 1, (sentence[s:e],)) for s, e in kept]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
