"""mark_folder(): mark every essay in a folder and write the class's reports.

One unreadable essay never stops the batch: it is recorded as failed, with the
reason, and marking goes on. Reports are written to a temporary folder first and
moved into place at the end, so an interrupted run never leaves half a gradebook.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from essaycheck.errors import EssayReadError, OutputError
from essaycheck.feedback import Calibrator, Checker, EssayResult
from essaycheck.html_report import write_class_report
from essaycheck.io.essays import Essay, Submission, collect_submissions
from essaycheck.io.names import student_from_filename
from essaycheck.journal import (
    JournalKey,
    StoredResults,
    essay_fingerprint,
    index_journal,
    open_journal,
    write_entry,
)
from essaycheck.report import (
    render_class_summary,
    render_feedback,
    render_gradebook,
    stream_json,
)
from essaycheck.rubric import Rubric
from essaycheck.workers import WorkerPool

GRADEBOOK = "gradebook.csv"
RESULTS = "results.json"
CLASS_REPORT = "report.html"
FEEDBACK = "feedback"


@dataclass(frozen=True)
class BatchResult:
    """What a batch produced: how many essays, which failed, and where the reports are."""

    count: int
    failed: tuple[EssayResult, ...]
    out_dir: Path
    summary: str


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
    workers: WorkerPool | None = None,
) -> BatchResult:
    """Mark every essay in ``folder`` (or a zip of submissions) and write the reports.

    Each result is saved to a journal beside ``out_dir`` as soon as it is marked,
    and is not kept in memory: the reports are written from the journal once
    every essay is in, so a class of any size marks in the same memory. With
    ``resume``, the results an interrupted run saved are reused (unless the
    essay has changed), and only the rest are marked. A teacher's
    ``calibration`` of the rubric, when given, re-scales every decision.
    ``scale`` adds a marks column to the gradebook. Given ``workers``, essays
    are marked in those worker processes; the reports are the same.

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
    saved = index_journal(journal_path, key) if resume else {}
    submissions = collect_submissions(folder)
    names = [submission.name for submission in submissions]
    failed: list[EssayResult] = []
    fingerprints: dict[str, str] = {}

    with open_journal(journal_path, key, resume=resume) as journal:

        def done(result: EssayResult, fingerprint: str | None = None) -> None:
            if fingerprint is not None:
                write_entry(journal, fingerprint, result)
            if on_essay is not None:
                on_essay(result)

        def to_check() -> Iterator[Essay]:
            """Read each essay only when its turn comes: a class never sits in memory."""
            for submission in submissions:
                try:
                    essay = submission.load()
                except EssayReadError as err:
                    result = EssayResult(
                        submission.name, error=str(err), student=_student(submission)
                    )
                    failed.append(result)
                    done(result, fingerprint="")
                    continue
                fingerprint = essay_fingerprint(essay.text)
                entry = saved.get(submission.name)
                if entry is not None and entry.fingerprint == fingerprint:
                    done(StoredResults(journal_path, [entry.offset], rubric)[0])
                    continue
                fingerprints[submission.name] = fingerprint
                yield essay

        if workers is not None:
            checked = workers.check(to_check(), rubric, calibration)
        else:
            checked = checker.check_many(to_check(), rubric, calibration)
        for result in checked:
            done(result, fingerprints[result.name])
    written = index_journal(journal_path, key)
    results = StoredResults(journal_path, [written[name].offset for name in names], rubric)
    _write_reports(results, names, rubric, engine, out_dir, scale, workers)
    summary = render_class_summary(results, rubric)
    journal_path.unlink(missing_ok=True)
    return BatchResult(len(names), tuple(failed), out_dir, summary)


def _student(submission: Submission) -> str | None:
    return student_from_filename(submission.name.rsplit("/", 1)[-1])


def journal_for(out_dir: Path) -> Path:
    """Where ``mark`` keeps the journal of an output folder: a hidden file beside it."""
    return out_dir.with_name(f".{out_dir.name}.journal.jsonl")


def feedback_names(names: Sequence[str]) -> dict[str, str]:
    """Map each essay name to its feedback file's path inside ``feedback/``.

    The path keeps the essay's folders but can never leave ``feedback/``: empty,
    ``.`` and ``..`` parts are dropped, and control characters replaced.
    """
    safe = {name: _safe_relative(name) for name in names}
    by_stem: dict[str, int] = {}
    for name in safe.values():
        stem = str(Path(name).with_suffix(""))
        by_stem[stem] = by_stem.get(stem, 0) + 1
    files = {}
    for original, name in safe.items():
        stem = str(Path(name).with_suffix(""))
        files[original] = (stem if by_stem[stem] == 1 else name) + ".md"
    return files


def _safe_relative(name: str) -> str:
    cleaned = "".join(" " if ord(c) < 32 else c for c in name.replace("\\", "/"))
    parts = [part for part in cleaned.split("/") if part not in {"", ".", ".."}]
    return "/".join(parts) or "essay"


def _write_reports(
    results: StoredResults,
    names: Sequence[str],
    rubric: Rubric,
    engine: dict[str, Any],
    out_dir: Path,
    scale: float | None = None,
    workers: WorkerPool | None = None,
) -> None:
    """Write every report into a staging folder, then move it into place.

    With ``workers``, one of them writes the class report meanwhile.
    """
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    class_report = (results, rubric, engine, staging / CLASS_REPORT)
    written = workers.call(write_class_report, *class_report) if workers is not None else None
    try:
        try:
            if written is None:
                write_class_report(*class_report)
            (staging / GRADEBOOK).write_text(render_gradebook(results, rubric, scale), "utf-8")
            with (staging / RESULTS).open("w", encoding="utf-8") as report:
                report.writelines(stream_json(results, rubric, engine))
            feedback_files = feedback_names(names)
            for result in results:
                target = staging / FEEDBACK / feedback_files[result.name]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(render_feedback(result, rubric), "utf-8")
        finally:
            if written is not None:
                written.result()  # the class report is in (or its error is raised) before we go on
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
