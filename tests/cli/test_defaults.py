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
from essaycheck.cli.defaults import CONFIG_NAME, load_defaults
from essaycheck.errors import ConfigError

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


# --- a config file is never trusted --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "a: &a [x, x, x, x, x, x, x, x, x]\nrubric: [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n",
            "line 2, column 10: uses the alias *a",
        ),
        ("rubric: a.json\nrubric: b.json\n", "line 2, column 1: the key 'rubric' appears more"),
        ("rubric: " + "[" * 10_000, "line 1, column 40: nested more than 32 levels deep"),
        ("rubric: a.json\n  format: json\n", "line 2, column 9: not valid YAML"),
        ("fail-under: .nan\n", "fail-under is nan, not a finite number"),
        ("scale: -.inf\n", "scale is -inf, not a finite number"),
        ("rubric: [a.json, b.json]\n", "rubric should be a single value, not a list"),
        ("engine: {name: fast}\n", "engine should be a single value, not a mapping"),
        ("rubric:\n", "rubric has no value"),
        ("rubric: 2024-01-31\n", "rubric should be text or a number, not date"),
        ("# padding\n" * 7000, "larger than 64 KiB"),
    ],
    ids=[
        "alias",
        "repeated-key",
        "10000-deep",
        "syntax",
        "nan",
        "infinite",
        "list",
        "mapping",
        "no-value",
        "date",
        "too-large",
    ],
)
def test_an_untrustworthy_config_file_is_a_clear_error(
    tmp_path: Path, text: str, words: str
) -> None:
    path = tmp_path / CONFIG_NAME
    path.write_text(text, "utf-8")

    with pytest.raises(ConfigError) as caught:
        load_defaults(path, cli)

    assert str(caught.value).startswith(f"{path}: ")
    assert words in str(caught.value)
    assert str(caught.value).endswith("Fix or delete it.")


def test_a_config_file_alias_bomb_stops_the_command_with_exit_1(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    (tmp_path / CONFIG_NAME).write_text("\n".join(lines), "utf-8")
    monkeypatch.chdir(tmp_path)

    result = runner.invoke(cli, ["check", str(STRONG)])

    assert result.exit_code == 1
    assert "uses the alias *a0" in result.stderr


def test_a_valid_config_file_reads_as_before(tmp_path: Path) -> None:
    path = tmp_path / CONFIG_NAME
    path.write_text("rubric: r.json\nformat: json\nfail-under: 0.6\nscale: 20\n", "utf-8")

    defaults = load_defaults(path, cli)

    rubric = str(tmp_path / "r.json")
    assert defaults["check"] == {"rubric_path": rubric, "fmt": "json", "fail_under": 0.6}
    assert defaults["mark"] == {"rubric_path": rubric, "scale": 20}
