"""Commands about the engine: evaluate it, fit it to a teacher, train it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from essaycheck.engine.checker import Checker
    from essaycheck.rubric import Rubric

from essaycheck.cli.base import (
    EXIT_CODES_HELP,
    Services,
    cli,
    engine_option,
    format_option,
    models_dir_option,
    pass_services,
    rubric_option,
    safe,
)


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("data", type=click.Path(dir_okay=False, path_type=Path))
@format_option(["text", "json"])
@engine_option
@models_dir_option
@pass_services
def evaluate(
    services: Services, data: Path, fmt: str, engine: str, models_dir: Path | None
) -> None:
    """Score the engine against the human labels in DATA (JSON Lines).

    Prints ROC AUC, KPA mAP strict and relaxed, precision, recall and F1 of
    "covered" at the shipped decision rule, top-1 accuracy and, for summary
    data, the summary-level correlation.

    Example: essaycheck evaluate ../shared/data/argkp/dev.jsonl
    """
    from essaycheck.reports.models import render_metrics
    from essaycheck.training import compute_metrics, load_labelled, score_texts

    records = load_labelled(data)
    checker = services.load_checker(engine, models_dir)
    metrics = compute_metrics(list(score_texts(records, checker)))
    metrics = {"data": str(data), "engine": checker.info().to_dict(), **metrics}
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
@format_option(["text", "json"])
@click.option(
    "--force",
    is_flag=True,
    help="Save the calibration even when it does not agree with the marks better.",
)
@engine_option
@models_dir_option
@pass_services
def calibrate(
    services: Services,
    rubric_path: Path,
    labels_path: Path,
    essays_dir: Path | None,
    fmt: str,
    force: bool,
    engine: str,
    models_dir: Path | None,
) -> None:
    """Fit the rubric's decisions to a teacher's marks on a few essays.

    Checks the marked essays, re-scales the engine's scores to agree with the
    teacher, reports the agreement per key point (precision, recall, Cohen's
    kappa, each estimated leaving one essay out) and lists every disagreement
    with its evidence. It saves RUBRIC.calibration.json beside the rubric only
    when that agreement is better than the shipped rule's on the same marks
    (--force saves it anyway); check and mark use it from then on
    (--no-calibration ignores it). It also names the unmarked essays in the
    folder whose marks would tell it most. Editing a hint or a weight keeps the
    calibration; editing a point's text or examples needs a new one.

    Example: essaycheck calibrate -r examples/rubric.json -l examples/labels.csv
    --essays examples/essays
    """
    from essaycheck.calibration import (
        calibration_path,
        fit_calibration,
        read_teacher_marks,
        save_calibration,
    )
    from essaycheck.io.essays import read_essay
    from essaycheck.reports.models import render_calibration
    from essaycheck.rubric import load_rubric

    rubric = load_rubric(rubric_path)
    marks = read_teacher_marks(labels_path, rubric)
    folder = essays_dir or labels_path.parent
    names = sorted({mark.essay for mark in marks})
    essays = [read_essay(folder / name, name=name) for name in names]
    checker = services.load_checker(engine, models_dir)
    results = {result.name: result for result in checker.check_many(essays, rubric)}
    info = checker.info()
    report = fit_calibration(marks, results, rubric, (info.name, info.version))
    click.echo(render_calibration(report, fmt), nl=False)
    is_better, why = report.verdict()
    saved = calibration_path(rubric_path)
    if is_better or force:
        save_calibration(report.calibration, saved)
        anyway = "" if is_better else " anyway (--force)"
        click.echo(
            safe(f"Calibration saved{anyway} to {saved} ({why}); check and mark will use it."),
            err=True,
        )
    else:
        click.echo(
            safe(
                f"Calibration not saved: {why}. The shipped rule stays in use. Mark more "
                "essays and run this again, or pass --force to save it anyway."
            ),
            err=True,
        )
    _suggest_essays(checker, rubric, folder, set(names), report.calibration.review_band)


def _suggest_essays(
    checker: Checker, rubric: Rubric, folder: Path, marked: set[str], review_band: float
) -> None:
    """Name the unmarked essays in the folder whose marks would tell a calibration most."""
    from essaycheck.calibration import informative_essays
    from essaycheck.errors import EssayReadError
    from essaycheck.io.essays import collect_submissions

    try:
        submissions = [s for s in collect_submissions(folder) if s.name not in marked]
    except EssayReadError:
        return
    essays = []
    for submission in submissions:
        try:
            essays.append(submission.load())
        except EssayReadError:
            continue
    best = informative_essays(list(checker.check_many(essays, rubric)), marked, review_band)
    if best:
        listed = ", ".join(f"{name} ({close} close calls)" for name, close in best)
        click.echo(safe(f"To tell the engine most, mark next: {listed}."), err=True)


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
