"""The command line as a whole: the group, --help, exit codes and the entry point."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import (
    assert_error,
    invoke,
)

from essaycheck import __version__
from essaycheck.cli import cli

LEAF_COMMANDS = [
    ["check"],
    ["mark"],
    ["evaluate"],
    ["train"],
    ["rubric", "build"],
    ["rubric", "validate"],
]


# --- the group -----------------------------------------------------------------------------


def test_version(runner: CliRunner) -> None:
    result = invoke(runner, "--version")

    assert result.exit_code == 0
    assert result.stdout == "essaycheck, version 0.1.0\n"


def test_group_help_lists_every_command(runner: CliRunner) -> None:
    result = invoke(runner, "--help")

    assert result.exit_code == 0
    for name in ("check", "mark", "evaluate", "train", "rubric"):
        assert re.search(rf"^  {name}\b", result.stdout, re.MULTILINE), name
    assert "Exit codes:" in result.stdout


def test_unknown_command_is_a_usage_error(runner: CliRunner) -> None:
    assert_error(invoke(runner, "grade"), 2, "No such command 'grade'")


@pytest.mark.parametrize("command", LEAF_COMMANDS, ids=" ".join)
def test_help_explains_the_command_and_its_exit_codes(
    runner: CliRunner, command: list[str]
) -> None:
    result = invoke(runner, *command, "--help")

    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: essaycheck {' '.join(command)} ")
    assert f"Example: essaycheck {' '.join(command)}" in result.stdout
    assert "Exit codes:" in result.stdout
    for code in ("0  ran", "1  essaycheck error", "2  usage error", "3  batch finished"):
        assert code in result.stdout


def test_module_entry_point_exits_with_the_error_code(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "essaycheck", "rubric", "validate", str(tmp_path / "missing.json")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert completed.returncode == 1
    assert completed.stdout == ""
    assert "no such rubric file" in completed.stderr


def test_version_is_printed(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])

    assert result.exit_code == 0
    assert __version__ in result.stdout
