"""The precise engine: all-MiniLM-L6-v2 fine-tuned on ArgKP-2021, run on the CPU.

An optional extra (``pip install -e '.[precise]'``): it needs torch and
sentence-transformers, which the default engine does without. It embeds each
sentence with the transformer; a window of two sentences gets the normalised sum
of their embeddings, so each sentence is encoded once. Everything else, centring,
word overlap, the decision rule, the checks, is shared with the default engine.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from essaycheck.embeddings import Matrix, normalise_rows
from essaycheck.errors import ModelError
from essaycheck.windows import Window

PRECISE_MODEL_NAME = "minilm-argkp-precise"
INSTALL_HINT = "Install the precise engine with: pip install -e '.[precise]'"
BATCH_SIZE = 64


@dataclass(frozen=True)
class TransformerEmbeddings:
    """A sentence-transformers model and its meta.json."""

    model: Any
    name: str
    meta: dict[str, Any]

    @classmethod
    def load(cls, folder: Path) -> TransformerEmbeddings:
        """Load the fine-tuned model from its folder; nothing is downloaded."""
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from huggingface_hub.utils.tqdm import disable_progress_bars

        disable_progress_bars()  # results on stdout, messages on stderr: no loading bars
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as err:
            raise ModelError(f"the precise engine is not installed. {INSTALL_HINT}") from err
        meta_path = folder / "meta.json"
        if not meta_path.is_file():
            raise ModelError(
                f"{folder}: the precise engine's model is missing. Restore models/ from the "
                "repository, or rebuild it with scripts/train_precise_model.py."
            )
        meta = json.loads(meta_path.read_text("utf-8"))
        model = SentenceTransformer(str(folder.resolve()), device="cpu")
        return cls(model=model, name=str(meta.get("name", folder.name)), meta=meta)

    @property
    def dims(self) -> int:
        """Number of dimensions of each vector."""
        return int(self.model.get_embedding_dimension())

    def embed(self, texts: list[str]) -> Matrix:
        """Return one unit-length row per text."""
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        vectors = self.model.encode(
            texts, batch_size=BATCH_SIZE, convert_to_numpy=True, show_progress_bar=False
        )
        return normalise_rows(np.asarray(vectors, dtype=np.float32))

    def embed_windows(self, windows: Sequence[Window]) -> Matrix:
        """Embed each sentence once; a pair is the normalised sum of its sentences."""
        sentences = list(dict.fromkeys(s for window in windows for s in window.sentences))
        vectors = self.embed(sentences)
        row = {sentence: index for index, sentence in enumerate(sentences)}
        summed = np.stack(
            [vectors[[row[s] for s in window.sentences]].sum(axis=0) for window in windows]
        )
        return normalise_rows(summed.astype(np.float32))
