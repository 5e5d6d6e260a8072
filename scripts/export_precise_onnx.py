"""Export the precise engine's transformer to ONNX, its weights read from model.safetensors.

essaycheck's precise engine runs the fine-tuned MiniLM (``models/minilm-argkp-precise``, built
by ``scripts/train_precise_model.py``) with onnxruntime instead of torch: the same numbers,
about three times faster on two cores, and a runtime dependency of ~15 MB instead of torch.
This script writes ``model.onnx`` into that folder: the computation graph only (~0.1 MB).
Its weights stay in the folder's float16 ``model.safetensors``, the file torch loads; the
graph names each weight by its key there, and essaycheck hands them to onnxruntime as
external initializers (widened to float32) when it loads the engine. So the repository
holds the weights once.

What it does:
    1. Loads the folder with sentence-transformers (eager attention, float32) and exports
       its BERT encoder, ``(input_ids, attention_mask, token_type_ids) -> last_hidden_state``,
       with torch's ONNX exporter (dynamo, opset 18, no constant folding: folded weights
       would be transposed copies; onnxruntime folds them when it loads), batch and
       sequence dynamic. Mean
       pooling and normalising stay in essaycheck (numpy), as they are sentence-transformers'
       own modules.
    2. Renames each weight to its key in model.safetensors (the exporter prefixes the module
       name; the safetensors file keeps BERT's old LayerNorm ``gamma``/``beta`` names) and
       drops its data from the graph, which marks it external. Any other constant (the
       position ids) stays inside the graph.
    3. Checks the result: onnxruntime, given the safetensors weights, must reproduce
       sentence-transformers' embeddings of the held-out ArgKP texts (min cosine >= 0.99999),
       padded batches included. Records the export, the check and the command in meta.json.

Build environment (the one train_precise_model.py uses, plus the exporter's packages):

    .buildenv/bin/pip install onnx onnxscript onnxruntime
    HF_HUB_OFFLINE=1 .buildenv/bin/python scripts/export_precise_onnx.py

The export is deterministic: running it again writes the same model.onnx.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_common import REPO_ROOT, display_path, sha256_of

DEFAULT_FOLDER = REPO_ROOT / "models" / "minilm-argkp-precise"
GRAPH_FILE = "model.onnx"
WEIGHTS_FILE = "model.safetensors"
OPSET = 18
MIN_COSINE = 0.99999
CHECK_BATCH = 32
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
README_NOTE = """\
`model.onnx` is the same encoder as an ONNX graph that reads its weights from
`model.safetensors` by name; essaycheck runs it with onnxruntime, without torch. Built by
`scripts/export_precise_onnx.py` (meta.json's `onnx` section).
"""


def safetensors_header(path: Path) -> dict[str, Any]:
    """The tensors' dtypes, shapes and offsets in a safetensors file."""
    from safetensors import safe_open

    with safe_open(str(path), framework="np") as weights:
        return {key: weights.get_slice(key).get_shape() for key in weights.keys()}  # noqa: SIM118


def weight_key(name: str, keys: set[str]) -> str | None:
    """The safetensors key of an exported weight, or None for a constant of the graph."""
    bare = name.removeprefix("bert.")
    for candidate in (
        bare,
        bare.replace("LayerNorm.weight", "LayerNorm.gamma").replace(
            "LayerNorm.bias", "LayerNorm.beta"
        ),
    ):
        if candidate in keys:
            return candidate
    return None


def export(folder: Path, work: Path) -> Path:
    """Export the encoder with its weights to ``work`` (graph plus external data)."""
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(0)
    model = SentenceTransformer(
        str(folder), device="cpu", model_kwargs={"attn_implementation": "eager"}
    )
    encoder = model[0].auto_model.float().eval()

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = encoder

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> torch.Tensor:
            return self.bert(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=token_type_ids,
            ).last_hidden_state

    sample = model.tokenizer(
        ["Trotsky argued for permanent revolution.", "Stalin did not."],
        padding=True,
        return_tensors="pt",
    )
    target = work / GRAPH_FILE
    dynamic = {"input_ids": {0: "batch", 1: "sequence"}}
    dynamic |= {name: {0: "batch", 1: "sequence"} for name in INPUTS[1:]}
    torch.onnx.export(
        Encoder().eval(),
        tuple(sample[name] for name in INPUTS),
        str(target),
        input_names=list(INPUTS),
        output_names=["last_hidden_state"],
        dynamic_axes={**dynamic, "last_hidden_state": {0: "batch", 1: "sequence"}},
        opset_version=OPSET,
        dynamo=True,
        optimize=False,  # folding would store transposed copies of the weights in the graph
    )
    return target


def point_weights_at_safetensors(exported: Path, folder: Path) -> tuple[bytes, list[str]]:
    """The graph with each weight renamed to its safetensors key and its data left out."""
    import onnx

    graph_model = onnx.load(str(exported), load_external_data=True)
    shapes = safetensors_header(folder / WEIGHTS_FILE)
    renamed: dict[str, str] = {}
    for initializer in graph_model.graph.initializer:
        key = weight_key(initializer.name, set(shapes))
        if key is None:
            continue
        if list(shapes[key]) != list(initializer.dims):
            raise SystemExit(f"{initializer.name}: shape {initializer.dims} != {key} {shapes[key]}")
        renamed[initializer.name] = key
        initializer.name = key
        initializer.ClearField("raw_data")
        initializer.data_location = onnx.TensorProto.EXTERNAL
        del initializer.external_data[:]
        for field, value in (("location", WEIGHTS_FILE), ("offset", "0"), ("length", "0")):
            entry = initializer.external_data.add()
            entry.key, entry.value = field, value
    for node in graph_model.graph.node:
        node.input[:] = [renamed.get(name, name) for name in node.input]
    for node_input in graph_model.graph.input:
        node_input.name = renamed.get(node_input.name, node_input.name)
    # Keep the file free of what would change it with nothing changed in the model: the
    # exporter's version, and each node's provenance (source lines of this script, among others).
    graph_model.producer_version = ""
    for node in graph_model.graph.node:
        del node.metadata_props[:]
        node.doc_string = ""
    for described in (*graph_model.graph.value_info, *graph_model.graph.initializer):
        described.doc_string = ""
    del graph_model.metadata_props[:]
    return graph_model.SerializeToString(deterministic=True), sorted(renamed.values())


def check(folder: Path, graph: Path, texts: list[str]) -> dict[str, Any]:
    """Compare onnxruntime with the safetensors weights against sentence-transformers."""
    import onnxruntime
    from safetensors.numpy import load_file
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

    expected = SentenceTransformer(str(folder), device="cpu").encode(
        texts, batch_size=CHECK_BATCH, normalize_embeddings=True
    )
    options = onnxruntime.SessionOptions()
    weights = load_file(str(folder / WEIGHTS_FILE))
    import onnx

    names = [
        init.name
        for init in onnx.load(str(graph), load_external_data=False).graph.initializer
        if init.data_location == onnx.TensorProto.EXTERNAL
    ]
    values = [
        onnxruntime.OrtValue.ortvalue_from_numpy(weights[name].astype(np.float32)) for name in names
    ]
    options.add_external_initializers(names, values)
    session = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(256)
    found = np.zeros_like(expected)
    for start in range(0, len(texts), CHECK_BATCH):
        encodings = tokenizer.encode_batch(texts[start : start + CHECK_BATCH])
        width = max(len(encoding.ids) for encoding in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        states = session.run(None, feeds)[0]
        pooled = (states * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        found[start : start + CHECK_BATCH] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
    cosines = (found * expected).sum(axis=1)
    return {
        "texts": len(texts),
        "batch_size": CHECK_BATCH,
        "min_cosine": round(float(cosines.min()), 7),
        "max_abs_difference": float(np.abs(found - expected).max()),
    }


def held_out_texts(meta: dict[str, Any], data: Path) -> list[str]:
    """The held-out ArgKP train texts (the training script names their topics)."""
    topics = set(meta["held_out_topics"])
    texts = []
    with data.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["topic"] in topics:
                texts.append(record["text"])
    return texts


def main(argv: list[str] | None = None) -> int:
    """Export, check, and record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER, help="the model folder")
    parser.add_argument(
        "--data",
        type=Path,
        default=REPO_ROOT / ".." / "shared" / "data" / "argkp" / "train.jsonl",
        help="ArgKP train (its held-out topics are the check's texts)",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import onnx
    import onnxruntime
    import torch

    torch.set_num_threads(2)
    meta_path = args.folder / "meta.json"
    meta = json.loads(meta_path.read_text("utf-8"))
    with tempfile.TemporaryDirectory() as work:
        graph, weights = point_weights_at_safetensors(export(args.folder, Path(work)), args.folder)
    target = args.folder / GRAPH_FILE
    target.write_bytes(graph)
    figures = check(args.folder, target, held_out_texts(meta, args.data))
    if figures["min_cosine"] < MIN_COSINE:
        target.unlink()
        raise SystemExit(f"the ONNX graph does not reproduce the model: {figures}")
    meta["onnx"] = {
        "file": GRAPH_FILE,
        "sha256": sha256_of(target),
        "weights": f"{WEIGHTS_FILE} (float16, widened to float32 at load), by key",
        "external_weights": weights,
        "inputs": list(INPUTS),
        "output": "last_hidden_state (mean pooling and normalising are done by essaycheck)",
        "opset": OPSET,
        "exporter": f"torch {torch.__version__} torch.onnx.export(dynamo=True), eager attention",
        "libraries": {"onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__},
        "check_against_sentence_transformers": figures,
        "command": "HF_HUB_OFFLINE=1 .buildenv/bin/python scripts/export_precise_onnx.py"
        + (f" --folder {display_path(args.folder)}" if args.folder != DEFAULT_FOLDER else ""),
    }
    meta_path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", "utf-8")
    readme = args.folder / "README.md"
    if readme.is_file() and README_NOTE not in readme.read_text("utf-8"):
        readme.write_text(readme.read_text("utf-8").rstrip("\n") + "\n\n" + README_NOTE, "utf-8")
    print(f"wrote {display_path(target)} ({target.stat().st_size / 1e6:.1f} MB): {figures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
