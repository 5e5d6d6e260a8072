"""What every command shares: the group, the exit codes, the common options."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.decorators import FC

from essaycheck import __version__
from essaycheck.engine import ENGINES
from essaycheck.errors import EssaycheckError

if TYPE_CHECKING:
    from essaycheck.engine.checker import Checker

EXIT_CODES_HELP = """\b
Exit codes:
  0  ran; reports written (missing points are feedback, not failure)
  1  essaycheck error (could not run): bad rubric, unreadable essay, missing model
  2  usage error: unknown option, missing argument, bad value
  3  batch finished, but some essays could not be marked
  4  fell short: an essay covers less than check --fail-under asks
  130  interrupted (Ctrl-C); mark --resume finishes the batch"""


class ExitCode(IntEnum):
    """The exit codes every command documents (EXIT_CODES_HELP says what each means)."""

    OK = 0
    ERROR = 1
    USAGE = 2
    PARTIAL = 3
    FELL_SHORT = 4
    INTERRUPTED = 130


class EssaycheckGroup(click.Group):
    """A command group that turns essaycheck's errors into clean messages."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; report an EssaycheckError as "Error: ..." with exit code 1.

        Every message is made safe for a terminal: a file name or an essay's text
        in it can never set the window title or write the clipboard.
        """
        try:
            return super().invoke(ctx)
        except EssaycheckError as err:
            raise click.ClickException(safe(str(err))) from err
        except click.UsageError as err:
            safer = click.UsageError(safe(err.format_message()), err.ctx)
            raise safer from err


def safe(text: str) -> str:
    """The text with everything a terminal would act on replaced (see reports/_text.py)."""
    from essaycheck.reports._text import terminal_safe

    return terminal_safe(text)


class FiniteFloat(click.FloatRange):
    """click.FloatRange that refuses ``inf`` and ``nan`` (which a range alone lets through)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Return the value as a float in the range, or fail saying why."""
        import math

        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


class Share(click.ParamType):  # type: ignore[type-arg]  # generic in newer click
    """A share of the rubric: a number from 0 to 1 (``0.6``) or a percentage (``60%``)."""

    name = "share"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Return the share as a float from 0 to 1, or fail saying what to write instead."""
        import math

        if isinstance(value, int | float) and not isinstance(value, bool):
            number, text = float(value), f"{value}"
        else:
            text = str(value).strip()
            try:
                number = float(text.removesuffix("%").strip())
            except ValueError:
                number = math.nan
            if text.endswith("%"):
                number /= 100
        if math.isnan(number):
            reason = "is not a number"
        elif number > 1:
            reason = "is more than 1, the whole rubric"
        elif number < 0:
            reason = "is less than 0"
        else:
            return number
        self.fail(
            f"{text!r} {reason}: write a share from 0 to 1 (0.6) or a percentage (60%).",
            param,
            ctx,
        )


def _load_checker(engine: str, models_dir: Path | None) -> Checker:
    from essaycheck.engine import load_checker

    return load_checker(engine, models_dir)


@dataclass
class Services:
    """What commands load from disk; a test hands in its own (``CliRunner.invoke(obj=...)``)."""

    load_checker: Callable[[str, Path | None], Checker] = field(default=_load_checker)


pass_services = click.make_pass_decorator(Services, ensure=True)


def use_colour(ctx: click.Context) -> bool:
    """Whether terminal output may be coloured: decided here once, never by a renderer."""
    if ctx.color is not None:
        return ctx.color
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


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
    type=click.Choice(list(ENGINES)),
    default="fast",
    show_default=True,
    help="fast: static embeddings (default); entail: fast, then a cross-encoder reads "
    "each candidate (states the point, says the opposite, or neither; far slower); "
    "precise: a fine-tuned transformer on the CPU (pip install -e '.[precise]').",
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
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Check which key points of a source text each essay covers, with evidence.

    Defaults for the options (the rubric, the format...) can live in a
    .essaycheck.yaml in this folder or one above it; see the README.
    """
    from essaycheck.cli.defaults import find_config, load_defaults

    config = find_config(Path.cwd())
    if config is not None:
        assert isinstance(ctx.command, click.Group)
        ctx.default_map = load_defaults(config, ctx.command)


def format_option(choices: list[str]) -> Callable[[FC], FC]:
    """The -f/--format option, with the given report formats (the first is the default)."""
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Report format.",
    )
