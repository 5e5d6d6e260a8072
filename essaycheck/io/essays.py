"""Find essays in a folder and read them as text."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from essaycheck.errors import EssayReadError

ESSAY_SUFFIXES = (".txt", ".md")
STDIN_NAME = "-"
# Tried in order: a UTF-8 file (with or without BOM) decodes first; Word's cp1252
# is the commonest other encoding teachers receive; latin-1 decodes any bytes.
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


@dataclass(frozen=True)
class Essay:
    r"""An essay's text and where it came from.

    Attributes:
        name: how reports name the essay (its path relative to the marked folder,
            or ``-`` for standard input).
        text: the essay's text, newlines normalised to ``\\n``.
        encoding: the encoding the file was decoded with.
    """

    name: str
    text: str
    encoding: str = "utf-8"


def find_essays(folder: Path) -> list[Path]:
    """Return the essay files under ``folder``, sorted, hidden files skipped."""
    if not folder.is_dir():
        raise EssayReadError(
            f"{folder}: not a folder of essays. Pass the folder that holds the .txt or .md files."
        )
    found = [
        path
        for path in folder.rglob("*")
        if path.suffix.lower() in ESSAY_SUFFIXES
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
        and path.is_file()
    ]
    return sorted(found, key=lambda path: path.relative_to(folder).as_posix())


def read_essay(path: Path | str, name: str | None = None) -> Essay:
    """Read one essay file (``-`` reads standard input).

    Raises:
        EssayReadError: the file is missing, unreadable, not text, or empty.
    """
    if str(path) == STDIN_NAME:
        data = sys.stdin.buffer.read()
        return decode_essay(data, name or STDIN_NAME)
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as err:
        raise EssayReadError(f"{path}: no such file. Check the path.") from err
    except IsADirectoryError as err:
        raise EssayReadError(
            f"{path}: is a folder; use `essaycheck mark` to mark a folder of essays."
        ) from err
    except OSError as err:
        raise EssayReadError(
            f"{path}: cannot be read ({err.strerror}). Check its permissions."
        ) from err
    return decode_essay(data, name or str(path))


def decode_essay(data: bytes, name: str) -> Essay:
    """Decode an essay's bytes, trying UTF-8 first, and check it holds text."""
    if b"\x00" in data[:4096]:
        raise EssayReadError(
            f"{name}: looks like a binary file, not text. "
            "Save the essay as plain text (.txt) and try again."
        )
    text, encoding = _decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise EssayReadError(f"{name}: is empty. There is nothing to mark.")
    used = "utf-8" if encoding == "utf-8-sig" else encoding
    return Essay(name=name, text=text, encoding=used)


def _decode(data: bytes) -> tuple[str, str]:
    for encoding in ENCODINGS[:-1]:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode(ENCODINGS[-1]), ENCODINGS[-1]
