"""Artefact files: every JSON file essaycheck writes or reads goes through one pair.

Writes are atomic: the text goes to a hidden file beside the target, which then
replaces it, so an interrupted write never leaves half a rubric or calibration.
A read that fails raises the caller's error, naming the file and what to do; the
text is parsed with documents.py's limits.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from essaycheck.errors import EssaycheckError
from essaycheck.io.documents import DocumentError, load_json, read_limited

MAX_ARTEFACT_BYTES = 8 * 1024 * 1024
"""The largest JSON artefact :func:`read_json` reads: a calibration, a decision rule and
a model's meta.json are a few kilobytes (the largest shipped one is 13 KB)."""


def write_text_atomically(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path``, replacing it only once all of it is written."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(text, "utf-8")
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def dump_json(data: Any) -> str:
    """Return ``data`` as essaycheck writes JSON: sorted, indented, a final newline."""
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def write_json(path: Path, data: Any) -> None:
    """Write sorted, indented JSON with a final newline, atomically."""
    write_text_atomically(path, dump_json(data))


def read_json(
    path: Path,
    error: type[EssaycheckError],
    remedy: str,
    *,
    max_bytes: int = MAX_ARTEFACT_BYTES,
) -> Any:
    """Read a JSON artefact; any failure is ``error`` naming the file and what to do.

    The file is parsed as :func:`load_json` parses text, and may be at most
    ``max_bytes`` long.
    """
    try:
        return load_json(read_limited(path, max_bytes).decode("utf-8"))
    except FileNotFoundError as err:
        raise error(f"{path}: missing. {remedy}") from err
    except (OSError, UnicodeDecodeError, DocumentError) as err:
        raise error(f"{path}: unreadable ({err}). {remedy}") from err
