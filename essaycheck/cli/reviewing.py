"""Commands on a marked class: record a teacher's override, write the reports again."""

from __future__ import annotations

from pathlib import Path

import click

from essaycheck.cli.base import EXIT_CODES_HELP, cli, safe

_out_argument = click.argument("out_dir", metavar="OUT", type=click.Path(path_type=Path))


@cli.command(epilog=EXIT_CODES_HELP)
@_out_argument
@click.argument("essay")
@click.argument("point_id")
@click.option(
    "--covered/--missing",
    "is_covered",
    default=None,
    help="The teacher's decision: the essay covers the key point, or misses it.",
)
@click.option("--comment", default=None, help="A comment on the decision, kept with it.")
@click.option(
    "--clear",
    is_flag=True,
    help="Remove the teacher's decision on the cell: the engine's decision stands again.",
)
def override(
    out_dir: Path,
    essay: str,
    point_id: str,
    is_covered: bool | None,
    comment: str | None,
    clear: bool,
) -> None:
    """Record a teacher's decision on ESSAY and POINT_ID in OUT/overrides.csv.

    ESSAY is named as the gradebook's file column names it. Run essaycheck
    report OUT afterwards to write the reports with the decision. --clear
    removes a decision recorded before.

    Example: essaycheck override reports ana.txt limiting-factors --covered
    """
    from essaycheck.batch.overrides import OVERRIDES, record_override

    if clear:
        if is_covered is not None or comment is not None:
            raise click.UsageError("--clear takes no --covered, --missing or --comment.")
        _clear(out_dir, essay, point_id)
        return
    if is_covered is None:
        raise click.UsageError("Give the teacher's decision: --covered, --missing or --clear.")

    recorded = record_override(out_dir, essay, point_id, is_covered=is_covered, comment=comment)
    status = "covered" if recorded.is_covered else "missing"
    click.echo(
        safe(
            f"{essay}: {point_id} is {status} (the teacher's decision), saved in "
            f"{out_dir / OVERRIDES}. Run essaycheck report {out_dir} to update the reports."
        ),
        err=True,
    )


def _clear(out_dir: Path, essay: str, point_id: str) -> None:
    from essaycheck.batch.overrides import OVERRIDES, remove_override

    removed = remove_override(out_dir, essay, point_id)
    if removed is None:
        message = (
            f"{essay}: {point_id} has no teacher's decision in {out_dir / OVERRIDES}; "
            "nothing changed."
        )
    else:
        message = (
            f"{essay}: {point_id}: the teacher's decision is removed from "
            f"{out_dir / OVERRIDES}, so the engine's stands. Run essaycheck report "
            f"{out_dir} to update the reports."
        )
    click.echo(safe(message), err=True)


@cli.command(epilog=EXIT_CODES_HELP)
@_out_argument
def report(out_dir: Path) -> None:
    """Write every report in OUT again from its results and the teacher's overrides.

    Nothing is marked again: OUT/results.json and OUT/overrides.csv are read,
    and the gradebook, results.json, feedback and report.html are replaced.

    Example: essaycheck report reports
    """
    from essaycheck.batch.folder import report_folder

    batch = report_folder(out_dir)
    click.echo(safe(batch.summary), nl=False)
    click.echo(safe(f"Reports written to {out_dir}"), err=True)
