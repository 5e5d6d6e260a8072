"""mark_folder(): mark every essay in a folder and write the class's reports.

One unreadable essay never stops the batch: it is recorded as failed, with the
reason, and marking goes on. Reports are written to a temporary folder first and
moved into place at the end, so an interrupted run never leaves half a gradebook.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from essaycheck.errors import EssayReadError, OutputError
from essaycheck.feedback import Calibrator, Checker, EssayResult
from essaycheck.io.essays import Essay, find_essays, read_essay
from essaycheck.report import (
    render_class_summary,
    render_feedback,
    render_gradebook,
    render_json,
)
from essaycheck.rubric import Rubric

GRADEBOOK = "gradebook.csv"
RESULTS = "results.json"
FEEDBACK = "feedback"


@dataclass(frozen=True)
class BatchResult:
    """What a batch produced: every essay's result and where the reports are."""

    results: tuple[EssayResult, ...]
    out_dir: Path
    summary: str

    @property
    def failed(self) -> tuple[EssayResult, ...]:
        """The essays that could not be marked."""
        return tuple(result for result in self.results if result.is_failed)


def mark_folder(
    folder: Path,
    rubric: Rubric,
    checker: Checker,
    out_dir: Path,
    *,
    force: bool = False,
    calibration: Calibrator | None = None,
    on_essay: Callable[[EssayResult], None] | None = None,
) -> BatchResult:
    """Mark every essay under ``folder`` and write reports into ``out_dir``.

    A teacher's ``calibration`` of the rubric, when given, re-scales every decision.

    Raises:
        OutputError: ``out_dir`` exists and ``force`` is not set.
        EssayReadError: ``folder`` is not a folder.
    """
    if out_dir.exists() and not force:
        raise OutputError(
            f"{out_dir}: already exists. Choose another --out folder, or "
            "pass --force to replace the reports in it."
        )
    paths = find_essays(folder)
    readable: dict[str, Essay] = {}
    failures: dict[str, EssayResult] = {}
    names = [path.relative_to(folder).as_posix() for path in paths]
    for path, name in zip(paths, names, strict=True):
        try:
            readable[name] = read_essay(path, name=name)
        except EssayReadError as err:
            failures[name] = EssayResult(name, error=str(err))
    checked = checker.check_many(list(readable.values()), rubric, calibration)
    results = []
    for name in names:
        result = failures[name] if name in failures else next(checked)
        if on_essay is not None:
            on_essay(result)
        results.append(result)
    summary = render_class_summary(results, rubric)
    _write_reports(tuple(results), rubric, checker.engine_info(calibration), out_dir)
    return BatchResult(tuple(results), out_dir, summary)


def feedback_names(results: tuple[EssayResult, ...]) -> dict[str, str]:
    """Map each essay name to its feedback file's path inside ``feedback/``."""
    by_stem: dict[str, int] = {}
    for result in results:
        stem = str(Path(result.name).with_suffix(""))
        by_stem[stem] = by_stem.get(stem, 0) + 1
    names = {}
    for result in results:
        stem = str(Path(result.name).with_suffix(""))
        names[result.name] = (stem if by_stem[stem] == 1 else result.name) + ".md"
    return names


def _write_reports(
    results: tuple[EssayResult, ...], rubric: Rubric, engine: dict[str, Any], out_dir: Path
) -> None:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        (staging / GRADEBOOK).write_text(render_gradebook(results, rubric), "utf-8")
        (staging / RESULTS).write_text(render_json(results, rubric, engine), "utf-8")
        feedback_files = feedback_names(results)
        for result in results:
            target = staging / FEEDBACK / feedback_files[result.name]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render_feedback(result, rubric), "utf-8")
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old")
            out_dir.replace(old)
            staging.replace(out_dir)
            shutil.rmtree(old)
        else:
            staging.replace(out_dir)
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"{out_dir}: cannot write the reports ({err}).") from err
