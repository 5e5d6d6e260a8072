"""Names of submissions: the student in a platform's file name, and safe report names.

Moodle names each downloaded file ``Firstname Lastname_<id>_assignsubmission_file_<file>``
(or puts it in a folder of that name); Canvas names it
``lastnamefirstname_<user id>_<submission id>_<file>``, with ``LATE_`` after the
name for a late submission.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

MOODLE = re.compile(r"^(?P<student>.+?)_\d+_assignsubmission_[a-z]+(?:_|$)")
CANVAS = re.compile(r"^(?P<student>[^\W_]+)_(?:LATE_)?\d{3,}_\d{3,}_.")
# The same patterns, keeping what the platforms match an upload on: Moodle's participant
# id and plugin, Canvas's user id and file (attachment) id.
_MOODLE_IDS = re.compile(
    r"^(?P<student>.+?)_(?P<user>\d+)_assignsubmission_(?P<plugin>[a-z]+)(?:_|$)"
)
_CANVAS_IDS = re.compile(
    r"^(?P<student>[^\W_]+)_(?P<late>LATE_)?(?P<user>\d{3,})_(?P<file>\d{3,})_."
)
_DRIVE = re.compile(r"^[A-Za-z]:$")
SKIPPED_NAMES = frozenset({"__macosx", "thumbs.db", "ehthumbs.db", "desktop.ini", "icon\r"})
"""Names (case-folded) that systems add to folders and zips; never a student's essay."""
MAX_NAME_BYTES = 255
"""The longest file or folder name that ext4, APFS and NTFS all take, in UTF-8 bytes."""
FEEDBACK_SUFFIX = ".md"
# Characters that reorder the text around them (U+202E shows "evil\u202etxt.exe" as
# "evilexe.txt"): the embeddings, overrides and isolates, and the direction marks.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_LINE_BREAKS = frozenset({"Cc", "Zl", "Zp"})
_REFUSED_BY_WINDOWS = str.maketrans(dict.fromkeys('<>:"|?*', "_"))
_WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10)}
)
_HASH_CHARS = 8


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


@dataclass(frozen=True)
class PlatformName:
    """What a platform's download name says about a submission, as the platform reads it back.

    Attributes:
        platform: ``"moodle"`` or ``"canvas"``.
        student: Moodle's full name, or Canvas's ``lastnamefirstname``.
        user_id: Moodle's participant id (``Participant <id>`` in its grading
            worksheet), or Canvas's user id (the gradebook's ``ID`` column).
        prefix: the start of the download name that the platform matches an
            upload on: Moodle's folder ``Full Name_<id>_assignsubmission_file_``,
            Canvas's ``lastnamefirstname_<user id>_<file id>_`` (``LATE_`` kept).
        file: the student's own file name, after the prefix.
        late: Canvas marked the submission late.
    """

    platform: Literal["moodle", "canvas"]
    student: str
    user_id: str
    prefix: str
    file: str
    late: bool = False


def platform_name(name: str) -> PlatformName | None:
    """Return what Moodle's or Canvas's download name ``name`` says, or None for neither.

    ``name`` may be a relative path, tried from the file name out as
    ``student_from_filename`` does: Moodle's "download in folders" option puts
    the participant in the folder's name.
    """
    parts = PurePosixPath(name.replace("\\", "/")).parts
    for index in range(len(parts) - 1, -1, -1):
        part = parts[index]
        moodle = _MOODLE_IDS.match(part)
        if moodle and moodle["student"].strip():
            prefix = f"{moodle['student']}_{moodle['user']}_assignsubmission_{moodle['plugin']}_"
            own = part[len(prefix) :] if index == len(parts) - 1 else "/".join(parts[index + 1 :])
            return PlatformName("moodle", moodle["student"].strip(), moodle["user"], prefix, own)
        canvas = _CANVAS_IDS.match(part)
        if canvas and canvas["student"] == canvas["student"].lower():
            late = canvas["late"] or ""
            prefix = f"{canvas['student']}_{late}{canvas['user']}_{canvas['file']}_"
            return PlatformName(
                "canvas", canvas["student"], canvas["user"], prefix, part[len(prefix) :], bool(late)
            )
    return None


def display_name(name: str) -> str:
    r"""Make a name safe to show: one line, in reading order, encodable as UTF-8.

    Report names end up in CSV rows, Markdown headings and terminal lines. Control
    characters (newlines, tabs) and line separators become spaces; right-to-left
    overrides and the other bidirectional controls, which can make ``evil\u202etxt.exe``
    show as ``evilexe.txt``, become ``\ufffd``, as do the surrogates that stand for
    bytes that were not UTF-8 in a file name (``os.listdir`` on Linux gives them).
    """
    return "".join(_display_char(char) for char in name)


def is_skipped_name(name: str) -> bool:
    r"""Tell whether a file or folder name is one a system or platform adds, not an essay.

    Skipped: hidden names (``.DS_Store``, macOS's ``._essay.docx``, ``.git``),
    Office lock files (``~$essay.docx``) and the names in SKIPPED_NAMES
    (``__MACOSX``, ``Thumbs.db``, ``desktop.ini``, macOS's ``Icon\r``), in any case.
    """
    if name in {".", ".."}:
        return False  # not names but steps, which safe_entry_name takes care of
    return name.startswith((".", "~$")) or name.casefold() in SKIPPED_NAMES


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
    tried: dict[str, int] = {}  # the last number tried per name: k repeats cost O(k)
    unique = []
    for name in names:
        candidate, number = name, tried.get(name, 1)
        while candidate in seen:
            number += 1
            candidate = _numbered(name, number)
        tried[name] = number
        seen.add(candidate)
        unique.append(candidate)
    return unique


def feedback_file_names(names: Sequence[str]) -> dict[str, str]:
    """Map each essay name to its own feedback file's path inside ``feedback/``.

    The path keeps the essay's folders but can never leave ``feedback/``: empty,
    ``.`` and ``..`` parts are dropped, backslashes are separators, and characters
    a file system may refuse (control characters, ``<>:"|?*``, a trailing dot or
    space, Windows device names such as ``con``) are replaced. ``ana.txt`` gets
    ``ana.md``, or ``ana.txt.md`` when another essay in the folder has the stem
    ``ana`` and another suffix (``ana.docx``). Any clash left is numbered
    (``ana (2).md``): names that differ only in case or Unicode normalisation
    clash, since macOS and Windows file systems ignore both, and so does a file
    named like a folder beside it (``c.md`` and ``c.md/``). A name over
    MAX_NAME_BYTES is shortened, ending in a hash of what was cut, so long names
    that begin alike stay apart.

    Same names in the same order, same paths: the first of clashing names keeps
    the plain path.
    """
    split = {name: _feedback_parts(name) for name in dict.fromkeys(names)}
    suffixes: dict[str, set[str]] = {}  # per stem, the suffixes it comes with
    for folders, stem, suffix in split.values():
        key = _clash_key("/".join((*folders, stem)))
        suffixes.setdefault(key, set()).add(_clash_key(suffix))
    # A file may not take a folder's name (c.md beside c.md/), so folders come first.
    taken = {
        _clash_key("/".join(folders[:end]))
        for folders, _, _ in split.values()
        for end in range(1, len(folders) + 1)
    }
    tried: dict[str, int] = {}
    files = {}
    for name, (folders, stem, suffix) in split.items():
        shared = len(suffixes[_clash_key("/".join((*folders, stem)))]) > 1
        base = stem + suffix if shared else stem
        start = _clash_key("/".join((*folders, base)))
        number = tried.get(start, 1)
        while True:
            label = base if number == 1 else f"{base} ({number})"
            path = "/".join((*folders, _fit(label, FEEDBACK_SUFFIX)))
            if _clash_key(path) not in taken:
                break
            number += 1
        tried[start] = number
        taken.add(_clash_key(path))
        files[name] = path
    return {name: files[name] for name in names}


# --- helpers ------------------------------------------------------------------------


def _display_char(char: str) -> str:
    category = unicodedata.category(char)
    if category in _LINE_BREAKS:
        return " "
    if category == "Cs" or char in _BIDI_CONTROLS:
        return "\ufffd"
    return char


def _numbered(name: str, number: int) -> str:
    path = PurePosixPath(name)
    if not path.name:
        return f"{name} ({number})"
    return str(path.with_name(f"{path.stem} ({number}){path.suffix}"))


def _feedback_parts(name: str) -> tuple[tuple[str, ...], str, str]:
    """Split an essay's name into its safe folders, its file's stem, and its suffix."""
    parts = [
        _safe_part(part)
        for part in display_name(name).replace("\\", "/").split("/")
        if part.strip() not in {"", ".", ".."}
    ] or ["essay"]
    folders = tuple(_fit(part.rstrip(". ") or "_") for part in parts[:-1])
    file = PurePosixPath(parts[-1])
    return folders, file.stem, file.suffix


def _safe_part(part: str) -> str:
    part = part.translate(_REFUSED_BY_WINDOWS)
    if part.split(".", 1)[0].rstrip(" ").casefold() in _WINDOWS_DEVICES:
        part = f"_{part}"
    return part


def _fit(label: str, suffix: str = "") -> str:
    """Return ``label + suffix``, shortened to MAX_NAME_BYTES by cutting ``label``."""
    whole = label + suffix
    if len(whole.encode("utf-8")) <= MAX_NAME_BYTES:
        return whole
    digest = hashlib.sha256(label.encode("utf-8")).hexdigest()[:_HASH_CHARS]
    room = MAX_NAME_BYTES - len(suffix.encode("utf-8")) - len(digest) - 1
    kept = label.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return f"{kept}~{digest}{suffix}"


def _clash_key(path: str) -> str:
    """Return what a case- and normalisation-insensitive file system compares."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", path).casefold())
