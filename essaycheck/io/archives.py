"""Zips of submissions, read in memory and guarded against zip bombs.

Nothing is ever extracted to disk. Entry names are sanitised before they are
used as report names, so ``../`` or an absolute path cannot point outside the
zip. Sizes are checked three ways: each entry's declared size and compression
ratio, the declared total, and, when an entry is read, a read bounded at
MAX_ESSAY_BYTES + 1 bytes, so a header that understates a size is caught too.
"""

from __future__ import annotations

import logging
import lzma
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, BinaryIO

from essaycheck.errors import EssayReadError
from essaycheck.io.formats import FORMATS, MAX_ESSAY_BYTES, MAX_UNPACKED_BYTES, format_size
from essaycheck.io.names import safe_entry_name, unique_names

logger = logging.getLogger(__name__)

MAX_ZIP_TOTAL_BYTES = MAX_UNPACKED_BYTES
"""The most the essay entries of one zip may unpack to, together, in bytes."""
MAX_COMPRESSION_RATIO = 100
"""Entries that shrank more than this (prose shrinks 3 to 10 times) are refused."""
RATIO_CHECKED_FROM = 1024 * 1024
"""Entries smaller than this, unpacked, are harmless whatever their ratio."""
READ_CHUNK_BYTES = 64 * 1024
_ENCRYPTED = 0x1
_UTF8_NAME = 0x800
# What zipfile raises for a damaged archive or entry: a bad header or CRC, a
# damaged deflate, bzip2 or lzma stream, a stream that ends early, a compression
# method it lacks.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    NotImplementedError,
    ValueError,
)


@dataclass(frozen=True)
class ZipEntry:
    """An essay inside a zip.

    Attributes:
        name: a safe relative name for reports (no ``..``, no leading ``/``).
        member: the entry's own name in the zip, to read it by.
        problem: why the entry is refused without reading it, or None.
    """

    name: str
    member: str
    problem: str | None = None


def list_zip_entries(file: BinaryIO, zip_name: str, prefix: str = "") -> list[ZipEntry]:
    """List the essays in a zip, sorted by name, without unpacking any.

    Directories, hidden entries (``.name``, ``__MACOSX/``, Office ``~$`` lock
    files) and unsupported suffixes are skipped.

    Args:
        file: the zip, open for binary reading.
        zip_name: how messages name the zip.
        prefix: put before each entry's report name (``"class.zip/"``).

    Raises:
        EssayReadError: the zip is corrupt, or its essays would unpack to more
            than MAX_ZIP_TOTAL_BYTES.
    """
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
    except _ZIP_ERRORS as err:
        raise _corrupt_error(zip_name, err) from err
    kept = [(name, info) for info in infos if (name := _essay_name(info))]
    total = sum(info.file_size for _, info in kept)
    if total > MAX_ZIP_TOTAL_BYTES:
        raise EssayReadError(
            f"{zip_name}: would unpack to {format_size(total)} in all, over the "
            f"{format_size(MAX_ZIP_TOTAL_BYTES)} limit for one zip, so it was not opened. "
            "Download the submissions in smaller batches."
        )
    kept.sort(key=lambda pair: pair[0])
    names = unique_names(prefix + name for name, _ in kept)
    return [
        ZipEntry(name, info.filename, _problem(info, name))
        for name, (_, info) in zip(names, kept, strict=True)
    ]


def read_zip_entry(file: BinaryIO, member: str, name: str) -> bytes:
    """Read one entry of a zip into memory, never more than MAX_ESSAY_BYTES.

    Args:
        file: the zip, open for binary reading.
        member: the entry's own name in the zip.
        name: how messages name the entry.

    Raises:
        EssayReadError: the entry is missing, encrypted, too large, a likely
            zip bomb, or damaged.
    """
    try:
        with zipfile.ZipFile(file) as archive:
            info = archive.getinfo(member)
            problem = _problem(info, name)
            if problem is not None:
                raise EssayReadError(problem)
            with archive.open(info) as entry:
                data = _read_bounded(entry)
    except KeyError as err:
        raise EssayReadError(
            f"{name}: is no longer in the zip. Was the zip replaced? List it again."
        ) from err
    except _ZIP_ERRORS as err:
        raise _corrupt_error(name, err) from err
    if len(data) > MAX_ESSAY_BYTES:  # the header understated the size
        raise EssayReadError(_too_large_message(name, None))
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


def _essay_name(info: zipfile.ZipInfo) -> str:
    """Return the entry's safe name if it is an essay to read, else ``""``."""
    if info.is_dir():
        return ""
    name = safe_entry_name(_decoded_name(info))
    parts = PurePosixPath(name).parts
    if not parts or any(part.startswith(".") or part == "__MACOSX" for part in parts):
        return ""
    if parts[-1].startswith("~$"):
        return ""
    if PurePosixPath(name).suffix.lower().removeprefix(".") not in FORMATS:
        logger.info("%s: skipped: not an essay format essaycheck reads", name)
        return ""
    return name


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


def _problem(info: zipfile.ZipInfo, name: str) -> str | None:
    """Return why an entry must not be unpacked, judging by its header, or None."""
    if info.flag_bits & _ENCRYPTED:
        return (
            f"{name}: is password-protected inside the zip. Download the submissions "
            "again without a password, or ask the student for the file."
        )
    if info.file_size > MAX_ESSAY_BYTES:
        return _too_large_message(name, info.file_size)
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size >= RATIO_CHECKED_FROM and ratio > MAX_COMPRESSION_RATIO:
        return (
            f"{name}: shrank {ratio:.0f} times in the zip (more than "
            f"{MAX_COMPRESSION_RATIO}), the mark of a zip bomb, so it was not unpacked. "
            "Ask the student for the file itself."
        )
    return None


def _too_large_message(name: str, size: int | None) -> str:
    limit = f"the {format_size(MAX_ESSAY_BYTES)} limit for one essay"
    size_said = f"to {format_size(size)}, over {limit}" if size is not None else f"past {limit}"
    return (
        f"{name}: unpacks {size_said}, so it was not unpacked. Check that it is the "
        "essay, or ask the student for a smaller copy."
    )


def _corrupt_error(name: str, err: BaseException) -> EssayReadError:
    detail = str(err) or type(err).__name__
    return EssayReadError(
        f"{name}: is not a readable zip: it is corrupt or truncated ({detail}). "
        "Download it again from Moodle or Canvas."
    )
