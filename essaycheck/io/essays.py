"""Find essays and read them: one file, a folder of them, or a Moodle or Canvas zip.

``collect_submissions`` lists what a teacher downloaded (a folder, a zip, or one
file) as Submissions, each read only when its ``load()`` is called, so a whole
class never sits in memory. ``read_essay`` reads one file of any supported
format; ``find_essays`` lists a folder's .txt and .md files.

No student goes missing without a word: everything in the folder is listed,
except folders themselves and the files systems add (``is_skipped_name``:
hidden files, ``__MACOSX``, ``Thumbs.db``, Office ``~$`` lock files). What cannot
be marked (another format, a named pipe, a folder that cannot be listed, a
link out of the folder) is listed too, and its ``load()`` says why.

Nothing outside the folder is read. Links are never followed: a link whose
target lies outside the folder (or is missing) is listed as a submission that
refuses to load; one whose target lies inside it is left out, since what it
points to is listed under its own name, and marking it twice would count the
student twice. A file found in the folder is opened without following a link
at any step below the folder, so a link swapped in after listing is refused
too. Only regular files are opened, and never in a way that could wait on a
named pipe or a device.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from essaycheck.errors import EssayReadError
from essaycheck.io.archives import ZIP_FORMAT, ZipEntry, list_zip_entries
from essaycheck.io.formats import (
    FORMATS,
    MAX_ESSAY_BYTES,
    extract_text,
    format_size,
    unreadable_error,
    unsupported_error,
)
from essaycheck.io.names import (
    display_name,
    is_skipped_name,
    student_from_filename,
    unique_names,
)

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
STDIN_NAME = "-"
# Flags this platform may lack (Windows has no links to fear, nor named pipes on disk).
_NOFOLLOW: int = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK: int = getattr(os, "O_NONBLOCK", 0)  # opening a named pipe must not wait
_BINARY: int = getattr(os, "O_BINARY", 0)
_DIRECTORY: int = getattr(os, "O_DIRECTORY", 0)
_CAN_WALK = os.open in os.supports_dir_fd and bool(_NOFOLLOW and _DIRECTORY)
# What opening a link with O_NOFOLLOW gives: ELOOP, or ENOTDIR for one that stands
# for a folder (opened with O_DIRECTORY), or EMLINK on FreeBSD.
_LINK_ERRNOS = frozenset({errno.ELOOP, errno.ENOTDIR, errno.EMLINK})


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
        warnings: what reading it found that a teacher should know (a stray byte
            replaced, broken characters), shown with its result.
    """

    name: str
    text: str
    encoding: str | None = "utf-8"
    student: str | None = None
    format: str = "txt"
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Submission:
    """One student's file, found but not yet read.

    Attributes:
        name: how reports name it: its path relative to the folder or zip given,
            ``<zip>/<entry>`` for an essay inside a zip in a folder; always passed
            through ``display_name`` and unique in its listing.
        path: the file, or the zip that holds it.
        entry: the essay inside the zip at ``path``; None for a file.
        problem: why it cannot be read, when that was known on listing it (a
            refused zip entry, a corrupt zip in a folder, a link out of the
            folder); ``load()`` raises it.
        folder: the folder it was found in; the file is then opened without
            following any link below it. None for a file named by the caller.
    """

    name: str
    path: Path
    entry: ZipEntry | None = None
    problem: str | None = None
    folder: Path | None = None

    def load(self) -> Essay:
        """Read the essay now.

        Raises:
            EssayReadError: the file is unreadable, empty, corrupt, encrypted,
                scanned, too large, not a regular file or of an unsupported format.
        """
        if self.problem is not None:
            raise EssayReadError(self.problem)
        if self.entry is None:
            return _read_file(self.path, self.name, self.folder)
        return essay_from_bytes(self.entry.read(self.name), self.name, self.entry.format)


def collect_submissions(path: Path) -> list[Submission]:
    """List the submissions in a folder, a zip, or a single file, sorted by name.

    A folder is searched below: every file in it is a submission, except the
    files systems add (see the module's docstring). A file of an unsupported
    format, a named pipe or device, a link out of the folder, or a subfolder
    that cannot be listed is a submission that fails to load, with the reason.
    A zip in the folder is opened and its entries named ``<zip>/<entry>``; a
    corrupt zip in it becomes one submission that fails to load.

    Raises:
        EssayReadError: ``path`` does not exist, cannot be listed, holds no
            submissions at all, or is a zip that is corrupt or too large.
    """
    if path.is_dir():
        found = _folder_submissions(path)
        if not found:
            raise _no_essays_error(display_name(str(path)))
        return found
    if not path.exists():
        raise EssayReadError(f"{display_name(str(path))}: no such file or folder. Check the path.")
    if _format_of(path.name) == ZIP_FORMAT:
        return list(iter_zip_submissions(path))
    return [Submission(display_name(path.name), path)]


def iter_zip_submissions(path: Path) -> Iterator[Submission]:
    """Yield the entries of a zip as submissions, sorted by name, without unpacking any.

    Entry names are made safe (no ``..``, no absolute paths, ``/`` for backslashes)
    and unique. An entry that is too large, compressed like a zip bomb, a link or
    of an unsupported format is still yielded, and refuses to load.

    Raises:
        EssayReadError: the zip cannot be opened, is corrupt, holds no entries
            but folders and hidden files, or its essays would unpack to more than
            MAX_ZIP_TOTAL_BYTES in all.
    """
    yield from _zip_submissions(path, display_name(str(path)), prefix="", folder=None)


def find_essays(folder: Path) -> list[Path]:
    """Return the readable .txt and .md files under ``folder``, sorted, hidden files skipped."""
    if not folder.is_dir():
        raise EssayReadError(
            f"{folder}: not a folder of essays. Pass the folder that holds the .txt or .md files."
        )
    found = sorted(_walk(folder), key=lambda item: item[0])
    return [
        path
        for _, path, problem in found
        if problem is None and path.suffix.lower() in ESSAY_SUFFIXES
    ]


def read_essay(path: Path | str, name: str | None = None) -> Essay:
    """Read one essay file of any supported format (``-`` reads standard input as text).

    A link named here is followed: the caller chose the file. A named pipe, a
    device or a socket is refused without being opened.

    Args:
        path: the file, or ``-``.
        name: how reports and messages name the essay; the path if not given.

    Raises:
        EssayReadError: the file is missing, unreadable, too large, of an
            unsupported format, corrupt, encrypted, scanned, not text, not a
            regular file, or empty.
    """
    if str(path) == STDIN_NAME:
        name = name or STDIN_NAME
        data = sys.stdin.buffer.read(MAX_ESSAY_BYTES + 1)
        if len(data) > MAX_ESSAY_BYTES:
            raise _too_large_error(name, None)
        return decode_essay(data, name)
    path = Path(path)
    return _read_file(path, name or str(path), folder=None)


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
        warnings=extracted.warnings,
    )


# --- folders and zips -------------------------------------------------------------


def _folder_submissions(folder: Path) -> list[Submission]:
    found: list[Submission] = []
    for name, path, problem in _walk(folder):
        if problem is not None:
            found.append(Submission(name, path, problem=problem, folder=folder))
        elif _format_of(path.name) == ZIP_FORMAT:
            try:
                found.extend(_zip_submissions(path, name, prefix=f"{name}/", folder=folder))
            except EssayReadError as err:
                found.append(Submission(name, path, problem=str(err), folder=folder))
        else:
            found.append(Submission(name, path, folder=folder))
    found.sort(key=lambda submission: submission.name)
    names = unique_names(submission.name for submission in found)
    return [_renamed(submission, name) for submission, name in zip(found, names, strict=True)]


def _zip_submissions(
    path: Path, zip_name: str, prefix: str, folder: Path | None
) -> Iterator[Submission]:
    entries = list_zip_entries(partial(_open_file, path, folder=folder), zip_name, prefix)
    if not entries:
        raise EssayReadError(
            f"{zip_name}: no essays found in the zip: it holds only folders and the files "
            "systems add (hidden files, __MACOSX). Check that it is the class's download, "
            "or download it again."
        )
    for entry in entries:
        yield Submission(entry.name, path, entry=entry, problem=entry.problem, folder=folder)


def _renamed(submission: Submission, name: str) -> Submission:
    """Give a submission its unique name, in its problem's message too."""
    if name == submission.name:
        return submission
    problem = submission.problem
    if problem is not None and problem.startswith(f"{submission.name}: "):
        problem = name + problem[len(submission.name) :]
    return replace(submission, name=name, problem=problem)


def _walk(folder: Path) -> Iterator[tuple[str, Path, str | None]]:
    """Yield (report name, path, problem) for every file below ``folder`` that is listed.

    ``problem`` is None for a regular file; else it says why the thing found (a
    link out of the folder, a named pipe, a subfolder that cannot be listed)
    will not be read. Folders are searched, never followed through a link, so a
    link loop cannot make this endless.

    Raises:
        EssayReadError: ``folder`` itself cannot be listed.
    """
    root = os.path.realpath(folder)
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as entries:
                listed = list(entries)
        except OSError as err:
            if current == folder:
                raise _unreadable_error(display_name(str(folder)), err, "listed") from err
            name = f"{_relative_name(folder, current)}/"
            yield name, current, str(_unlistable_error(name, err))
            continue
        for entry in listed:
            if is_skipped_name(entry.name):
                continue
            path = current / entry.name
            name = _relative_name(folder, path)
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except FileNotFoundError:
                continue  # gone since the folder was listed
            except OSError as err:
                yield name, path, str(_unreadable_error(name, err))
                continue
            if stat.S_ISDIR(mode):
                pending.append(path)
            elif stat.S_ISLNK(mode):
                problem = _link_problem(path, name, root)
                if problem is not None:
                    yield name, path, problem
            elif stat.S_ISREG(mode):
                yield name, path, None
            else:
                yield name, path, str(_not_a_file_error(name, mode))


def _relative_name(folder: Path, path: Path) -> str:
    return display_name(path.relative_to(folder).as_posix())


def _link_problem(path: Path, name: str, root: str) -> str | None:
    """Return why a link found in the folder is refused, or None to leave it out.

    A link into the folder is left out, since its target is listed under its own
    name, unless the target is one of the files skipped (a hidden file).
    """
    target = os.path.realpath(path)
    try:
        mode = path.stat().st_mode
    except OSError:
        what = "nothing that can be read (its target is missing, or the link loops)"
    else:
        kind = "folder" if stat.S_ISDIR(mode) else "file"
        if not _is_inside(target, root):
            what = f"a {kind} outside the folder"
        elif any(is_skipped_name(part) for part in Path(os.path.relpath(target, root)).parts):
            what = f"a hidden or system {kind} in the folder, which is not marked"
        else:
            logger.info("%s: left out: a link to %s, which is listed itself", name, target)
            return None
    return (
        f"{name}: is a link to {what}; it was not read. "
        "Put the essay itself in the folder, not a link to it."
    )


def _is_inside(target: str, root: str) -> bool:
    try:
        return os.path.commonpath([target, root]) == root
    except ValueError:  # on another drive
        return False


# --- opening files ------------------------------------------------------------------


def _read_file(path: Path, name: str, folder: Path | None) -> Essay:
    """Read an essay file; below ``folder`` (when given), through no link."""
    try:
        info = path.lstat() if folder is not None else path.stat()
    except FileNotFoundError as err:
        raise EssayReadError(f"{name}: no such file. Check the path.") from err
    except OSError as err:
        raise _unreadable_error(name, err) from err
    _check_regular(info.st_mode, name)
    fmt = _format_of(path.name)
    if fmt == ZIP_FORMAT:
        raise EssayReadError(
            f"{name}: is a zip of submissions, not one essay. "
            "Mark the class with `essaycheck mark`, or unzip it to check one essay."
        )
    if fmt not in FORMATS:
        raise unsupported_error(name, fmt)
    if info.st_size > MAX_ESSAY_BYTES:
        raise _too_large_error(name, info.st_size)
    with _open_file(path, name, folder) as file:
        try:
            data = file.read(MAX_ESSAY_BYTES + 1)
        except OSError as err:
            raise _unreadable_error(name, err) from err
    if len(data) > MAX_ESSAY_BYTES:  # it grew since stat()
        raise _too_large_error(name, None)
    return essay_from_bytes(data, name, fmt)


def _open_file(path: Path, name: str, folder: Path | None) -> BinaryIO:
    """Open a regular file for reading; below ``folder`` (when given), through no link.

    Raises:
        EssayReadError: it is missing, unreadable, a link, or not a regular file.
    """
    try:
        if folder is None:  # checked before opening: opening a named pipe would wait
            _check_regular(path.stat().st_mode, name)
        file = _open_binary(path, folder)
    except FileNotFoundError as err:
        raise EssayReadError(f"{name}: no such file. Check the path.") from err
    except OSError as err:
        if folder is not None and err.errno in _LINK_ERRNOS:
            raise _link_error(name) from err
        raise _unreadable_error(name, err) from err
    try:
        _check_regular(os.fstat(file.fileno()).st_mode, name)
    except EssayReadError:
        file.close()
        raise
    return file


def _open_binary(path: Path, folder: Path | None) -> BinaryIO:
    """Open a file as _open_file does, letting OSError out.

    A file the caller named is checked to be a regular file just before, by its
    path; a file found in a folder, which anyone who can write there
    could swap, is opened so that neither a link nor a named pipe can catch it.
    """
    if folder is None:
        return path.open("rb")
    flags = os.O_RDONLY | _BINARY | _NONBLOCK | _NOFOLLOW
    descriptor = _open_below(folder, path, flags) if _CAN_WALK else os.open(path, flags)
    return os.fdopen(descriptor, "rb")


def _open_below(folder: Path, path: Path, flags: int) -> int:
    """Open ``path`` one step at a time from ``folder``, refusing a link at every step."""
    *steps, last = path.relative_to(folder).parts
    directory = os.open(folder, os.O_RDONLY | _DIRECTORY)
    try:
        for step in steps:
            inner = os.open(step, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd=directory)
            os.close(directory)
            directory = inner
        return os.open(last, flags, dir_fd=directory)
    finally:
        os.close(directory)


def _check_regular(mode: int, name: str) -> None:
    """Refuse a folder, a link or anything else that is not a regular file."""
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise EssayReadError(
            f"{name}: is a folder; use `essaycheck mark` to mark a folder of essays."
        )
    if stat.S_ISLNK(mode):
        raise _link_error(name)
    raise _not_a_file_error(name, mode)


def _format_of(name: str) -> str:
    return PurePosixPath(name).suffix.lower().removeprefix(".")


# --- messages -----------------------------------------------------------------------


def _empty_error(name: str) -> EssayReadError:
    return EssayReadError(f"{name}: is empty. There is nothing to mark.")


def _unreadable_error(name: str, err: OSError, done: str = "read") -> EssayReadError:
    return unreadable_error(name, err, done)


def _unlistable_error(name: str, err: OSError) -> EssayReadError:
    return EssayReadError(
        f"{name}: cannot be listed ({err.strerror or err}), so any essays in it were "
        "not read. Check its permissions and mark the class again."
    )


def _no_essays_error(name: str) -> EssayReadError:
    return EssayReadError(
        f"{name}: no essays found: it holds nothing but folders and the files systems "
        "add (hidden files, __MACOSX, Thumbs.db). Check the folder, or pass the folder "
        "or zip the class's submissions were downloaded to."
    )


def _link_error(name: str) -> EssayReadError:
    return EssayReadError(
        f"{name}: is a link, or lies in a folder that is a link; it was not read. "
        "Put the essay itself in the folder, not a link to it."
    )


def _not_a_file_error(name: str, mode: int) -> EssayReadError:
    if stat.S_ISFIFO(mode):
        kind = "a named pipe (FIFO)"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    else:
        kind = "something else"
    return EssayReadError(
        f"{name}: is {kind}, not a regular file, so it was not read. "
        "Give essaycheck the essay file itself."
    )


def _too_large_error(name: str, size: int | None) -> EssayReadError:
    limit = f"the {format_size(MAX_ESSAY_BYTES)} limit for one essay"
    size_said = f"is {format_size(size)}, over {limit}" if size is not None else f"is over {limit}"
    return EssayReadError(
        f"{name}: {size_said}, so it was not read. Check that it is the essay "
        "(not a video or a scan), or ask the student for a smaller copy."
    )
