"""The marking journal: each essay's result saved as soon as it is marked.

``mark`` appends one JSON line per essay to a journal beside the output folder,
and writes the reports only once every essay is in. If marking is interrupted
(Ctrl-C, a crash, a closed laptop), ``mark --resume`` reads the journal back,
marks only the essays that are missing from it or have changed since, and ends
with exactly the reports an uninterrupted run writes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, overload

from essaycheck.results import EssayResult
from essaycheck.rubric import Rubric

JOURNAL_FORMAT = 2


@dataclass(frozen=True)
class JournalKey:
    """What a journal was written for: results from another rubric or engine are not reused."""

    rubric_sha256: str
    engine: str

    def to_dict(self) -> dict[str, Any]:
        """Return the key as JSON-ready data."""
        return {
            "format": JOURNAL_FORMAT,
            "rubric_sha256": self.rubric_sha256,
            "engine": self.engine,
        }


def essay_fingerprint(text: str) -> str:
    """A fingerprint of an essay's text: a changed essay is marked again on resume."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Entry:
    """Where one essay's result sits in the journal, and the fingerprint it was marked at."""

    fingerprint: str
    offset: int


def index_journal(path: Path, key: JournalKey) -> dict[str, Entry]:
    """Return where each essay's latest result is in the journal, by essay name.

    Only positions are kept, never the results: a class's journal can be far
    larger than memory should hold. A journal for another rubric, engine or
    format, or a missing one, gives nothing; a line cut short by an interruption
    is skipped (that essay is marked again).
    """
    if not path.is_file():
        return {}
    entries: dict[str, Entry] = {}
    with path.open("rb") as lines:
        header = _parse(lines.readline())
        if header != key.to_dict():
            return {}
        offset = lines.tell()
        for line in iter(lines.readline, b""):
            record = _parse(line)
            if isinstance(record, dict) and "path" in record:
                entries[record["path"]] = Entry(str(record.get("fingerprint", "")), offset)
            offset += len(line)
    return entries


class StoredResults(Sequence[EssayResult]):
    """The results of a class, read from the journal one at a time, in a given order.

    Reports iterate over a class more than once; holding it in memory would
    grow with the class, so each pass reads the journal again.
    """

    def __init__(self, path: Path, offsets: Sequence[int], rubric: Rubric) -> None:
        self.path = path
        self.offsets = tuple(offsets)
        self.rubric = rubric

    def __len__(self) -> int:
        return len(self.offsets)

    @overload
    def __getitem__(self, index: int) -> EssayResult: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[EssayResult]: ...

    def __getitem__(self, index: int | slice) -> EssayResult | Sequence[EssayResult]:
        if isinstance(index, slice):
            return StoredResults(self.path, self.offsets[index], self.rubric)
        with self.path.open("rb") as journal:
            return self._read(journal, self.offsets[index])

    def __iter__(self) -> Iterator[EssayResult]:
        with self.path.open("rb") as journal:
            for offset in self.offsets:
                yield self._read(journal, offset)

    def _read(self, journal: IO[bytes], offset: int) -> EssayResult:
        journal.seek(offset)
        record = json.loads(journal.readline())
        return EssayResult.from_dict(record, self.rubric, text=record["text"])


class AmendedResults(Sequence[EssayResult]):
    """A class's results, each changed by ``amend`` as it is read (the class is never all held).

    ``mark`` attaches each essay's copying this way, and the reports the teacher's
    overrides. ``amend`` must pickle (a module's function, or a ``partial`` of one):
    a worker process may write a report from these results.
    """

    def __init__(
        self, results: Sequence[EssayResult], amend: Callable[[EssayResult], EssayResult]
    ) -> None:
        self.results = results
        self.amend = amend

    def __len__(self) -> int:
        return len(self.results)

    @overload
    def __getitem__(self, index: int) -> EssayResult: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[EssayResult]: ...

    def __getitem__(self, index: int | slice) -> EssayResult | Sequence[EssayResult]:
        if isinstance(index, slice):
            return AmendedResults(self.results[index], self.amend)
        return self.amend(self.results[index])

    def __iter__(self) -> Iterator[EssayResult]:
        return map(self.amend, self.results)


def open_journal(path: Path, key: JournalKey, *, resume: bool) -> IO[str]:
    """Open the journal for appending; a fresh journal (or another key) starts over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    keep = resume and path.is_file() and _first_line(path) == key.to_dict()
    journal = path.open("a" if keep else "w", encoding="utf-8")
    if not keep:
        journal.write(json.dumps(key.to_dict(), sort_keys=True) + "\n")
    elif not _ends_a_line(path):
        journal.write("\n")  # after a line cut short, the next entry starts a line of its own
    journal.flush()
    return journal


def write_entry(journal: IO[str], fingerprint: str, result: EssayResult) -> None:
    """Append one essay's result, and flush it to disk at once."""
    journal.write(json.dumps(_record(fingerprint, result), sort_keys=True) + "\n")
    journal.flush()


def _record(fingerprint: str, result: EssayResult) -> dict[str, Any]:
    """One essay's journal line: its result at full precision, its text and fingerprint."""
    return {**result.to_dict(rounded=False), "fingerprint": fingerprint, "text": result.text}


def _parse(line: str | bytes) -> Any:
    try:
        return json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def _ends_a_line(path: Path) -> bool:
    with path.open("rb") as journal:
        journal.seek(-1, 2)
        return journal.read(1) == b"\n"


def _first_line(path: Path) -> Any:
    with path.open(encoding="utf-8") as lines:
        return _parse(next(lines, ""))
