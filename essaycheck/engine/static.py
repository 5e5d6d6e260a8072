"""The fast engine's embeddings: a static table of token vectors (model2vec), read with numpy.

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
from typing import Any

import numpy as np
import numpy.typing as npt

from essaycheck.engine.vectors import Matrix, normalise_rows
from essaycheck.engine.windows import Window
from essaycheck.errors import ModelError
from essaycheck.io.models import META_FILE, MODELS_ENV, check_meta

STATIC_KIND = "static-embeddings"
REBUILD = "Restore models/ from the repository, or rebuild it with scripts/train_static_table.py."
TABLE_FILE = "model.safetensors"
TABLE_NAME = "embeddings"
TOKENIZER_FILE = "tokenizer.json"
# Tokens past this many in one sentence are ignored, as model2vec does.
MAX_TOKENS = 512
_TABLE_DTYPES = {"F16": np.float16, "F32": np.float32}


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
        if not (folder / META_FILE).is_file():
            raise ModelError(
                f"{folder}: the static embedding model is missing. Pass --models-dir "
                f"pointing at essaycheck's models/ folder, or set {MODELS_ENV}."
            )
        meta = check_meta(folder, kind=STATIC_KIND, remedy=REBUILD)
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
