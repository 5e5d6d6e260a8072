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
@click.argument("sources", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Rubric file to write (.yaml/.yml with the reasons as comments, or .json).",
)
@click.option("--title", help="Rubric title (default: from the first source's file name).")
@click.option(
    "--from",
    "kind",
    type=click.Choice(["source", "model-answer", "mark-scheme"]),
    help="What the sources are (default: guessed for each file).",
)
@click.option(
    "--detail",
    type=click.Choice(["default", "fine", "coarse"]),
    default="default",
    show_default=True,
    help="fine: one fact per point; coarse: a few broad points.",
)
@click.option(
    "--max-points",
    type=click.IntRange(min=1),
    help="Keep at most N points, the most central ones (default: 15; coarse 8).",
)
@click.option("--force", is_flag=True, help="Replace an existing rubric file.")
def build(
    sources: tuple[Path, ...],
    output: Path,
    title: str | None,
    kind: str | None,
    detail: str,
    max_points: int | None,
    force: bool,
) -> None:
    """Extract the key points of SOURCES into one rubric to review and edit.

    One self-contained claim per point, in the order the sources argue them;
    pronouns resolved, compound claims split, near-duplicates merged (kept as
    examples), filler dropped. Notes, bullet lists and mark schemes work too;
    .docx, .odt and .pdf are read like essays. Weights and 'required' are
    proposed, with the reason as a comment in a YAML rubric.

    Example: essaycheck rubric build examples/source.txt -o my-rubric.yaml
    """
    from essaycheck.extraction import propose_rubric
    from essaycheck.extraction.output import dump_built_rubric
    from essaycheck.io.essays import read_essay
    from essaycheck.io.files import write_text_atomically

    if output.exists() and not force:
        raise click.ClickException(f"{output}: already exists. Pass --force to replace it.")
    texts = [(source.name, read_essay(source).text) for source in sources]
    built = propose_rubric(
        texts,
        title=title or _title_from(sources[0]),
        kind=kind,  # type: ignore[arg-type]
        detail=detail,  # type: ignore[arg-type]
        max_points=max_points,
    )
    write_text_atomically(output, dump_built_rubric(built, output, sources))
    read_as = ", ".join(f"{name} as a {kind_}" for name, kind_ in built.kinds.items())
    click.echo(
        f"{len(built.rubric)} key points written to {output} (read {read_as}). Review them, "
        f"then run: essaycheck rubric validate {output}",
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
