"""`mark --cluster dask`: a LocalCluster of two worker processes writes one process's bytes.

One cluster (two processes, loopback only) serves the whole module: starting one
costs seconds. The test that kills a worker runs last; the nanny replaces it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES_DIR, MODELS_DIR, assert_error, invoke
from marking import Interrupt, tree

from essaycheck.batch import journal_for, mark_folder
from essaycheck.batch.cluster import DaskMarker
from essaycheck.batch.sources import Marked
from essaycheck.engine.checker import Checker
from essaycheck.results import EssayResult
from essaycheck.rubric import Rubric

pytest.importorskip("distributed", reason="needs Dask: pip install -e '.[dask]'")

RUBRIC = EXAMPLES_DIR / "rubric.json"


@pytest.fixture(scope="module")
def cluster() -> Iterator[DaskMarker]:
    """Two worker processes on loopback; two essays per task, so a class makes many tasks.

    Dask's default port, 8787, is held meanwhile: a local cluster must not need it (another
    cluster on the machine may hold it; Dask would warn, and warnings are errors here).
    """
    with socket.socket() as held:
        with contextlib.suppress(OSError):  # taken already: so much the better
            held.bind(("127.0.0.1", 8787))
            held.listen()
        with DaskMarker("fast", MODELS_DIR, jobs=2, chunk_size=2) as marker:
            yield marker


@pytest.fixture
def essays(tmp_path: Path) -> Path:
    """The examples, a zip of three of them, an empty essay and a corrupt .docx."""
    folder = tmp_path / "essays"
    shutil.copytree(EXAMPLES_DIR / "essays", folder)
    with zipfile.ZipFile(folder / "late.zip", "w") as archive:
        for path in sorted((EXAMPLES_DIR / "essays").iterdir())[:3]:
            archive.write(path, f"late/{path.name}")
    (folder / "blank.txt").write_text("  \n")
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 not really a docx")
    return folder


def test_two_dask_workers_write_the_bytes_one_process_writes(
    cluster: DaskMarker, checker: Checker, example_rubric: Rubric, essays: Path, tmp_path: Path
) -> None:
    one = mark_folder(essays, example_rubric, checker, tmp_path / "one", checker.info())
    two = mark_folder(essays, example_rubric, cluster, tmp_path / "two", cluster.info())

    assert tree(tmp_path / "two") == tree(tmp_path / "one")
    assert two.count == one.count == 16
    # a bad essay on a worker is a failed essay, as in one process; the batch goes on
    assert [r.name for r in two.failed] == ["blank.txt", "broken.docx"]
    assert [r.error for r in two.failed] == [r.error for r in one.failed]


def test_check_many_on_the_cluster_gives_the_checkers_results(
    cluster: DaskMarker, checker: Checker, example_rubric: Rubric
) -> None:
    from essaycheck.io.essays import read_essay

    essays = [read_essay(path) for path in sorted((EXAMPLES_DIR / "essays").iterdir())[:5]]

    assert list(cluster.check_many(essays, example_rubric)) == list(
        checker.check_many(essays, example_rubric)
    )


def test_a_manifest_is_read_by_the_workers(
    cluster: DaskMarker, checker: Checker, example_rubric: Rubric, essays: Path, tmp_path: Path
) -> None:
    manifest = tmp_path / "class.csv"
    rows = [f"essays/{p.name}" for p in sorted(essays.iterdir()) if p.suffix == ".txt"]
    url = (essays / "01-strong-amira.txt").as_uri()
    manifest.write_text("path\n" + "\n".join([*rows, url, "essays/missing.txt"]) + "\n")

    mark_folder(manifest, example_rubric, checker, tmp_path / "one", checker.info())
    two = mark_folder(manifest, example_rubric, cluster, tmp_path / "two", cluster.info())

    assert tree(tmp_path / "two") == tree(tmp_path / "one")
    assert [r.name for r in two.failed] == ["essays/blank.txt", "essays/missing.txt"]


def test_ctrl_c_on_the_cluster_leaves_a_journal_that_resumes(
    cluster: DaskMarker, checker: Checker, example_rubric: Rubric, essays: Path, tmp_path: Path
) -> None:
    mark_folder(essays, example_rubric, checker, tmp_path / "straight", checker.info())
    resumed = tmp_path / "resumed"
    with pytest.raises(KeyboardInterrupt):
        mark_folder(essays, example_rubric, cluster, resumed, cluster.info(), on_essay=Interrupt(5))
    journal = journal_for(resumed)
    assert len(journal.read_text("utf-8").splitlines()) == 1 + 5  # the header, five essays

    mark_folder(essays, example_rubric, cluster, resumed, cluster.info(), resume=True)

    assert tree(resumed) == tree(tmp_path / "straight")
    assert not journal.exists()


def test_mark_cluster_dask_on_a_running_scheduler(
    cluster: DaskMarker, runner: CliRunner, essays: Path, tmp_path: Path
) -> None:
    one = invoke(runner, "mark", essays, "-r", RUBRIC, "-o", tmp_path / "one", "-q")
    two = invoke(
        runner, "mark", essays, "-r", RUBRIC, "-o", tmp_path / "two", "-q",
        "--cluster", "dask", "--scheduler", cluster.address,
    )  # fmt: skip

    assert one.exit_code == two.exit_code == 3, two.output  # two essays could not be read
    assert two.stderr.replace("two", "one") == one.stderr
    assert tree(tmp_path / "two") == tree(tmp_path / "one")


def test_a_scheduler_that_does_not_answer_is_a_clear_error(
    runner: CliRunner, essays: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("essaycheck.batch.cluster.CONNECT_TIMEOUT_SECONDS", 0.5)
    result = invoke(
        runner, "mark", essays, "-r", RUBRIC, "-o", tmp_path / "out",
        "--cluster", "dask", "--scheduler", "tcp://127.0.0.1:9",
    )  # fmt: skip
    assert_error(result, 1, "tcp://127.0.0.1:9: no Dask scheduler answered", "--scheduler")
    assert not (tmp_path / "out").exists()


class _Future:
    """A finished task: its outcomes, or the scheduler's giving up on it (KilledWorker)."""

    def __init__(self, chunk: list[tuple[Any, str | None]], poison: str) -> None:
        self.chunk = chunk
        self.poison = poison

    def result(self) -> list[Marked]:
        from distributed import KilledWorker

        if any(source.name == self.poison for source, _ in self.chunk):
            raise KilledWorker("task", None, 3)
        return [Marked(source.name, "fingerprint") for source, _ in self.chunk]


def test_an_essay_that_keeps_killing_workers_is_one_failed_essay(cluster: DaskMarker) -> None:
    from essaycheck.batch.sources import ManifestEntry

    chunk: list[tuple[Any, str | None]] = [
        (ManifestEntry(name, f"/essays/{name}"), None) for name in ("a.txt", "b.txt", "c.txt")
    ]
    submitted: list[list[str]] = []

    def submit(part: list[tuple[Any, str | None]]) -> _Future:
        submitted.append([source.name for source, _ in part])
        return _Future(part, poison="b.txt")

    outcomes = cluster._outcomes(chunk, submit(chunk), submit)

    assert submitted == [["a.txt", "b.txt", "c.txt"], ["a.txt"], ["b.txt"], ["c.txt"]]
    assert [(m.name, m.result is None) for m in outcomes] == [
        ("a.txt", True),
        ("b.txt", False),
        ("c.txt", True),
    ]
    failed = outcomes[1].result
    assert failed is not None and failed.error is not None
    assert failed.error.startswith("b.txt: the worker marking it stopped each time")


def test_a_killed_worker_loses_no_essay_and_marks_none_twice(
    cluster: DaskMarker, checker: Checker, example_rubric: Rubric, tmp_path: Path
) -> None:
    essays = tmp_path / "essays"
    essays.mkdir()
    for copy in range(4):  # enough tasks that some are on the worker when it dies
        for path in sorted((EXAMPLES_DIR / "essays").iterdir()):
            shutil.copy(path, essays / f"{copy}-{path.name}")
    mark_folder(essays, example_rubric, checker, tmp_path / "one", checker.info())
    seen: list[str] = []
    killed: list[str] = []

    def kill_a_busy_worker(result: EssayResult) -> None:
        seen.append(result.name)
        if killed:
            return
        busy = [worker for worker, keys in cluster.client.processing().items() if keys]
        pids: dict[str, int] = cluster.client.run(os.getpid)
        victim = (busy or sorted(pids))[0]
        os.kill(pids[victim], signal.SIGKILL)
        killed.append(victim)

    two = mark_folder(
        essays,
        example_rubric,
        cluster,
        tmp_path / "two",
        cluster.info(),
        on_essay=kill_a_busy_worker,
    )

    assert killed
    assert two.count == len(seen) == len(set(seen)) == 44
    assert two.failed == ()
    assert tree(tmp_path / "two") == tree(tmp_path / "one")
