"""Command-line conventions: line format, --fail-under, gradebook marks and bands, a config file."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from essaycheck import __version__
from essaycheck.cli import cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
STRONG = EXAMPLES / "essays" / "01-strong-amira.txt"
SHORT = EXAMPLES / "essays" / "10-short-draft-maya.txt"
RUBRIC = EXAMPLES / "rubric.json"
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<point>[\w-]+): (?P<msg>.+)$")


def test_version_is_printed(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])

    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_line_format_gives_file_line_column_point_and_message(
    runner: CliRunner, reuse_checker: list[Path | None]
) -> None:
    result = runner.invoke(cli, ["check", str(SHORT), "-r", str(RUBRIC), "-f", "line"])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines
    text = SHORT.read_text("utf-8")
    for line in lines:
        found = LINE.match(line)
        assert found, line
        assert found["file"] == str(SHORT)
        assert found["msg"].startswith(("missing: ", "not counted: ", "close call"))
        row, column = int(found["line"]), int(found["col"])
        assert row <= text.count("\n") + 1
        assert column <= len(text.splitlines()[row - 1]) + 1


def test_fail_under_exits_1_when_an_essay_covers_too_little(
    runner: CliRunner, reuse_checker: list[Path | None]
) -> None:
    passing = runner.invoke(cli, ["check", str(STRONG), "-r", str(RUBRIC), "--fail-under", "0.3"])
    failing = runner.invoke(cli, ["check", str(SHORT), "-r", str(RUBRIC), "--fail-under", "0.99"])

    assert passing.exit_code == 0, passing.output
    assert failing.exit_code == 1
    assert "under --fail-under 99%" in failing.stderr


def test_fail_under_must_be_a_share(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["check", str(STRONG), "-r", str(RUBRIC), "--fail-under", "60"])

    assert result.exit_code == 2
    assert "--fail-under" in result.stderr


def test_gradebook_has_marks_and_grade_bands(
    runner: CliRunner, tmp_path: Path, reuse_checker: list[Path | None]
) -> None:
    data = json.loads(RUBRIC.read_text("utf-8"))
    data["bands"] = [
        {"min": 0.8, "label": "A"},
        {"min": 0.5, "label": "B"},
        {"min": 0, "label": "C"},
    ]
    rubric = tmp_path / "banded.json"
    rubric.write_text(json.dumps(data), "utf-8")
    essays = tmp_path / "essays"
    essays.mkdir()
    shutil.copy(STRONG, essays)
    shutil.copy(SHORT, essays)
    out = tmp_path / "out"

    result = runner.invoke(
        cli, ["mark", str(essays), "-r", str(rubric), "-o", str(out), "--scale", "20"]
    )

    assert result.exit_code == 0, result.output
    with (out / "gradebook.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[:5] == ["file", "student", "score", "marks", "grade"]
    for row in rows:
        score = float(row["score"])
        assert float(row["marks"]) == pytest.approx(score * 20, abs=0.05)
        assert row["grade"] == ("A" if score >= 0.8 else "B" if score >= 0.5 else "C")


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
