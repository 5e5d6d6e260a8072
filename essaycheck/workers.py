"""Marking on several cores: worker processes that load the engine once each.

Each worker builds its own Checker (the models are loaded once per worker, not
once per essay) and marks chunks of essays; results come back in the order the
essays were sent, so a parallel run writes exactly the reports a single process
writes.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

from essaycheck.feedback import Calibrator, Checker, EssayResult
from essaycheck.io.essays import Essay
from essaycheck.rubric import Rubric

# Essays per task: enough for the checks to parse in batches across essays.
CHUNK_SIZE = 32
# Each worker's checker, built once by _start_worker.
_checker: Checker | None = None


def check_in_parallel(
    essays: Iterable[Essay],
    rubric: Rubric,
    calibration: Calibrator | None,
    jobs: int,
    load_checker: Callable[[], Checker],
) -> Iterator[EssayResult]:
    """Check essays in ``jobs`` worker processes, yielding results in the essays' order.

    ``load_checker`` must be picklable (a module-level function, or a
    functools.partial of one): each worker calls it once.
    """
    context = multiprocessing.get_context("spawn")  # no forked threads or half-copied models
    chunks = _chunks(essays, CHUNK_SIZE)
    with ProcessPoolExecutor(jobs, context, _start_worker, (load_checker,)) as pool:
        pending = [
            (chunk, pool.submit(_check_chunk, chunk, rubric, calibration))
            for chunk in itertools.islice(chunks, jobs * 2)
        ]
        while pending:
            sent, future = pending.pop(0)
            finished = future.result()
            following = next(chunks, None)
            if following is not None:
                pending.append(
                    (following, pool.submit(_check_chunk, following, rubric, calibration))
                )
            for essay, result in zip(sent, finished, strict=True):
                yield replace(result, text=essay.text)


def _chunks(essays: Iterable[Essay], size: int) -> Iterator[list[Essay]]:
    iterator = iter(essays)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _start_worker(load_checker: Callable[[], Checker]) -> None:
    global _checker
    _checker = load_checker()


def _check_chunk(
    essays: list[Essay], rubric: Rubric, calibration: Calibrator | None
) -> list[EssayResult]:
    assert _checker is not None, "worker not started"
    # The essay's text is not sent back: the main process has it already.
    return [replace(result, text="") for result in _checker.check_many(essays, rubric, calibration)]
