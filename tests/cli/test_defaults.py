"""The class config file, .essaycheck.yaml: defaults for the commands that take each option."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import (
    EXAMPLES_DIR,
)

from essaycheck.cli import cli

STRONG = EXAMPLES_DIR / "essays" / "01-strong-amira.txt"
SHORT = EXAMPLES_DIR / "essays" / "10-short-draft-maya.txt"
RUBRIC = EXAMPLES_DIR / "rubric.json"


def test_a_config_file_above_the_working_folder_names_the_rubric(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    reuse_checker: list[Path | None],
) -> None:
    shutil.copy(RUBRIC, tmp_path / "rubric.json")
    (tmp_path / ".essaycheck.yaml").write_text("rubric: rubric.json\nformat: json\n", "utf-8")
    work = tmp_path / "drafts" / "week3"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)

    result = runner.invoke(cli, ["check", str(STRONG)])

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rubric"]["title"].startswith("Trotsky")


def test_the_command_line_wins_over_the_config_file(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    reuse_checker: list[Path | None],
) -> None:
    (tmp_path / ".essaycheck.yaml").write_text(f"rubric: {RUBRIC}\nformat: json\n", "utf-8")
    monkeypatch.chdir(tmp_path)

    result = runner.invoke(cli, ["check", str(STRONG), "-f", "text"])

    assert result.exit_code == 0, result.output
    assert "key points covered" in result.stdout


def test_a_config_file_with_an_unknown_option_is_a_clear_error(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".essaycheck.yaml").write_text("rubrik: x.json\n", "utf-8")
    monkeypatch.chdir(tmp_path)

    result = runner.invoke(cli, ["check", str(STRONG)])

    assert result.exit_code == 1
    assert "unknown option(s) rubrik" in result.stderr
