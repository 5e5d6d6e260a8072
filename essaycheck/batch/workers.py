"""Marking on several cores: worker processes that load the engine once each.

Each worker builds its own Checker (the models are loaded once per worker, not
once per essay) and marks chunks of essays; results come back in the order the
essays were sent, so a parallel run writes exactly the reports a single process
writes. The workers start loading as soon as the pool is made, while the main
process gets ready.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from essaycheck.engine import describe_engine, load_checker
from essaycheck.engine.checker import Checker, in_batches
from essaycheck.io.essays import Essay
from essaycheck.results import Calibrator, EngineInfo, EssayResult
from essaycheck.rubric import Rubric

# Essays per task: enough for the checks to parse in batches across essays.
CHUNK_SIZE = 32
# How often a worker checks that the process that started it is still there.
PARENT_CHECK_SECONDS = 0.5
T = TypeVar("T")
# Each worker's checker, built once by _start_worker.
_checker: Checker | None = None


class WorkerPool:
    """``jobs`` worker processes, each with its own checker of the engine ``engine``.

    A Marker, like ``Checker``: ``check_many`` marks a stream of essays. Each
    worker loads the engine once, with its share of the cores (the precise
    engine's onnxruntime would otherwise start a thread per core in every
    worker). Use it as a context manager; leaving it stops the workers.
    """

    def __init__(self, jobs: int, engine: str = "fast", models_dir: Path | None = None) -> None:
        self.jobs = jobs
        self.engine = engine
        self.models_dir = models_dir
        threads = max(1, (os.cpu_count() or 1) // jobs)
        loader = partial(load_checker, engine, models_dir, threads)
        context = multiprocessing.get_context("spawn")  # no forked threads or half-copied models
        self._pool = ProcessPoolExecutor(jobs, context, _start_worker, (loader, os.getpid()))
        self._pool.submit(_ready)  # starts the workers now, so they load while we wait

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._pool.shutdown(cancel_futures=True)

    def call(self, function: Callable[..., T], *args: Any) -> Future[T]:
        """Run a picklable function in a worker; its future."""
        return self._pool.submit(function, *args)

    def info(self, calibration: Calibrator | None = None) -> EngineInfo:
        """Describe the workers' engine as ``Checker.info`` does, without loading it here."""
        return describe_engine(self.engine, self.models_dir, calibration)

    def check_many(
        self, essays: Iterable[Essay], rubric: Rubric, calibration: Calibrator | None = None
    ) -> Iterator[EssayResult]:
        """Check essays in the workers, yielding results in the essays' order."""
        chunks = in_batches(essays, CHUNK_SIZE)
        pending = [
            (chunk, self._pool.submit(_check_chunk, chunk, rubric, calibration))
            for chunk in itertools.islice(chunks, self.jobs * 2)
        ]
        while pending:
            sent, future = pending.pop(0)
            finished = future.result()
            following = next(chunks, None)
            if following is not None:
                pending.append(
                    (following, self._pool.submit(_check_chunk, following, rubric, calibration))
                )
            for essay, result in zip(sent, finished, strict=True):
                yield replace(result, text=essay.text)


def _start_worker(load_checker: Callable[[], Checker], parent: int) -> None:
    global _checker
    _watch_parent(parent)
    _checker = load_checker()


def _watch_parent(parent: int) -> None:
    """End this worker as soon as ``parent``, the process that started it, is gone.

    Otherwise, after a kill -9 of ``mark``, workers holding a loaded engine would
    run on for good. ``parent`` is passed in rather than read here: the parent
    may be gone before this worker has even started.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="essaycheck-parent-watch", daemon=True).start()


def _ready() -> None:
    """A task that does nothing: submitting it starts the workers."""


def _check_chunk(
    essays: list[Essay], rubric: Rubric, calibration: Calibrator | None
) -> list[EssayResult]:
    assert _checker is not None, "worker not started"
    # The essay's text is not sent back: the main process has it already.
    return [replace(result, text="") for result in _checker.check_many(essays, rubric, calibration)]
