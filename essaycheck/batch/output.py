"""The output folder's life cycle: where it may be, who writes it, and how it is replaced.

``mark`` writes a class's reports into a staging folder beside ``--out`` and
swaps it in at the end, so that an interrupted run never leaves half a
gradebook. Around that:

- ``--out`` may not be the marked folder, inside it or above it, nor hold the
  rubric; ``--force`` replaces only a folder that ``mark`` wrote itself (it holds
  a ``MARKER`` file), or an empty one;
- one lock per output folder: a second ``mark`` into it stops at once;
- a crash at any instant leaves the old reports or the new ones: the swap goes
  ``OUT`` -> ``.OUT.old``, staging -> ``OUT``, and the next run puts a left
  ``.OUT.old`` back if ``OUT`` is missing, and removes stale staging folders.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from essaycheck.errors import OutputError

MARKER = ".essaycheck-reports"
"""The file in every folder ``mark`` writes: ``--force`` replaces only such a folder."""
MARKER_TEXT = (
    "This folder holds reports written by essaycheck mark. "
    "essaycheck mark --force may replace it.\n"
)
# Before the marker existed, mark wrote exactly these; such a folder is ours too.
_LEGACY_REPORTS = frozenset({"report.html", "gradebook.csv", "results.json", "feedback"})
_STAGING = "staging-"
CARRIED = ("overrides.csv",)
"""A teacher's files in ``OUT`` that every replacement of it carries over (see overrides.py)."""


def hidden_beside(out_dir: Path, suffix: str) -> Path:
    """A hidden file or folder beside ``out_dir``: ``.OUT<suffix>``."""
    return out_dir.parent / f".{out_dir.name}{suffix}"


def check_placement(out_dir: Path, folder: Path, keep: Sequence[Path] = ()) -> None:
    """Refuse an output folder that is the marked folder, inside or above it, or holds ``keep``.

    Args:
        out_dir: the ``--out`` folder (absolute).
        folder: the folder (or zip) being marked.
        keep: files that must survive, such as the rubric and its calibration.

    Raises:
        OutputError: saying why, and what to choose instead.
    """
    out = out_dir.resolve()
    marked = folder.resolve()
    advice = "Choose an --out folder outside the essays and away from the rubric."
    if Path.cwd().resolve().is_relative_to(out):
        raise OutputError(
            f"{out_dir}: is the folder you are working in, which --out would replace. "
            "Name a new folder for the reports, e.g. -o reports."
        )
    if out == marked or marked.is_relative_to(out):
        raise OutputError(f"{out_dir}: holds the essays being marked. {advice}")
    if out.is_relative_to(marked):
        raise OutputError(
            f"{out_dir}: is inside {folder}, so its reports would be marked as essays. {advice}"
        )
    for path in keep:
        if path.resolve().is_relative_to(out):
            raise OutputError(f"{out_dir}: holds {path}, which --out would replace. {advice}")


def check_replaceable(out_dir: Path, *, force: bool) -> None:
    """Refuse to replace an existing ``out_dir`` unless ``force`` and it holds our reports.

    Raises:
        OutputError: saying why, and what to choose instead.
    """
    if not out_dir.exists() and not out_dir.is_symlink():
        return
    if not force:
        raise OutputError(
            f"{out_dir}: already exists. Choose another --out folder, or "
            "pass --force to replace the reports in it."
        )
    if out_dir.is_symlink() or not out_dir.is_dir():
        raise OutputError(
            f"{out_dir}: is not a folder, so --force will not replace it. "
            "Choose another --out folder."
        )
    if not is_ours(out_dir):
        raise OutputError(
            f"{out_dir}: is not a folder of essaycheck's reports (there is no {MARKER} "
            "file in it), so --force will not replace it. Choose another --out folder, "
            "or empty this one yourself."
        )


def is_ours(out_dir: Path) -> bool:
    """Whether ``out_dir`` is empty or holds reports ``mark`` wrote."""
    names = {entry.name for entry in out_dir.iterdir()}
    return not names or MARKER in names or names <= _LEGACY_REPORTS


@contextlib.contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock: a second ``mark`` into it stops with a message."""
    import fcntl

    lock_path = hidden_beside(out_dir, ".lock")
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        lock = lock_path.open("a")
    except OSError as err:
        raise OutputError(f"{out_dir}: cannot be written ({_reason(err)}).") from err
    with lock:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            raise OutputError(
                f"{out_dir}: another essaycheck mark is writing these reports now. Wait "
                "for it to finish, or choose another --out folder."
            ) from err
        try:
            yield
        finally:
            lock_path.unlink(missing_ok=True)


def recover(out_dir: Path) -> None:
    """Finish what an interrupted run left: put the old reports back, drop stale staging."""
    old = hidden_beside(out_dir, ".old")
    if old.is_dir():
        if out_dir.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.replace(out_dir)
    for staging in out_dir.parent.glob(f".{out_dir.name}.{_STAGING}*"):
        if staging.is_dir() and not staging.is_symlink():
            shutil.rmtree(staging, ignore_errors=True)


def new_staging(out_dir: Path) -> Path:
    """Make the hidden folder the reports are written into, beside ``out_dir``."""
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.{_STAGING}", dir=out_dir.parent))
    except OSError as err:
        raise OutputError(f"{out_dir}: cannot write the reports ({_reason(err)}).") from err
    (staging / MARKER).write_text(MARKER_TEXT, "utf-8")
    return staging


def swap_in(staging: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` with the finished ``staging`` folder (see ``recover``).

    The teacher's files of ``CARRIED`` are copied into ``staging`` first: they are never lost.
    """
    for name in CARRIED:
        kept = out_dir / name
        if kept.is_file() and not kept.is_symlink() and not (staging / name).exists():
            shutil.copy2(kept, staging / name)
    if out_dir.exists():
        old = hidden_beside(out_dir, ".old")
        out_dir.replace(old)
        staging.replace(out_dir)
        shutil.rmtree(old)
    else:
        staging.replace(out_dir)


def output_error(path: Path, err: OSError) -> OutputError:
    """An OSError while writing reports, as a message that says what to do."""
    return OutputError(f"{path}: cannot write the reports ({_reason(err)}). {_remedy(err)}")


def _reason(err: OSError) -> str:
    return err.strerror or str(err)


def _remedy(err: OSError) -> str:
    import errno

    if err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return "Free some disk space (or raise the file size limit), then run the same command."
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "Choose an --out folder you can write to."
    return "Check the disk, then run the same command again (--resume keeps what was marked)."


def absolute(path: Path) -> Path:
    """``path`` made absolute without resolving links (``-o .`` names the current folder)."""
    return Path(os.path.abspath(path))  # noqa: PTH100  (Path.resolve would follow links)
