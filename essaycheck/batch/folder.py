"""mark_folder(): mark every essay in a folder and write the class's reports.

One unreadable essay never stops the batch: it is recorded as failed, with the
reason, and marking goes on. Reports are written to a staging folder first and
swapped into place at the end, so an interrupted run never leaves half a
gradebook (see output.py for where --out may be and how it is replaced).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable

from essaycheck.batch.copying import store_copying, with_copying
from essaycheck.batch.journal import (
    JournalKey,
    StoredResults,
    index_journal,
    open_journal,
    write_entry,
)
from essaycheck.batch.output import (
    absolute,
    check_placement,
    check_replaceable,
    hidden_beside,
    locked,
    new_staging,
    output_error,
    recover,
    swap_in,
)
from essaycheck.batch.overrides import (
    overridden,
    read_overrides,
    read_results,
)
from essaycheck.batch.sources import Marked, Source, list_sources, read_source
from essaycheck.batch.workers import WorkerPool
from essaycheck.errors import OutputError
from essaycheck.io.essays import Essay
from essaycheck.io.names import feedback_file_names
from essaycheck.reports import CLASS_REPORTS, FEEDBACK, ReportOptions, Writer
from essaycheck.reports.lms import FolderWriter
from essaycheck.reports.markdown import render_feedback
from essaycheck.reports.text import render_class_summary
from essaycheck.results import Calibrator, Copying, EngineInfo, EssayResult
from essaycheck.rubric import Rubric, parse_rubric

CLASS_DATA = ".essaycheck-class.jsonl"
"""What ``report`` needs beside results.json to write the reports again: the rubric,
the options, and every essay's text (for report.html's highlights), one line each."""


class Marker(Protocol):
    """What marks essays: a ``Checker`` in this process, or a ``WorkerPool`` of them."""

    def check_many(
        self, essays: Iterable[Essay], rubric: Rubric, calibration: Calibrator | None = None
    ) -> Iterator[EssayResult]:
        """Mark the essays, yielding one result per essay in the essays' order."""

    def info(self, calibration: Calibrator | None = None) -> EngineInfo:
        """Describe the engine that marks, for the reports and the journal."""


@runtime_checkable
class SourceMarker(Marker, Protocol):
    """A Marker whose workers read the essays themselves (``DaskMarker``): only names travel."""

    def mark_sources(
        self,
        sources: Iterable[Source],
        rubric: Rubric,
        calibration: Calibrator | None,
        saved: Mapping[str, str],
    ) -> Iterator[Marked]:
        """Read and mark the sources, yielding one outcome per source in their order.

        ``saved`` maps an essay's name to the fingerprint its journalled result
        was marked at: such an essay, unchanged, is not marked again.
        """


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
    marker: Marker,
    out_dir: Path,
    engine: EngineInfo,
    *,
    force: bool = False,
    resume: bool = False,
    scale: float | None = None,
    calibration: Calibrator | None = None,
    keep: Sequence[Path] = (),
    source: str | None = None,
    on_listed: Callable[[int], None] | None = None,
    on_essay: Callable[[EssayResult], None] | None = None,
) -> BatchResult:
    """Mark every essay in ``folder`` (a zip of submissions, or a manifest) and write the reports.

    Each result is saved to a journal beside ``out_dir`` as soon as it is marked,
    and is not kept in memory: the reports are written from the journal once
    every essay is in, so a class of any size marks in the same memory. With
    ``resume``, the results an interrupted run saved are reused (unless the
    essay has changed), and only the rest are marked. A teacher's
    ``calibration`` of the rubric, when given, re-scales every decision; it must
    be the one ``engine`` describes. ``scale`` adds a marks column to the
    gradebook. ``keep`` are files ``out_dir`` must not hold (the rubric).
    Once every essay is marked, each one's copying (from ``source``, the source's
    text when given, and from the other essays) is found for the teacher's reports.
    ``on_listed`` is told how many essays there are once they are listed,
    ``on_essay`` each result as it comes.

    Raises:
        OutputError: ``out_dir`` is the folder, inside or above it, or holds a file
            of ``keep``; it exists and ``force`` is not set, or is not a folder of
            reports; another ``mark`` is writing it; or it cannot be written.
        EssayReadError: ``folder`` does not exist, is a corrupt or oversized zip, or
            is a manifest that cannot be read (see ``sources.read_manifest``).
    """
    submissions = list_sources(folder)
    target = absolute(out_dir)
    check_placement(target, folder, keep)  # before anything is written beside it
    with locked(target):
        recover(target)
        check_replaceable(target, force=force)
        if on_listed is not None:
            on_listed(len(submissions))
        return _mark(
            submissions,
            rubric,
            marker,
            target,
            engine,
            resume,
            scale,
            calibration,
            source,
            on_essay,
        )


def _mark(
    submissions: Sequence[Source],
    rubric: Rubric,
    marker: Marker,
    out_dir: Path,
    engine: EngineInfo,
    resume: bool,
    scale: float | None,
    calibration: Calibrator | None,
    source: str | None,
    on_essay: Callable[[EssayResult], None] | None,
) -> BatchResult:
    """Mark the submissions into the journal, then write the reports from it."""
    key = JournalKey(rubric.sha256, json.dumps(engine.to_dict(), sort_keys=True))
    journal_path = journal_for(out_dir)
    saved = index_journal(journal_path, key) if resume else {}
    names = [submission.name for submission in submissions]
    failed: list[EssayResult] = []
    fingerprints: dict[str, str] = {}

    try:  # the journal: a full disk or a file-size limit is a message, not a traceback
        with _journal(journal_path, key, resume) as journal:

            def done(result: EssayResult, fingerprint: str | None = None) -> None:
                if fingerprint is not None:
                    write_entry(journal, fingerprint, result)
                if on_essay is not None:
                    on_essay(result)

            def record(marked: Marked) -> None:
                """Record what a source came to: a failure, a result, or the saved result."""
                if marked.result is None:
                    done(StoredResults(journal_path, [saved[marked.name].offset], rubric)[0])
                    return
                if marked.result.is_failed:
                    failed.append(marked.result)
                done(marked.result, marked.fingerprint)

            if isinstance(marker, SourceMarker):  # the marker's workers read the essays
                expected = {name: entry.fingerprint for name, entry in saved.items()}
                for marked in marker.mark_sources(submissions, rubric, calibration, expected):
                    record(marked)
            else:

                def to_check() -> Iterator[Essay]:
                    """Read each essay only when its turn comes: a class never sits in memory."""
                    for submission in submissions:
                        entry = saved.get(submission.name)
                        read = read_source(submission, entry.fingerprint if entry else None)
                        if isinstance(read, Marked):
                            record(read)
                            continue
                        essay, fingerprints[essay.name] = read
                        yield essay

                for result in marker.check_many(to_check(), rubric, calibration):
                    done(result, fingerprints.pop(result.name))
    except OSError as err:
        raise output_error(journal_path, err) from err
    written = index_journal(journal_path, key)
    stored = StoredResults(journal_path, [written[name].offset for name in names], rubric)
    copying_path = hidden_beside(out_dir, ".copying.jsonl")
    try:
        copied = with_copying(stored, _class_copying(stored, names, source, copying_path))
        results = overridden(copied, read_overrides(out_dir))  # the teacher's decisions win
        options = ReportOptions(engine=engine, scale=scale)
        pool = marker if isinstance(marker, WorkerPool) else None
        _write_reports(results, copied, names, rubric, options, out_dir, pool)
        summary = render_class_summary(results, rubric)
    finally:
        copying_path.unlink(missing_ok=True)
    journal_path.unlink(missing_ok=True)
    return BatchResult(len(names), tuple(failed), out_dir, summary)


def _class_copying(
    results: Sequence[EssayResult], names: Sequence[str], source: str | None, path: Path
) -> Mapping[str, Copying | None]:
    """Every essay's copying, found in this process and kept in ``path``, not in memory."""
    try:
        return store_copying(results, names, source, path)
    except OSError as err:
        raise output_error(path, err) from err


def journal_for(out_dir: Path) -> Path:
    """Where ``mark`` keeps the journal of an output folder: a hidden file beside it."""
    return hidden_beside(absolute(out_dir), ".journal.jsonl")


def _journal(path: Path, key: JournalKey, resume: bool) -> IO[str]:
    try:
        return open_journal(path, key, resume=resume)
    except OSError as err:
        raise output_error(path, err) from err


def write_class_file(
    writer: Writer | FolderWriter,
    results: Sequence[EssayResult],
    rubric: Rubric,
    options: ReportOptions,
    path: Path,
) -> None:
    """Write one of CLASS_REPORTS to ``path`` (a worker process may do this)."""
    if isinstance(writer, FolderWriter):  # a folder, or nothing when it does not apply
        writer.write_folder(results, rubric, options, path)
        return
    with path.open("w", encoding="utf-8") as stream:
        writer(results, rubric, options, stream)


def report_folder(out_dir: Path) -> BatchResult:
    """Write every report of a marked class again, from its results and the teacher's overrides.

    Nothing is marked: the engine's results are read back as ``mark`` saved them
    (results.json, and at full precision with the essays' texts in
    ``OUT/.essaycheck-class.jsonl``), and ``OUT/overrides.csv`` is applied.

    Raises:
        OutputError: ``out_dir`` is not a folder of reports ``mark`` wrote, or
            its files cannot be read or written.
    """
    target = absolute(out_dir)
    data = read_results(target)
    with locked(target):
        rubric, scale, marked = read_class_data(target, data)
        engine = data.get("engine") or {}
        info = EngineInfo(
            name=engine.get("name", ""),
            version=engine.get("version", ""),
            embeddings=engine.get("embeddings", ""),
            decision=engine.get("decision", ""),
            review_band=engine.get("review_band"),
            checks=tuple(engine.get("checks") or ()),
            calibration=engine.get("calibration"),
        )
        results = overridden(marked, read_overrides(target))
        names = [result.name for result in marked]
        options = ReportOptions(engine=info, scale=scale)
        _write_reports(results, marked, names, rubric, options, target)
    failed = tuple(result for result in marked if result.is_failed)
    return BatchResult(len(names), failed, target, render_class_summary(results, rubric))


def read_class_data(
    out_dir: Path, data: dict[str, Any]
) -> tuple[Rubric, float | None, list[EssayResult]]:
    """Read a marked class back: its rubric, scale and unrounded results (no overrides).

    ``data`` is the class's parsed results.json, which the saved data must match;
    OutputError says what to do when it is missing, unreadable or from another run.
    """
    path = out_dir / CLASS_DATA
    remedy = "Mark the class again with essaycheck mark --force (the overrides are kept)."
    try:
        with path.open(encoding="utf-8") as stream:
            head = json.loads(stream.readline())
            rubric = parse_rubric(json.dumps(head["rubric"]), str(path))
            results = [
                EssayResult.from_dict(record["result"], rubric, record["text"])
                for record in map(json.loads, stream)
            ]
    except FileNotFoundError as err:
        raise OutputError(
            f"{path}: missing, so the reports cannot be written again. {remedy}"
        ) from err
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise OutputError(f"{path}: unreadable ({err}). {remedy}") from err
    recorded = data.get("rubric")
    names = [item.get("path") for item in data["essays"] if isinstance(item, dict)]
    if (
        not isinstance(recorded, dict)
        or recorded.get("sha256") != rubric.sha256
        or names != [result.name for result in results]
    ):
        raise OutputError(f"{path}: is not from the run that wrote results.json. {remedy}")
    scale = head.get("scale")
    return rubric, scale if isinstance(scale, (int, float)) else None, results


def _write_class_data(
    results: Sequence[EssayResult], rubric: Rubric, options: ReportOptions, path: Path
) -> None:
    """Save what ``report_folder`` reads back: the engine's results, not the overrides."""
    with path.open("w", encoding="utf-8") as stream:
        stream.write(json.dumps({"rubric": rubric.to_dict(), "scale": options.scale}) + "\n")
        for result in results:
            record = {"result": result.to_dict(rounded=False), "text": result.text}
            stream.write(json.dumps(record) + "\n")


def _write_reports(
    results: Sequence[EssayResult],
    engine_results: Sequence[EssayResult],
    names: Sequence[str],
    rubric: Rubric,
    options: ReportOptions,
    out_dir: Path,
    pool: WorkerPool | None = None,
) -> None:
    """Write every report into a staging folder, then move it into place.

    ``results`` are what the reports show (the teacher's overrides applied);
    ``engine_results`` the same without them, saved for ``report_folder``. With a
    worker ``pool``, one worker writes the first (slowest) class report meanwhile.
    """
    staging = new_staging(out_dir)
    reports = list(CLASS_REPORTS.items())
    aside: Future[None] | None = None
    if pool is not None:
        name, writer = reports.pop(0)
        aside = pool.call(write_class_file, writer, results, rubric, options, staging / name)
    try:
        try:
            for name, writer in reports:
                write_class_file(writer, results, rubric, options, staging / name)
            feedback_files = feedback_file_names(names)
            for result in results:
                target = staging / FEEDBACK / feedback_files[result.name]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(render_feedback(result, rubric), "utf-8")
            _write_class_data(engine_results, rubric, options, staging / CLASS_DATA)
        finally:
            if aside is not None:
                aside.result()  # the report is in (or its error is raised) before we go on
        swap_in(staging, out_dir)
    except BaseException as err:  # Ctrl-C included: no half-written staging folder stays
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(err, OSError):
            raise output_error(out_dir, err) from err
        raise
