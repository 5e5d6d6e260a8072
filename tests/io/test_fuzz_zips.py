"""Fuzzing zip listing and reading: whatever the bytes, an essay or an EssayReadError.

Zips are written byte by byte here, so entry names can be any bytes (not UTF-8,
flagged UTF-8 when they are not), names can repeat, entries can be zips, and
the finished zip can be mutated anywhere. Listing a zip may refuse the whole
zip, and loading an entry may refuse that entry, but only with EssayReadError:
never another exception, a name that cannot be shown, or a file left open.
"""

from __future__ import annotations

import struct
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from essaycheck.errors import EssayReadError
from essaycheck.io.essays import Submission, collect_submissions
from essaycheck.io.names import display_name

UTF8_FLAG = 0x800
NAMES = st.sampled_from(
    [
        *(b"a.txt", b"A.TXT", b"essay.md", b"sub/b.txt", b"../up.txt", b"/abs.txt", b"c\\d.txt"),
        *(b"caf\x82.txt", b"caf\xc3\xa9.txt", b"bad\xff\xfe.txt", b"x.doc", b"noext", b".hidden"),
        *(b"__MACOSX/._a.txt", b"dir/", b"inner.zip", b"..", b"rtl\xe2\x80\xae.txt", b"nl\n.txt"),
    ]
) | st.binary(max_size=12)
TEXTS = st.sampled_from([b"An essay about the treaty.", b"", b"   ", bytes(range(256))]) | (
    st.binary(max_size=40)
)


@dataclass(frozen=True)
class Entry:
    name: bytes
    data: bytes
    flags: int
    compressed: bool


def zip_file(entries: list[Entry]) -> bytes:
    """Write a zip with exactly these names, flags and data, as the standard lays it out."""
    local = bytearray()
    central = bytearray()
    for entry in entries:
        body = entry.data
        method = 0
        if entry.compressed:
            squeezer = zlib.compressobj(6, zlib.DEFLATED, -15)
            body = squeezer.compress(entry.data) + squeezer.flush()
            method = 8
        crc = zlib.crc32(entry.data)
        sizes = (crc, len(body), len(entry.data), len(entry.name), 0)  # no extra field
        central += struct.pack(
            "<4s4B4HL2L5H2L",
            *(b"PK\x01\x02", 20, 3, 20, 0, entry.flags, method, 0, 0x21, *sizes),
            *(0, 0, 0, 0o100644 << 16, len(local)),  # no comment; disk, attributes, offset
        )
        central += entry.name
        local += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, entry.flags, method, 0, 0x21, *sizes)
        local += entry.name + body
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(local), 0
    )
    return bytes(local + central + end)


@st.composite
def entries(draw: st.DrawFn, depth: int = 0) -> list[Entry]:
    found = []
    for _ in range(draw(st.integers(0, 5))):
        name = draw(NAMES)
        if depth < 2 and draw(st.integers(0, 5)) == 0:
            name, data = b"nested.zip", zip_file(draw(entries(depth + 1)))
        else:
            data = draw(TEXTS)
        flags = draw(st.sampled_from([0, UTF8_FLAG, 0x1, 0x8 | UTF8_FLAG]))
        found.append(Entry(name, data, flags, draw(st.booleans())))
    return found


@st.composite
def zips(draw: st.DrawFn) -> bytes:
    data = bytearray(zip_file(draw(entries())))
    for _ in range(draw(st.integers(0, 3))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        del data[draw(st.integers(0, len(data))) :]
    return bytes(data)


def load_all(submissions: list[Submission]) -> None:
    names = [submission.name for submission in submissions]
    assert len(set(names)) == len(names)
    for submission in submissions:
        assert display_name(submission.name) == submission.name
        submission.name.encode("utf-8")
        try:
            essay = submission.load()
        except EssayReadError as err:
            assert str(err).startswith(f"{submission.name}: ")
        else:
            assert essay.name == submission.name
            assert essay.text.strip()


def test_the_zip_writer_writes_zips_that_zipfile_reads() -> None:
    import io
    import zipfile

    data = zip_file([Entry(b"a.txt", b"Hello.", 0, True), Entry(b"b.txt", b"Hi.", 0, False)])

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert [archive.read(name) for name in archive.namelist()] == [b"Hello.", b"Hi."]


@settings(derandomize=True, max_examples=50, deadline=None)
@given(zips())
def test_a_zip_is_listed_and_read_or_refused_with_essay_read_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder) / "class.zip"
        archive.write_bytes(data)
        try:
            submissions = collect_submissions(archive)
        except EssayReadError as err:
            assert str(err).startswith(f"{archive}: ")
        else:
            assert submissions
            load_all(submissions)


@settings(derandomize=True, max_examples=50, deadline=None)
@given(st.lists(zips(), min_size=1, max_size=3))
def test_zips_in_a_folder_never_fail_the_listing(datas: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for number, data in enumerate(datas):
            (Path(folder) / f"z{number}.zip").write_bytes(data)

        submissions = collect_submissions(Path(folder))

        assert submissions
        load_all(submissions)


@settings(derandomize=True, max_examples=50, deadline=None)
@given(zips(), zips())
def test_a_zip_that_changes_after_listing_fails_only_with_essay_read_error(
    before: bytes, after: bytes
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder) / "class.zip"
        archive.write_bytes(before)
        try:
            submissions = collect_submissions(archive)
        except EssayReadError:
            return
        archive.write_bytes(after)

        load_all(submissions)
