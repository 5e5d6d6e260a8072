"""collect_submissions(): what a teacher downloaded, as a folder or one file, listed lazily."""

from __future__ import annotations

from pathlib import Path

import pytest

from essaycheck.errors import EssayReadError
from essaycheck.io.essays import Submission, collect_submissions, find_essays

ESSAY = "The Treaty of Versailles was signed in 1919."


def write(path: Path, text: str = ESSAY) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def names(submissions: list[Submission]) -> list[str]:
    return [submission.name for submission in submissions]


def test_folder_submissions_are_every_file_sorted_by_relative_path(tmp_path: Path) -> None:
    for name in ["zed.txt", "b/ana.md", "a/ben.html", "a/cara.rtf", "Émile.txt", "x y.txt"]:
        write(tmp_path / name)
    for unsupported in ["notes.xlsx", "photo.jpg", "README"]:
        write(tmp_path / unsupported)

    assert names(collect_submissions(tmp_path)) == [
        "README",
        "a/ben.html",
        "a/cara.rtf",
        "b/ana.md",
        "notes.xlsx",
        "photo.jpg",
        "x y.txt",
        "zed.txt",
        "Émile.txt",
    ]


def test_hidden_files_folders_and_lock_files_are_skipped(tmp_path: Path) -> None:
    write(tmp_path / "ana.txt")
    write(tmp_path / ".hidden.txt")
    write(tmp_path / ".git" / "essay.txt")
    write(tmp_path / "__MACOSX" / "._ana.txt")
    write(tmp_path / "~$ana.docx")

    assert names(collect_submissions(tmp_path)) == ["ana.txt"]


def test_links_to_folders_are_not_followed_so_a_loop_cannot_hang(tmp_path: Path) -> None:
    class_dir = tmp_path / "class"
    write(class_dir / "ana.txt")
    write(tmp_path / "elsewhere" / "ben.txt")
    (class_dir / "loop").symlink_to(class_dir, target_is_directory=True)
    (class_dir / "outside").symlink_to(tmp_path / "elsewhere", target_is_directory=True)

    ana, outside = collect_submissions(class_dir)

    assert ana.name == "ana.txt"
    with pytest.raises(EssayReadError, match=r"^outside: is a link to a folder outside the"):
        outside.load()


def test_newlines_in_file_names_become_spaces(tmp_path: Path) -> None:
    write(tmp_path / "Ana\nDíaz essay.txt")
    write(tmp_path / "Ana Díaz essay.txt", "Another essay.")

    submissions = collect_submissions(tmp_path)

    assert names(submissions) == ["Ana Díaz essay.txt", "Ana Díaz essay (2).txt"]
    assert {s.load().text for s in submissions} == {ESSAY, "Another essay."}


def test_submissions_are_read_only_when_loaded(tmp_path: Path) -> None:
    ana = write(tmp_path / "ana.txt", "First draft.")
    ben = write(tmp_path / "ben.txt")

    ana_submission, ben_submission = collect_submissions(tmp_path)
    write(ana, "Final version.")
    ben.unlink()

    assert ana_submission.load().text == "Final version."
    with pytest.raises(EssayReadError, match=r"^ben\.txt: no such file\. Check the path\.$"):
        ben_submission.load()


def test_a_bad_file_fails_alone_when_loaded(tmp_path: Path) -> None:
    write(tmp_path / "ana.txt")
    (tmp_path / "ben.docx").write_bytes(b"not a docx")

    ana, ben = collect_submissions(tmp_path)

    assert ana.load().text == ESSAY
    with pytest.raises(EssayReadError, match=r"^ben\.docx: is not a readable Word document"):
        ben.load()


def test_a_single_file_is_its_own_submission(tmp_path: Path) -> None:
    path = write(tmp_path / "Ana Díaz_7_assignsubmission_file_essay.txt")

    (submission,) = collect_submissions(path)

    assert submission == Submission("Ana Díaz_7_assignsubmission_file_essay.txt", path)
    essay = submission.load()
    assert (essay.name, essay.text, essay.student) == (submission.name, ESSAY, "Ana Díaz")


def test_a_single_file_of_an_unsupported_format_fails_when_loaded(tmp_path: Path) -> None:
    (submission,) = collect_submissions(write(tmp_path / "ana.pages"))

    with pytest.raises(EssayReadError, match=r"^ana\.pages: \.pages files are not supported"):
        submission.load()


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing"

    with pytest.raises(EssayReadError) as caught:
        collect_submissions(missing)

    assert str(caught.value) == f"{missing}: no such file or folder. Check the path."


def test_find_essays_still_lists_only_text_files(tmp_path: Path) -> None:
    for name in ["b.md", "a.txt", "c.docx", "d.pdf", ".e.txt"]:
        write(tmp_path / name)

    assert [path.name for path in find_essays(tmp_path)] == ["a.txt", "b.md"]
