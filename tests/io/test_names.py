"""Submission names: the student in a Moodle or Canvas file name, and safe report names."""

from __future__ import annotations

import time
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from essaycheck.io.names import (
    display_name,
    feedback_file_names,
    is_skipped_name,
    safe_entry_name,
    student_from_filename,
    unique_names,
)


@pytest.mark.parametrize(
    ("name", "student"),
    [
        ("Firstname Lastname_123456_assignsubmission_file_essay.docx", "Firstname Lastname"),
        ("Ana María Díaz_42_assignsubmission_file_ensayo final.pdf", "Ana María Díaz"),
        ("Jo Smith_7_assignsubmission_onlinetext_onlinetext.html", "Jo Smith"),
        ("Anne_Marie Li_901_assignsubmission_file_essay_v2.docx", "Anne_Marie Li"),
        ("Jo Smith_7_assignsubmission_file_/essay.docx", "Jo Smith"),
        ("class.zip/Jo Smith_7_assignsubmission_file_/drafts/essay.docx", "Jo Smith"),
    ],
    ids=["plain", "accents-and-spaces", "online-text", "underscore-in-name", "folder", "nested"],
)
def test_moodle_names_give_the_student(name: str, student: str) -> None:
    assert student_from_filename(name) == student


@pytest.mark.parametrize(
    ("name", "student"),
    [
        ("lastnamefirstname_12345_678901_essay.docx", "lastnamefirstname"),
        ("lastnamefirstname_LATE_12345_678901_essay.docx", "lastnamefirstname"),
        ("obrienseán_123_4567_My Essay (final).pdf", "obrienseán"),
        ("smithjo_12345_678901_essay_final_v2.txt", "smithjo"),
        ("class.zip/smithjo_12345_678901_essay.docx", "smithjo"),
    ],
    ids=["plain", "late", "non-ascii-and-spaces", "underscores-after", "in-a-zip"],
)
def test_canvas_names_give_the_student(name: str, student: str) -> None:
    assert student_from_filename(name) == student


@pytest.mark.parametrize(
    "name",
    [
        "essay.docx",
        "ana.txt",
        "essay_final_v2.docx",
        "Smith_12345_678901_essay.docx",  # Canvas names are lower case
        "smithjo_12_34_essay.docx",  # Canvas ids are longer
        "smithjo_12345_678901_",  # no original file name
        "_123456_assignsubmission_file_essay.docx",  # Moodle, but no name
    ],
)
def test_other_names_give_no_student(name: str) -> None:
    assert student_from_filename(name) is None


@pytest.mark.parametrize(
    ("member", "safe"),
    [
        ("essay.txt", "essay.txt"),
        ("sub/essay.txt", "sub/essay.txt"),
        ("evil/../../x.txt", "x.txt"),
        ("../../../etc/x.txt", "etc/x.txt"),
        ("/etc/x.txt", "etc/x.txt"),
        ("C:\\Users\\ana\\x.txt", "Users/ana/x.txt"),
        ("sub\\..\\..\\x.txt", "x.txt"),
        ("./a//b/./x.txt", "a/b/x.txt"),
        ("a\nb.txt", "a b.txt"),
        ("..", ""),
    ],
    ids=[
        "plain",
        "folder",
        "climbs-out",
        "leading-dotdot",
        "absolute",
        "drive-and-backslashes",
        "backslash-climb",
        "dots-and-doubles",
        "newline",
        "nothing-left",
    ],
)
def test_zip_entry_names_are_made_safe(member: str, safe: str) -> None:
    assert safe_entry_name(member) == safe


def test_control_characters_in_names_become_spaces() -> None:
    assert display_name("Ana\nDíaz\tessay\r.txt") == "Ana Díaz essay .txt"


def test_repeated_names_are_numbered() -> None:
    assert unique_names(["a.txt", "b.txt", "a.txt", "a.txt", "d/a.txt"]) == [
        "a.txt",
        "b.txt",
        "a (2).txt",
        "a (3).txt",
        "d/a.txt",
    ]


def test_right_to_left_overrides_and_surrogates_are_shown_as_replacement_characters() -> None:
    assert display_name("evil\u202etxt.exe") == "evil\ufffdtxt.exe"
    assert display_name("a\u2066b\u2069\u200f.txt") == "a\ufffdb\ufffd\ufffd.txt"
    assert display_name("caf\udc82.txt") == "caf\ufffd.txt"  # os.listdir's stand-in for 0x82
    assert display_name("one\u2028two\u2029.txt") == "one two .txt"
    assert display_name("عربي\u200c.txt") == "عربي\u200c.txt"  # a joiner a script needs stays


@pytest.mark.parametrize(
    "name",
    [".DS_Store", "._essay.docx", "__MACOSX", "Thumbs.db", "DESKTOP.INI", "Icon\r", "~$a.docx"],
)
def test_files_that_systems_add_are_skipped(name: str) -> None:
    assert is_skipped_name(name)


@pytest.mark.parametrize("name", ["essay.txt", "Icon.txt", "thumbs.txt", "..", "."])
def test_essays_are_not_skipped(name: str) -> None:
    assert not is_skipped_name(name)


def test_numbering_many_repeats_stays_fast() -> None:
    started = time.perf_counter()

    names = unique_names(["a.txt"] * 20_000)

    assert names[:3] == ["a.txt", "a (2).txt", "a (3).txt"]
    assert len(set(names)) == 20_000
    assert time.perf_counter() - started < 2.0


# --- feedback file names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "files"),
    [
        (["ana.txt", "ben.md"], ["ana.md", "ben.md"]),
        (
            ["essay.html", "essay.txt", "essay.txt.md"],
            ["essay.html.md", "essay.txt.md", "essay.txt (2).md"],
        ),
        (["a/b.txt", "a\\b.txt"], ["a/b.md", "a/b (2).md"]),
        (["Ana.txt", "ana.txt"], ["Ana.md", "ana (2).md"]),
        (["Ana.txt", "ana.docx", "ANA.pdf"], ["Ana.txt.md", "ana.docx.md", "ANA.pdf.md"]),
        (["cafe\u0301.txt", "café.txt"], ["cafe\u0301.md", "café (2).md"]),
        (["c.txt", "c.md/x.txt"], ["c (2).md", "c.md/x.md"]),
        (["con.txt", "a:b?.txt", "dots./x.txt"], ["_con.md", "a_b_.md", "dots/x.md"]),
    ],
    ids=[
        "plain",
        "same-stem",
        "backslash-and-slash",
        "case",
        "case-three-ways",
        "unicode-normalisation",
        "file-named-like-a-folder",
        "windows-names",
    ],
)
def test_feedback_files_are_distinct(names: list[str], files: list[str]) -> None:
    assert feedback_file_names(names) == dict(zip(names, files, strict=True))


def test_long_names_are_shortened_deterministically_and_stay_distinct() -> None:
    names = ["é" * 200 + "a.txt", "é" * 200 + "b.txt", "x" * 300 + "/essay.txt", "y" * 251 + ".txt"]

    files = feedback_file_names(names)

    assert files == feedback_file_names(names)
    assert len(set(files.values())) == 4
    for path in files.values():
        assert all(len(part.encode()) <= 255 for part in path.split("/"))
        assert path.endswith(".md")
    assert files["y" * 251 + ".txt"] == "y" * 251 + ".md"  # 254 bytes: fits as it is


def test_a_long_name_that_clashes_is_numbered_within_the_limit() -> None:
    long = "z" * 260
    names = [f"{long}.txt", f"{long}.html", f"a/{long}.txt", f"A/{long}.txt"]

    files = feedback_file_names(names)

    assert len({path.casefold() for path in files.values()}) == 4
    assert all(len(part.encode()) <= 255 for path in files.values() for part in path.split("/"))


_NAME_PARTS = st.sampled_from(
    ["a", "A", "b.txt", "B.TXT", "b.md", "c.md", "..", ".", "", "e\u0301", "é", "con", "x" * 130]
)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(st.lists(st.lists(_NAME_PARTS | st.text(max_size=8), min_size=1, max_size=4), max_size=12))
def test_feedback_files_never_clash_on_any_file_system(paths: list[list[str]]) -> None:
    names = list(dict.fromkeys("/".join(parts) for parts in paths))

    files = feedback_file_names(names)

    assert list(files) == names
    keys = [unicodedata.normalize("NFC", path).casefold() for path in files.values()]
    folders = {
        "/".join(key.split("/")[:end]) for key in keys for end in range(1, key.count("/") + 1)
    }
    assert len(set(keys)) == len(keys)
    assert not folders & set(keys), "a feedback file would take a folder's name"
    for path in files.values():
        parts = path.split("/")
        assert all(part not in {"", ".", ".."} for part in parts)
        assert all(len(part.encode("utf-8")) <= 255 for part in parts)
        assert path.endswith(".md")
        assert display_name(path) == path
