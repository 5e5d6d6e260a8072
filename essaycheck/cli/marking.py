"""Commands that mark essays: check one or a few, mark a folder."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Container
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from essaycheck.cli.base import (
    EXIT_CODES_HELP,
    ExitCode,
    FiniteFloat,
    Services,
    Share,
    cli,
    engine_option,
    format_option,
    models_dir_option,
    no_calibration_option,
    pass_services,
    rubric_option,
    safe,
    use_colour,
)

if TYPE_CHECKING:
    from tqdm import tqdm

    from essaycheck.batch import Marker
    from essaycheck.calibration import Calibration
    from essaycheck.results import EssayResult
    from essaycheck.rubric import Rubric

# check --format choices; the same list as reports.ESSAY_FORMATS (a test keeps them equal),
# written out so that --help does not import the renderers.
ESSAY_FORMATS = ("text", "json", "markdown", "html", "line", "jsonl")
CLASS_REPORT = "report.html"
"""The class report in mark's output folder: what the teacher opens first."""
MAX_SCALE = 10_000.0
"""The largest --scale: marks out of more than this are not a mark scheme."""


def _calibration(
    rubric: Rubric, rubric_path: Path, engine: str, no_calibration: bool
) -> Calibration | None:
    """The rubric's teacher calibration for this engine, unless --no-calibration."""
    from essaycheck.calibration import calibration_path, load_calibration
    from essaycheck.engine import get_engine

    if no_calibration:
        return None
    spec = get_engine(engine)
    return load_calibration(rubric, calibration_path(rubric_path), (spec.name, spec.version))


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("essays", nargs=-1, required=True)
@rubric_option
@format_option(list(ESSAY_FORMATS))
@click.option(
    "--fail-under",
    type=Share(),
    help="Exit with 4 if an essay covers less than this share of the rubric: 0.6 or 60%.",
)
@no_calibration_option
@engine_option
@models_dir_option
@pass_services
@click.pass_context
def check(
    ctx: click.Context,
    services: Services,
    essays: tuple[str, ...],
    rubric_path: Path,
    fmt: str,
    fail_under: float | None,
    no_calibration: bool,
    engine: str,
    models_dir: Path | None,
) -> None:
    """Report which key points each ESSAY covers and which it misses.

    ESSAY is a .txt, .md, .docx, .odt, .pdf, .rtf or .html file; "-" reads
    standard input. If the rubric has been calibrated (RUBRIC.calibration.json
    beside it), the teacher's calibration is used. --format line prints
    FILE:LINE:COL: SEVERITY: POINT-ID: MESSAGE for each point to work on (error: a
    required point is missing; warning: a point is missing; info: a close call),
    then a summary; --format jsonl prints the same as one JSON object per line,
    for editors. See docs/student-output.md.

    Example: essaycheck check examples/essays/01-strong-amira.txt -r examples/rubric.json
    """
    from essaycheck.io.essays import read_essay
    from essaycheck.reports import ESSAY_FORMATS, ReportOptions
    from essaycheck.rubric import load_rubric

    rubric = load_rubric(rubric_path)
    calibration = _calibration(rubric, rubric_path, engine, no_calibration)
    loaded = [read_essay(path) for path in essays]
    checker = services.load_checker(engine, models_dir)
    results = list(checker.check_many(loaded, rubric, calibration))
    colour = fmt == "text" and use_colour(ctx)
    options = ReportOptions(engine=checker.info(calibration), colour=colour)
    # Colour codes are stripped from anything but coloured text (click does it).
    click.echo(
        ESSAY_FORMATS[fmt](results, rubric, options),
        nl=False,
        color=colour if fmt == "text" else None,
    )
    below = [r for r in results if fail_under is not None and r.score < fail_under]
    for result in below:
        click.echo(
            safe(
                f"{result.name} covers {result.score:.0%} of the rubric, under "
                f"--fail-under {fail_under:.0%}."
            ),
            err=True,
        )
    if below:
        sys.exit(ExitCode.FELL_SHORT)


@dataclass
class _CloseCalls:
    """Counts, as essays are marked, the close calls left for the teacher to check."""

    decided: Container[tuple[str, str]]
    """The (essay, point id) cells the teacher has already decided (overrides.csv)."""
    count: int = 0

    def add(self, result: EssayResult, bar: tqdm[Any]) -> None:
        """Count one essay's close calls, and move the progress bar on."""
        bar.update()
        self.count += sum(
            point.needs_review and (result.name, point.point.id) not in self.decided
            for point in result.points
        )


def _workers(
    cluster: str | None, scheduler: str | None, jobs: int, engine: str, models_dir: Path | None
) -> AbstractContextManager[Marker | None]:
    """The marker's workers: a Dask cluster, a pool of --jobs processes, or none."""
    if cluster == "dask":
        from essaycheck.batch.cluster import DaskMarker

        return DaskMarker(engine, models_dir, scheduler=scheduler, jobs=jobs)
    if jobs > 1:
        from essaycheck.batch import WorkerPool

        return WorkerPool(jobs, engine, models_dir)
    return nullcontext()


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("folder", type=click.Path(path_type=Path))
@rubric_option
@click.option(
    "-o",
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for gradebook.csv, results.json and feedback/.",
)
@click.option("--force", is_flag=True, help="Replace the reports in an existing --out folder.")
@click.option(
    "--scale",
    type=FiniteFloat(min=0, max=MAX_SCALE, min_open=True),
    help="Add a marks column to the gradebook: the covered share times SCALE (e.g. 20).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Mark in this many worker processes (one per core is best).",
)
@click.option(
    "--cluster",
    type=click.Choice(["dask"]),
    help="Mark on a Dask cluster: a local one of --jobs processes, or the one at --scheduler.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="With --cluster dask: the scheduler of a running cluster (tcp://HOST:8786).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Finish an interrupted run: reuse the essays it marked, mark only the rest.",
)
@click.option(
    "-q", "--quiet", is_flag=True, help="Print nothing but errors: no progress bar, no summary."
)
@click.option(
    "--source",
    "source_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The source text, to check copying from it (default: the one rubric build recorded).",
)
@no_calibration_option
@engine_option
@models_dir_option
@pass_services
def mark(
    services: Services,
    folder: Path,
    rubric_path: Path,
    out_dir: Path,
    force: bool,
    scale: float | None,
    jobs: int,
    cluster: str | None,
    scheduler: str | None,
    resume: bool,
    quiet: bool,
    no_calibration: bool,
    engine: str,
    models_dir: Path | None,
    source_path: Path | None = None,
) -> None:
    """Mark every essay in FOLDER (or a .zip) and write the class's reports to --out.

    Reads .txt, .md, .docx, .odt, .pdf, .rtf and .html files, and zips of them as
    downloaded from Moodle or Canvas, or the essays a manifest lists: a .csv with
    a path column, or a .jsonl of paths, each a file or a URL (s3://, gs://).
    Writes OUT/report.html (the class report: open it in a browser),
    OUT/gradebook.csv (one row per essay: file, student, score, a 1/0 column per
    key point, error), OUT/results.json (the JSON report) and OUT/feedback/<essay>.md.
    An essay that cannot be read is recorded as failed and the batch goes on.
    Each essay's result is saved as soon as it is marked: after an interruption,
    run the same command with --resume to mark only what is missing.

    Example: essaycheck mark examples/essays -r examples/rubric.json -o reports
    """
    from tqdm import tqdm

    from essaycheck.batch import mark_folder
    from essaycheck.batch.overrides import read_overrides
    from essaycheck.calibration import calibration_path
    from essaycheck.rubric import load_rubric

    if scheduler is not None and cluster is None:
        raise click.UsageError("--scheduler needs --cluster dask.")
    if scheduler is not None and jobs > 1:
        raise click.UsageError(
            "--jobs sizes a local cluster; the cluster at --scheduler marks with its own "
            "workers. Leave out --jobs, or --scheduler."
        )
    rubric = load_rubric(rubric_path)
    source = _source_text(rubric, source_path)
    show = not quiet and sys.stderr.isatty()
    close_calls = _CloseCalls(read_overrides(out_dir) if out_dir.is_dir() else {})
    try:
        # The workers start loading the engine at once, while this process gets ready.
        with _workers(cluster, scheduler, jobs, engine, models_dir) as workers:
            calibration = _calibration(rubric, rubric_path, engine, no_calibration)
            marker: Marker = workers or services.load_checker(engine, models_dir)
            info = marker.info(calibration)
            with tqdm(unit="essay", disable=not show, file=sys.stderr) as bar:
                batch = mark_folder(
                    folder,
                    rubric,
                    marker,
                    out_dir,
                    info,
                    force=force,
                    resume=resume,
                    scale=scale,
                    calibration=calibration,
                    keep=(rubric_path, calibration_path(rubric_path)),
                    source=source,
                    on_listed=lambda total: bar.reset(total=total),
                    on_essay=lambda result: close_calls.add(result, bar),
                )
    except KeyboardInterrupt:
        click.echo(
            "Interrupted: no reports were written, but every essay marked so far is "
            "saved. Run the same command with --resume to finish.",
            err=True,
        )
        sys.exit(ExitCode.INTERRUPTED)
    for failed in batch.failed:
        click.echo(safe(f"Failed: {failed.error}"), err=True)
    if batch.failed:
        click.echo(f"{len(batch.failed)} of {batch.count} essays could not be marked.", err=True)
    if not quiet:  # what to do next: the counts, the close calls to check, the class report
        click.echo(safe(batch.summary), err=True, nl=False)
        if close_calls.count:
            where = shlex.quote(str(out_dir))
            click.echo(
                safe(
                    f"To decide one: essaycheck override {where} ESSAY POINT_ID --covered "
                    f"(or --missing), then essaycheck report {where}."
                ),
                err=True,
            )
        click.echo(
            safe(f"Reports written to {out_dir}: open {out_dir / CLASS_REPORT} in a browser."),
            err=True,
        )
    if batch.failed:
        sys.exit(ExitCode.PARTIAL)


def _source_text(rubric: Rubric, source_path: Path | None) -> str | None:
    """The source's text for the copying check: --source, else the rubric's recorded one."""
    from essaycheck.batch.copying import rubric_source
    from essaycheck.io.essays import read_essay

    if source_path is None:
        source_path, problem = rubric_source(rubric)
        if problem is not None:
            click.echo(safe(f"Warning: {problem}"), err=True)
    return read_essay(source_path).text if source_path is not None else None
