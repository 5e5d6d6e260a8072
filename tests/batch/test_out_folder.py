"""The output folder: where it may be, what --force may replace, locks, crashes and disk errors.

Nothing a teacher has is ever deleted: --force replaces only a folder mark wrote
(or an empty one), never the essays, the rubric or the folder one works in; a
crash at any moment leaves the old reports or the new ones.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import EXAMPLES_DIR, assert_error, invoke

import essaycheck.batch.folder
from essaycheck.batch.output import MARKER, locked

RUBRIC = EXAMPLES_DIR / "rubric.json"


@pytest.fixture
def essays(tmp_path: Path) -> Path:
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("01-strong-amira.txt", "04-partial-priya.txt"):
        shutil.copy(EXAMPLES_DIR / "essays" / name, folder / name)
    return folder


def _names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def _mark(runner: CliRunner, essays: Path, out: Path, *extra: str | Path) -> Result:
    return invoke(runner, "mark", essays, "-r", RUBRIC, "-o", out, *extra)


def test_force_never_replaces_the_essays_being_marked(runner: CliRunner, essays: Path) -> None:
    result = _mark(runner, essays, essays, "--force")

    assert_error(result, 1, "holds the essays being marked")
    assert _names(essays) == ["01-strong-amira.txt", "04-partial-priya.txt"]


def test_force_never_replaces_the_rubrics_folder(
    runner: CliRunner, essays: Path, tmp_path: Path
) -> None:
    rubrics = tmp_path / "rubrics"
    rubrics.mkdir()
    rubric = rubrics / "rubric.json"
    shutil.copy(RUBRIC, rubric)

    result = invoke(runner, "mark", essays, "-r", rubric, "-o", rubrics, "--force")

    assert_error(result, 1, "which --out would replace")
    assert _names(rubrics) == ["rubric.json"]


def test_reports_inside_the_marked_folder_are_refused(runner: CliRunner, essays: Path) -> None:
    result = _mark(runner, essays, essays / "reports")

    assert_error(result, 1, "would be marked as essays")
    assert not (essays / "reports").exists()


def test_the_folder_one_works_in_is_never_the_output(
    runner: CliRunner, essays: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("mine", "utf-8")
    monkeypatch.chdir(work)

    result = _mark(runner, essays, Path(), "--force")

    assert_error(result, 1, "the folder you are working in")
    assert _names(work) == ["notes.txt"]


def test_force_refuses_a_folder_mark_did_not_write(
    runner: CliRunner, essays: Path, tmp_path: Path
) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "thesis.docx").write_text("years of work", "utf-8")

    result = _mark(runner, essays, theirs, "--force")

    assert_error(result, 1, f"there is no {MARKER} file")
    assert _names(theirs) == ["thesis.docx"]


@pytest.mark.parametrize("before", ["empty", "ours", "legacy"])
def test_force_replaces_an_empty_folder_or_reports(
    runner: CliRunner, essays: Path, tmp_path: Path, before: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    if before == "ours":
        assert _mark(runner, essays, tmp_path / "first").exit_code == 0
        shutil.rmtree(out)
        (tmp_path / "first").rename(out)
    elif before == "legacy":  # what essaycheck 0.1 wrote, before the marker file
        for name in ("report.html", "gradebook.csv", "results.json"):
            (out / name).write_text("old", "utf-8")
        (out / "feedback").mkdir()

    result = _mark(runner, essays, out, "--force")

    assert result.exit_code == 0, result.output
    assert MARKER in _names(out)
    assert "01-strong-amira.txt" in (out / "gradebook.csv").read_text("utf-8")


def test_a_second_mark_into_the_same_folder_stops_at_once(
    runner: CliRunner, essays: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"

    with locked(out.absolute()):
        result = _mark(runner, essays, out)

    assert_error(result, 1, "another essaycheck mark is writing")
    assert not out.exists()


def test_reports_left_aside_by_a_crash_are_put_back(
    runner: CliRunner, essays: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert _mark(runner, essays, out).exit_code == 0
    before = (out / "gradebook.csv").read_bytes()
    out.rename(tmp_path / ".out.old")  # killed between the two renames of the swap

    refused = _mark(runner, essays, out)

    assert_error(refused, 1, "already exists")
    assert (out / "gradebook.csv").read_bytes() == before
    assert not (tmp_path / ".out.old").exists()


def test_staging_folders_left_by_a_kill_are_removed(
    runner: CliRunner, essays: Path, tmp_path: Path
) -> None:
    stale = tmp_path / ".out.staging-abc123"
    stale.mkdir()
    (stale / "results.json").write_text("{}", "utf-8")

    result = _mark(runner, essays, tmp_path / "out")

    assert result.exit_code == 0, result.output
    assert _names(tmp_path) == ["class", "out"]


def _full_disk(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_is_a_message_and_the_old_reports_stay(
    runner: CliRunner, essays: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert _mark(runner, essays, out).exit_code == 0
    before = (out / "gradebook.csv").read_bytes()
    monkeypatch.setattr(essaycheck.batch.folder, "write_class_file", _full_disk)

    result = _mark(runner, essays, out, "--force")

    assert_error(result, 1, "No space left on device", "Free some disk space")
    assert (out / "gradebook.csv").read_bytes() == before
    assert _names(tmp_path) == [".out.journal.jsonl", "class", "out"]


def test_a_journal_that_cannot_be_written_is_a_message(
    runner: CliRunner, essays: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(essaycheck.batch.folder, "write_entry", _full_disk)

    result = _mark(runner, essays, tmp_path / "out")

    assert_error(result, 1, ".out.journal.jsonl: cannot write", "Free some disk space")
    assert not (tmp_path / "out").exists()


def test_ctrl_c_while_writing_the_reports_leaves_no_staging_folder(
    runner: CliRunner, essays: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(essaycheck.batch.folder, "write_class_file", interrupted)

    result = _mark(runner, essays, tmp_path / "out")

    assert result.exit_code == 130
    assert _names(tmp_path) == [".out.journal.jsonl", "class"]


@pytest.mark.parametrize(
    "args",
    [["--scale", "inf"], ["--scale", "nan"], ["--scale", "1e9"], ["--scale", "0"]],
    ids=["inf", "nan", "huge", "zero"],
)
def test_scale_must_be_a_finite_positive_number(
    runner: CliRunner, essays: Path, tmp_path: Path, args: list[str]
) -> None:
    result = _mark(runner, essays, tmp_path / "out", *args)

    assert result.exit_code == 2
    assert "--scale" in result.stderr
    assert not (tmp_path / "out").exists()


def _stat(pid: int | str) -> list[str] | None:
    """A process's state and parent from /proc; None once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(entry.name)) and int(fields[1]) == pid:
            found.add(int(entry.name))
    return found


def _running(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"  # a zombie has ended; nobody reaped it yet


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_workers_end_when_mark_is_killed(essays: Path, tmp_path: Path) -> None:
    for index in range(40):  # enough essays that marking outlasts the kill
        shutil.copy(EXAMPLES_DIR / "essays" / "01-strong-amira.txt", essays / f"c{index}.txt")
    command = [sys.executable, "-m", "essaycheck", "mark", str(essays), "-r", str(RUBRIC)]
    command += ["-o", str(tmp_path / "out"), "--jobs", "2", "-q"]
    main = subprocess.Popen(command, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while len(workers) < 2 and time.monotonic() < deadline and main.poll() is None:
        workers = _children(main.pid)
        time.sleep(0.05)
    assert main.poll() is None and len(workers) >= 2, "the workers never started"

    main.send_signal(signal.SIGKILL)
    main.wait()
    deadline = time.monotonic() + 15
    while workers and time.monotonic() < deadline:
        workers = {pid for pid in workers if _running(pid)}
        time.sleep(0.1)

    assert workers == set(), f"workers {workers} outlived the killed mark"


@pytest.mark.parametrize("limit", [20_000, 60_000], ids=["20kB", "60kB"])
def test_a_file_size_limit_is_a_message_not_a_traceback(
    essays: Path, tmp_path: Path, limit: int
) -> None:
    import resource

    for index in range(12):
        shutil.copy(EXAMPLES_DIR / "essays" / "01-strong-amira.txt", essays / f"c{index}.txt")

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    command = [sys.executable, "-m", "essaycheck", "mark", str(essays), "-r", str(RUBRIC)]
    done = subprocess.run(
        [*command, "-o", str(tmp_path / "out"), "-q"],
        capture_output=True,
        text=True,
        preexec_fn=limited,
        check=False,
    )

    assert done.returncode == 1, done.stderr
    assert "File too large" in done.stderr and "raise the file size limit" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()
