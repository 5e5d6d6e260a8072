"""A class folder built to hurt: links out, named pipes, odd names, locked folders.

Every input is generated in tmp_path. Each case ends either in an essay read or
in that one submission's EssayReadError, never in a file outside the folder
read, a hang, a traceback or a student silently missing.
"""

from __future__ import annotations

import csv
import os
import shutil
import socket
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from click.testing import CliRunner
from conftest import SHORT_ESSAY, SMALL_RUBRIC, assert_error, invoke

import essaycheck.io.essays
from essaycheck.errors import EssayReadError
from essaycheck.io.essays import Submission, collect_submissions, read_essay
from essaycheck.io.names import display_name, feedback_file_names

ESSAY = "The Treaty of Versailles was signed in 1919."
SECRET = "root:x:0:0:the secret outside the class folder"
T = TypeVar("T")


def write(path: Path, text: str = ESSAY) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def by_name(submissions: list[Submission]) -> dict[str, Submission]:
    return {submission.name: submission for submission in submissions}


def load_error(submission: Submission) -> str:
    with pytest.raises(EssayReadError) as caught:
        submission.load()
    return str(caught.value)


def within(seconds: float, call: Callable[[], T]) -> T:
    """Run ``call``, failing (rather than hanging the suite) if it takes over ``seconds``."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as err:  # handed to the test's thread, raised there
            failure.append(err)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still waiting after {seconds} s"
    if failure:
        raise failure[0]
    return outcome[0]


@pytest.fixture
def class_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "class"
    write(folder / "ana.txt")
    write(tmp_path / "secret.txt", SECRET)
    return folder


# --- 1. links ------------------------------------------------------------------------


def test_a_link_to_a_file_outside_the_folder_is_listed_and_never_read(class_dir: Path) -> None:
    (class_dir / "c").mkdir()
    (class_dir / "c" / "passwd.txt").symlink_to("/etc/passwd")
    (class_dir / "secret.txt").symlink_to(class_dir.parent / "secret.txt")

    submissions = by_name(collect_submissions(class_dir))

    assert sorted(submissions) == ["ana.txt", "c/passwd.txt", "secret.txt"]
    assert load_error(submissions["c/passwd.txt"]) == (
        "c/passwd.txt: is a link to a file outside the folder; it was not read. "
        "Put the essay itself in the folder, not a link to it."
    )
    assert load_error(submissions["secret.txt"]).startswith(
        "secret.txt: is a link to a file outside the folder; it was not read."
    )


def test_a_relative_link_that_climbs_out_is_refused(class_dir: Path) -> None:
    (class_dir / "climb.txt").symlink_to(Path("..") / "secret.txt")

    message = load_error(by_name(collect_submissions(class_dir))["climb.txt"])

    assert message.startswith("climb.txt: is a link to a file outside the folder")
    assert SECRET not in message


def test_a_broken_or_looping_link_is_listed_as_failed(class_dir: Path) -> None:
    (class_dir / "gone.txt").symlink_to(class_dir / "missing.txt")
    (class_dir / "self.txt").symlink_to(class_dir / "self.txt")

    submissions = by_name(collect_submissions(class_dir))

    for name in ["gone.txt", "self.txt"]:
        assert load_error(submissions[name]).startswith(
            f"{name}: is a link to nothing that can be read (its target is missing, or the "
            "link loops); it was not read."
        )


def test_a_link_to_a_file_inside_the_folder_is_left_out_not_marked_twice(
    class_dir: Path,
) -> None:
    (class_dir / "copy.txt").symlink_to(class_dir / "ana.txt")
    (class_dir / "again").symlink_to(class_dir, target_is_directory=True)

    assert [s.name for s in collect_submissions(class_dir)] == ["ana.txt"]


def test_a_link_to_a_hidden_file_in_the_folder_is_listed_as_failed(class_dir: Path) -> None:
    write(class_dir / ".drafts" / "ben.txt")
    (class_dir / "ben.txt").symlink_to(class_dir / ".drafts" / "ben.txt")

    message = load_error(by_name(collect_submissions(class_dir))["ben.txt"])

    assert message.startswith(
        "ben.txt: is a link to a hidden or system file in the folder, which is not marked; "
        "it was not read."
    )


def test_a_file_swapped_for_a_link_after_listing_is_not_read(class_dir: Path) -> None:
    write(class_dir / "ben.txt")
    ben = by_name(collect_submissions(class_dir))["ben.txt"]
    (class_dir / "ben.txt").unlink()
    (class_dir / "ben.txt").symlink_to(class_dir.parent / "secret.txt")

    assert load_error(ben).startswith("ben.txt: is a link, or lies in a folder that is a link;")


def test_a_folder_swapped_for_a_link_after_listing_is_not_read(class_dir: Path) -> None:
    write(class_dir / "sub" / "ben.txt")
    outside = class_dir.parent / "outside"
    write(outside / "ben.txt", SECRET)
    ben = by_name(collect_submissions(class_dir))["sub/ben.txt"]
    shutil.rmtree(class_dir / "sub")
    (class_dir / "sub").symlink_to(outside, target_is_directory=True)

    assert load_error(ben).startswith("sub/ben.txt: is a link, or lies in a folder that is a link")


def test_a_zip_in_the_folder_that_is_a_link_out_is_not_opened(class_dir: Path) -> None:
    outside = class_dir.parent / "outside.zip"
    with zipfile.ZipFile(outside, "w") as archive:
        archive.writestr("stolen.txt", SECRET)
    (class_dir / "class.zip").symlink_to(outside)

    submissions = by_name(collect_submissions(class_dir))

    assert sorted(submissions) == ["ana.txt", "class.zip"]
    assert load_error(submissions["class.zip"]).startswith(
        "class.zip: is a link to a file outside the folder"
    )


def test_the_folder_named_may_itself_be_a_link(class_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "shortcut").symlink_to(class_dir, target_is_directory=True)

    (ana,) = collect_submissions(tmp_path / "shortcut")

    assert ana.load().text == ESSAY


# --- 2. files that are not essays ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("old.doc", "old.doc: .doc files are not supported. Save the essay as "),
        ("mac.pages", "mac.pages: .pages files are not supported. Save the essay as "),
        ("README", "README: a file without an extension is not supported. Save the essay as "),
        ("notes.xlsx", "notes.xlsx: .xlsx files are not supported. Save the essay as "),
    ],
    ids=["doc", "pages", "no-extension", "spreadsheet"],
)
def test_a_file_of_another_format_is_listed_and_says_what_to_ask_for(
    class_dir: Path, name: str, message: str
) -> None:
    (class_dir / name).write_bytes(b"\xd0\xcf\x11\xe0 whatever it holds")

    submissions = by_name(collect_submissions(class_dir))

    assert sorted(submissions) == sorted(["ana.txt", name])
    assert load_error(submissions[name]).startswith(message)
    assert load_error(submissions[name]).endswith(" and try again.")


def test_files_that_systems_add_are_skipped(class_dir: Path) -> None:
    for clutter in [
        ".DS_Store",
        "._ana.txt",
        "Thumbs.db",
        "desktop.ini",
        "Icon\r",
        "~$ana.docx",
        "__MACOSX/ana/._ana.txt",
        ".git/HEAD",
    ]:
        write(class_dir / clutter, "x")

    assert [s.name for s in collect_submissions(class_dir)] == ["ana.txt"]


# --- 5. names that are not UTF-8 -------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_read_under_a_displayable_name(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    for raw in (b"caf\x82.txt", b"caf\x83.txt"):  # cp437 bytes, as unzip leaves them
        with open(os.fsencode(folder) + b"/" + raw, "wb") as file:  # noqa: PTH123 - bytes path
            file.write(ESSAY.encode())

    submissions = collect_submissions(folder)

    assert [s.name for s in submissions] == ["caf\ufffd.txt", "caf\ufffd (2).txt"]
    essays = [s.load() for s in submissions]
    assert [e.text for e in essays] == [ESSAY, ESSAY]
    assert all(e.name.encode("utf-8") for e in essays)  # no surrogates left in names


# --- 6. folders that cannot be listed ----------------------------------------------------------


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists any folder whatever its permissions")
def test_a_locked_subfolder_is_one_failed_submission(class_dir: Path) -> None:
    locked = class_dir / "locked"
    write(locked / "ben.txt")
    locked.chmod(0)
    try:
        submissions = by_name(collect_submissions(class_dir))
    finally:
        locked.chmod(0o755)

    assert sorted(submissions) == ["ana.txt", "locked/"]
    assert load_error(submissions["locked/"]) == (
        "locked/: cannot be listed (Permission denied), so any essays in it were not read. "
        "Check its permissions and mark the class again."
    )


def test_a_subfolder_that_cannot_be_listed_is_one_failed_submission(
    class_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(class_dir / "locked" / "ben.txt")
    write(class_dir / "open" / "cara.txt")
    real_scandir = os.scandir

    def scandir(path: Path) -> object:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    with monkeypatch.context() as patched:  # os is everyone's: undo it before teardown
        patched.setattr(essaycheck.io.essays.os, "scandir", scandir)
        submissions = by_name(collect_submissions(class_dir))

    assert sorted(submissions) == ["ana.txt", "locked/", "open/cara.txt"]
    assert load_error(submissions["locked/"]).startswith(
        "locked/: cannot be listed (Permission denied), so any essays in it were not read."
    )


def test_a_folder_that_cannot_be_listed_at_all_is_an_error(
    class_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def scandir(path: Path) -> object:
        raise PermissionError(13, "Permission denied", str(path))

    with monkeypatch.context() as patched, pytest.raises(EssayReadError) as caught:
        patched.setattr(essaycheck.io.essays.os, "scandir", scandir)
        collect_submissions(class_dir)

    assert str(caught.value) == (
        f"{class_dir}: cannot be listed (Permission denied). Check its permissions."
    )


# --- 7. folders named like essays ---------------------------------------------------------------


def test_a_folder_named_like_an_essay_is_searched_not_read(class_dir: Path) -> None:
    write(class_dir / "c.txt")
    write(class_dir / "c.md" / "x.txt", "Inside the folder named c.md.")
    (class_dir / "empty.docx").mkdir()

    submissions = collect_submissions(class_dir)

    assert [s.name for s in submissions] == ["ana.txt", "c.md/x.txt", "c.txt"]
    assert [s.load().text for s in submissions][1] == "Inside the folder named c.md."
    files = feedback_file_names([s.name for s in submissions])
    assert files["c.txt"] != "c.md"
    assert len(set(files.values())) == 3
    with pytest.raises(EssayReadError, match=r"c\.md: is a folder; use `essaycheck mark`"):
        read_essay(class_dir / "c.md", name="c.md")


# --- 8. named pipes, sockets and devices ------------------------------------------------------


def test_a_named_pipe_in_the_folder_is_refused_without_waiting(class_dir: Path) -> None:
    os.mkfifo(class_dir / "pipe.txt")

    submissions = within(5, lambda: by_name(collect_submissions(class_dir)))

    assert sorted(submissions) == ["ana.txt", "pipe.txt"]
    message = within(5, lambda: load_error(submissions["pipe.txt"]))
    assert message == (
        "pipe.txt: is a named pipe (FIFO), not a regular file, so it was not read. "
        "Give essaycheck the essay file itself."
    )


def test_a_file_swapped_for_a_named_pipe_after_listing_is_refused_without_waiting(
    class_dir: Path,
) -> None:
    (ana,) = collect_submissions(class_dir)
    (class_dir / "ana.txt").unlink()
    os.mkfifo(class_dir / "ana.txt")

    assert within(5, lambda: load_error(ana)).startswith("ana.txt: is a named pipe (FIFO)")


@pytest.mark.parametrize("named", ["pipe.txt", "pipe.zip"])
def test_check_on_a_named_pipe_is_an_error_not_a_wait(tmp_path: Path, named: str) -> None:
    pipe = tmp_path / named
    os.mkfifo(pipe)

    def check() -> str:
        with pytest.raises(EssayReadError) as caught:
            if named.endswith(".zip"):
                collect_submissions(pipe)
            else:
                read_essay(pipe)
        return str(caught.value)

    assert within(5, check) == (
        f"{pipe}: is a named pipe (FIFO), not a regular file, so it was not read. "
        "Give essaycheck the essay file itself."
    )


def test_a_device_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EssayReadError, match=r"^/dev/null: is a device, not a regular file"):
        read_essay("/dev/null")


def test_a_socket_in_the_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    write(folder / "ana.txt")
    with socket.socket(socket.AF_UNIX) as server:
        try:
            server.bind(str(folder / "s.txt"))
        except OSError:
            pytest.skip("the temporary folder's path is too long for a socket")
        submissions = by_name(collect_submissions(folder))

    assert load_error(submissions["s.txt"]).startswith("s.txt: is a socket, not a regular file")


# --- 11. names that would mislead ----------------------------------------------------------------


def test_names_with_newlines_and_right_to_left_overrides_are_made_safe(class_dir: Path) -> None:
    write(class_dir / "evil\u202etxt.exe")
    write(class_dir / "ana\u202e.txt", "Reversed name.")
    write(class_dir / "two\nlines.txt", "Two lines.")
    write(class_dir / "sep\u2028arated.txt", "Separated.")

    submissions = by_name(collect_submissions(class_dir))

    assert sorted(submissions) == [
        "ana.txt",
        "ana\ufffd.txt",
        "evil\ufffdtxt.exe",
        "sep arated.txt",
        "two lines.txt",
    ]
    assert submissions["ana\ufffd.txt"].load().text == "Reversed name."
    assert load_error(submissions["evil\ufffdtxt.exe"]).startswith(
        "evil\ufffdtxt.exe: .exe files are not supported"
    )


def test_every_name_listed_has_been_through_display_name(class_dir: Path) -> None:
    write(class_dir / "a\u202eb" / "c\td.txt")
    with zipfile.ZipFile(class_dir / "z\u2066.zip", "w") as archive:
        archive.writestr("x\u202e\ny.txt", ESSAY)
    (class_dir / "l\u200f.txt").symlink_to(class_dir.parent / "secret.txt")
    os.mkfifo(class_dir / "p\x1b[31m.txt")

    submissions = collect_submissions(class_dir)

    assert len(submissions) == 5
    for submission in submissions:
        assert display_name(submission.name) == submission.name
        if submission.problem is not None:
            assert submission.problem.startswith(f"{submission.name}: ")


# --- 12. nothing to mark -----------------------------------------------------------------------


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    write(folder / ".DS_Store", "x")
    write(folder / "__MACOSX" / "._a.txt", "x")
    (folder / "empty").mkdir()

    with pytest.raises(EssayReadError) as caught:
        collect_submissions(folder)

    assert str(caught.value).startswith(f"{folder}: no essays found: it holds nothing but ")
    assert "Check the folder, or pass the folder or zip" in str(caught.value)


def test_an_empty_zip_is_an_error_and_an_empty_zip_in_a_folder_a_failed_row(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "class"
    write(folder / "ana.txt")
    with zipfile.ZipFile(folder / "empty.zip", "w") as archive:
        archive.writestr("__MACOSX/._x.txt", "x")
        archive.writestr("folder/", "")

    with pytest.raises(EssayReadError, match=r"empty\.zip: no essays found in the zip"):
        collect_submissions(folder / "empty.zip")
    submissions = by_name(collect_submissions(folder))
    assert load_error(submissions["empty.zip"]).startswith(
        "empty.zip: no essays found in the zip: it holds only folders and the files systems add"
    )


# --- the whole class, marked ---------------------------------------------------------------------


def test_mark_on_an_empty_folder_exits_with_an_error(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "class"
    write(folder / "Thumbs.db", "x")

    result = invoke(runner, "mark", folder, "-r", SMALL_RUBRIC, "-o", tmp_path / "out")

    assert_error(result, 1, f"Error: {folder}: no essays found")
    assert not (tmp_path / "out").exists()


def test_mark_on_a_hostile_folder_reports_each_file_and_reads_nothing_outside(
    runner: CliRunner, tmp_path: Path
) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(SHORT_ESSAY, folder / "essay.txt")
    shutil.copy(SHORT_ESSAY, folder / "essay.html")
    shutil.copy(SHORT_ESSAY, folder / "essay.txt.md")
    shutil.copy(SHORT_ESSAY, folder / "Ana.txt")
    shutil.copy(SHORT_ESSAY, folder / "ana.txt")
    shutil.copy(SHORT_ESSAY, folder / ("x" * 250 + ".txt"))
    shutil.copy(SHORT_ESSAY, folder / ("x" * 250 + ".md"))
    write(tmp_path / "secret.txt", SECRET)
    (folder / "passwd.txt").symlink_to(tmp_path / "secret.txt")
    os.mkfifo(folder / "pipe.txt")
    write(folder / "old.doc", "an old Word file")
    out = tmp_path / "out"

    result = within(120, lambda: invoke(runner, "mark", folder, "-r", SMALL_RUBRIC, "-o", out))

    assert result.exit_code == 3, result.output
    with (out / "gradebook.csv").open(newline="", encoding="utf-8") as handle:
        rows = {row["file"]: row for row in csv.DictReader(handle)}
    assert len(rows) == 10
    assert "is a link to a file outside the folder" in rows["passwd.txt"]["error"]
    assert "is a named pipe" in rows["pipe.txt"]["error"]
    assert ".doc files are not supported" in rows["old.doc"]["error"]
    everything = "".join(p.read_text("utf-8") for p in out.rglob("*") if p.is_file())
    assert "the secret outside" not in everything
    feedback = [p.relative_to(out / "feedback") for p in (out / "feedback").rglob("*.md")]
    assert len(feedback) == 10
    assert len({str(p).casefold() for p in feedback}) == 10
    assert all(len(p.name.encode()) <= 255 for p in feedback)
