"""Static sentence embeddings (model2vec), and their hook into spaCy's similarity.

The shipped model is all-MiniLM-L6-v2 distilled into a static table of token
vectors: a text's vector is the mean of its tokens' vectors, so embedding is a
lookup, hundreds of thousands of words per second on one core, with no torch.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from spacy.language import Language
from spacy.tokens import Doc, Span

from essaycheck.errors import ModelError
from essaycheck.windows import Window

logger = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float32]

# The shipped static table: all-MiniLM-L6-v2 distilled (minilm-static-256), then
# trained on ArgKP-2021 train pairs (scripts/train_static_table.py).
STATIC_MODEL_NAME = "minilm-static-256-argkp"
COMPONENT_NAME = "essaycheck_static_vectors"


class Embeddings(Protocol):
    """What the matcher needs of a sentence-embedding model."""

    @property
    def name(self) -> str:
        """The model's name, as reports show it."""

    @property
    def meta(self) -> dict[str, Any]:
        """The model's meta.json."""

    def embed(self, texts: list[str]) -> Matrix:
        """Return one unit-length row per text."""

    def embed_windows(self, windows: Sequence[Window]) -> Matrix:
        """Return one unit-length row per window."""


@dataclass(frozen=True)
class StaticEmbeddings:
    """A model2vec static embedding model and its meta.json."""

    model: Any
    name: str
    meta: dict[str, Any]

    @classmethod
    def load(cls, folder: Path) -> StaticEmbeddings:
        """Load a model2vec folder (model.safetensors, tokenizer.json, meta.json)."""
        meta_path = folder / "meta.json"
        if not meta_path.is_file():
            raise ModelError(
                f"{folder}: no static embedding model here (meta.json is "
                "missing). Point --models-dir at essaycheck's models/ folder, "
                "or rebuild it with scripts/distill_static_model.py."
            )
        try:
            meta = json.loads(meta_path.read_text("utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            raise ModelError(
                f"{meta_path}: unreadable ({err}). Restore it from the "
                "repository or rebuild the model."
            ) from err
        # model2vec treats a path it cannot find as a model hub id and downloads
        # it; essaycheck never downloads, so the hub is switched off first.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from model2vec import StaticModel  # imported here: only marking needs it

        try:
            model = StaticModel.from_pretrained(str(folder.resolve()), quantize_to="float32")
        except (OSError, ValueError) as err:
            raise ModelError(
                f"{folder}: cannot load the static embedding model ({err}). "
                "Restore models/ from the repository."
            ) from err
        return cls(model=model, name=str(meta.get("name", folder.name)), meta=meta)

    def embed(self, texts: list[str]) -> Matrix:
        """Return one unit-length row per text (a zero row for a text with no tokens)."""
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        vectors = np.asarray(self.model.encode(texts, show_progress_bar=False), dtype=np.float32)
        return normalise_rows(vectors)

    @property
    def dims(self) -> int:
        """Number of dimensions of each vector."""
        return int(self.model.dim)

    def embed_windows(self, windows: Sequence[Window]) -> Matrix:
        """Embed every window's text (a static embedding costs next to nothing)."""
        return self.embed([window.text for window in windows])


def normalise_rows(vectors: Matrix) -> Matrix:
    """Scale each row to unit length, leaving all-zero rows at zero."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: Matrix = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    return unit


class StaticVectorsComponent:
    """spaCy component: Doc and Span vectors and similarity come from the static model.

    After it runs, ``doc.vector``, ``span.vector``, ``doc.similarity`` and
    ``span.similarity`` use the sentence embeddings instead of the mean of
    spaCy's token vectors (which scores close to chance on key points).
    """

    def __init__(self, embeddings: StaticEmbeddings) -> None:
        self.embeddings = embeddings

    def __call__(self, doc: Doc) -> Doc:
        """Install the vector and similarity hooks on the doc."""
        doc.user_hooks["vector"] = self._vector
        doc.user_hooks["has_vector"] = _has_vector
        doc.user_hooks["vector_norm"] = _vector_norm
        doc.user_hooks["similarity"] = _similarity
        doc.user_span_hooks["vector"] = self._vector
        doc.user_span_hooks["has_vector"] = _has_vector
        doc.user_span_hooks["vector_norm"] = _vector_norm
        doc.user_span_hooks["similarity"] = _similarity
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


@Language.factory(COMPONENT_NAME, default_config={"model_dir": ""})
def make_static_vectors(nlp: Language, name: str, model_dir: str) -> StaticVectorsComponent:
    """Build the component from a model folder."""
    return StaticVectorsComponent(StaticEmbeddings.load(Path(model_dir)))
