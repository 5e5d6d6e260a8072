"""The essaycheck command line: parse, call the core, print, exit."""

from __future__ import annotations

import json
import os
import sys
from enum import IntEnum
from pathlib import Path
from typing import Any

import click

from essaycheck import __version__
from essaycheck.errors import EssaycheckError

EXIT_CODES_HELP = """\b
Exit codes:
  0  ran; reports written (missing points are feedback, not failure)
  1  essaycheck error: bad rubric, unreadable essay, missing model
  2  usage error: unknown option, missing argument
  3  batch finished, but some essays could not be marked"""


class ExitCode(IntEnum):
    """The exit codes every command documents."""

    OK = 0
    ERROR = 1
    USAGE = 2
    PARTIAL = 3


class EssaycheckGroup(click.Group):
    """A command group that turns essaycheck's errors into clean messages."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; report an EssaycheckError as "Error: ..." with exit code 1."""
        try:
            return super().invoke(ctx)
        except EssaycheckError as err:
            raise click.ClickException(str(err)) from err


models_dir_option = click.option(
    "--models-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="ESSAYCHECK_MODELS_DIR",
    default=None,
    help="Folder of essaycheck's models "
    "(default: $ESSAYCHECK_MODELS_DIR, else the shipped models/).",
)
engine_option = click.option(
    "--engine",
    type=click.Choice(["fast", "precise"]),
    default="fast",
    show_default=True,
    help="fast: static embeddings (default); precise: a fine-tuned transformer on the CPU "
    "(pip install -e '.[precise]').",
)
no_calibration_option = click.option(
    "--no-calibration",
    is_flag=True,
    help="Ignore the rubric's teacher calibration and use the shipped decision rule.",
)
rubric_option = click.option(
    "-r",
    "--rubric",
    "rubric_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Rubric file (JSON or YAML).",
)


@click.group(cls=EssaycheckGroup, epilog=EXIT_CODES_HELP)
@click.version_option(__version__, prog_name="essaycheck")
def cli() -> None:
    """Check which key points of a source text each essay covers, with evidence."""


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("essays", nargs=-1, required=True)
@rubric_option
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@no_calibration_option
@engine_option
@models_dir_option
def check(
    essays: tuple[str, ...],
    rubric_path: Path,
    fmt: str,
    no_calibration: bool,
    engine: str,
    models_dir: Path | None,
) -> None:
    """Report which key points each ESSAY covers and which it misses.

    ESSAY is a .txt or .md file; "-" reads standard input. If the rubric has been
    calibrated (RUBRIC.calibration.json beside it), the teacher's calibration is used.

    Example: essaycheck check examples/essays/01-strong-amira.txt -r examples/rubric.json
    """
    from essaycheck.calibration import calibration_path, load_calibration
    from essaycheck.feedback import ENGINE_NAMES, load_checker
    from essaycheck.io.essays import read_essay
    from essaycheck.report import render_json, render_markdown, render_text
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
    else:
        colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        click.echo(render_text(results, rubric, colour=colour), nl=False, color=colour)


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
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
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no class summary.")
@no_calibration_option
@engine_option
@models_dir_option
def mark(
    folder: Path,
    rubric_path: Path,
    out_dir: Path,
    force: bool,
    quiet: bool,
    no_calibration: bool,
    engine: str,
    models_dir: Path | None,
) -> None:
    """Mark every essay under FOLDER and write the class's reports to --out.

    Writes OUT/gradebook.csv (one row per essay: file, score, a 1/0 column per
    key point), OUT/results.json (the JSON report) and OUT/feedback/<essay>.md.
    An essay that cannot be read is recorded as failed and the batch goes on.

    Example: essaycheck mark examples/essays -r examples/rubric.json -o reports
    """
    from tqdm import tqdm

    from essaycheck.batch import mark_folder
    from essaycheck.calibration import calibration_path, load_calibration
    from essaycheck.feedback import ENGINE_NAMES, load_checker
    from essaycheck.io.essays import find_essays
    from essaycheck.rubric import load_rubric

    rubric = load_rubric(rubric_path)
    calibration = (
        None
        if no_calibration
        else load_calibration(rubric, calibration_path(rubric_path), ENGINE_NAMES[engine])
    )
    total = len(find_essays(folder))
    checker = load_checker(models_dir, engine)
    show = not quiet and sys.stderr.isatty()
    with tqdm(total=total, unit="essay", disable=not show, file=sys.stderr) as bar:
        batch = mark_folder(
            folder,
            rubric,
            checker,
            out_dir,
            force=force,
            calibration=calibration,
            on_essay=lambda _: bar.update(),
        )
    if not quiet:
        click.echo(batch.summary, err=True, nl=False)
    for failed in batch.failed:
        click.echo(f"Failed: {failed.error}", err=True)
    click.echo(f"Reports written to {out_dir}", err=True)
    if batch.failed:
        click.echo(
            f"{len(batch.failed)} of {len(batch.results)} essays could not be "
            "marked; see the messages above.",
            err=True,
        )
        sys.exit(ExitCode.PARTIAL)


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("data", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@engine_option
@models_dir_option
def evaluate(data: Path, fmt: str, engine: str, models_dir: Path | None) -> None:
    """Score the engine against the human labels in DATA (JSON Lines).

    Prints ROC AUC, KPA mAP strict and relaxed, precision, recall and F1 of
    "covered" at the shipped decision rule, top-1 accuracy and, for summary
    data, the summary-level correlation.

    Example: essaycheck evaluate ../shared/data/argkp/dev.jsonl
    """
    from essaycheck.dataset import load_labelled
    from essaycheck.evaluation import compute_metrics, score_texts
    from essaycheck.feedback import load_checker
    from essaycheck.report import render_metrics

    records = load_labelled(data)
    checker = load_checker(models_dir, engine)
    metrics = compute_metrics(list(score_texts(records, checker)))
    metrics = {"data": str(data), "engine": checker.engine_info(), **metrics}
    if fmt == "json":
        click.echo(json.dumps(metrics, indent=2, sort_keys=True))
    else:
        click.echo(render_metrics(metrics), nl=False)


@cli.command(epilog=EXIT_CODES_HELP)
@rubric_option
@click.option(
    "-l",
    "--labels",
    "labels_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV of the teacher's marks: essay, point_id, covered (1/0).",
)
@click.option(
    "--essays",
    "essays_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder the CSV's essay names are relative to (default: the CSV's folder).",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@engine_option
@models_dir_option
def calibrate(
    rubric_path: Path,
    labels_path: Path,
    essays_dir: Path | None,
    fmt: str,
    engine: str,
    models_dir: Path | None,
) -> None:
    """Fit the rubric's decisions to a teacher's marks on a few essays.

    Checks the marked essays, re-scales the engine's scores to agree with the
    teacher, reports the agreement per key point (precision, recall, Cohen's
    kappa, each estimated leaving one essay out), lists every disagreement with
    its evidence, and saves RUBRIC.calibration.json beside the rubric; check and
    mark use it from then on (--no-calibration ignores it).

    Example: essaycheck calibrate -r examples/rubric.json -l examples/labels.csv
    --essays examples/essays
    """
    from essaycheck.calibration import (
        calibration_path,
        fit_calibration,
        read_teacher_marks,
        save_calibration,
    )
    from essaycheck.feedback import load_checker
    from essaycheck.io.essays import read_essay
    from essaycheck.report import render_calibration
    from essaycheck.rubric import load_rubric

    rubric = load_rubric(rubric_path)
    marks = read_teacher_marks(labels_path, rubric)
    folder = essays_dir or labels_path.parent
    names = sorted({mark.essay for mark in marks})
    essays = [read_essay(folder / name, name=name) for name in names]
    checker = load_checker(models_dir, engine)
    results = {result.name: result for result in checker.check_many(essays, rubric)}
    info = checker.engine_info()
    report = fit_calibration(marks, results, rubric, f"{info['name']} {info['version']}")
    saved = calibration_path(rubric_path)
    save_calibration(report.calibration, saved)
    click.echo(render_calibration(report, fmt), nl=False)
    click.echo(f"Calibration saved to {saved}; check and mark will use it.", err=True)


@cli.command(epilog=EXIT_CODES_HELP)
@click.option(
    "--data",
    "data_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Labelled training data (JSON Lines), e.g. argkp/train.jsonl.",
)
@click.option(
    "--dev",
    "dev_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Held-out data whose figures are recorded in meta.json (never fitted on).",
)
@engine_option
@models_dir_option
def train(data_path: Path, dev_path: Path | None, engine: str, models_dir: Path | None) -> None:
    """Fit the shipped decision rule on labelled data and save it in the models folder.

    Example: essaycheck train --data ../shared/data/argkp/train.jsonl
    --dev ../shared/data/argkp/dev.jsonl
    """
    from essaycheck.training import train_decision_rule

    path, figures = train_decision_rule(data_path, dev_path, models_dir, engine)
    click.echo(json.dumps(figures, indent=2, sort_keys=True))
    click.echo(f"Decision rule written to {path}", err=True)


@cli.group(cls=EssaycheckGroup)
def rubric() -> None:
    """Build and validate rubrics."""


@rubric.command("build", epilog=EXIT_CODES_HELP)
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Rubric file to write (.json, or .yaml/.yml).",
)
@click.option("--title", help="Rubric title (default: from the source's file name).")
@click.option("--force", is_flag=True, help="Replace an existing rubric file.")
def build(source: Path, output: Path, title: str | None, force: bool) -> None:
    """Extract the key points of SOURCE into a rubric to review and edit.

    One claim per point, compound sentences split, filler and duplicates
    dropped, readable ids.

    Example: essaycheck rubric build examples/source.txt -o my-rubric.json
    """
    from essaycheck.extraction import build_rubric
    from essaycheck.io.essays import read_essay
    from essaycheck.rubric import dump_rubric

    if output.exists() and not force:
        raise click.ClickException(f"{output}: already exists. Pass --force to replace it.")
    text = read_essay(source).text
    built = build_rubric(text, title=title or _title_from(source), source=source.name)
    _write_atomically(output, dump_rubric(built, output))
    click.echo(
        f"{len(built)} key points written to {output}. Review them, then run: "
        f"essaycheck rubric validate {output}",
        err=True,
    )


@rubric.command("validate", epilog=EXIT_CODES_HELP)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check rubric FILES against the schema; report every problem at once.

    Example: essaycheck rubric validate examples/rubric.json
    """
    from essaycheck.errors import RubricError
    from essaycheck.rubric import load_rubric

    failed = 0
    for path in files:
        try:
            loaded = load_rubric(path)
        except RubricError as err:
            click.echo(f"Error: {err}", err=True)
            failed += 1
            continue
        plural = "s" if len(loaded) != 1 else ""
        click.echo(f"{path}: valid ({len(loaded)} key point{plural})")
    if failed:
        sys.exit(ExitCode.ERROR)


def _title_from(source: Path) -> str:
    return source.stem.replace("-", " ").replace("_", " ").strip().capitalize()


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, "utf-8")
    temporary.replace(path)


def main() -> None:
    """Run the command line (the ``essaycheck`` entry point)."""
    cli(prog_name="essaycheck")
