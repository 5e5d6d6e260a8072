"""What the model-building scripts share: ArgKP's held-out split, its mAP, file helpers.

The scripts run in the build environment (torch, no essaycheck installed), so
they cannot import essaycheck; this module keeps their common parts in one place.
In particular both training scripts must hold out the same train topics, because
essaycheck fits its decision rules on the topics the models never saw.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path("..") / "shared" / "data" / "argkp" / "train.jsonl"
DATA_LICENCE = "ArgKP-2021, (c) IBM 2020, CDLA-Sharing-1.0"
DATA_SOURCE = "IBM/KPA_2021_shared_task; Bar-Haim et al., ACL 2020"
TORCH_VERSION = "2.13.0"
DEFAULT_HELD_OUT_TOPICS = 4
TOP_SHARE = 0.5


class Labelled(Protocol):
    """An ArgKP argument as the scripts read it."""

    @property
    def topic(self) -> str:
        """The debate topic."""

    @property
    def group(self) -> str:
        """Topic and stance: the texts that share key points."""

    @property
    def labels(self) -> dict[str, int]:
        """Key point id -> 1 or 0, for the labelled key points."""


def sha256_of(path: Path) -> str:
    """Return the hex SHA-256 digest of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def display_path(path: Path) -> str:
    """Show a path relative to the repository root."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return os.path.relpath(resolved, REPO_ROOT)


def prepare_output(output: Path) -> None:
    """Refuse to replace a non-empty folder that is not an earlier build."""
    if output.exists() and any(output.iterdir()) and not (output / "meta.json").is_file():
        raise FileExistsError(
            f"{output} exists and is not an earlier build (no meta.json); not replacing it"
        )


def held_out_topics(records: Sequence[Labelled], count: int) -> list[str]:
    """The ``count`` topics whose SHA-256 of the name sorts first (a fixed, blind choice)."""
    topics = sorted({record.topic for record in records})
    return sorted(topics, key=lambda t: hashlib.sha256(t.encode("utf-8")).hexdigest())[:count]


def kpa_map_strict(records: Sequence[Labelled], scores: Sequence[dict[str, float]]) -> float:
    """ArgKP-2021 mAP, strict (as essaycheck.training.evaluation.kpa_map with relaxed=False)."""
    from sklearn.metrics import average_precision_score

    by_group: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for record, score in zip(records, scores, strict=True):
        best = max(score, key=lambda point: (score[point], point))
        by_group[record.group].append((score[best], record.labels.get(best, 0)))
    precisions = []
    for pairs in by_group.values():
        kept = sorted(pairs, key=lambda pair: -pair[0])[: int(len(pairs) * TOP_SHARE)]
        if not kept:
            continue
        truth = [label for _, label in kept]
        if not any(truth):
            precisions.append(0.0)
            continue
        precision = average_precision_score(truth, [s for s, _ in kept])
        precisions.append(float(precision) * sum(truth) / len(truth))
    return float(np.mean(precisions)) if precisions else 0.0
