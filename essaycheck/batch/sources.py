"""What ``mark`` marks: a folder, a zip, one file, or a manifest that lists the essays.

A manifest is for marking at scale, where the essays are not in one folder: a
``.csv`` with a ``path`` column (and, if wanted, a ``name`` column: how the
reports name the essay), or a ``.jsonl`` file whose lines are each a path in
quotes or an object ``{"path": ..., "name": ...}``. A path is a file (relative
to the manifest's folder) or a URL that fsspec opens (``s3://``, ``gs://``,
``https://``, ``file://``; the file system's package, such as s3fs, must be
installed where the essays are read). The essays are listed in the manifest's
order. Every source is read only when its ``load()`` is called: on a cluster,
by the worker that marks it.
"""

from __future__ import annotations

import csv
import importlib
import importlib.util
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol
from urllib.parse import urlsplit

from essaycheck.batch.journal import essay_fingerprint
from essaycheck.errors import EssayReadError
from essaycheck.io.essays import Essay, collect_submissions, essay_from_bytes, read_essay
from essaycheck.io.formats import FORMATS, MAX_ESSAY_BYTES, format_size, unsupported_error
from essaycheck.io.names import display_name, student_from_filename, unique_names
from essaycheck.results import EssayResult

MANIFEST_SUFFIXES = (".csv", ".jsonl")
"""A file of one of these suffixes given to ``mark`` is a manifest, not an essay."""
MAX_MANIFEST_LINE_CHARS = 64 * 1024
"""The longest manifest line read: a path and a name, not an essay."""
_FSSPEC_HINT = (
    "Reading URLs needs fsspec: pip install fsspec, and the file system's package "
    "(s3fs for s3://, gcsfs for gs://) where the essays are read."
)


class Source(Protocol):
    """One essay to mark, not yet read: a ``Submission`` or a ``ManifestEntry``."""

    @property
    def name(self) -> str:
        """How reports name the essay; unique in its listing."""

    def load(self) -> Essay:
        """Read the essay now; raises EssayReadError if it cannot be read."""


@dataclass(frozen=True)
class Marked:
    """What became of one source: its result, or that the journal's result still holds.

    Attributes:
        name: the source's name.
        fingerprint: the essay's fingerprint (``""`` for one that could not be read).
        result: the essay's result, its text included; None when the essay is
            unchanged since the result the journal holds for it.
    """

    name: str
    fingerprint: str
    result: EssayResult | None = None


@dataclass(frozen=True)
class ManifestEntry:
    """One essay listed in a manifest: a local file (absolute path) or a URL."""

    name: str
    location: str

    def load(self) -> Essay:
        """Read the essay now.

        Raises:
            EssayReadError: it is missing, unreadable, of an unsupported format or empty.
        """
        if not is_url(self.location):
            return read_essay(Path(self.location), self.name)
        return _read_url(self.location, self.name)


def list_sources(path: Path) -> Sequence[Source]:
    """List what ``mark`` marks: a manifest's essays, or a folder's, a zip's or one file.

    Raises:
        EssayReadError: see ``collect_submissions``; or the manifest is unreadable,
            malformed (the line is named), lists nothing, or lists URLs without fsspec.
    """
    if path.suffix.lower() in MANIFEST_SUFFIXES and path.is_file():
        return read_manifest(path)
    return collect_submissions(path)


def read_manifest(path: Path) -> list[ManifestEntry]:
    """Read a manifest (``.csv`` or ``.jsonl``) into entries, in its order.

    Raises:
        EssayReadError: naming the manifest, the line, and what to fix.
    """
    where = display_name(str(path))
    try:
        with path.open(encoding="utf-8-sig", newline="") as lines:
            listed = list(
                _csv_rows(lines, where)
                if path.suffix.lower() == ".csv"
                else _jsonl_rows(lines, where)
            )
    except UnicodeDecodeError as err:
        raise EssayReadError(f"{where}: is not UTF-8 ({err.reason}). Save it as UTF-8.") from err
    except OSError as err:
        raise EssayReadError(f"{where}: cannot be read ({err.strerror or err}).") from err
    if not listed:
        raise EssayReadError(f"{where}: lists no essays. Add one path per line.")
    urls = [line for line, location, _ in listed if is_url(location)]
    if urls and importlib.util.find_spec("fsspec") is None:
        raise EssayReadError(f"{where}: line {urls[0]}: is a URL. {_FSSPEC_HINT}")
    folder = path.parent
    locations = [
        location if is_url(location) else str((folder / location).absolute())
        for _, location, _ in listed
    ]
    names = unique_names(display_name(name or location) for _, location, name in listed)
    return [ManifestEntry(n, loc) for n, loc in zip(names, locations, strict=True)]


def _csv_rows(lines: Iterator[str], where: str) -> Iterator[tuple[int, str, str | None]]:
    """Yield (line number, path, name or None) for each row of a manifest CSV."""
    rows = csv.reader(_limited(lines, where))
    header = [cell.strip().lower() for cell in next(rows, [])]
    if "path" not in header:
        raise EssayReadError(
            f"{where}: line 1: has no 'path' column (found: {', '.join(header) or 'nothing'}). "
            "Put a header line first, e.g. path,name, and one essay per line below it."
        )
    column, name_column = header.index("path"), header.index("name") if "name" in header else None
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        location = row[column].strip() if column < len(row) else ""
        if not location:
            raise EssayReadError(f"{where}: line {rows.line_num}: the path is empty. Fill it in.")
        name = (
            row[name_column].strip() if name_column is not None and name_column < len(row) else ""
        )
        yield rows.line_num, location, name or None


def _jsonl_rows(lines: Iterator[str], where: str) -> Iterator[tuple[int, str, str | None]]:
    """Yield (line number, path, name or None) for each line of a manifest JSONL file."""
    for number, line in enumerate(_limited(lines, where), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise EssayReadError(f"{where}: line {number}: not JSON ({err.msg}).") from err
        if isinstance(record, dict):
            location, name = record.get("path"), record.get("name")
        else:
            location, name = record, None
        if not isinstance(location, str) or not location.strip():
            raise EssayReadError(
                f'{where}: line {number}: should be "a path" or {{"path": "...", "name": "..."}}.'
            )
        if name is not None and not isinstance(name, str):
            raise EssayReadError(f"{where}: line {number}: the name should be text.")
        yield number, location.strip(), (name or "").strip() or None


def _limited(lines: Iterator[str], where: str) -> Iterator[str]:
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_MANIFEST_LINE_CHARS:
            raise EssayReadError(
                f"{where}: line {number}: is over {MAX_MANIFEST_LINE_CHARS:,} characters. "
                "A manifest lists paths, not essays."
            )
        yield line


def is_url(location: str) -> bool:
    """Whether a manifest's path is a URL (``s3://...``) rather than a file."""
    scheme = urlsplit(location).scheme
    return len(scheme) > 1 and "://" in location  # "C:\\essay.txt" is a Windows path


def _read_url(url: str, name: str) -> Essay:
    """Read an essay from a URL with fsspec, never more than MAX_ESSAY_BYTES."""
    fmt = PurePosixPath(urlsplit(url).path).suffix.lower().removeprefix(".")
    if fmt not in FORMATS:
        raise unsupported_error(name, fmt)
    try:
        fsspec = importlib.import_module("fsspec")
    except ImportError as err:
        raise EssayReadError(f"{name}: is a URL. {_FSSPEC_HINT}") from err
    try:
        with fsspec.open(url, "rb") as file:
            data: bytes = file.read(MAX_ESSAY_BYTES + 1)
    except (OSError, ValueError, ImportError) as err:  # a missing file system is an ImportError
        raise EssayReadError(
            f"{name}: cannot be read ({err}). Check the URL, and that the file system's "
            "package and credentials are installed where the essays are read."
        ) from err
    if len(data) > MAX_ESSAY_BYTES:
        raise EssayReadError(
            f"{name}: is over the {format_size(MAX_ESSAY_BYTES)} limit for one essay, so it "
            "was not read. Check that it is the essay."
        )
    return essay_from_bytes(data, name, fmt)


def read_source(source: Source, saved: str | None) -> tuple[Essay, str] | Marked:
    """Read one source to mark: its essay and fingerprint, or what to record instead.

    An essay that cannot be read is a failed result; one whose fingerprint is
    ``saved`` (the journal's, on resume) is unchanged, and is not marked again.
    """
    try:
        essay = source.load()
    except EssayReadError as err:
        student = student_from_filename(source.name.rsplit("/", 1)[-1])
        return Marked(
            source.name, "", EssayResult(name=source.name, error=str(err), student=student)
        )
    fingerprint = essay_fingerprint(essay.text)
    if fingerprint == saved:
        return Marked(source.name, fingerprint)
    return essay, fingerprint
