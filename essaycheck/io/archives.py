"""Zips of submissions, read in memory and guarded against zip bombs.

Nothing is ever extracted to disk. Entry names are sanitised before they are
used as report names, so ``../`` or an absolute path cannot point outside the
zip. Sizes are checked three ways: each entry's declared size and compression
ratio, the declared total, and, when an entry is read, a read bounded at
MAX_ESSAY_BYTES + 1 bytes, so a header that understates a size is caught too.

Every entry of a zip is its own submission, found by its place in the zip, so
two entries of the same name are two essays (``a.txt`` and ``a (2).txt``).
Nothing in a zip is dropped without a word except folders and the files systems
add (see ``is_skipped_name``): an entry of another format, a link, or a zip
that cannot be opened is listed, and refuses to load with the reason. A zip
inside the zip (a student who zipped their essay) is opened, one level deep.

A ``ZipArchive`` opens its zip on the first read and keeps it open until every
entry listed from it has been read, so reading a whole zip parses its central
directory once, not once per entry.
"""

from __future__ import annotations

import io
import logging
import lzma
import stat
import struct
import threading
import weakref
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO, BinaryIO

from essaycheck.errors import EssayReadError
from essaycheck.io.formats import (
    FORMATS,
    MAX_ESSAY_BYTES,
    MAX_UNPACKED_BYTES,
    format_size,
    unsupported_error,
)
from essaycheck.io.names import is_skipped_name, safe_entry_name, unique_names

logger = logging.getLogger(__name__)

MAX_ZIP_TOTAL_BYTES = MAX_UNPACKED_BYTES
"""The most the essay entries of one zip may unpack to, together, in bytes."""
MAX_NESTED_ZIP_BYTES = MAX_ESSAY_BYTES
"""The largest zip inside a zip that is opened (one student's zip), in bytes."""
MAX_COMPRESSION_RATIO = 100
"""Entries that shrank more than this (prose shrinks 3 to 10 times) are refused."""
RATIO_CHECKED_FROM = 1024 * 1024
"""Entries smaller than this, unpacked, are harmless whatever their ratio."""
READ_CHUNK_BYTES = 64 * 1024
ZIP_FORMAT = "zip"
_ENCRYPTED = 0x1
_UTF8_NAME = 0x800
_UNIX = 3  # ZipInfo.create_system of a zip made on Unix or macOS
# What zipfile raises for a damaged archive or entry: a bad header or CRC, a
# damaged deflate, bzip2 or lzma stream, a stream that ends early, a compression
# method it lacks, a header field out of range.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    NotImplementedError,
    ValueError,
    struct.error,
    OverflowError,
)
# The end of central directory record, its zip64 locator and record, and a
# central directory header, as the zip standard (APPNOTE 4.3) lays them out.
_END = struct.Struct("<4s4H2LH")
_END64_LOCATOR = struct.Struct("<4sLQL")
_END64 = struct.Struct("<4sQ2H2L4Q")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_CD_FLAGS, _CD_NAME_SIZE, _CD_COMMENT_SIZE, _CD_LOCAL_HEADER = 5, 12, 14, 18  # its fields
_CD_FLAGS_AT = 8  # the flags' offset in the header, in bytes
_LOCAL_FLAGS_AT = 6
_MAX_COMMENT = 65535
_LOCK = threading.RLock()
# The archive opened last, of each kind: zips on disk (True) and zips inside zips,
# held in memory (False). Opening one closes the last of its kind, so a folder of
# many zips never holds more than one file open, in whatever order it is read.
_LAST_OPEN: dict[bool, weakref.ReferenceType[ZipArchive]] = {}


class ZipArchive:
    """A zip to read entries from, open from the first read until the last.

    Args:
        name: how messages name the zip.
        opener: opens the zip for binary reading; raises EssayReadError, whose
            message calls the zip what it is given (the entry being read).
        parent: for a zip inside a zip, the outer zip and the inner zip's
            index in it.
    """

    def __init__(
        self,
        name: str,
        opener: Callable[[str], BinaryIO],
        parent: tuple[ZipArchive, int] | None = None,
    ) -> None:
        self.name = name
        self.order: tuple[int, ...] = () if parent is None else (*parent[0].order, parent[1])
        """The indexes of the zips this one lies in, outermost first."""
        self._opener = opener
        self._parent = parent
        self._unread: set[int] = set()
        self._zip: zipfile.ZipFile | None = None
        self._close_files: Callable[[], object] | None = None

    def expect(self, index: int) -> None:
        """Note that the entry at ``index`` will be read: the zip stays open for it."""
        self._unread.add(index)
        if self._parent is not None:
            archive, outer_index = self._parent
            archive.expect(outer_index)

    def read(self, index: int, member: str, name: str) -> bytes:
        """Read the entry at ``index`` into memory, never more than MAX_ESSAY_BYTES.

        Args:
            index: the entry's place in the zip's central directory.
            member: the entry's own name in the zip, to check it is the same entry.
            name: how messages name the entry.

        Raises:
            EssayReadError: the zip cannot be opened, or the entry is missing,
                encrypted, too large, a likely zip bomb, or damaged.
        """
        with _LOCK:
            try:
                return _read_entry(self._open(name), index, member, name)
            finally:
                self._unread.discard(index)
                if not self._unread:
                    self.close()

    def close(self) -> None:
        """Close the zip; a later read opens it again."""
        if self._close_files is not None:
            self._close_files()
        self._zip = None
        self._close_files = None

    def _open(self, name: str) -> zipfile.ZipFile:
        if self._zip is not None:
            return self._zip
        on_disk = self._parent is None
        last = _LAST_OPEN.get(on_disk)
        previous = last() if last is not None else None
        if previous is not None and previous is not self:
            previous.close()
        file = self._opener(name)
        try:
            archive = open_zip(file, name)
        except BaseException:
            file.close()
            raise
        self._zip = archive
        self._close_files = weakref.finalize(self, _close_zip, archive, file)
        _LAST_OPEN[on_disk] = weakref.ref(self)
        return archive


@dataclass(frozen=True)
class ZipEntry:
    """An essay inside a zip (or inside a zip in the zip).

    Attributes:
        name: a safe relative name for reports (no ``..``, no leading ``/``).
        member: the entry's own name in the zip.
        index: its place in the zip's central directory, to read it by: two
            entries may share a name.
        format: its format, the suffix of its name without the dot.
        problem: why the entry is refused without reading it, or None.
        archive: the zip to read it from.
    """

    name: str
    member: str
    index: int
    format: str
    problem: str | None = None
    archive: ZipArchive | None = field(default=None, compare=False, repr=False)

    def read(self, name: str | None = None) -> bytes:
        """Read the entry; messages call it ``name`` (its own name if not given).

        Raises:
            EssayReadError: see ZipArchive.read, or the entry's ``problem``.
        """
        name = name or self.name
        if self.problem is not None:
            raise EssayReadError(self.problem)
        if self.archive is None:
            raise EssayReadError(f"{name}: was listed without its zip. List the zip again.")
        return self.archive.read(self.index, self.member, name)


def list_zip_entries(
    opener: Callable[[str], BinaryIO], zip_name: str, prefix: str = ""
) -> list[ZipEntry]:
    """List a zip's entries, sorted by name, without unpacking any.

    Folders and the files systems add (``is_skipped_name``) are skipped. Every
    other entry is listed: one that must not be read (encrypted, too large, a
    likely zip bomb, a link, another format, a zip that cannot be opened) has
    a ``problem``. A zip inside the zip, up to MAX_NESTED_ZIP_BYTES, is listed
    as its entries (``inner.zip/essay.txt``); a zip inside that is not opened.

    Args:
        opener: opens the zip for binary reading, given how messages name it;
            raises EssayReadError.
        zip_name: how messages name the zip.
        prefix: put before each entry's report name (``"class.zip/"``).

    Raises:
        EssayReadError: the zip cannot be opened, is corrupt, or its essays would
            unpack to more than MAX_ZIP_TOTAL_BYTES.
    """
    archive = ZipArchive(zip_name, opener)
    with opener(zip_name) as file, open_zip(file, zip_name) as zipped:
        try:
            found = _find_entries(zipped, archive, prefix, depth=0)
        except _RefusedError as err:
            raise EssayReadError(f"{zip_name}: {err}") from err
    return _named(found)


def open_zip(file: BinaryIO, name: str) -> zipfile.ZipFile:
    """Open a zip for reading, even one whose entry names are not the UTF-8 they claim.

    zipfile refuses a whole zip when one entry's name is flagged as UTF-8 but is
    not; here such an entry is read as a name in the zip standard's cp437 instead.

    Raises:
        EssayReadError: the zip is corrupt or truncated.
    """
    try:
        return _zipfile(file)
    except _ZIP_ERRORS as err:
        raise EssayReadError(_corrupt_message(name, err)) from err


def _zipfile(file: BinaryIO) -> zipfile.ZipFile:
    """Open a zip as open_zip does, letting zipfile's errors out."""
    try:
        return zipfile.ZipFile(file)
    except UnicodeDecodeError:
        return zipfile.ZipFile(_PatchedFile(file, _utf8_flag_patches(file)))


# --- listing -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    """An entry found, before its report name is made unique."""

    name: str
    order: tuple[int, ...]
    member: str
    index: int
    format: str
    archive: ZipArchive
    problem: Callable[[str], str] | None


class _RefusedError(Exception):
    """A zip refused as a whole; the message says why, without the zip's name."""


def _find_entries(
    zipped: zipfile.ZipFile, archive: ZipArchive, prefix: str, depth: int
) -> list[_Found]:
    found: list[_Found] = []
    total = 0
    for index, info in enumerate(zipped.infolist()):
        name = _entry_name(info, index)
        if not name:
            continue
        fmt = PurePosixPath(name).suffix.lower().removeprefix(".")
        problem = _entry_problem(info, fmt)
        order = (*archive.order, index)
        if fmt == ZIP_FORMAT and problem is None:
            if depth > 0:
                problem = _too_deep
            else:
                total += info.file_size
                nested = _nested_entries(zipped, archive, info, index, prefix + name)
                if isinstance(nested, list):
                    found.extend(nested)
                    continue
                problem = nested
        elif problem is None:
            total += info.file_size
        found.append(_Found(prefix + name, order, info.filename, index, fmt, archive, problem))
    if total > MAX_ZIP_TOTAL_BYTES:
        raise _RefusedError(
            f"would unpack to {format_size(total)} in all, over the "
            f"{format_size(MAX_ZIP_TOTAL_BYTES)} limit for one zip, so it was not opened. "
            "Download the submissions in smaller batches."
        )
    return found


def _nested_entries(
    zipped: zipfile.ZipFile, outer: ZipArchive, info: zipfile.ZipInfo, index: int, name: str
) -> list[_Found] | Callable[[str], str]:
    """List the entries of a zip inside a zip, or return why it cannot be opened."""
    if info.file_size > MAX_NESTED_ZIP_BYTES:
        return _nested_too_large(info.file_size)
    try:
        with zipped.open(info) as entry:
            data = _read_bounded(entry)
    except _ZIP_ERRORS as err:
        return _corrupt_entry(err)
    if len(data) > MAX_NESTED_ZIP_BYTES:
        return _nested_too_large(None)
    member = info.filename
    inner = ZipArchive(
        name, lambda shown: io.BytesIO(outer.read(index, member, shown)), (outer, index)
    )
    try:
        with _zipfile(io.BytesIO(data)) as nested:
            found = _find_entries(nested, inner, f"{name}/", depth=1)
    except _ZIP_ERRORS as err:
        return _corrupt_entry(err)
    except _RefusedError as err:
        return _said(str(err))
    if not found:
        return _said(
            "is a zip inside the zip with no essays in it, only folders or hidden files. "
            "Ask the student for the essay itself."
        )
    return found


def _named(found: Iterable[_Found]) -> list[ZipEntry]:
    """Sort entries by name, number repeated names, and note which will be read."""
    ordered = sorted(found, key=lambda entry: (entry.name, entry.order))
    entries = []
    for name, entry in zip(unique_names(e.name for e in ordered), ordered, strict=True):
        problem = None if entry.problem is None else entry.problem(name)
        if problem is None:
            entry.archive.expect(entry.index)
        entries.append(
            ZipEntry(name, entry.member, entry.index, entry.format, problem, entry.archive)
        )
    return entries


def _entry_name(info: zipfile.ZipInfo, index: int) -> str:
    """Return the entry's safe name, or ``""`` for a folder or a file systems add."""
    raw = _decoded_name(info)
    mode = info.external_attr >> 16
    if raw.endswith(("/", "\\")) or (info.create_system == _UNIX and stat.S_ISDIR(mode)):
        return ""
    if any(is_skipped_name(part) for part in raw.replace("\\", "/").split("/")):
        return ""
    return safe_entry_name(raw) or f"entry {index + 1}"


def _entry_problem(info: zipfile.ZipInfo, fmt: str) -> Callable[[str], str] | None:
    """Return why an entry must not be unpacked, judging by its header, or None."""
    if info.create_system == _UNIX and stat.S_ISLNK(info.external_attr >> 16):
        return _said(
            "is a link inside the zip, not a file; it was not read. "
            "Ask the student for the essay itself."
        )
    if fmt != ZIP_FORMAT and fmt not in FORMATS:
        return lambda name: str(unsupported_error(name, fmt))
    return _header_problem(info)


def _header_problem(info: zipfile.ZipInfo) -> Callable[[str], str] | None:
    """Return why an entry must not be unpacked, judging by its sizes and flags, or None."""
    if info.flag_bits & _ENCRYPTED:
        return _said(
            "is password-protected inside the zip. Download the submissions "
            "again without a password, or ask the student for the file."
        )
    if info.file_size > MAX_ESSAY_BYTES:
        return _said(_too_large_message(info.file_size))
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size >= RATIO_CHECKED_FROM and ratio > MAX_COMPRESSION_RATIO:
        return _said(
            f"shrank {ratio:.0f} times in the zip (more than "
            f"{MAX_COMPRESSION_RATIO}), the mark of a zip bomb, so it was not unpacked. "
            "Ask the student for the file itself."
        )
    return None


def _decoded_name(info: zipfile.ZipInfo) -> str:
    """Return the entry's name, reading UTF-8 names that lack the UTF-8 flag as UTF-8.

    Without the flag, zipfile decodes names as cp437 (the zip standard), but
    macOS and many tools write UTF-8 without setting it: "café" would read "cafÃ©".
    """
    if info.flag_bits & _UTF8_NAME or info.filename.isascii():
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except UnicodeError:
        return info.filename


# --- reading -----------------------------------------------------------------------


def _read_entry(archive: zipfile.ZipFile, index: int, member: str, name: str) -> bytes:
    try:
        infos = archive.infolist()
        if index >= len(infos) or infos[index].filename != member:
            raise EssayReadError(
                f"{name}: is no longer in the zip. Was the zip replaced? List it again."
            )
        info = infos[index]
        problem = _header_problem(info)  # again: the zip may have changed since it was listed
        if problem is not None:
            raise EssayReadError(problem(name))
        with archive.open(info) as entry:
            data = _read_bounded(entry)
    except _ZIP_ERRORS as err:
        raise EssayReadError(_corrupt_message(name, err)) from err
    if len(data) > MAX_ESSAY_BYTES:  # the header understated the size
        raise EssayReadError(f"{name}: {_too_large_message(None)}")
    return data


def _read_bounded(entry: IO[bytes]) -> bytes:
    """Read at most MAX_ESSAY_BYTES + 1 bytes, a chunk at a time.

    Small chunks keep an entry whose header understates its size from being
    inflated into one large buffer before the size is known.
    """
    chunks = []
    left = MAX_ESSAY_BYTES + 1
    while left > 0 and (chunk := entry.read(min(READ_CHUNK_BYTES, left))):
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _close_zip(archive: zipfile.ZipFile, file: BinaryIO) -> None:
    archive.close()
    file.close()


# --- names flagged UTF-8 that are not ------------------------------------------------


class _PatchedFile:
    """A zip read through with a few bytes replaced: the UTF-8 flags of bad names.

    Args:
        file: the zip, open for binary reading.
        patches: file offset -> the bytes to show there instead.
    """

    def __init__(self, file: BinaryIO, patches: dict[int, bytes]) -> None:
        self._file = file
        self._patches = patches

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def seekable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        start = self._file.tell()
        data = self._file.read(n)
        end = start + len(data)
        patched: bytearray | None = None
        for at, value in self._patches.items():
            for offset, byte in enumerate(value, start=at):
                if start <= offset < end:
                    patched = patched if patched is not None else bytearray(data)
                    patched[offset - start] = byte
        return data if patched is None else bytes(patched)


def _utf8_flag_patches(file: BinaryIO) -> dict[int, bytes]:
    """Find the entries whose names claim UTF-8 but are not; clear the claim's flag bit.

    Each such entry's flags are patched in its central directory header and, where
    its local header also claims UTF-8, there too.

    Raises:
        zipfile.BadZipFile: the zip's directory is not where its end record says.
    """
    start, size, shift = _central_directory(file)
    file.seek(start)
    directory = file.read(size)
    patches: dict[int, bytes] = {}
    at = 0
    while at + _CENTRAL.size <= len(directory):
        header = _CENTRAL.unpack_from(directory, at)
        if header[0] != b"PK\x01\x02":
            break
        flags, local = header[_CD_FLAGS], header[_CD_LOCAL_HEADER]
        name_size, extra_size, comment_size = header[_CD_NAME_SIZE : _CD_COMMENT_SIZE + 1]
        name = directory[at + _CENTRAL.size : at + _CENTRAL.size + name_size]
        if flags & _UTF8_NAME and not _is_utf8(name):
            patches[start + at + _CD_FLAGS_AT] = struct.pack("<H", flags & ~_UTF8_NAME)
            patches.update(_local_flag_patch(file, local + shift))
        at += _CENTRAL.size + name_size + extra_size + comment_size
    return patches


def _central_directory(file: BinaryIO) -> tuple[int, int, int]:
    """Return where the central directory starts, its size, and how far entries moved.

    Entries move when something was put before the zip (a self-extracting stub).
    """
    end_of_file = file.seek(0, io.SEEK_END)
    tail_start = max(0, end_of_file - _END.size - _MAX_COMMENT)
    file.seek(tail_start)
    tail = file.read()
    found = tail.rfind(b"PK\x05\x06")
    if found < 0 or len(tail) - found < _END.size:
        raise zipfile.BadZipFile("File is not a zip file")
    end = _END.unpack_from(tail, found)
    size, offset, record = end[5], end[6], tail_start + found
    locator_at = found - _END64_LOCATOR.size
    if locator_at >= 0 and tail[locator_at : locator_at + 4] == b"PK\x06\x07":
        record = tail_start + locator_at - _END64.size
        file.seek(record)
        end64 = _END64.unpack(file.read(_END64.size))
        size, offset = end64[8], end64[9]
    shift = record - size - offset
    return offset + shift, size, shift


def _local_flag_patch(file: BinaryIO, at: int) -> dict[int, bytes]:
    if at < 0:
        return {}
    file.seek(at)
    header = file.read(_LOCAL_FLAGS_AT + 2)
    if len(header) < _LOCAL_FLAGS_AT + 2 or header[:4] != b"PK\x03\x04":
        return {}
    (flags,) = struct.unpack_from("<H", header, _LOCAL_FLAGS_AT)
    if not flags & _UTF8_NAME:
        return {}
    return {at + _LOCAL_FLAGS_AT: struct.pack("<H", flags & ~_UTF8_NAME)}


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# --- messages ----------------------------------------------------------------------


def _said(rest: str) -> Callable[[str], str]:
    """Return the message maker for a problem: the entry's name, then ``rest``."""
    return lambda name: f"{name}: {rest}"


def _too_deep(name: str) -> str:
    return (
        f"{name}: is a zip inside a zip inside a zip; it was not opened. Unzip the "
        "outer zips and mark the folder they make."
    )


def _nested_too_large(size: int | None) -> Callable[[str], str]:
    said = f"is {format_size(size)}" if size is not None else "is larger than it claims"
    return _said(
        f"is a zip inside the zip that {said}, over the {format_size(MAX_NESTED_ZIP_BYTES)} "
        "limit for a zip inside a zip, so it was not opened. Unzip the outer zip and "
        "mark the folder it makes."
    )


def _corrupt_entry(err: BaseException) -> Callable[[str], str]:
    return lambda name: _corrupt_message(name, err)


def _too_large_message(size: int | None) -> str:
    limit = f"the {format_size(MAX_ESSAY_BYTES)} limit for one essay"
    size_said = f"to {format_size(size)}, over {limit}" if size is not None else f"past {limit}"
    return (
        f"unpacks {size_said}, so it was not unpacked. Check that it is the "
        "essay, or ask the student for a smaller copy."
    )


def _corrupt_message(name: str, err: BaseException) -> str:
    detail = str(err) or type(err).__name__
    return (
        f"{name}: is not a readable zip: it is corrupt or truncated ({detail}). "
        "Download it again from Moodle or Canvas."
    )
