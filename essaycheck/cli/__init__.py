"""The essaycheck command line: parse, call the core, print, exit.

One module per command group: ``marking`` (check, mark), ``models`` (evaluate,
calibrate, train), ``rubrics`` (rubric build, rubric validate), ``reviewing``
(override, report) and ``serving`` (serve); ``base`` holds the group, the exit
codes and the shared options.
"""

import contextlib
import logging
import os
import sys

from essaycheck.cli import marking, models, reviewing, rubrics, serving
from essaycheck.cli.base import EXIT_CODES_HELP, ExitCode, cli

__all__ = [
    "EXIT_CODES_HELP",
    "ExitCode",
    "cli",
    "main",
    "marking",
    "models",
    "reviewing",
    "rubrics",
    "serving",
]


def main() -> None:
    """Run the command line (the ``essaycheck`` entry point).

    Once the command has finished and its output is flushed, the process ends at
    once: the interpreter's own teardown, freeing spaCy's objects one by one,
    takes longer than checking an essay does.
    """
    try:
        cli(prog_name="essaycheck")
        code = 0
    except SystemExit as finished:
        code = finished.code if isinstance(finished.code, int) else int(finished.code is not None)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (| head), a closed stream
            stream.flush()
    os._exit(code)
