"""Marking past one machine: ``mark --cluster dask``, on a Dask cluster.

``DaskMarker`` is a Marker, like ``WorkerPool``, whose workers are Dask worker
processes: on a ``LocalCluster`` it starts itself (``--jobs`` processes), or on
the cluster whose scheduler is at ``--scheduler``. Only the essays' names and
paths travel to the workers, in chunks; each worker reads its essays itself
(from a shared folder, or URLs in a manifest) with an engine it loaded once
(``cluster_worker.EngineLoader``), and sends the results back. Results are
taken in the essays' order, a bounded number of chunks ahead, so ``mark_folder``
writes them through the same journal and report writers as in one process, and
the reports are byte for byte the same. The chunks a lost worker held are run
again by the scheduler; an essay whose chunk keeps stopping workers (it needs
more memory than a worker has, or crashes a reader) is retried on its own and,
if it stops workers on its own too, recorded as failed. Dask is an optional
dependency: ``pip install 'essaycheck[dask]'``.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import itertools
import logging
import os
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any

from essaycheck.batch.sources import Marked, Source
from essaycheck.engine import describe_engine
from essaycheck.engine.checker import in_batches
from essaycheck.errors import EssaycheckError
from essaycheck.io.essays import Essay, Submission
from essaycheck.io.models import models_dir as default_models_dir
from essaycheck.io.names import student_from_filename
from essaycheck.results import Calibrator, EngineInfo, EssayResult
from essaycheck.rubric import Rubric

CHUNK_SIZE = 64
"""Essays per task: the checks parse in batches, and the scheduler's cost per task
(a few ms) is shared by many essays."""
CONNECT_TIMEOUT_SECONDS = 30
"""How long to wait for the scheduler at --scheduler to answer."""
WORKERS_TIMEOUT_SECONDS = 120
"""How long to wait for a first worker to join that scheduler."""
INSTALL_HINT = "Install it with: pip install 'essaycheck[dask]'"


class ClusterError(EssaycheckError):
    """A Dask cluster cannot be started, reached or used for marking."""


@dataclass(frozen=True)
class _Given:
    """An essay already read (``check_many``): it travels with its text."""

    essay: Essay

    @property
    def name(self) -> str:
        return self.essay.name

    def load(self) -> Essay:
        return self.essay


class DaskMarker:
    """Mark on a Dask cluster: the one at ``scheduler``, else a local one of ``jobs`` processes.

    A Marker, like ``Checker`` and ``WorkerPool``, and a SourceMarker: with
    ``mark_folder`` the workers read the essays. Use it as a context manager;
    leaving it disconnects, and stops a local cluster it started.

    Raises:
        ClusterError: Dask is not installed; the scheduler does not answer, has no
            workers, or its workers run another essaycheck (or none).
    """

    def __init__(
        self,
        engine: str = "fast",
        models_dir: Path | None = None,
        *,
        scheduler: str | None = None,
        jobs: int = 1,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        self.engine = engine
        self.models_dir = models_dir
        self.scheduler = scheduler
        self.jobs = jobs
        self.chunk_size = chunk_size
        self._distributed = _import_distributed()
        self._cluster: Any = None
        self._client: Any = None
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    def _start(self) -> None:
        from essaycheck.batch.cluster_worker import EngineKey, EngineLoader

        dask = self._distributed
        if self.scheduler is None:
            self._cluster = self._start_local_cluster()
            # Results come straight from the workers, not relayed by the scheduler.
            self._client = dask.Client(self._cluster, set_as_default=False, direct_to_workers=True)
            # The workers share this machine: each gets its share of the cores.
            threads: int | None = max(1, (os.cpu_count() or 1) // self.jobs)
            folder: Path | None = default_models_dir(self.models_dir).absolute()
        else:
            self._client = self._connect(self.scheduler)
            threads, folder = None, self.models_dir  # None: each worker's own default
        self._check_workers()
        self._engine = EngineKey(self.engine, folder, threads)
        self._client.register_plugin(EngineLoader(self._engine))

    def _start_local_cluster(self) -> Any:
        try:
            return self._distributed.LocalCluster(
                n_workers=self.jobs,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                # Its HTTP server on a free port: never 8787, which another cluster may hold.
                dashboard_address="127.0.0.1:0",
                silence_logs=logging.ERROR,  # a teacher's Ctrl-C is not a warning
            )
        except (RuntimeError, OSError, TimeoutError) as err:  # "Nanny failed to start."
            raise ClusterError(
                f"could not start a local Dask cluster of {self.jobs} worker processes "
                f"({err}). Check that this machine may listen on 127.0.0.1; from Python, "
                'start it under `if __name__ == "__main__":`, as worker processes re-import '
                "the main module."
            ) from err

    def _connect(self, address: str) -> Any:
        try:
            client = self._distributed.Client(
                address, timeout=CONNECT_TIMEOUT_SECONDS, set_as_default=False
            )
        except (OSError, TimeoutError, ValueError) as err:
            raise ClusterError(
                f"{address}: no Dask scheduler answered ({err}). Check the address "
                "(tcp://HOST:8786) and that `dask scheduler` runs there, or leave out "
                "--scheduler to mark on this machine."
            ) from err
        try:
            client.wait_for_workers(1, timeout=WORKERS_TIMEOUT_SECONDS)
        except TimeoutError as err:
            client.close()
            raise ClusterError(
                f"{address}: the scheduler has no workers ({WORKERS_TIMEOUT_SECONDS} s "
                f"waited). Start some: dask worker {address} --nthreads 1"
            ) from err
        return client

    def _check_workers(self) -> None:
        """Refuse workers that run another essaycheck, or none: their results would differ."""
        ours = importlib.metadata.version("essaycheck")
        try:
            versions: dict[str, str] = self._client.run(importlib.metadata.version, "essaycheck")
        except importlib.metadata.PackageNotFoundError as err:
            raise ClusterError(
                f"the Dask workers do not have essaycheck installed. Install essaycheck "
                f"{ours} on every worker: pip install 'essaycheck[dask]=={ours}'"
            ) from err
        wrong = sorted(
            f"{worker} has {version}" for worker, version in versions.items() if version != ours
        )
        if wrong:
            raise ClusterError(
                f"the Dask workers must run essaycheck {ours}, as this machine does, but "
                f"{'; '.join(wrong)}. Install the same version everywhere."
            )

    @property
    def client(self) -> Any:
        """The ``distributed.Client``: for its dashboard link, or to inspect the workers."""
        return self._client

    @property
    def address(self) -> str:
        """The scheduler's address (``tcp://127.0.0.1:PORT`` for a local cluster)."""
        return str(self._client.scheduler.address)

    def __enter__(self) -> DaskMarker:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Disconnect from the scheduler; stop the local cluster, if this started one."""
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def info(self, calibration: Calibrator | None = None) -> EngineInfo:
        """Describe the workers' engine as ``Checker.info`` does, from this machine's models."""
        return describe_engine(self.engine, self.models_dir, calibration)

    def check_many(
        self, essays: Iterable[Essay], rubric: Rubric, calibration: Calibrator | None = None
    ) -> Iterator[EssayResult]:
        """Mark essays already read (their text travels), yielding results in their order."""
        for marked in self.mark_sources(map(_Given, essays), rubric, calibration, {}):
            assert marked.result is not None, "nothing was journalled to reuse"
            yield marked.result

    def mark_sources(
        self,
        sources: Iterable[Source],
        rubric: Rubric,
        calibration: Calibrator | None,
        saved: Mapping[str, str],
    ) -> Iterator[Marked]:
        """Read and mark the sources on the workers, yielding outcomes in their order.

        An essay whose fingerprint is ``saved[name]`` is read but not marked again.
        """
        from essaycheck.batch.cluster_worker import mark_chunk

        run = uuid.uuid4().hex
        counter = itertools.count()

        def submit(chunk: list[tuple[Any, str | None]]) -> Any:
            return self._client.submit(
                mark_chunk,
                chunk,
                rubric,
                calibration,
                self._engine,
                key=f"essaycheck-{run}-{next(counter)}",
                pure=False,
            )

        threads = sum(self._client.nthreads().values())
        ahead = max(4, 2 * threads + 2)  # chunks in flight: every worker busy, memory bounded
        size = self.chunk_size
        if isinstance(sources, Sized):  # a small class still gives every worker some essays
            size = max(1, min(size, -(-len(sources) // (2 * ahead))))
        tasks = ((_shipped(source, run), saved.get(source.name)) for source in sources)
        chunks = in_batches(tasks, size)
        pending: deque[tuple[list[tuple[Any, str | None]], Any]] = deque()
        try:
            while True:
                while len(pending) < ahead and (chunk := next(chunks, None)) is not None:
                    pending.append((chunk, submit(chunk)))
                if not pending:
                    return
                chunk, future = pending.popleft()
                yield from self._outcomes(chunk, future, submit)
        finally:
            if pending and self._client is not None:
                self._client.cancel([future for _, future in pending])

    def _outcomes(
        self,
        chunk: list[tuple[Any, str | None]],
        future: Any,
        submit: Callable[[list[tuple[Any, str | None]]], Any],
    ) -> list[Marked]:
        """A chunk's outcomes; one that kept stopping workers is retried essay by essay."""
        try:
            outcomes: list[Marked] = future.result()
        except self._distributed.KilledWorker:
            if len(chunk) > 1:
                return [
                    found
                    for task in chunk
                    for found in self._outcomes([task], submit([task]), submit)
                ]
            return [_stopped_workers(chunk[0][0].name)]
        return outcomes


def _shipped(source: Source, run: str) -> Any:
    """What travels to a worker for ``source``: its name and absolute path, never its text.

    A zip's entry travels as its name (``Listed``): the worker lists the zip
    itself. A refused entry travels without its zip: it only has to fail.
    """
    from essaycheck.batch.cluster_worker import Listed

    if not isinstance(source, Submission):
        return source
    folder = source.folder.absolute() if source.folder is not None else None
    if source.entry is None or source.problem is not None:
        return replace(source, path=source.path.absolute(), folder=folder, entry=None)
    return Listed(str(folder or source.path.absolute()), source.name, run)


def _stopped_workers(name: str) -> Marked:
    message = (
        f"{name}: the worker marking it stopped each time it was tried (it may need more "
        "memory than a worker has), so it was not marked. Check it alone with "
        "`essaycheck check`, or give the workers more memory."
    )
    student = student_from_filename(name.rsplit("/", 1)[-1])
    return Marked(name, "", EssayResult(name=name, error=message, student=student))


def _import_distributed() -> Any:
    """``dask.distributed``, untyped here: its API is used through a few calls only."""
    try:
        return importlib.import_module("distributed")
    except ImportError as err:
        raise ClusterError(
            f"--cluster dask needs Dask, which is not installed. {INSTALL_HINT}"
        ) from err
