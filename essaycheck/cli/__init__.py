"""The essaycheck command line: parse, call the core, print, exit.

One module per command group: ``marking`` (check, mark), ``models`` (evaluate,
calibrate, train) and ``rubrics`` (rubric build, rubric validate); ``base`` holds
the group, the exit codes and the shared options.
"""

from essaycheck.cli import marking, models, rubrics
from essaycheck.cli.base import EXIT_CODES_HELP, ExitCode, cli

__all__ = ["EXIT_CODES_HELP", "ExitCode", "cli", "main", "marking", "models", "rubrics"]


def main() -> None:
    """Run the command line (the ``essaycheck`` entry point)."""
    cli(prog_name="essaycheck")
