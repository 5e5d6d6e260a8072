"""Static sentence embeddings (a model2vec table), and their hook into spaCy's similarity.

The shipped model is all-MiniLM-L6-v2 distilled into a static table of token
vectors: a text's vector is the mean of its tokens' vectors, so embedding is a
lookup, hundreds of thousands of words per second on one core, with no torch.
The table is memory-mapped from its safetensors file (worker processes share
it), and the tokenizer is the Hugging Face ``tokenizers`` one the table was
distilled with; model2vec itself is needed only to build the table.

Because a text's vector is a mean, a window of two sentences is embedded from
its sentences' token sums: each sentence is tokenized once, however many
windows it is part of.
"""

from __future__ import annotations

import json
import struct
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

Matrix = npt.NDArray[np.float32]

# The shipped static table: all-MiniLM-L6-v2 distilled (minilm-static-256), then
# trained on ArgKP-2021 train pairs (scripts/train_static_table.py).
STATIC_MODEL_NAME = "minilm-static-256-argkp"
COMPONENT_NAME = "essaycheck_static_vectors"
TABLE_FILE = "model.safetensors"
TABLE_NAME = "embeddings"
TOKENIZER_FILE = "tokenizer.json"
# Tokens past this many in one sentence are ignored, as model2vec does.
MAX_TOKENS = 512
_TABLE_DTYPES = {"F16": np.float16, "F32": np.float32}


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
    """A static table of token vectors, its tokenizer and its meta.json.

    Attributes:
        table: one row per token id (memory-mapped, float16 as shipped).
        tokenizer: a ``tokenizers.Tokenizer``.
        unknown_id: the id of the unknown token, which is left out of every mean.
    """

    table: npt.NDArray[np.floating[Any]]
    tokenizer: Any
    unknown_id: int | None
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
        from tokenizers import Tokenizer  # imported here: only marking needs it

        try:
            tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
            table = map_table(folder / TABLE_FILE)
        except Exception as err:  # tokenizers raises a bare Exception on a bad file
            raise ModelError(
                f"{folder}: cannot load the static embedding model ({err}). "
                "Restore models/ from the repository."
            ) from err
        tokenizer.no_truncation()
        tokenizer.no_padding()
        unknown = getattr(tokenizer.model, "unk_token", None)
        return cls(
            table=table,
            tokenizer=tokenizer,
            unknown_id=tokenizer.token_to_id(unknown) if unknown else None,
            name=str(meta.get("name", folder.name)),
            meta=meta,
        )

    @property
    def dims(self) -> int:
        """Number of dimensions of each vector."""
        return int(self.table.shape[1])

    def embed(self, texts: list[str]) -> Matrix:
        """Return one unit-length row per text (a zero row for a text with no tokens)."""
        return normalise_rows(self.token_sums(texts))

    def embed_windows(self, windows: Sequence[Window]) -> Matrix:
        """Embed every window from the token sums of the sentences in it (one or two)."""
        sentences: dict[str, int] = {}
        parts = np.full((len(windows), 2), -1, dtype=np.intp)
        for row, window in enumerate(windows):
            for column, sentence in enumerate((window.sentences or (window.text,))[:2]):
                parts[row, column] = sentences.setdefault(sentence, len(sentences))
        # index -1 picks the appended zero row: a window of one sentence adds nothing
        sums = np.vstack([self.token_sums(list(sentences)), np.zeros((1, self.dims), np.float32)])
        return normalise_rows(sums[parts[:, 0]] + sums[parts[:, 1]])

    def token_sums(self, texts: Sequence[str]) -> Matrix:
        """Return each text's sum of token vectors: its direction is the mean's."""
        sums = np.zeros((len(texts), self.dims), dtype=np.float32)
        if not texts:
            return sums
        encodings = self.tokenizer.encode_batch_fast(list(texts), add_special_tokens=False)
        ids = [
            [i for i in encoding.ids if i != self.unknown_id][:MAX_TOKENS] for encoding in encodings
        ]
        lengths = np.fromiter((len(row) for row in ids), dtype=np.intp, count=len(ids))
        flat = np.fromiter((i for row in ids for i in row), dtype=np.intp, count=lengths.sum())
        if flat.size:
            starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
            filled = lengths > 0
            vectors = self.table[flat].astype(np.float32)
            sums[filled] = np.add.reduceat(vectors, starts[filled], axis=0)
        return sums


def map_table(path: Path) -> npt.NDArray[np.floating[Any]]:
    """Memory-map the token table of a safetensors file, read-only.

    The format is an 8-byte little-endian header length, a JSON header giving
    each tensor's dtype, shape and byte offsets, then the raw data.
    """
    with path.open("rb") as file:
        (length,) = struct.unpack("<Q", file.read(8))
        header = json.loads(file.read(length))
    entry = header.get(TABLE_NAME)
    if not isinstance(entry, dict) or entry.get("dtype") not in _TABLE_DTYPES:
        raise ValueError(f"{path.name} has no {TABLE_NAME!r} tensor of 16- or 32-bit floats")
    rows, dims = entry["shape"]
    begin, _ = entry["data_offsets"]
    table: npt.NDArray[np.floating[Any]] = np.memmap(
        path,
        dtype=np.dtype(_TABLE_DTYPES[entry["dtype"]]).newbyteorder("<"),
        mode="r",
        offset=8 + length + begin,
        shape=(rows, dims),
    )
    return table


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
