"""Marked essays to fit on: a topic's rubric, its essays, and a mark on every key point.

A folder of marked essays (``labels/essays/<topic>/``) holds ``rubric.json``,
``essays/*.txt`` and ``labels.csv`` in the teacher's-marks format of
``essaycheck calibrate`` (``essay,point_id,covered``; further columns such as
``evidence`` are read past), with a mark for every essay and every point.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from essaycheck.calibration import read_teacher_marks
from essaycheck.errors import DataError
from essaycheck.io.essays import read_essay
from essaycheck.rubric import Rubric, load_rubric

LABELS_FILE = "labels.csv"


@dataclass(frozen=True)
class MarkedEssays:
    """One topic's essays, in name order, with their marks by (essay, point id)."""

    name: str
    rubric: Rubric
    names: tuple[str, ...]
    texts: tuple[str, ...]
    marks: dict[tuple[str, str], int]

    def labels(self, essay: int) -> dict[str, int]:
        """The marks of the ``essay``-th essay, by point id."""
        return {point.id: self.marks[self.names[essay], point.id] for point in self.rubric}


def read_marked_essays(folder: Path) -> MarkedEssays:
    """Read a folder of marked essays; every essay must have a mark on every point.

    Raises:
        DataError: a mark is missing, or names an essay that is not there.
        CalibrationError: labels.csv is not in the teacher's-marks format.
    """
    rubric = load_rubric(folder / "rubric.json")
    paths = sorted((folder / "essays").glob("*.txt"))
    marks = {
        (mark.essay, mark.point_id): int(mark.is_covered)
        for mark in read_teacher_marks(folder / LABELS_FILE, rubric)
    }
    names = tuple(path.name for path in paths)
    missing = [
        f"{name} {point.id}" for name in names for point in rubric if (name, point.id) not in marks
    ]
    strays = sorted({essay for essay, _ in marks} - set(names))
    if missing or strays or not names:
        raise DataError(
            f"{folder}: every essay in essays/ needs a mark on every key point in {LABELS_FILE}"
            f" (no mark: {', '.join(missing[:5]) or 'none'}; no such essay: "
            f"{', '.join(strays[:5]) or 'none'})."
        )
    texts = tuple(read_essay(path).text for path in paths)
    return MarkedEssays(folder.name, rubric, names, texts, marks)


def marked_essay_sets(root: Path) -> list[MarkedEssays]:
    """Every folder of marked essays under ``root``, in name order."""
    return [
        read_marked_essays(folder)
        for folder in sorted(root.iterdir())
        if (folder / LABELS_FILE).is_file()
    ]
