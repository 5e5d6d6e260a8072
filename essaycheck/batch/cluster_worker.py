"""The worker side of ``mark --cluster dask``: what runs in each Dask worker process.

Each worker process loads the engine once: ``EngineLoader``, a worker plugin,
loads it when the worker starts (again when a lost worker is replaced), and
``mark_chunk``, the task, takes that checker from a per-process cache. A task
is a list of sources (names and paths, never essays); the worker reads them,
marks the ones that are new or changed, and sends back one ``Marked`` per
source, in order.

This module imports ``distributed``; only ``cluster.py`` imports it, and only
when a cluster is used.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from distributed import Worker, WorkerPlugin, get_worker

from essaycheck.batch.sources import Marked, Source, list_sources, read_source
from essaycheck.engine import load_checker
from essaycheck.engine.checker import Checker
from essaycheck.errors import EssayReadError
from essaycheck.io.essays import Essay
from essaycheck.io.models import models_dir as default_models_dir
from essaycheck.results import Calibrator
from essaycheck.rubric import Rubric


@dataclass(frozen=True)
class EngineKey:
    """Which checker a worker loads: the engine, its models folder, and its threads.

    ``threads`` None means the worker's own number of threads.
    """

    engine: str
    models_dir: Path | None
    threads: int | None


@dataclass(frozen=True)
class Listed:
    """An essay inside a zip, sent by name: the worker lists ``root`` itself to find it.

    A zip's entries share one open archive, which does not travel; listing the
    zip once per worker (``_listing``, cached per run) costs less than sending it.
    """

    root: str
    name: str
    run: str

    def load(self) -> Essay:
        """Read the essay from this worker's own listing of ``root``."""
        found = _listing(self.root, self.run).get(self.name)
        if found is None:
            raise EssayReadError(
                f"{self.name}: was listed in {self.root}, but this worker does not find it "
                "there. Give every worker the same folder at the same path (a shared file "
                "system), and do not change it while marking."
            )
        return found.load()


_LOADING = threading.Lock()
_MARKING = threading.Lock()  # a checker marks one chunk at a time, whatever the worker's threads
_CHECKERS: dict[tuple[str, Path, int], Checker] = {}
_KEPT_CHECKERS = 2  # a long-lived cluster may serve two engines in turn


def worker_checker(key: EngineKey, nthreads: int) -> Checker:
    """This process's checker for ``key``, loaded on first use (once per process).

    ``nthreads`` is the worker's, used when ``key`` leaves the threads to it.
    """
    resolved = (key.engine, default_models_dir(key.models_dir).absolute(), key.threads or nthreads)
    with _LOADING:
        checker = _CHECKERS.get(resolved)
        if checker is None:
            while len(_CHECKERS) >= _KEPT_CHECKERS:
                _CHECKERS.pop(next(iter(_CHECKERS)))
            checker = load_checker(*resolved)
            _CHECKERS[resolved] = checker
        return checker


class EngineLoader(WorkerPlugin):
    """A worker plugin that loads the engine as each worker starts, before its first task."""

    name = "essaycheck-engine"

    def __init__(self, key: EngineKey) -> None:
        self.key = key

    async def setup(self, worker: Worker) -> None:
        """Load the checker in a thread, so the worker keeps answering the scheduler."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, worker_checker, self.key, worker.state.nthreads)


def mark_chunk(
    sources: list[tuple[Source, str | None]],
    rubric: Rubric,
    calibration: Calibrator | None,
    engine: EngineKey,
) -> list[Marked]:
    """The task: read and mark a chunk of (source, journalled fingerprint) pairs, in order."""
    outcomes: list[Marked | None] = []
    to_mark: list[tuple[int, Essay, str]] = []
    for index, (source, saved) in enumerate(sources):
        read = read_source(source, saved)
        if isinstance(read, Marked):
            outcomes.append(read)
        else:
            outcomes.append(None)
            to_mark.append((index, *read))
    if to_mark:
        checker = worker_checker(engine, get_worker().state.nthreads)
        with _MARKING:
            results = checker.check_many([essay for _, essay, _ in to_mark], rubric, calibration)
            for (index, essay, fingerprint), result in zip(to_mark, results, strict=True):
                outcomes[index] = Marked(essay.name, fingerprint, replace(result, text=essay.text))
    return [outcome for outcome in outcomes if outcome is not None]


@lru_cache(maxsize=2)
def _listing(root: str, run: str) -> dict[str, Source]:
    """This worker's listing of a folder or zip for one run, by name (``run`` keys the cache)."""
    return {source.name: source for source in list_sources(Path(root))}
