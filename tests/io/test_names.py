"""Submission names: the student in a Moodle or Canvas file name, and safe report names."""

from __future__ import annotations

import pytest

from essaycheck.io.names import display_name, safe_entry_name, student_from_filename, unique_names


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
