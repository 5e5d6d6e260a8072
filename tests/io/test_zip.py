"""Zips of submissions: read in memory, names made safe, zip bombs refused.

Every zip is built here, in tmp_path.
"""

from __future__ import annotations

import io
import random
import stat
import struct
import time
import tracemalloc
import warnings
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


def test_folders_and_hidden_files_in_a_zip_are_skipped_other_formats_listed(tmp_path: Path) -> None:
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

    submissions = by_name(collect_submissions(archive))

    assert sorted(submissions) == ["ana/essay.txt", "ana/inner.zip", "ana/photo.jpg"]
    assert load_error(submissions["ana/photo.jpg"]).startswith(
        "ana/photo.jpg: .jpg files are not supported. Save the essay as "
    )
    assert load_error(submissions["ana/inner.zip"]).startswith(
        "ana/inner.zip: is not a readable zip: it is corrupt or truncated"
    )


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


# --- every entry is listed, once, under its own name ------------------------------------------


def test_entries_of_other_formats_and_links_are_listed_and_refuse_to_load(tmp_path: Path) -> None:
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("ana.txt", ESSAY)
        zipped.writestr("ben.doc", "old Word")
        zipped.writestr("cara", "no extension")
        link = zipfile.ZipInfo("dan.txt")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zipped.writestr(link, "/etc/passwd")

    submissions = by_name(collect_submissions(archive))

    assert sorted(submissions) == ["ana.txt", "ben.doc", "cara", "dan.txt"]
    assert load_error(submissions["ben.doc"]).startswith("ben.doc: .doc files are not supported")
    assert load_error(submissions["cara"]).startswith(
        "cara: a file without an extension is not supported"
    )
    assert load_error(submissions["dan.txt"]) == (
        "dan.txt: is a link inside the zip, not a file; it was not read. "
        "Ask the student for the essay itself."
    )


def test_entries_of_the_same_name_are_each_their_own_submission(tmp_path: Path) -> None:
    archive = tmp_path / "class.zip"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns of the duplicate
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr("ana.txt", "First essay.")
            zipped.writestr("ana.txt", "Second essay.")
            zipped.writestr("ana.txt", "Third essay.")

    submissions = collect_submissions(archive)

    assert [(s.name, s.load().text) for s in submissions] == [
        ("ana.txt", "First essay."),
        ("ana (2).txt", "Second essay."),
        ("ana (3).txt", "Third essay."),
    ]


def test_a_name_flagged_utf8_that_is_not_fails_neither_the_zip_nor_itself(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "class.zip", {"café.txt": "Café.", "ben.txt": ESSAY})
    # zipfile flags the non-ASCII name as UTF-8; make its bytes invalid UTF-8 in
    # both headers, as a broken tool would, keeping their length.
    archive.write_bytes(archive.read_bytes().replace("é".encode(), b"\xff\xfe"))
    with pytest.raises(UnicodeDecodeError):
        zipfile.ZipFile(archive)  # what used to reject the whole zip

    submissions = collect_submissions(archive)

    assert [s.name for s in submissions] == ["ben.txt", "caf\xa0■.txt"]  # its bytes as cp437
    assert [s.load().text for s in submissions] == [ESSAY, "Café."]


def test_a_windows_zip_name_in_cp437_is_read_as_cp437(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "class.zip", {"cafX.txt": ESSAY})
    archive.write_bytes(archive.read_bytes().replace(b"cafX", b"caf\x82"))  # é in cp437

    assert [s.name for s in collect_submissions(archive)] == ["café.txt"]


# --- zips inside zips ----------------------------------------------------------------------------


def zip_bytes(entries: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_inside_a_zip_is_read_one_level_deep(tmp_path: Path) -> None:
    inner = zip_bytes({"essay.docx": docx_bytes(ESSAY), "notes.txt": "Ana's notes."})
    deeper = zip_bytes({"deep.zip": zip_bytes({"x.txt": "too deep"})})
    make_zip(
        tmp_path / "class.zip",
        {"Ana_1_assignsubmission_file_/ana.zip": inner, "ben.txt": "Ben's.", "mid.zip": deeper},
    )

    submissions = by_name(collect_submissions(tmp_path))

    assert sorted(submissions) == [
        "class.zip/Ana_1_assignsubmission_file_/ana.zip/essay.docx",
        "class.zip/Ana_1_assignsubmission_file_/ana.zip/notes.txt",
        "class.zip/ben.txt",
        "class.zip/mid.zip/deep.zip",
    ]
    essay = submissions["class.zip/Ana_1_assignsubmission_file_/ana.zip/essay.docx"].load()
    assert (essay.text, essay.student, essay.format) == (ESSAY, "Ana", "docx")
    assert submissions["class.zip/Ana_1_assignsubmission_file_/ana.zip/notes.txt"].load().text == (
        "Ana's notes."
    )
    assert load_error(submissions["class.zip/mid.zip/deep.zip"]) == (
        "class.zip/mid.zip/deep.zip: is a zip inside a zip inside a zip; it was not opened. "
        "Unzip the outer zips and mark the folder they make."
    )


def test_a_zip_inside_a_zip_that_cannot_be_opened_is_one_failed_submission(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(essaycheck.io.archives, "MAX_NESTED_ZIP_BYTES", 1024)
    archive = make_zip(
        tmp_path / "class.zip",
        {
            "broken.zip": b"PK\x03\x04 not a zip",
            "big.zip": zip_bytes({"x.txt": random.Random(0).randbytes(4096)}),
            "empty.zip": zip_bytes({"__MACOSX/._x.txt": "x"}),
            "ok.txt": ESSAY,
        },
    )

    submissions = by_name(collect_submissions(archive))

    assert sorted(submissions) == ["big.zip", "broken.zip", "empty.zip", "ok.txt"]
    assert load_error(submissions["broken.zip"]).startswith(
        "broken.zip: is not a readable zip: it is corrupt or truncated"
    )
    assert load_error(submissions["big.zip"]).startswith(
        "big.zip: is a zip inside the zip that is 4 KB, over the 1 KB limit for a zip inside"
    )
    assert load_error(submissions["empty.zip"]).startswith(
        "empty.zip: is a zip inside the zip with no essays in it"
    )
    assert submissions["ok.txt"].load().text == ESSAY


# --- one open per pass ------------------------------------------------------------------------


@pytest.fixture
def zips_opened(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Count every zipfile.ZipFile opened from now on."""
    opened: list[object] = []
    real = zipfile.ZipFile

    class Counted(real):  # type: ignore[misc, valid-type]
        def __init__(self, file: object, *args: object, **kwargs: object) -> None:
            opened.append(file)
            super().__init__(file, *args, **kwargs)

    monkeypatch.setattr(essaycheck.io.archives.zipfile, "ZipFile", Counted)
    return opened


def test_reading_every_entry_opens_the_zip_once(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    entries: dict[str, bytes | str] = {f"s{n:03}.txt": f"Essay {n}." for n in range(300)}
    entries["ana.zip"] = zip_bytes({f"a{n}.txt": f"Ana {n}." for n in range(20)})
    archive = make_zip(tmp_path / "class.zip", entries)
    opened = request.getfixturevalue("zips_opened")

    submissions = collect_submissions(archive)
    listed = len(opened)
    texts = [s.load().text for s in submissions]

    assert len(texts) == 320
    assert texts[0] == "Ana 0." and texts[-1] == "Essay 299."
    assert listed == 2  # the zip, and the zip inside it
    assert len(opened) == 4  # the same two, once more each to read


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts open files in /proc")
def test_a_folder_of_many_zips_leaves_no_file_open(tmp_path: Path) -> None:
    for n in range(30):
        make_zip(tmp_path / f"class{n:02}.zip", {"a.txt": f"A{n}.", "b.txt": f"B{n}."})
    submissions = collect_submissions(tmp_path)
    before = len(list(Path("/proc/self/fd").iterdir()))

    texts = [s.load().text for s in reversed(submissions)]  # any order works

    assert len(texts) == 60 and texts[-1] == "A0."
    assert len(list(Path("/proc/self/fd").iterdir())) <= before


# --- a zip that changes after it was listed -------------------------------------------------------


def test_a_zip_removed_or_replaced_after_listing_fails_each_entry_by_its_name(
    tmp_path: Path,
) -> None:
    inner = zip_bytes({"essay.txt": ESSAY})
    archive = make_zip(tmp_path / "class.zip", {"a.txt": "A.", "ana.zip": inner, "b.txt": "B."})
    a, essay, b = collect_submissions(archive)
    assert essay.name == "ana.zip/essay.txt"

    make_zip(archive, {"other.txt": "Another class."})
    assert load_error(a) == "a.txt: is no longer in the zip. Was the zip replaced? List it again."
    assert load_error(essay).startswith("ana.zip/essay.txt: is no longer in the zip.")
    assert load_error(b).startswith("b.txt: is no longer in the zip.")
    (a,) = collect_submissions(archive)
    archive.unlink()
    assert load_error(a) == "other.txt: no such file. Check the path."
