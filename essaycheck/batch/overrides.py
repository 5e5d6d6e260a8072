"""A teacher's overrides: decisions on one essay and one key point, kept as data.

``OUT/overrides.csv`` (columns essay, point_id, covered, comment, time) holds
every decision a teacher has made on a marked class, one row per essay and key
point (a later decision on the same cell replaces the earlier one). It is
written atomically, is carried over whenever ``mark`` replaces ``OUT``, and is
applied to the results each time the reports are written (``mark`` and
``report``). Its first three columns are what ``calibrate --labels`` reads.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from essaycheck.batch.journal import AmendedResults
from essaycheck.batch.output import MARKER, is_ours
from essaycheck.errors import OutputError
from essaycheck.io.files import write_text_atomically
from essaycheck.reports._text import csv_cell
from essaycheck.results import EssayResult, TeacherDecision

OVERRIDES = "overrides.csv"
"""The file of a teacher's overrides in a marked class's folder."""
RESULTS = "results.json"
_COLUMNS = ("essay", "point_id", "covered", "comment", "time")
_TRUE = {"1", "covered", "true", "yes"}


@dataclass(frozen=True)
class Override:
    """A teacher's decision on one essay and one key point."""

    essay: str
    point_id: str
    is_covered: bool
    comment: str | None
    time: str

    def row(self) -> list[str]:
        """The override as a row of ``overrides.csv``."""
        covered = "1" if self.is_covered else "0"
        return [self.essay, self.point_id, covered, self.comment or "", self.time]


Overrides = Mapping[tuple[str, str], Override]


def read_overrides(out_dir: Path) -> dict[tuple[str, str], Override]:
    """Read ``OUT/overrides.csv``: no file means no overrides; a later row wins.

    Raises:
        OutputError: the file cannot be read, or a row is not an override.
    """
    path = out_dir / OVERRIDES
    try:
        text = path.read_text("utf-8-sig")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as err:
        raise OutputError(
            f"{path}: cannot be read ({err}). Restore it from a backup, or remove it "
            "to drop the overrides."
        ) from err
    overrides: dict[tuple[str, str], Override] = {}
    for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        essay, point_id = (row.get("essay") or "").strip(), (row.get("point_id") or "").strip()
        covered = (row.get("covered") or "").strip().lower()
        if not essay or not point_id or not covered:
            raise OutputError(
                f"{path}: line {number} needs the columns essay, point_id and covered. "
                "Fix the line, or record it again with essaycheck override."
            )
        override = Override(
            essay,
            point_id,
            covered in _TRUE,
            (row.get("comment") or "").strip() or None,
            (row.get("time") or "").strip(),
        )
        overrides[(essay, point_id)] = override
    return overrides


def write_overrides(out_dir: Path, overrides: Overrides) -> None:
    """Write every override to ``OUT/overrides.csv`` at once (atomically)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_COLUMNS)
    for override in overrides.values():
        essay, point_id, covered, comment, time = override.row()
        writer.writerow([essay, point_id, covered, csv_cell(comment), time])
    write_text_atomically(out_dir / OVERRIDES, buffer.getvalue())


@dataclass(frozen=True)
class Decision:
    """A teacher's decision to record: the essay and key point, the verdict, a comment."""

    essay: str
    point_id: str
    is_covered: bool
    comment: str | None = None


def record_override(
    out_dir: Path,
    essay: str,
    point_id: str,
    *,
    is_covered: bool,
    comment: str | None = None,
    now: datetime | None = None,
) -> Override:
    """Record a teacher's decision on one essay and key point of a marked class.

    Raises:
        OutputError: ``out_dir`` is not a marked class's folder, or the essay or
            key point is not in its results; each message says what to do next.
    """
    decision = Decision(essay, point_id, is_covered, comment)
    return record_overrides(out_dir, [decision], now=now)[0]


def record_overrides(
    out_dir: Path, decisions: Sequence[Decision], *, now: datetime | None = None
) -> list[Override]:
    """Record several decisions at once: every one is checked, then the file is written once.

    Raises:
        OutputError: as ``record_override``; nothing is written then.
    """
    results = read_results(out_dir)
    essays = {item["path"]: item for item in results["essays"]}
    points = [point["id"] for point in results["rubric"]["points"]]
    for decision in decisions:
        _check_cell(out_dir, essays, points, decision.essay, decision.point_id)
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    recorded = [
        Override(d.essay, d.point_id, d.is_covered, (d.comment or "").strip() or None, stamp)
        for d in decisions
    ]
    overrides = read_overrides(out_dir)
    for override in recorded:
        overrides.pop((override.essay, override.point_id), None)
        overrides[(override.essay, override.point_id)] = override
    _write(out_dir, overrides)
    return recorded


def remove_override(out_dir: Path, essay: str, point_id: str) -> Override | None:
    """Remove the teacher's decision on one essay and key point: the engine's stands again.

    Returns the override removed, or None when there was none (nothing is written).

    Raises:
        OutputError: ``out_dir`` is not a marked class's folder, or its overrides
            cannot be read or written.
    """
    return remove_overrides(out_dir, [(essay, point_id)])[0]


def remove_overrides(out_dir: Path, cells: Sequence[tuple[str, str]]) -> list[Override | None]:
    """Remove the teacher's decisions on several cells, writing the file once (if at all)."""
    read_results(out_dir)
    overrides = read_overrides(out_dir)
    removed = [overrides.pop(cell, None) for cell in cells]
    if any(override is not None for override in removed):
        _write(out_dir, overrides)
    return removed


def _check_cell(
    out_dir: Path,
    essays: Mapping[str, dict[str, Any]],
    points: Sequence[str],
    essay: str,
    point_id: str,
) -> None:
    if essay not in essays:
        known = ", ".join(sorted(essays)[:5]) + (", ..." if len(essays) > 5 else "")
        raise OutputError(
            f"{out_dir / RESULTS}: has no essay {essay!r}. Name it as the gradebook's "
            f"file column does (e.g. {known})."
        )
    if essays[essay].get("error") is not None:
        raise OutputError(
            f"{out_dir / RESULTS}: the essay {essay!r} could not be marked, so it has no "
            "decisions to override. Fix the file and mark the class again."
        )
    if point_id not in points:
        raise OutputError(
            f"{out_dir / RESULTS}: the rubric has no key point {point_id!r}. "
            f"Choose one of: {', '.join(points)}."
        )


def _write(out_dir: Path, overrides: Overrides) -> None:
    try:
        write_overrides(out_dir, overrides)
    except OSError as err:
        raise OutputError(
            f"{out_dir / OVERRIDES}: cannot be written ({err.strerror or err}). "
            "Check that you can write to the folder, then run the same command."
        ) from err


def read_results(out_dir: Path) -> dict[str, Any]:
    """Read a marked class's ``results.json``, checking the folder is one.

    Raises:
        OutputError: saying what is wrong and what to do next.
    """
    remedy = (
        "Name the --out folder of an essaycheck mark run, or mark the class first: "
        f"essaycheck mark FOLDER -r RUBRIC -o {out_dir}"
    )
    if not out_dir.is_dir():
        raise OutputError(f"{out_dir}: no such folder. {remedy}")
    if not (out_dir / MARKER).is_file() and not is_ours(out_dir):
        raise OutputError(f"{out_dir}: is not a folder of essaycheck's reports. {remedy}")
    path = out_dir / RESULTS
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError as err:
        raise OutputError(f"{path}: missing. {remedy}") from err
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise OutputError(f"{path}: unreadable ({err}). {remedy}") from err
    if not isinstance(data, dict) or not isinstance(data.get("essays"), list):
        raise OutputError(f"{path}: is not essaycheck's results. {remedy}")
    return data


def apply_overrides(result: EssayResult, overrides: Overrides) -> EssayResult:
    """The result with every override of its essay applied (the teacher's decision wins)."""
    if result.error is not None or not overrides:
        return result
    points = []
    for point in result.points:
        override = overrides.get((result.name, point.point.id))
        if override is not None:
            point = replace(
                point,
                is_covered=override.is_covered,
                needs_review=False,
                teacher=TeacherDecision(override.time, override.comment),
            )
        points.append(point)
    return replace(result, points=tuple(points))


def overridden(results: Sequence[EssayResult], overrides: Overrides) -> Sequence[EssayResult]:
    """A class's results with the overrides applied as each one is read (never all held)."""
    return AmendedResults(results, partial(apply_overrides, overrides=overrides))
