"""Find essays and read them: one file, a folder of them, or a Moodle or Canvas zip.

``collect_submissions`` lists what a teacher downloaded (a folder, a zip, or one
file) as Submissions, each read only when its ``load()`` is called, so a whole
class never sits in memory. ``read_essay`` reads one file of any supported
format; ``find_essays`` lists a folder's .txt and .md files.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from essaycheck.errors import EssayReadError
from essaycheck.io.archives import list_zip_entries, read_zip_entry
from essaycheck.io.formats import (
    FORMATS,
    MAX_ESSAY_BYTES,
    extract_text,
    format_size,
    unsupported_error,
)
from essaycheck.io.names import display_name, student_from_filename, unique_names

__all__ = [
    "ESSAY_SUFFIXES",
    "MAX_ESSAY_BYTES",
    "STDIN_NAME",
    "Essay",
    "Submission",
    "collect_submissions",
    "decode_essay",
    "essay_from_bytes",
    "find_essays",
    "iter_zip_submissions",
    "read_essay",
    "student_from_filename",
]

logger = logging.getLogger(__name__)

ESSAY_SUFFIXES = (".txt", ".md")
"""What find_essays() lists; collect_submissions() takes every format in FORMATS."""
ZIP_SUFFIX = ".zip"
STDIN_NAME = "-"
_SKIPPED_FOLDERS = ("__MACOSX",)


@dataclass(frozen=True)
class Essay:
    r"""An essay's text and where it came from.

    Attributes:
        name: how reports name the essay (its path relative to the marked folder,
            or ``-`` for standard input).
        text: the essay's text, newlines normalised to ``\n``.
        encoding: the encoding a text file (.txt, .md, .html) was decoded with;
            None for the other formats, whose text is not in a file encoding.
        student: the student's name or id, when Moodle or Canvas put it in the
            file name; else None.
        format: the file's format, its suffix without the dot (``docx``, ``txt``).
    """

    name: str
    text: str
    encoding: str | None = "utf-8"
    student: str | None = None
    format: str = "txt"


@dataclass(frozen=True)
class Submission:
    """One student's file, found but not yet read.

    Attributes:
        name: how reports name it: its path relative to the folder or zip given,
            ``<zip>/<entry>`` for an essay inside a zip in a folder.
        path: the file, or the zip that holds it.
        entry: the essay's own name inside the zip at ``path``; None for a file.
        problem: why it cannot be read, when that was known on listing it (a
            refused zip entry, a corrupt zip in a folder); ``load()`` raises it.
    """

    name: str
    path: Path
    entry: str | None = None
    problem: str | None = None

    def load(self) -> Essay:
        """Read the essay now.

        Raises:
            EssayReadError: the file is unreadable, empty, corrupt, encrypted,
                scanned, too large or of an unsupported format.
        """
        if self.problem is not None:
            raise EssayReadError(self.problem)
        if self.entry is None:
            return read_essay(self.path, name=self.name)
        with _open(self.path, self.name) as file:
            data = read_zip_entry(file, self.entry, self.name)
        return essay_from_bytes(data, self.name, _format_of(self.name))


def collect_submissions(path: Path) -> list[Submission]:
    """List the submissions in a folder, a zip, or a single file, sorted by name.

    A folder is searched below, skipping hidden files and folders, ``__MACOSX``
    and Office lock files (``~$...``), and not following links to folders (so a
    link loop cannot hang it); a zip in it is opened and its essays named
    ``<zip>/<entry>``; a corrupt zip in it becomes one submission that fails to
    load. Files of an unsupported format in a folder or zip are skipped.

    Raises:
        EssayReadError: ``path`` does not exist, a folder in it cannot be listed,
            or ``path`` is a zip that is corrupt or too large.
    """
    if path.is_dir():
        return _folder_submissions(path)
    if not path.exists():
        raise EssayReadError(f"{path}: no such file or folder. Check the path.")
    if path.suffix.lower() == ZIP_SUFFIX:
        return list(iter_zip_submissions(path))
    return [Submission(display_name(path.name), path)]


def iter_zip_submissions(path: Path) -> Iterator[Submission]:
    """Yield the essays in a zip as submissions, sorted by name, without unpacking any.

    Entry names are made safe (no ``..``, no absolute paths, ``/`` for backslashes).
    An entry that is too large or compressed like a zip bomb is still yielded,
    and refuses to load.

    Raises:
        EssayReadError: the zip cannot be opened, is corrupt, or its essays would
            unpack to more than MAX_ZIP_TOTAL_BYTES in all.
    """
    yield from _zip_submissions(path, str(path), prefix="")


def find_essays(folder: Path) -> list[Path]:
    """Return the .txt and .md files under ``folder``, sorted, hidden files skipped."""
    if not folder.is_dir():
        raise EssayReadError(
            f"{folder}: not a folder of essays. Pass the folder that holds the .txt or .md files."
        )
    return [path for _, path in _walk(folder) if path.suffix.lower() in ESSAY_SUFFIXES]


def read_essay(path: Path | str, name: str | None = None) -> Essay:
    """Read one essay file of any supported format (``-`` reads standard input as text).

    Args:
        path: the file, or ``-``.
        name: how reports and messages name the essay; the path if not given.

    Raises:
        EssayReadError: the file is missing, unreadable, too large, of an
            unsupported format, corrupt, encrypted, scanned, not text, or empty.
    """
    if str(path) == STDIN_NAME:
        name = name or STDIN_NAME
        data = sys.stdin.buffer.read(MAX_ESSAY_BYTES + 1)
        if len(data) > MAX_ESSAY_BYTES:
            raise _too_large_error(name, None)
        return decode_essay(data, name)
    path = Path(path)
    name = name or str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError as err:
        raise EssayReadError(f"{name}: no such file. Check the path.") from err
    except OSError as err:
        raise _unreadable_error(name, err) from err
    if path.is_dir():
        raise EssayReadError(
            f"{name}: is a folder; use `essaycheck mark` to mark a folder of essays."
        )
    fmt = _format_of(path.name)
    if fmt == ZIP_SUFFIX[1:]:
        raise EssayReadError(
            f"{name}: is a zip of submissions, not one essay. "
            "Mark the class with `essaycheck mark`, or unzip it to check one essay."
        )
    if fmt not in FORMATS:
        raise unsupported_error(name, fmt)
    if size > MAX_ESSAY_BYTES:
        raise _too_large_error(name, size)
    with _open(path, name) as file:
        try:
            data = file.read(MAX_ESSAY_BYTES + 1)
        except OSError as err:
            raise _unreadable_error(name, err) from err
    if len(data) > MAX_ESSAY_BYTES:  # it grew since stat()
        raise _too_large_error(name, None)
    return essay_from_bytes(data, name, fmt)


def decode_essay(data: bytes, name: str) -> Essay:
    """Decode a plain-text essay's bytes, in whatever encoding, and check it holds text."""
    return essay_from_bytes(data, name, "txt")


def essay_from_bytes(data: bytes, name: str, fmt: str) -> Essay:
    """Read an essay of format ``fmt`` (a suffix without the dot) from its bytes.

    Raises:
        EssayReadError: the format is unsupported, or the bytes are not a
            readable essay of it, or it holds no text.
    """
    if not data.strip():
        raise _empty_error(name)
    extracted = extract_text(data, name, fmt)
    if not extracted.text.strip():
        raise _empty_error(name)
    return Essay(
        name=name,
        text=extracted.text,
        encoding=extracted.encoding,
        student=student_from_filename(name),
        format=fmt,
    )


# --- folders and zips -------------------------------------------------------------


def _folder_submissions(folder: Path) -> list[Submission]:
    found: list[Submission] = []
    for relative, path in _walk(folder):
        name = display_name(relative)
        fmt = _format_of(path.name)
        if fmt == ZIP_SUFFIX[1:]:
            try:
                found.extend(_zip_submissions(path, name, prefix=f"{name}/"))
            except EssayReadError as err:
                found.append(Submission(name, path, problem=str(err)))
        elif fmt in FORMATS:
            found.append(Submission(name, path))
        else:
            logger.info("%s: skipped: not an essay format essaycheck reads", name)
    found.sort(key=lambda submission: submission.name)
    names = unique_names(submission.name for submission in found)
    return [replace(submission, name=name) for submission, name in zip(found, names, strict=True)]


def _zip_submissions(path: Path, zip_name: str, prefix: str) -> Iterator[Submission]:
    with _open(path, zip_name) as file:
        entries = list_zip_entries(file, zip_name, prefix)
    for entry in entries:
        yield Submission(entry.name, path, entry=entry.member, problem=entry.problem)


def _walk(folder: Path) -> Iterator[tuple[str, Path]]:
    """Yield (relative POSIX name, path) of every visible file below ``folder``, sorted.

    Links to folders are not followed, so a link loop cannot make this endless.
    """
    pending = [folder]
    found: list[tuple[str, Path]] = []
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as entries:
                listed = list(entries)
        except OSError as err:
            raise _unreadable_error(str(current), err) from err
        for entry in listed:
            if entry.name.startswith((".", "~$")) or entry.name in _SKIPPED_FOLDERS:
                continue
            path = current / entry.name
            if entry.is_dir(follow_symlinks=False):
                pending.append(path)
            elif entry.is_file():
                found.append((path.relative_to(folder).as_posix(), path))
    yield from sorted(found)


def _open(path: Path, name: str) -> BinaryIO:
    try:
        return path.open("rb")
    except FileNotFoundError as err:
        raise EssayReadError(f"{name}: no such file. Check the path.") from err
    except IsADirectoryError as err:
        raise EssayReadError(
            f"{name}: is a folder; use `essaycheck mark` to mark a folder of essays."
        ) from err
    except OSError as err:
        raise _unreadable_error(name, err) from err


def _format_of(name: str) -> str:
    return PurePosixPath(name).suffix.lower().removeprefix(".")


# --- messages -----------------------------------------------------------------------


def _empty_error(name: str) -> EssayReadError:
    return EssayReadError(f"{name}: is empty. There is nothing to mark.")


def _unreadable_error(name: str, err: OSError) -> EssayReadError:
    return EssayReadError(f"{name}: cannot be read ({err.strerror or err}). Check its permissions.")


def _too_large_error(name: str, size: int | None) -> EssayReadError:
    limit = f"the {format_size(MAX_ESSAY_BYTES)} limit for one essay"
    size_said = f"is {format_size(size)}, over {limit}" if size is not None else f"is over {limit}"
    return EssayReadError(
        f"{name}: {size_said}, so it was not read. Check that it is the essay "
        "(not a video or a scan), or ask the student for a smaller copy."
    )
