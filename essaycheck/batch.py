"""mark_folder(): mark every essay in a folder and write the class's reports.

One unreadable essay never stops the batch: it is recorded as failed, with the
reason, and marking goes on. Reports are written to a temporary folder first and
moved into place at the end, so an interrupted run never leaves half a gradebook.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from essaycheck.errors import EssayReadError, OutputError
from essaycheck.feedback import Calibrator, Checker, EssayResult
from essaycheck.html_report import stream_class_html
from essaycheck.io.essays import Essay, Submission, collect_submissions
from essaycheck.io.names import student_from_filename
from essaycheck.journal import (
    JournalKey,
    essay_fingerprint,
    open_journal,
    read_journal,
    write_entry,
)
from essaycheck.report import (
    render_class_summary,
    render_feedback,
    render_gradebook,
    render_json,
)
from essaycheck.rubric import Rubric
from essaycheck.workers import check_in_parallel

GRADEBOOK = "gradebook.csv"
RESULTS = "results.json"
CLASS_REPORT = "report.html"
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
    resume: bool = False,
    scale: float | None = None,
    calibration: Calibrator | None = None,
    on_essay: Callable[[EssayResult], None] | None = None,
    jobs: int = 1,
    load_checker: Callable[[], Checker] | None = None,
) -> BatchResult:
    """Mark every essay in ``folder`` (or a zip of submissions) and write the reports.

    Each result is saved to a journal beside ``out_dir`` as soon as it is marked;
    the reports are written only when every essay is in. With ``resume``, the
    results an interrupted run saved are reused (unless the essay has changed),
    and only the rest are marked. A teacher's ``calibration`` of the rubric, when
    given, re-scales every decision. ``scale`` adds a marks column to the gradebook.
    With ``jobs`` > 1, essays are marked in that many worker processes, each
    building its checker with ``load_checker``; the reports are the same.

    Raises:
        OutputError: ``out_dir`` exists and ``force`` is not set.
        EssayReadError: ``folder`` does not exist, or is a corrupt or oversized zip.
    """
    if out_dir.exists() and not force:
        raise OutputError(
            f"{out_dir}: already exists. Choose another --out folder, or "
            "pass --force to replace the reports in it."
        )
    engine = checker.engine_info(calibration)
    key = JournalKey(rubric.sha256, json.dumps(engine, sort_keys=True))
    journal_path = journal_for(out_dir)
    saved = read_journal(journal_path, key, rubric) if resume else {}
    submissions = collect_submissions(folder)
    names = [submission.name for submission in submissions]
    results: dict[str, EssayResult] = {}
    fingerprints: dict[str, str] = {}

    def done(result: EssayResult) -> None:
        results[result.name] = result
        if on_essay is not None:
            on_essay(result)

    def to_check() -> Iterator[Essay]:
        """Read each essay only when its turn comes: a class never sits in memory."""
        for submission in submissions:
            try:
                essay = submission.load()
            except EssayReadError as err:
                done(EssayResult(submission.name, error=str(err), student=_student(submission)))
                continue
            fingerprint = essay_fingerprint(essay.text)
            if submission.name in saved and saved[submission.name][0] == fingerprint:
                done(saved[submission.name][1])
                continue
            fingerprints[submission.name] = fingerprint
            yield essay

    with open_journal(journal_path, key, resume=resume) as journal:
        if jobs > 1 and load_checker is not None:
            checked = check_in_parallel(to_check(), rubric, calibration, jobs, load_checker)
        else:
            checked = checker.check_many(to_check(), rubric, calibration)
        for result in checked:
            write_entry(journal, fingerprints[result.name], result)
            done(result)
    ordered = tuple(results[name] for name in names)
    _write_reports(ordered, rubric, engine, out_dir, scale)
    journal_path.unlink(missing_ok=True)
    return BatchResult(ordered, out_dir, render_class_summary(ordered, rubric))


def _student(submission: Submission) -> str | None:
    return student_from_filename(submission.name.rsplit("/", 1)[-1])


def journal_for(out_dir: Path) -> Path:
    """Where ``mark`` keeps the journal of an output folder: a hidden file beside it."""
    return out_dir.with_name(f".{out_dir.name}.journal.jsonl")


def feedback_names(results: tuple[EssayResult, ...]) -> dict[str, str]:
    """Map each essay name to its feedback file's path inside ``feedback/``.

    The path keeps the essay's folders but can never leave ``feedback/``: empty,
    ``.`` and ``..`` parts are dropped, and control characters replaced.
    """
    safe = {result.name: _safe_relative(result.name) for result in results}
    by_stem: dict[str, int] = {}
    for name in safe.values():
        stem = str(Path(name).with_suffix(""))
        by_stem[stem] = by_stem.get(stem, 0) + 1
    names = {}
    for original, name in safe.items():
        stem = str(Path(name).with_suffix(""))
        names[original] = (stem if by_stem[stem] == 1 else name) + ".md"
    return names


def _safe_relative(name: str) -> str:
    cleaned = "".join(" " if ord(c) < 32 else c for c in name.replace("\\", "/"))
    parts = [part for part in cleaned.split("/") if part not in {"", ".", ".."}]
    return "/".join(parts) or "essay"


def _write_reports(
    results: tuple[EssayResult, ...],
    rubric: Rubric,
    engine: dict[str, Any],
    out_dir: Path,
    scale: float | None = None,
) -> None:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        (staging / GRADEBOOK).write_text(render_gradebook(results, rubric, scale), "utf-8")
        (staging / RESULTS).write_text(render_json(results, rubric, engine), "utf-8")
        with (staging / CLASS_REPORT).open("w", encoding="utf-8") as report:
            report.writelines(stream_class_html(results, rubric, engine))
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
