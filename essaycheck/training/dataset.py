"""Labelled key-point data: one JSON record per text, its key points and labels.

The format is that of ArgKP-2021 and REALSumm as converted for essaycheck:
``{"id", "dataset", "split", "topic", "text", "keypoints": [{"id", "text"}],
"labels": {"<key point id>": 1 or 0}, "meta": {...}}``. A key point with no label
is unlabelled and is skipped when scoring, never counted as 0.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from essaycheck.errors import DataError
from essaycheck.rubric import KeyPoint, Rubric


@dataclass(frozen=True)
class LabelledText:
    """One labelled text: an argument, a summary or an essay.

    Attributes:
        group: the texts that share a rubric (topic, plus stance where given).
    """

    id: str
    dataset: str
    group: str
    topic: str
    stance: str
    text: str
    points: tuple[KeyPoint, ...]
    labels: dict[str, int]

    def rubric(self) -> Rubric:
        """Return the text's key points as a rubric."""
        return Rubric(title=self.group, points=self.points)


def load_labelled(path: Path) -> list[LabelledText]:
    """Read a JSON Lines file of labelled texts.

    Raises:
        DataError: naming the line of the first malformed record.
    """
    try:
        lines = path.read_text("utf-8").splitlines()
    except FileNotFoundError as err:
        raise DataError(f"{path}: no such data file. Check the path.") from err
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: cannot read it as UTF-8 text ({err}).") from err
    records = [
        _parse_record(line, path, number)
        for number, line in enumerate(lines, start=1)
        if line.strip()
    ]
    if not records:
        raise DataError(f"{path}: holds no records. Expected one JSON object per line.")
    return records


def group_texts(records: list[LabelledText]) -> Iterator[tuple[str, list[LabelledText]]]:
    """Yield (group, texts) in first-seen order."""
    groups: dict[str, list[LabelledText]] = {}
    for record in records:
        groups.setdefault(record.group, []).append(record)
    yield from groups.items()


def _parse_record(line: str, path: Path, number: int) -> LabelledText:
    where = f"{path}:{number}"
    try:
        data: dict[str, Any] = json.loads(line)
        meta = data.get("meta") or {}
        stance = meta.get("stance") if isinstance(meta, dict) else None
        topic = str(data["topic"])
        points = tuple(
            KeyPoint(id=str(point["id"]), text=str(point["text"])) for point in data["keypoints"]
        )
        labels = {str(key): int(value) for key, value in data.get("labels", {}).items()}
        text = str(data["text"])
    except json.JSONDecodeError as err:
        raise DataError(f"{where}: not valid JSON ({err.msg}, column {err.colno}).") from err
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise DataError(
            f"{where}: not a labelled record ({err!r} is missing or malformed). "
            "Expected fields: id, topic, text, keypoints, labels."
        ) from err
    known = {point.id for point in points}
    if not set(labels) <= known:
        unknown = sorted(set(labels) - known)
        raise DataError(f"{where}: labels name key points {unknown} that are not in its keypoints.")
    return LabelledText(
        id=str(data.get("id", f"{path.name}:{number}")),
        dataset=str(data.get("dataset", "")),
        group=f"{topic} ({stance})" if stance else topic,
        topic=topic,
        stance=str(stance or ""),
        text=text,
        points=points,
        labels=labels,
    )
