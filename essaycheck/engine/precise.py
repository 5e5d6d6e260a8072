"""The precise engine: all-MiniLM-L6-v2 fine-tuned on ArgKP-2021, run on the CPU with onnxruntime.

An optional extra (``pip install -e '.[precise]'``): it needs onnxruntime and
safetensors, which the default engine does without, but not torch. The model
folder holds the encoder's graph (``model.onnx``, exported by
scripts/export_precise_onnx.py) and its float16 weights (``model.safetensors``);
the weights are widened to float32 and handed to onnxruntime by name. A
sentence's embedding is the mean of its token states, normalised, as
sentence-transformers computes it. Each sentence is encoded once; a window of two
sentences gets the normalised sum of their embeddings. Everything else, centring,
word overlap, the decision rule, the checks, is shared with the default engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from essaycheck.engine.vectors import Matrix, normalise_rows
from essaycheck.engine.windows import Window
from essaycheck.errors import ModelError
from essaycheck.io.models import META_FILE, check_meta

PRECISE_KIND = "sentence-embeddings (bi-encoder)"
INSTALL_HINT = "Install the precise engine with: pip install -e '.[precise]'"
GRAPH_FILE = "model.onnx"
WEIGHTS_FILE = "model.safetensors"
TOKENIZER_FILE = "tokenizer.json"
# Sentences encoded at once. They are sorted by length first, so a batch pads little.
BATCH_SIZE = 32
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for MiniLM


@dataclass(frozen=True)
class TransformerEmbeddings:
    """The fine-tuned transformer in an onnxruntime session, its tokenizer and meta.json."""

    session: Any
    tokenizer: Any
    name: str
    meta: dict[str, Any]
    dims: int
    weights: tuple[Any, ...] = field(default=(), repr=False)  # the session's, kept alive

    @classmethod
    def load(cls, folder: Path, threads: int | None = None) -> TransformerEmbeddings:
        """Load the fine-tuned model from its folder; nothing is downloaded.

        ``threads``: how many threads onnxruntime may use (default: one per core).
        """
        try:
            import onnxruntime
            from safetensors.numpy import load_file
        except ImportError as err:
            raise ModelError(f"the precise engine is not installed. {INSTALL_HINT}") from err
        from tokenizers import Tokenizer

        if not ((folder / META_FILE).is_file() and (folder / GRAPH_FILE).is_file()):
            raise ModelError(
                f"{folder}: the precise engine's model is missing. Restore models/ from the "
                "repository, or rebuild it with scripts/train_precise_model.py and "
                "scripts/export_precise_onnx.py."
            )
        meta = check_meta(folder, kind=PRECISE_KIND, remedy="Restore models/ from the repository.")
        try:
            weights = load_file(str(folder / WEIGHTS_FILE))
            names = meta["onnx"]["external_weights"]
            # onnxruntime reads these arrays in place for as long as the session lives
            widened = tuple(np.ascontiguousarray(weights[n], dtype=np.float32) for n in names)
            options = onnxruntime.SessionOptions()
            options.log_severity_level = 3  # errors only: results on stdout, nothing else
            options.intra_op_num_threads = threads or 0  # 0: onnxruntime's default
            # Between two runs its threads would spin, taking the core the checks need.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            options.add_external_initializers(
                names, [onnxruntime.OrtValue.ortvalue_from_numpy(array) for array in widened]
            )
            session = onnxruntime.InferenceSession(
                str(folder / GRAPH_FILE), options, providers=["CPUExecutionProvider"]
            )
            tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        except Exception as err:  # onnxruntime and tokenizers raise their own errors
            raise ModelError(
                f"{folder}: cannot load the precise engine's model ({err}). Restore models/ "
                "from the repository, or rebuild it with scripts/export_precise_onnx.py."
            ) from err
        tokenizer.no_padding()
        tokenizer.enable_truncation(MAX_TOKENS)
        dims = int(meta.get("dims") or weights["embeddings.word_embeddings.weight"].shape[1])
        name = str(meta.get("name", folder.name))
        return cls(session, tokenizer, name, meta, dims, widened)

    def embed(self, texts: list[str]) -> Matrix:
        """Return one unit-length row per text."""
        vectors = np.zeros((len(texts), self.dims), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(texts) if texts else []
        order = sorted(range(len(texts)), key=lambda index: len(encodings[index].ids))
        for start in range(0, len(order), BATCH_SIZE):
            rows = order[start : start + BATCH_SIZE]
            vectors[rows] = self._mean_states([encodings[row].ids for row in rows])
        return normalise_rows(vectors)

    def embed_windows(self, windows: Sequence[Window]) -> Matrix:
        """Embed each sentence once; a pair is the normalised sum of its sentences."""
        sentences = list(dict.fromkeys(s for window in windows for s in window.sentences))
        vectors = self.embed(sentences)
        row = {sentence: index for index, sentence in enumerate(sentences)}
        summed = np.stack(
            [vectors[[row[s] for s in window.sentences]].sum(axis=0) for window in windows]
        )
        return normalise_rows(summed.astype(np.float32))

    def _mean_states(self, batch: list[list[int]]) -> Matrix:
        """The mean of each token sequence's final states (padding left out)."""
        width = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, sequence in enumerate(batch):
            ids[row, : len(sequence)] = sequence
            mask[row, : len(sequence)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        states = self.session.run(None, feeds)[0]
        means: Matrix = (states * mask[:, :, np.newaxis]).sum(axis=1) / mask.sum(axis=1)[:, None]
        return means.astype(np.float32)
