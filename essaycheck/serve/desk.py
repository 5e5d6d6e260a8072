"""The review desk's model of a marked class: the engine's decisions, the teacher's, the queue.

A ``Desk`` reads a marked class once (the rubric, every essay's text and the
engine's results, as ``mark`` saved them) and reads ``OUT/overrides.csv`` afresh
for every view, so a decision recorded with ``essaycheck override`` meanwhile
shows too. Every change is written to ``overrides.csv`` at once, then the
reports are written again in the background (``ReportWriter``): a burst of
decisions is one rewrite, and closing the browser loses nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from essaycheck.batch.folder import read_class_data, report_folder
from essaycheck.batch.overrides import (
    Decision,
    Override,
    read_overrides,
    read_results,
    record_overrides,
    remove_overrides,
)
from essaycheck.errors import EssaycheckError, OutputError
from essaycheck.results import THRESHOLD, EssayResult, PointResult
from essaycheck.rubric import KeyPoint, Rubric

logger = logging.getLogger(__name__)

FILTERS = {
    "review": "close calls",
    "covered": "covered",
    "missing": "missing",
    "not-counted": "not counted",
    "teacher": "your decisions",
    "all": "every decision",
}
"""The queue's filters, in the order the desk offers them (the first is the default)."""
MAX_LISTED = 400
"""The most cells one page of the queue lists; the filters narrow a larger class."""


@dataclass(frozen=True)
class Cell:
    """One decision on one essay and one key point, as the desk shows it.

    Attributes:
        essay: the essay's name (the gradebook's file column).
        index: the essay's place in the class, from 1 (its page is /desk/essay/N).
        point: the key point.
        engine: the engine's decision on it.
        override: the teacher's decision, when there is one.
    """

    essay: str
    index: int
    point: KeyPoint
    engine: PointResult
    override: Override | None

    @property
    def is_covered(self) -> bool:
        """The decision that counts: the teacher's, else the engine's."""
        return self.override.is_covered if self.override else self.engine.is_covered

    @property
    def status(self) -> str:
        """``covered`` or ``missing``: the decision that counts."""
        return "covered" if self.is_covered else "missing"

    @property
    def is_close_call(self) -> bool:
        """Whether the engine flagged its decision as a close call."""
        return self.engine.needs_review

    @property
    def closeness(self) -> float:
        """How far the engine's score is from the threshold (smallest first in the queue)."""
        return abs(self.engine.score - THRESHOLD)

    def to_dict(self) -> dict[str, Any]:
        """The cell as the desk's script reads it."""
        return {
            "essay": self.essay,
            "point_id": self.point.id,
            "status": self.status,
            "engine_status": self.engine.status,
            "is_teachers": self.override is not None,
            "comment": self.override.comment if self.override else None,
            "close_call": self.is_close_call,
        }


@dataclass(frozen=True)
class Progress:
    """How far the teacher has got: close calls checked, decisions overturned."""

    close_calls: int
    checked: int
    overturned: int

    @property
    def text(self) -> str:
        """``14 of 25 close calls checked``."""
        calls = "close call" if self.close_calls == 1 else "close calls"
        return f"{self.checked} of {self.close_calls} {calls} checked"

    def to_dict(self) -> dict[str, Any]:
        """The progress as the desk's script reads it."""
        return {
            "close_calls": self.close_calls,
            "checked": self.checked,
            "overturned": self.overturned,
            "text": self.text,
        }


class Desk:
    """A marked class, open for review.

    Raises:
        OutputError: ``out_dir`` is not a folder ``essaycheck mark`` wrote, or it
            cannot be read; the message says what to do.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        data = read_results(out_dir)
        self.rubric: Rubric
        self.rubric, _, results = read_class_data(out_dir, data)
        self.results: tuple[EssayResult, ...] = tuple(results)
        self._by_name = {result.name: index for index, result in enumerate(self.results, 1)}
        self._points = {point.id: point for point in self.rubric}
        self.lock = threading.Lock()
        self.writer = ReportWriter(out_dir, self.lock)

    @property
    def marked(self) -> tuple[EssayResult, ...]:
        """The essays that could be marked (a failed essay has no decisions)."""
        return tuple(result for result in self.results if not result.is_failed)

    def point(self, point_id: str) -> KeyPoint | None:
        """The rubric's key point of that id, or None."""
        return self._points.get(point_id)

    def essay(self, index: int) -> EssayResult | None:
        """The class's essay at ``index`` (from 1), or None."""
        return self.results[index - 1] if 1 <= index <= len(self.results) else None

    def index_of(self, essay: str) -> int | None:
        """Where the essay of that name is in the class (from 1), or None."""
        return self._by_name.get(essay)

    def overrides(self) -> dict[tuple[str, str], Override]:
        """The teacher's decisions as ``overrides.csv`` holds them now."""
        return read_overrides(self.out_dir)

    def cells(
        self,
        *,
        essay: EssayResult | None = None,
        point_id: str | None = None,
        overrides: dict[tuple[str, str], Override] | None = None,
    ) -> Iterator[Cell]:
        """Every decision of the class, of one essay, or on one key point, in class order."""
        overrides = self.overrides() if overrides is None else overrides
        results = (essay,) if essay is not None else self.marked
        for result in results:
            if result.is_failed:
                continue
            index = self._by_name[result.name]
            for engine in result.points:
                if point_id is not None and engine.point.id != point_id:
                    continue
                override = overrides.get((result.name, engine.point.id))
                yield Cell(result.name, index, engine.point, engine, override)

    def queue(self, show: str) -> list[Cell]:
        """The cells a filter shows: close calls nearest the threshold first, else class order."""
        cells = [cell for cell in self.cells() if _shown(cell, show)]
        if show == "review":
            cells.sort(key=lambda cell: (cell.override is not None, cell.closeness))
        return cells

    def progress(self, overrides: dict[tuple[str, str], Override] | None = None) -> Progress:
        """How many close calls have a teacher's decision, and how many decisions are turned."""
        calls = checked = overturned = 0
        for cell in self.cells(overrides=overrides):
            calls += cell.is_close_call
            checked += cell.is_close_call and cell.override is not None
            overturned += cell.override is not None and cell.is_covered != cell.engine.is_covered
        return Progress(calls, checked, overturned)

    def decide(
        self, cells: Sequence[tuple[str, str]], is_covered: bool, comment: str | None
    ) -> list[dict[str, Any]]:
        """Record the teacher's decision on the cells; return what each one was before.

        ``comment`` None keeps a cell's comment as it was; an empty one removes it.

        Raises:
            OutputError: a cell is not in the class, or the file cannot be written.
        """
        self._check(cells)
        with self.lock:
            before = self.overrides()
            decisions = [
                Decision(
                    essay,
                    point_id,
                    is_covered,
                    _kept_comment(before.get((essay, point_id))) if comment is None else comment,
                )
                for essay, point_id in cells
            ]
            record_overrides(self.out_dir, decisions)
        self.writer.request()
        return [_previous(before.get(cell)) for cell in cells]

    def clear(self, cells: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        """Remove the teacher's decision on the cells; return what each one was before."""
        self._check(cells)
        with self.lock:
            removed = remove_overrides(self.out_dir, cells)
        self.writer.request()
        return [_previous(override) for override in removed]

    def states(self, cells: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
        """The cells as they stand now, for the desk's script."""
        overrides = self.overrides()
        found = []
        for essay, point_id in cells:
            index = self._by_name[essay]
            engine = next(p for p in self.results[index - 1].points if p.point.id == point_id)
            override = overrides.get((essay, point_id))
            found.append(Cell(essay, index, engine.point, engine, override).to_dict())
        return found

    def _check(self, cells: Sequence[tuple[str, str]]) -> None:
        for essay, point_id in cells:
            index = self._by_name.get(essay)
            if index is None or self.results[index - 1].is_failed:
                raise OutputError(f"the class has no marked essay {essay!r}: reload the page")
            if point_id not in self._points:
                raise OutputError(f"the rubric has no key point {point_id!r}: reload the page")


def _shown(cell: Cell, show: str) -> bool:
    if show == "review":
        return cell.is_close_call
    if show == "covered" or show == "missing":
        return cell.status == show
    if show == "not-counted":
        return cell.engine.objection is not None
    if show == "teacher":
        return cell.override is not None
    return True


def _kept_comment(override: Override | None) -> str | None:
    return override.comment if override is not None else None


def _previous(override: Override | None) -> dict[str, Any]:
    """What undo needs to put a cell back: no decision, or the decision and its comment."""
    if override is None:
        return {"is_teachers": False}
    return {"is_teachers": True, "covered": override.is_covered, "comment": override.comment}


class ReportWriter:
    """Writes a class's reports again after each change, in a background thread.

    Requests that arrive while it writes are one more rewrite, not one each.
    ``flush`` waits until the reports reflect every change so far.
    """

    def __init__(self, out_dir: Path, lock: threading.Lock) -> None:
        self.out_dir = out_dir
        self.lock = lock
        self.generation = 0
        self.error: str | None = None
        self._wanted = 0
        self._condition = threading.Condition()
        self._thread: threading.Thread | None = None

    @property
    def is_pending(self) -> bool:
        """Whether a change is not in the reports yet."""
        with self._condition:
            return self.generation < self._wanted

    def request(self) -> None:
        """Ask for the reports to be written again (soon, once for many requests)."""
        with self._condition:
            self._wanted += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, daemon=True, name="reports")
                self._thread.start()
            self._condition.notify_all()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every change so far is in the reports; False if ``timeout`` passed."""
        with self._condition:
            return self._condition.wait_for(lambda: self.generation >= self._wanted, timeout)

    def _run(self) -> None:
        while True:
            with self._condition:
                if self.generation >= self._wanted:
                    self._thread = None
                    return
                target = self._wanted
            try:
                with self.lock:
                    report_folder(self.out_dir)
                error = None
            except EssaycheckError as err:
                error = str(err)
                logger.error("the reports could not be written again: %s", err)
            with self._condition:
                self.error = error
                self.generation = target
                self._condition.notify_all()
