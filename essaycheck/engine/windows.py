"""Sentence windows: the stretches of an essay that can be evidence for a key point.

A student may make a point across two adjacent sentences, so every single
sentence and every pair of adjacent sentences is a window. A run-on "sentence"
with no punctuation is cut into pieces of a readable length.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from spacy.tokens import Doc, Span

MAX_SENTENCE_TOKENS = 60
PIECE_TOKENS = 30


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


def essay_windows(doc: Doc) -> list[Window]:
    """Return every sentence, then every pair of adjacent sentences, as windows.

    A pair never spans a line break: a heading or a new paragraph starts afresh.
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
    return windows


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
