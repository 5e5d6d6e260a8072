"""Zips of submissions: read in memory, names made safe, zip bombs refused.

Every zip is built here, in tmp_path.
"""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile
from pathlib import Path

import docx
import pytest

import essaycheck.io.archives
from essaycheck.errors import EssayReadError
from essaycheck.io.essays import Submission, collect_submissions, iter_zip_submissions

ESSAY = "The Treaty of Versailles was signed in 1919."
MB = 1024 * 1024


def make_zip(path: Path, entries: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def docx_bytes(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def patch_headers(path: Path, **fields: int) -> None:
    """Overwrite a field of the first entry's local and central headers, as a forger would.

    Fields: ``flags`` (general purpose bits) or ``size`` (uncompressed size).
    """
    data = bytearray(path.read_bytes())
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    offsets = {"flags": (6, 8, "<H"), "size": (22, 24, "<I")}
    for field, value in fields.items():
        local_offset, central_offset, fmt = offsets[field]
        struct.pack_into(fmt, data, local + local_offset, value)
        struct.pack_into(fmt, data, central + central_offset, value)
    path.write_bytes(bytes(data))


def load_error(submission: Submission) -> str:
    with pytest.raises(EssayReadError) as caught:
        submission.load()
    return str(caught.value)


def by_name(submissions: list[Submission]) -> dict[str, Submission]:
    return {submission.name: submission for submission in submissions}


# --- reading ---------------------------------------------------------------------------


def test_zip_essays_are_listed_sorted_and_read_in_memory(tmp_path: Path) -> None:
    archive = make_zip(
        tmp_path / "class.zip",
        {"ben.txt": "Ben's essay.", "ana.docx": docx_bytes(ESSAY), "late/cara.md": "# Cara"},
    )
    before = sorted(tmp_path.rglob("*"))

    submissions = collect_submissions(archive)

    assert [s.name for s in submissions] == ["ana.docx", "ben.txt", "late/cara.md"]
    assert [s.load().text for s in submissions] == [ESSAY, "Ben's essay.", "# Cara"]
    assert sorted(tmp_path.rglob("*")) == before, "nothing may be extracted to disk"


def test_iter_zip_submissions_yields_the_same_as_collect(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "class.zip", {"b.txt": "B.", "a.txt": "A."})

    assert list(iter_zip_submissions(archive)) == collect_submissions(archive)


def test_folders_hidden_files_and_other_formats_in_a_zip_are_skipped(tmp_path: Path) -> None:
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("ana/", "")
        zipped.writestr("ana/essay.txt", ESSAY)
        zipped.writestr(".DS_Store", "x")
        zipped.writestr("ana/.hidden.txt", "x")
        zipped.writestr("__MACOSX/ana/._essay.txt", "x")
        zipped.writestr("ana/~$essay.docx", "x")
        zipped.writestr("ana/photo.jpg", "x")
        zipped.writestr("ana/inner.zip", "x")

    assert [s.name for s in collect_submissions(archive)] == ["ana/essay.txt"]


def test_moodle_zip_gives_each_essay_its_student(tmp_path: Path) -> None:
    archive = make_zip(
        tmp_path / "class.zip",
        {
            "Ana Díaz_101_assignsubmission_file_essay.docx": docx_bytes(ESSAY),
            "Ben Li_102_assignsubmission_file_/my essay.txt": ESSAY,
        },
    )

    essays = [s.load() for s in collect_submissions(archive)]

    assert [(e.student, e.format) for e in essays] == [("Ana Díaz", "docx"), ("Ben Li", "txt")]


def test_utf8_names_without_the_utf8_flag_are_read_as_utf8(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "class.zip", {"cafXY.txt": ESSAY})
    # Same length in bytes; zipfile set no UTF-8 flag for the ASCII name, as macOS
    # tools leave it unset for UTF-8 names.
    archive.write_bytes(archive.read_bytes().replace(b"cafXY", "café".encode()))

    assert [s.name for s in collect_submissions(archive)] == ["café.txt"]


# --- names that try to escape ------------------------------------------------------------


def test_entry_names_cannot_escape_the_zip(tmp_path: Path) -> None:
    archive = make_zip(
        tmp_path / "class.zip",
        {
            "evil/../../x.txt": "climbs out",
            "/etc/passwd.txt": "absolute",
            "C:\\Windows\\win.txt": "drive and backslashes",
            "sub\\..\\..\\y.txt": "backslash climb",
            "line\nbreak.txt": "newline",
        },
    )

    submissions = by_name(collect_submissions(archive))

    assert sorted(submissions) == [
        "Windows/win.txt",
        "etc/passwd.txt",
        "line break.txt",
        "x.txt",
        "y.txt",
    ]
    assert submissions["x.txt"].load().text == "climbs out"
    assert all(not Path(name).is_absolute() and ".." not in name for name in submissions)


def test_names_that_become_equal_are_numbered(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "class.zip", {"x.txt": "plain", "a/../x.txt": "climbed"})

    submissions = collect_submissions(archive)

    # In the zip's own order: the first x.txt keeps its name.
    assert [(s.name, s.load().text) for s in submissions] == [
        ("x.txt", "plain"),
        ("x (2).txt", "climbed"),
    ]


# --- zip bombs -----------------------------------------------------------------------------


def zeros_zip(path: Path, size: int) -> Path:
    """A zip with bomb.txt, ``size`` bytes of zeros written in 1 MB chunks, and ok.txt."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("bomb.txt", "w") as entry:
            for _ in range(size // MB):
                entry.write(bytes(MB))
        archive.writestr("ok.txt", ESSAY)
    return path


def test_entry_over_the_size_cap_is_refused_quickly_in_bounded_memory(tmp_path: Path) -> None:
    archive = zeros_zip(tmp_path / "class.zip", 50 * MB)
    assert archive.stat().st_size < 100 * 1024  # 50 MB of zeros compress to ~50 KB
    submissions = by_name(collect_submissions(archive))

    tracemalloc.start()
    started = time.perf_counter()
    try:
        message = load_error(submissions["bomb.txt"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert message == (
        "bomb.txt: unpacks to 50 MB, over the 10 MB limit for one essay, so it was not "
        "unpacked. Check that it is the essay, or ask the student for a smaller copy."
    )
    assert time.perf_counter() - started < 1.0
    assert peak < 2 * MB
    assert submissions["ok.txt"].load().text == ESSAY


def test_entry_compressed_like_a_bomb_is_refused(tmp_path: Path) -> None:
    archive = zeros_zip(tmp_path / "class.zip", 5 * MB)  # under the cap, but shrank ~1000x

    message = load_error(by_name(collect_submissions(archive))["bomb.txt"])

    assert message.startswith("bomb.txt: shrank ")
    assert message.endswith(
        " times in the zip (more than 100), the mark of a zip bomb, so it was not "
        "unpacked. Ask the student for the file itself."
    )


def test_entry_whose_header_understates_its_size_is_refused_in_bounded_memory(
    tmp_path: Path,
) -> None:
    archive = zeros_zip(tmp_path / "class.zip", 50 * MB)
    patch_headers(archive, size=1000)  # "1000 bytes", so neither size nor ratio alarms
    submission = by_name(collect_submissions(archive))["bomb.txt"]

    tracemalloc.start()
    try:
        message = load_error(submission)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert message.startswith("bomb.txt: is not a readable zip: it is corrupt or truncated (")
    assert message.endswith("). Download it again from Moodle or Canvas.")
    assert peak < 2 * MB


def test_zip_whose_essays_add_up_past_the_total_cap_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(essaycheck.io.archives, "MAX_ZIP_TOTAL_BYTES", 3 * 1024)
    archive = make_zip(tmp_path / "class.zip", {"a.txt": "a" * 2048, "b.txt": "b" * 2048})

    with pytest.raises(EssayReadError) as caught:
        collect_submissions(archive)

    assert str(caught.value) == (
        f"{archive}: would unpack to 4 KB in all, over the 3 KB limit for one zip, "
        "so it was not opened. Download the submissions in smaller batches."
    )


def test_password_protected_entry_is_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "class.zip", {"ana.txt": ESSAY})
    patch_headers(archive, flags=0x1)

    assert load_error(collect_submissions(archive)[0]) == (
        "ana.txt: is password-protected inside the zip. Download the submissions again "
        "without a password, or ask the student for the file."
    )


# --- corrupt zips ----------------------------------------------------------------------------


def test_corrupt_zip_is_an_error_for_the_whole_zip(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "class.zip", {"ana.txt": ESSAY, "ben.txt": ESSAY})
    archive.write_bytes(archive.read_bytes()[:-30])  # the central directory is cut

    with pytest.raises(EssayReadError) as caught:
        collect_submissions(archive)

    assert str(caught.value) == (
        f"{archive}: is not a readable zip: it is corrupt or truncated "
        "(File is not a zip file). Download it again from Moodle or Canvas."
    )


def test_damaged_entry_is_an_error_for_that_entry(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "class.zip", {"ana.txt": ESSAY * 20, "ben.txt": ESSAY})
    data = bytearray(archive.read_bytes())
    data[40:60] = bytes(20)  # inside ana.txt's compressed data
    archive.write_bytes(bytes(data))
    submissions = by_name(collect_submissions(archive))

    message = load_error(submissions["ana.txt"])

    assert message.startswith("ana.txt: is not a readable zip: it is corrupt or truncated (")
    assert submissions["ben.txt"].load().text == ESSAY


# --- zips inside a folder ---------------------------------------------------------------------


def test_zip_inside_a_folder_is_expanded_into_its_entries(tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "zed.txt").write_text("Zed's essay.")
    make_zip(folder / "class.zip", {"ana.docx": docx_bytes(ESSAY), "sub/ben.txt": "Ben's."})

    submissions = collect_submissions(folder)

    assert [s.name for s in submissions] == [
        "class.zip/ana.docx",
        "class.zip/sub/ben.txt",
        "zed.txt",
    ]
    essays = [s.load() for s in submissions]
    assert [(e.name, e.text) for e in essays] == [
        ("class.zip/ana.docx", ESSAY),
        ("class.zip/sub/ben.txt", "Ben's."),
        ("zed.txt", "Zed's essay."),
    ]


def test_corrupt_zip_inside_a_folder_fails_alone(tmp_path: Path) -> None:
    (tmp_path / "ana.txt").write_text(ESSAY)
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 this is not a zip")

    submissions = by_name(collect_submissions(tmp_path))

    assert sorted(submissions) == ["ana.txt", "broken.zip"]
    assert submissions["ana.txt"].load().text == ESSAY
    assert load_error(submissions["broken.zip"]) == (
        "broken.zip: is not a readable zip: it is corrupt or truncated "
        "(File is not a zip file). Download it again from Moodle or Canvas."
    )


def test_zip_entry_messages_name_the_zip_and_the_entry(tmp_path: Path) -> None:
    make_zip(tmp_path / "class.zip", {"ana.txt": "", "ben.pdf": b"%PDF-1.4 truncated"})

    submissions = by_name(collect_submissions(tmp_path))

    assert load_error(submissions["class.zip/ana.txt"]) == (
        "class.zip/ana.txt: is empty. There is nothing to mark."
    )
    assert load_error(submissions["class.zip/ben.pdf"]).startswith(
        "class.zip/ben.pdf: is not a readable PDF"
    )
