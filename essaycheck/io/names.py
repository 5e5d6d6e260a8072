"""Names of submissions: the student in a platform's file name, and safe report names.

Moodle names each downloaded file ``Firstname Lastname_<id>_assignsubmission_file_<file>``
(or puts it in a folder of that name); Canvas names it
``lastnamefirstname_<user id>_<submission id>_<file>``, with ``LATE_`` after the
name for a late submission.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

MOODLE = re.compile(r"^(?P<student>.+?)_\d+_assignsubmission_[a-z]+(?:_|$)")
CANVAS = re.compile(r"^(?P<student>[^\W_]+)_(?:LATE_)?\d{3,}_\d{3,}_.")
_DRIVE = re.compile(r"^[A-Za-z]:$")


def student_from_filename(name: str) -> str | None:
    """Return the student's name or id that Moodle or Canvas put in a file name.

    ``name`` may be a relative path: Moodle's "download in folders" option puts
    the student in the folder's name, so the file name is tried first, then each
    folder from the innermost out.

    Returns:
        ``"Firstname Lastname"`` for Moodle, ``"lastnamefirstname"`` for Canvas,
        or None when the name follows neither platform's pattern.
    """
    for part in reversed(PurePosixPath(name.replace("\\", "/")).parts):
        moodle = MOODLE.match(part)
        if moodle:
            return moodle["student"].strip() or None
        canvas = CANVAS.match(part)
        if canvas and canvas["student"] == canvas["student"].lower():
            return canvas["student"]
    return None


def display_name(name: str) -> str:
    """Replace control characters (newlines, tabs) in a name with spaces.

    Report names end up in CSV rows, Markdown headings and terminal lines, where
    a newline would break the layout.
    """
    return "".join(" " if unicodedata.category(char) == "Cc" else char for char in name)


def safe_entry_name(member: str) -> str:
    """Turn a zip entry's name into a safe relative name inside the zip.

    Backslashes count as separators; absolute paths and drive letters lose their
    root; ``..`` climbs within the name but never above its top; ``.`` and empty
    parts go. ``"evil/../../x.txt"`` becomes ``"x.txt"``; ``"/etc/x.txt"``
    becomes ``"etc/x.txt"``. Returns ``""`` when nothing is left.
    """
    parts: list[str] = []
    for index, part in enumerate(member.replace("\\", "/").split("/")):
        if part in ("", ".") or (index == 0 and _DRIVE.match(part)):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(display_name(part))
    return "/".join(parts)


def unique_names(names: Iterable[str]) -> list[str]:
    """Make names unique, in order, by numbering repeats: ``a.txt``, ``a (2).txt``."""
    seen: set[str] = set()
    unique = []
    for name in names:
        candidate, number = name, 1
        while candidate in seen:
            number += 1
            path = PurePosixPath(name)
            candidate = str(path.with_name(f"{path.stem} ({number}){path.suffix}"))
        seen.add(candidate)
        unique.append(candidate)
    return unique


def feedback_file_names(names: Sequence[str]) -> dict[str, str]:
    """Map each essay name to its feedback file's path inside ``feedback/``.

    The path keeps the essay's folders but can never leave ``feedback/``: empty,
    ``.`` and ``..`` parts are dropped, and control characters replaced.
    """
    safe = {name: _safe_relative(name) for name in names}
    by_stem: dict[str, int] = {}
    for name in safe.values():
        stem = str(PurePosixPath(name).with_suffix(""))
        by_stem[stem] = by_stem.get(stem, 0) + 1
    files = {}
    for original, name in safe.items():
        stem = str(PurePosixPath(name).with_suffix(""))
        files[original] = (stem if by_stem[stem] == 1 else name) + ".md"
    return files


def _safe_relative(name: str) -> str:
    cleaned = "".join(" " if ord(c) < 32 else c for c in name.replace("\\", "/"))
    parts = [part for part in cleaned.split("/") if part not in {"", ".", ".."}]
    return "/".join(parts) or "essay"
