"""Helpers for the tests that mark a class: a folder's files, and a Ctrl-C after some essays."""

from __future__ import annotations

from pathlib import Path

from essaycheck.results import EssayResult


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, by its path inside it, with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


class Interrupt:
    """An on_essay callback that presses Ctrl-C after some essays."""

    def __init__(self, after: int) -> None:
        self.after = after
        self.seen = 0

    def __call__(self, result: EssayResult) -> None:
        self.seen += 1
        if self.seen == self.after:
            raise KeyboardInterrupt
