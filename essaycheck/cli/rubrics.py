"""Commands about rubrics: build one from a source text, validate files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from essaycheck.cli.base import (
    EXIT_CODES_HELP,
    EssaycheckGroup,
    ExitCode,
    cli,
)


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
    from essaycheck.io.files import write_text_atomically
    from essaycheck.rubric import dump_rubric

    if output.exists() and not force:
        raise click.ClickException(f"{output}: already exists. Pass --force to replace it.")
    text = read_essay(source).text
    built = build_rubric(text, title=title or _title_from(source), source=source.name)
    write_text_atomically(output, dump_rubric(built, output))
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
