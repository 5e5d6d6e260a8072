"""Commands that mark essays: check one or a few, mark a folder."""

from __future__ import annotations

import os
import sys
from contextlib import nullcontext
from functools import partial
from pathlib import Path

import click

from essaycheck.cli.base import (
    EXIT_CODES_HELP,
    ExitCode,
    cli,
    engine_option,
    format_option,
    models_dir_option,
    no_calibration_option,
    rubric_option,
)


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("essays", nargs=-1, required=True)
@rubric_option
@format_option(["text", "json", "markdown", "html", "line"])
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 1),
    help="Exit with 1 if an essay covers less than this share of the rubric (0..1).",
)
@no_calibration_option
@engine_option
@models_dir_option
def check(
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
    file:line:col: point-id: message for editors and pre-commit hooks.

    Example: essaycheck check examples/essays/01-strong-amira.txt -r examples/rubric.json
    """
    from essaycheck.calibration import calibration_path, load_calibration
    from essaycheck.feedback import ENGINE_NAMES, load_checker
    from essaycheck.io.essays import read_essay
    from essaycheck.report import render_json, render_lines, render_markdown, render_text
    from essaycheck.rubric import load_rubric

    rubric = load_rubric(rubric_path)
    calibration = (
        None
        if no_calibration
        else load_calibration(rubric, calibration_path(rubric_path), ENGINE_NAMES[engine])
    )
    loaded = [read_essay(path) for path in essays]
    checker = load_checker(models_dir, engine)
    results = list(checker.check_many(loaded, rubric, calibration))
    if fmt == "json":
        click.echo(render_json(results, rubric, checker.engine_info(calibration)), nl=False)
    elif fmt == "markdown":
        click.echo(render_markdown(results, rubric), nl=False)
    elif fmt == "line":
        click.echo(render_lines(results), nl=False)
    elif fmt == "html":
        from essaycheck.html_report import render_essays_html

        click.echo(render_essays_html(results, rubric, checker.engine_info(calibration)), nl=False)
    else:
        colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        click.echo(render_text(results, rubric, colour=colour), nl=False, color=colour)
    below = [r for r in results if fail_under is not None and r.score < fail_under]
    for result in below:
        click.echo(
            f"{result.name} covers {result.score:.0%} of the rubric, under "
            f"--fail-under {fail_under:.0%}.",
            err=True,
        )
    if below:
        sys.exit(ExitCode.ERROR)


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
    type=click.FloatRange(min=0, min_open=True),
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
    "--resume",
    is_flag=True,
    help="Finish an interrupted run: reuse the essays it marked, mark only the rest.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no class summary.")
@no_calibration_option
@engine_option
@models_dir_option
def mark(
    folder: Path,
    rubric_path: Path,
    out_dir: Path,
    force: bool,
    scale: float | None,
    jobs: int,
    resume: bool,
    quiet: bool,
    no_calibration: bool,
    engine: str,
    models_dir: Path | None,
) -> None:
    """Mark every essay in FOLDER (or a .zip) and write the class's reports to --out.

    Reads .txt, .md, .docx, .odt, .pdf, .rtf and .html files, and zips of them as
    downloaded from Moodle or Canvas. Writes OUT/report.html (the class report:
    open it in a browser), OUT/gradebook.csv (one row per essay: file, student,
    score, a 1/0 column per key point, error), OUT/results.json (the JSON report)
    and OUT/feedback/<essay>.md.
    An essay that cannot be read is recorded as failed and the batch goes on.
    Each essay's result is saved as soon as it is marked: after an interruption,
    run the same command with --resume to mark only what is missing.

    Example: essaycheck mark examples/essays -r examples/rubric.json -o reports
    """
    from tqdm import tqdm

    from essaycheck.batch import mark_folder
    from essaycheck.calibration import calibration_path, load_calibration
    from essaycheck.feedback import ENGINE_NAMES, load_checker
    from essaycheck.io.essays import collect_submissions
    from essaycheck.rubric import load_rubric
    from essaycheck.workers import WorkerPool

    rubric = load_rubric(rubric_path)
    show = not quiet and sys.stderr.isatty()
    # Each worker gets its share of the cores, and starts loading the engine at once.
    threads = max(1, (os.cpu_count() or 1) // jobs)
    workers = (
        WorkerPool(jobs, partial(load_checker, models_dir, engine, threads))
        if jobs > 1
        else nullcontext()
    )
    try:
        with workers as pool:
            calibration = (
                None
                if no_calibration
                else load_calibration(rubric, calibration_path(rubric_path), ENGINE_NAMES[engine])
            )
            total = len(collect_submissions(folder))
            checker = load_checker(models_dir, engine)
            with tqdm(total=total, unit="essay", disable=not show, file=sys.stderr) as bar:
                batch = mark_folder(
                    folder,
                    rubric,
                    checker,
                    out_dir,
                    force=force,
                    resume=resume,
                    scale=scale,
                    workers=pool,
                    calibration=calibration,
                    on_essay=lambda _: bar.update(),
                )
    except KeyboardInterrupt:
        click.echo(
            "Interrupted: no reports were written, but every essay marked so far is "
            "saved. Run the same command with --resume to finish.",
            err=True,
        )
        sys.exit(ExitCode.INTERRUPTED)
    if not quiet:
        click.echo(batch.summary, err=True, nl=False)
    for failed in batch.failed:
        click.echo(f"Failed: {failed.error}", err=True)
    click.echo(f"Reports written to {out_dir}", err=True)
    if batch.failed:
        click.echo(
            f"{len(batch.failed)} of {batch.count} essays could not be "
            "marked; see the messages above.",
            err=True,
        )
        sys.exit(ExitCode.PARTIAL)
