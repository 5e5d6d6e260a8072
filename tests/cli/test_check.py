"""`essaycheck check`: one or a few essays, every output format, --fail-under."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click.testing
import pytest
from click.testing import CliRunner
from conftest import (
    ANSI,
    DATA_DIR,
    EXAMPLES_DIR,
    GOLDEN_DIR,
    REPO_DIR,
    SHORT_ESSAY,
    SMALL_RUBRIC,
    SPLIT_ESSAY,
    assert_error,
    invoke,
)

from essaycheck.cli import cli
from essaycheck.cli.base import ExitCode

STRONG = EXAMPLES_DIR / "essays" / "01-strong-amira.txt"
SHORT = EXAMPLES_DIR / "essays" / "10-short-draft-maya.txt"
RUBRIC = EXAMPLES_DIR / "rubric.json"
LINE = re.compile(
    r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning|info): "
    r"(?P<point>[\w-]+): (?P<msg>.+)$"
)


# --- check ---------------------------------------------------------------------------------


def test_check_reports_covered_and_missing_points(runner: CliRunner) -> None:
    result = invoke(runner, "check", SHORT_ESSAY, "-r", SMALL_RUBRIC)

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{SHORT_ESSAY}: 4 of 5 key points covered (score 0.86)\n")
    assert "✗ industrialisation" in result.stdout
    assert "hint: How did Stalin plan to make the Soviet Union strong?" in result.stdout
    assert result.stderr == ""


def test_check_json_is_the_documented_report(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(DATA_DIR)

    result = invoke(
        runner, "check", "essays/short-essay.txt", "-r", "rubrics/trotsky-stalin.json", "-f", "json"
    )

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    golden = json.loads((GOLDEN_DIR / "report.json").read_text("utf-8"))
    assert report["schema_version"] == 1
    assert report["rubric"] == golden["rubric"]
    assert report["engine"] == golden["engine"]
    assert report["essays"] == golden["essays"][:1]


def test_check_markdown_is_feedback_for_the_student(runner: CliRunner) -> None:
    result = invoke(runner, "check", SHORT_ESSAY, "-r", SMALL_RUBRIC, "--format", "markdown")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"# Feedback: {SHORT_ESSAY}".replace("_", "\\_"))
    assert "## Covered" in result.stdout
    assert "## Missing" in result.stdout


def test_check_several_essays_in_the_order_given(runner: CliRunner) -> None:
    result = invoke(runner, "check", SPLIT_ESSAY, SHORT_ESSAY, "-r", SMALL_RUBRIC, "-f", "json")

    assert result.exit_code == 0, result.output
    assert [e["path"] for e in json.loads(result.stdout)["essays"]] == [
        str(SPLIT_ESSAY),
        str(SHORT_ESSAY),
    ]


def test_check_dash_reads_the_essay_from_stdin(runner: CliRunner) -> None:
    result = invoke(
        runner, "check", "-", "-r", SMALL_RUBRIC, "-f", "json", input=SHORT_ESSAY.read_bytes()
    )

    assert result.exit_code == 0, result.output
    essay = json.loads(result.stdout)["essays"][0]
    assert essay["path"] == "-"
    assert [p["id"] for p in essay["points"] if p["status"] == "covered"] == [
        "permanent-revolution",
        "collective-farming",
        "socialism-in-one-country",
        "stalin-favoured",
    ]


def test_check_uses_the_models_dir_from_the_environment(
    runner: CliRunner, reuse_checker: list[Path | None], models_dir: Path
) -> None:
    result = invoke(runner, "check", SHORT_ESSAY, "-r", SMALL_RUBRIC)

    assert result.exit_code == 0, result.output
    assert reuse_checker == [models_dir]


def test_check_output_is_the_same_every_run(runner: CliRunner) -> None:
    args = ("check", SHORT_ESSAY, SPLIT_ESSAY, "-r", SMALL_RUBRIC, "-f", "json")

    first, second = invoke(runner, *args), invoke(runner, *args)

    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout


def test_check_without_a_terminal_prints_no_colour(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)

    result = invoke(runner, "check", SHORT_ESSAY, "-r", SMALL_RUBRIC)

    assert result.exit_code == 0
    assert not ANSI.search(result.stdout)


@pytest.mark.parametrize(
    ("no_color", "is_coloured"), [(None, True), ("1", False)], ids=["colour", "NO_COLOR"]
)
def test_check_at_a_terminal_is_coloured_unless_no_color(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, no_color: str | None, is_coloured: bool
) -> None:
    monkeypatch.setattr(click.testing._NamedTextIOWrapper, "isatty", lambda self: True)

    result = invoke(runner, "check", SHORT_ESSAY, "-r", SMALL_RUBRIC, env={"NO_COLOR": no_color})

    assert result.exit_code == 0, result.output
    assert bool(ANSI.search(result.stdout)) is is_coloured
    assert ANSI.sub("", result.stdout).startswith(f"{SHORT_ESSAY}: 4 of 5 key points covered")


def test_check_missing_essay_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"

    assert_error(
        invoke(runner, "check", missing, "-r", SMALL_RUBRIC), 1, f"Error: {missing}: no such file"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b" \n\t\n", "is empty"),
        (b"PK\x03\x04\x00\x00binary", "looks like a binary file"),
    ],
    ids=["empty", "whitespace-only", "binary"],
)
def test_check_unreadable_essay_is_an_error(
    runner: CliRunner, tmp_path: Path, content: bytes, message: str
) -> None:
    essay = tmp_path / "essay.txt"
    essay.write_bytes(content)

    assert_error(
        invoke(runner, "check", essay, "-r", SMALL_RUBRIC), 1, f"Error: {essay}: {message}"
    )


def test_check_missing_rubric_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    assert_error(
        invoke(runner, "check", SHORT_ESSAY, "-r", tmp_path / "none.json"),
        1,
        "no such rubric file",
        "essaycheck rubric build",
    )


def test_check_bad_rubric_lists_its_problems(runner: CliRunner, tmp_path: Path) -> None:
    rubric = tmp_path / "rubric.json"
    rubric.write_text('{"title": "x", "points": [{"id": "A", "text": ""}]}')

    result = invoke(runner, "check", SHORT_ESSAY, "-r", rubric)

    assert_error(result, 1, "2 problems", "$.points[0].id", "$.points[0].text")


def test_check_models_dir_without_models_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "check", SHORT_ESSAY, "-r", SMALL_RUBRIC, "--models-dir", tmp_path)

    assert_error(result, 1, "static embedding model is missing", "--models-dir")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check"], "Missing argument 'ESSAYS...'"),
        (["check", str(SHORT_ESSAY)], "Missing option '-r' / '--rubric'"),
        (
            ["check", str(SHORT_ESSAY), "-r", str(SMALL_RUBRIC), "-f", "pdf"],
            "Invalid value for '-f' / '--format'",
        ),
        (
            ["check", str(SHORT_ESSAY), "-r", str(SMALL_RUBRIC), "--colour"],
            "No such option '--colour'",
        ),
    ],
    ids=["no-essay", "no-rubric", "unknown-format", "unknown-option"],
)
def test_check_usage_errors(runner: CliRunner, args: list[str], message: str) -> None:
    assert_error(invoke(runner, *args), 2, message)


def test_line_format_gives_file_line_column_point_and_message(
    runner: CliRunner, reuse_checker: list[Path | None]
) -> None:
    result = runner.invoke(cli, ["check", str(SHORT), "-r", str(RUBRIC), "-f", "line"])

    assert result.exit_code == 0, result.output
    *findings, essay, summary = result.stdout.splitlines()
    assert len(findings) == 8
    text = SHORT.read_text("utf-8")
    for line in findings:
        found = LINE.match(line)
        assert found, line
        assert found["file"] == str(SHORT)
        assert found["severity"] == ("info" if found["msg"].startswith("close call") else "warning")
        assert found["msg"].startswith(("missing: ", "missing, but this comes close: "))
        row, column = int(found["line"]), int(found["col"])
        assert row <= text.count("\n") + 1
        assert column <= len(text.splitlines()[row - 1]) + 1
    assert essay == f"{SHORT}: 3 of 11 key points covered (43%)"
    assert summary == "8 missing in 1 file"


def test_line_format_puts_a_close_call_at_its_passage(
    runner: CliRunner, reuse_checker: list[Path | None]
) -> None:
    result = runner.invoke(cli, ["check", str(SHORT), "-r", str(RUBRIC), "-f", "line"])

    close = [line for line in result.stdout.splitlines() if ": end-isolation: " in line]
    assert close == [
        f"{SHORT}:3:1: warning: end-isolation: missing, but this comes close: Why did Trotsky "
        "think other countries turning communist mattered for the Soviet Union's own position?"
    ]
    assert SHORT.read_text("utf-8").splitlines()[2].startswith("Trotsky wanted permanent")


def test_line_format_marks_required_points_as_errors_and_shows_the_grade(
    runner: CliRunner, tmp_path: Path, reuse_checker: list[Path | None]
) -> None:
    data = json.loads(RUBRIC.read_text("utf-8"))
    for point in data["points"]:
        point["required"] = point["id"] in {"permanent-revolution", "collective-farming"}
    data["bands"] = [{"min": 0.5, "label": "Pass"}, {"min": 0, "label": "Not yet"}]
    rubric = tmp_path / "required.json"
    rubric.write_text(json.dumps(data), "utf-8")

    result = runner.invoke(cli, ["check", str(SHORT), "-r", str(rubric), "-f", "line"])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # at the start of the paragraph of the sentence nearest the point
    assert re.search(
        rf"^{re.escape(str(SHORT))}:\d+:1: error: collective-farming: missing \(required\): ",
        "\n".join(lines),
        re.MULTILINE,
    )
    assert not any(": permanent-revolution: " in line for line in lines)  # covered
    assert lines[-2] == f"{SHORT}: 3 of 11 key points covered (43%, grade Not yet)"
    assert lines[-1] == "8 missing (1 required) in 1 file"


def test_jsonl_gives_one_finding_per_line_with_its_range(
    runner: CliRunner, reuse_checker: list[Path | None]
) -> None:
    result = runner.invoke(cli, ["check", str(SHORT), "-r", str(RUBRIC), "-f", "jsonl"])

    assert result.exit_code == 0, result.output
    findings = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(findings) == 8
    for finding in findings:
        assert set(finding) == {
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "severity",
            "code",
            "kind",
            "message",
        }
        assert finding["path"] == str(SHORT)
        assert (finding["line"], finding["column"]) <= (finding["end_line"], finding["end_column"])
    close = next(f for f in findings if f["code"] == "end-isolation")
    assert (close["line"], close["column"], close["severity"]) == (3, 1, "warning")
    assert close["end_line"] == 3 and close["end_column"] > 1


def test_text_names_what_each_covered_point_was_credited_for(
    runner: CliRunner, reuse_checker: list[Path | None]
) -> None:
    result = runner.invoke(cli, ["check", str(SHORT), "-r", str(RUBRIC)])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    at = lines.index(next(line for line in lines if "✓ socialism-in-one-country" in line))
    assert lines[at + 1].startswith("      credited for: Stalin")
    assert lines[at + 2].startswith("      “Stalin disagreed and his idea was socialism")


@pytest.mark.parametrize("fmt", ["text", "line", "jsonl", "markdown"])
def test_student_formats_never_name_engine_internals(
    runner: CliRunner, reuse_checker: list[Path | None], fmt: str
) -> None:
    result = runner.invoke(cli, ["check", str(SHORT), "-r", str(RUBRIC), "-f", fmt])

    assert result.exit_code == 0, result.output
    for internal in ("needs_review", "needs review", "threshold", "window"):
        assert internal not in result.stdout.lower()


def test_fail_under_exits_4_when_an_essay_falls_short(
    runner: CliRunner, reuse_checker: list[Path | None]
) -> None:
    passing = runner.invoke(cli, ["check", str(STRONG), "-r", str(RUBRIC), "--fail-under", "0.3"])
    failing = runner.invoke(cli, ["check", str(SHORT), "-r", str(RUBRIC), "--fail-under", "0.99"])

    assert passing.exit_code == 0, passing.output
    assert failing.exit_code == ExitCode.FELL_SHORT == 4
    assert "under --fail-under 99%" in failing.stderr
    assert failing.stdout  # the report is still printed


@pytest.mark.parametrize(("value", "code"), [("0.6", 4), ("60%", 4), ("40%", 0), (".4", 0)])
def test_fail_under_takes_a_share_or_a_percentage(
    runner: CliRunner, reuse_checker: list[Path | None], value: str, code: int
) -> None:
    result = runner.invoke(cli, ["check", str(SHORT), "-r", str(RUBRIC), "--fail-under", value])

    assert result.exit_code == code, result.output


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("60", "is more than 1"),
        ("1.5", "is more than 1"),
        ("150%", "is more than 1"),
        ("abc", "is not a number"),
        ("-0.1", "is less than 0"),
    ],
)
def test_fail_under_must_be_a_share(runner: CliRunner, value: str, reason: str) -> None:
    result = runner.invoke(cli, ["check", str(STRONG), "-r", str(RUBRIC), "--fail-under", value])

    assert result.exit_code == ExitCode.USAGE == 2
    assert f"Invalid value for '--fail-under': '{value}' {reason}" in result.stderr
    assert "write a share from 0 to 1 (0.6) or a percentage (60%)" in result.stderr


def test_help_documents_every_exit_code(runner: CliRunner) -> None:
    result = invoke(runner, "check", "--help")

    assert result.exit_code == 0
    for code in ExitCode:
        assert f"  {code.value}  " in result.stdout
    assert "4  fell short" in result.stdout
    assert "1  essaycheck error (could not run)" in result.stdout


HOSTILE_TEXT = (
    "Trotsky argued for permanent revolution \x1b]0;pwned\x07 and \x1b]52;c;aGk=\x07 "
    "a world revolution.\u202e Stalin wanted socialism in one country \x9b31m first."
)


@pytest.fixture
def hostile_essay(tmp_path: Path) -> Path:
    path = tmp_path / "ana\x1b[2J\u202etxt.txt"
    path.write_text(HOSTILE_TEXT, "utf-8")
    return path


@pytest.mark.parametrize("fmt", ["text", "line", "markdown"])
def test_nothing_from_an_essay_reaches_the_terminal_as_a_control_code(
    runner: CliRunner, hostile_essay: Path, fmt: str
) -> None:
    result = invoke(runner, "check", hostile_essay, "-r", RUBRIC, "-f", fmt)

    assert result.exit_code == 0, result.output
    for unsafe in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert unsafe not in result.stdout
        assert unsafe not in result.stderr
    assert "ana" in result.stdout


def test_json_keeps_the_text_but_writes_control_codes_as_escapes(
    runner: CliRunner, hostile_essay: Path
) -> None:
    result = invoke(runner, "check", hostile_essay, "-r", RUBRIC, "-f", "json")

    assert result.exit_code == 0, result.output
    assert not {"\x1b", "\x07", "\x9b", "\u202e"} & set(result.stdout)
    essay = json.loads(result.stdout)["essays"][0]
    assert essay["path"] == str(hostile_essay)
    quoted = [p["evidence"]["text"] for p in essay["points"] if p["evidence"]]
    assert quoted and all(text in HOSTILE_TEXT for text in quoted)


def test_an_error_naming_a_hostile_file_is_safe_to_print(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "x\x1b]52;c;aGk=\x07.txt"

    result = invoke(runner, "check", missing, "-r", RUBRIC)

    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "no such file" in result.stderr


@pytest.mark.parametrize("value", ["nan", "inf", "-0.1", "1.5"])
def test_fail_under_must_be_a_finite_share(runner: CliRunner, value: str) -> None:
    result = invoke(runner, "check", STRONG, "-r", RUBRIC, "--fail-under", value)

    assert result.exit_code == 2
    assert "--fail-under" in result.stderr


def test_a_config_file_may_give_fail_under_as_a_percentage(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".essaycheck.yaml").write_text(
        f"rubric: {RUBRIC}\nfail-under: 60%\nformat: line\n", "utf-8"
    )
    monkeypatch.chdir(tmp_path)

    result = invoke(runner, "check", SHORT)

    assert result.exit_code == ExitCode.FELL_SHORT, result.output
    assert result.stdout.endswith("8 missing in 1 file\n")
    assert "under --fail-under 60%" in result.stderr


def test_the_pre_commit_hook_runs_check_in_the_line_format(runner: CliRunner) -> None:
    import yaml

    (hook,) = yaml.safe_load((REPO_DIR / ".pre-commit-hooks.yaml").read_text("utf-8"))
    program, *entry = hook["entry"].split()
    assert program == "essaycheck"
    assert re.search(hook["files"], SHORT.name)

    # pre-commit adds the hook's args, then the staged files.
    result = invoke(runner, *entry, "-r", RUBRIC, "--fail-under", "60%", SHORT, STRONG)

    assert result.exit_code == ExitCode.FELL_SHORT, result.output
    assert LINE.match(result.stdout.splitlines()[0])
    assert result.stdout.splitlines()[-1].endswith(" in 2 files")
