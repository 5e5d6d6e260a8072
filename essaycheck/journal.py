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
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from essaycheck.feedback import EssayResult, Evidence, PointResult
from essaycheck.rubric import Rubric
from essaycheck.verification import Objection

JOURNAL_FORMAT = 1


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


def read_journal(path: Path, key: JournalKey, rubric: Rubric) -> dict[str, tuple[str, EssayResult]]:
    """Return the journal's results by essay name, with each essay's fingerprint.

    A journal for another rubric, engine or format, or a missing one, gives nothing;
    a line cut short by an interruption is skipped (that essay is marked again).
    """
    if not path.is_file():
        return {}
    results: dict[str, tuple[str, EssayResult]] = {}
    with path.open(encoding="utf-8") as lines:
        header = _parse(next(lines, ""))
        if header != key.to_dict():
            return {}
        for line in lines:
            record = _parse(line)
            if record is None:
                continue
            results[record["name"]] = (record["fingerprint"], _result(record, rubric))
    return results


def open_journal(path: Path, key: JournalKey, *, resume: bool) -> IO[str]:
    """Open the journal for appending; a fresh journal (or another key) starts over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    keep = resume and path.is_file() and _first_line(path) == key.to_dict()
    journal = path.open("a" if keep else "w", encoding="utf-8")
    if not keep:
        journal.write(json.dumps(key.to_dict(), sort_keys=True) + "\n")
        journal.flush()
    return journal


def write_entry(journal: IO[str], fingerprint: str, result: EssayResult) -> None:
    """Append one essay's result, and flush it to disk at once."""
    journal.write(json.dumps(_record(fingerprint, result), sort_keys=True) + "\n")
    journal.flush()


def _record(fingerprint: str, result: EssayResult) -> dict[str, Any]:
    return {
        "name": result.name,
        "fingerprint": fingerprint,
        "error": result.error,
        "text": result.text,
        "student": result.student,
        "warnings": list(result.warnings),
        "format": result.format,
        "encoding": result.encoding,
        "points": [
            {
                "id": point.point.id,
                "is_covered": point.is_covered,
                "score": point.score,
                "needs_review": point.needs_review,
                "evidence": point.evidence.to_dict() if point.evidence else None,
                "note": point.note.to_dict() if point.note else None,
            }
            for point in result.points
        ],
    }


def _result(record: dict[str, Any], rubric: Rubric) -> EssayResult:
    points = {point.id: point for point in rubric}
    return EssayResult(
        name=record["name"],
        points=tuple(
            PointResult(
                points[item["id"]],
                item["is_covered"],
                item["score"],
                item["needs_review"],
                Evidence(**item["evidence"]) if item["evidence"] else None,
                Objection(**item["note"]) if item["note"] else None,
            )
            for item in record["points"]
        ),
        error=record["error"],
        text=record["text"],
        student=record["student"],
        warnings=tuple(record["warnings"]),
        format=record["format"],
        encoding=record["encoding"],
    )


def _parse(line: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None


def _first_line(path: Path) -> Any:
    with path.open(encoding="utf-8") as lines:
        return _parse(next(lines, ""))
