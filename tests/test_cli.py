"""The command line: every command's success, bad input (stderr and exit code) and --help.

Exit codes: 0 ran, 1 essaycheck error, 2 usage error, 3 batch finished with
essays that could not be marked. Results go to stdout, everything else to stderr.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click.testing
import pytest
from click.testing import CliRunner, Result

from essaycheck.cli import cli
from essaycheck.engine import ENGINES
from essaycheck.engine.rule import FEATURES, load_rule
from essaycheck.rubric import load_rubric

pytestmark = pytest.mark.usefixtures("reuse_checker")

REPO_DIR = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = REPO_DIR / "examples"
DATA_DIR = Path(__file__).resolve().parent / "data"
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
SMALL_RUBRIC = DATA_DIR / "rubrics" / "trotsky-stalin.json"
SHORT_ESSAY = DATA_DIR / "essays" / "short-essay.txt"
SPLIT_ESSAY = DATA_DIR / "essays" / "split-sentences.txt"
TINY_DATA = DATA_DIR / "labelled" / "tiny.jsonl"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
LEAF_COMMANDS = [
    ["check"],
    ["mark"],
    ["evaluate"],
    ["train"],
    ["rubric", "build"],
    ["rubric", "validate"],
]


def invoke(runner: CliRunner, *args: str | Path, **kwargs: Any) -> Result:
    return runner.invoke(cli, [str(arg) for arg in args], prog_name="essaycheck", **kwargs)


def assert_error(result: Result, code: int, *words: str) -> None:
    """The command failed with ``code``, said so on stderr, and printed no results."""
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    for word in words:
        assert word in result.stderr


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


# --- mark ----------------------------------------------------------------------------------


@pytest.fixture
def essays_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "essays"
    folder.mkdir()
    shutil.copy(SHORT_ESSAY, folder / "ana.txt")
    shutil.copy(SPLIT_ESSAY, folder / "ben.md")
    (folder / "notes.pages").write_bytes(b"not an essay format essaycheck reads")
    (folder / ".hidden.txt").write_text("Not marked.")
    return folder


def _gradebook(out: Path) -> list[dict[str, str]]:
    with (out / "gradebook.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_mark_writes_gradebook_results_and_feedback(
    runner: CliRunner, essays_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reports"

    result = invoke(runner, "mark", essays_dir, "-r", SMALL_RUBRIC, "-o", out)

    assert result.exit_code == 0, result.output
    ids = [point.id for point in load_rubric(SMALL_RUBRIC)]
    header = (out / "gradebook.csv").read_text("utf-8").splitlines()[0]
    assert header == ",".join(["file", "student", "score", *ids, "error"])
    rows = _gradebook(out)
    assert [row["file"] for row in rows] == ["ana.txt", "ben.md"]
    assert rows[0]["score"] == "0.857"
    assert {row[point_id] for row in rows for point_id in ids} <= {"0", "1"}
    report = json.loads((out / "results.json").read_text("utf-8"))
    assert [essay["path"] for essay in report["essays"]] == ["ana.txt", "ben.md"]
    assert sorted(p.relative_to(out).as_posix() for p in (out / "feedback").iterdir()) == [
        "feedback/ana.md",
        "feedback/ben.md",
    ]
    assert (out / "feedback" / "ana.md").read_text("utf-8").startswith("# Feedback: ana.txt\n")
    assert result.stdout == ""
    assert "2 essays marked" in result.stderr
    assert f"Reports written to {out}" in result.stderr


def test_mark_quiet_prints_no_summary(runner: CliRunner, essays_dir: Path, tmp_path: Path) -> None:
    result = invoke(
        runner, "mark", essays_dir, "-r", SMALL_RUBRIC, "-o", tmp_path / "out", "--quiet"
    )

    assert result.exit_code == 0, result.output
    assert "essays marked" not in result.stderr
    assert "Reports written to" in result.stderr


def test_mark_finds_essays_in_subfolders(
    runner: CliRunner, essays_dir: Path, tmp_path: Path
) -> None:
    (essays_dir / "class-b").mkdir()
    shutil.copy(SHORT_ESSAY, essays_dir / "class-b" / "ana.txt")
    out = tmp_path / "out"

    result = invoke(runner, "mark", essays_dir, "-r", SMALL_RUBRIC, "-o", out)

    assert result.exit_code == 0, result.output
    assert [row["file"] for row in _gradebook(out)] == ["ana.txt", "ben.md", "class-b/ana.txt"]
    assert (out / "feedback" / "class-b" / "ana.md").is_file()


def test_mark_refuses_an_existing_out_folder_without_force(
    runner: CliRunner, essays_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    (out / "keep.txt").write_text("the teacher's notes")

    result = invoke(runner, "mark", essays_dir, "-r", SMALL_RUBRIC, "-o", out)

    assert_error(result, 1, f"Error: {out}: already exists", "--force")
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_mark_force_replaces_the_reports(
    runner: CliRunner, essays_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    assert invoke(runner, "mark", essays_dir, "-r", SMALL_RUBRIC, "-o", out).exit_code == 0
    (essays_dir / "ben.md").unlink()
    (out / "stale.txt").write_text("left from before")

    result = invoke(runner, "mark", essays_dir, "-r", SMALL_RUBRIC, "-o", out, "--force")

    assert result.exit_code == 0, result.output
    assert [row["file"] for row in _gradebook(out)] == ["ana.txt"]
    assert sorted(p.name for p in out.iterdir()) == [
        "feedback",
        "gradebook.csv",
        "report.html",
        "results.json",
    ]
    assert [p.name for p in (out / "feedback").iterdir()] == ["ana.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["essays", "reports"]


def test_mark_records_unreadable_essays_and_marks_the_rest(
    runner: CliRunner, essays_dir: Path, tmp_path: Path
) -> None:
    (essays_dir / "cara.txt").write_bytes(b"")
    (essays_dir / "dev.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    out = tmp_path / "reports"

    result = invoke(runner, "mark", essays_dir, "-r", SMALL_RUBRIC, "-o", out)

    assert result.exit_code == 3, result.output
    rows = {row["file"]: row for row in _gradebook(out)}
    assert list(rows) == ["ana.txt", "ben.md", "cara.txt", "dev.txt"]
    assert rows["ana.txt"]["score"] == "0.857" and rows["ana.txt"]["error"] == ""
    assert rows["cara.txt"]["score"] == "" and "is empty" in rows["cara.txt"]["error"]
    assert rows["dev.txt"]["score"] == "" and "binary file" in rows["dev.txt"]["error"]
    report = json.loads((out / "results.json").read_text("utf-8"))
    assert [e.get("error") is None for e in report["essays"]] == [True, True, False, False]
    assert (out / "feedback" / "cara.md").read_text("utf-8").count("could not be marked") == 1
    assert "Failed: cara.txt: is empty" in result.stderr
    assert "Failed: dev.txt: looks like a binary file" in result.stderr
    assert "2 of 4 essays could not be marked" in result.stderr
    assert "2 essays marked, 2 failed" in result.stderr


def test_mark_folder_that_does_not_exist_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(
        runner, "mark", tmp_path / "nowhere", "-r", SMALL_RUBRIC, "-o", tmp_path / "out"
    )

    assert_error(result, 1, "no such file or folder")
    assert not (tmp_path / "out").exists()


def test_mark_bad_rubric_is_an_error_and_writes_nothing(
    runner: CliRunner, essays_dir: Path, tmp_path: Path
) -> None:
    rubric = tmp_path / "rubric.json"
    rubric.write_text('{"title": "x", "points": []}')

    result = invoke(runner, "mark", essays_dir, "-r", rubric, "-o", tmp_path / "out")

    assert_error(result, 1, "points")
    assert not (tmp_path / "out").exists()


def test_mark_without_out_is_a_usage_error(runner: CliRunner, essays_dir: Path) -> None:
    assert_error(
        invoke(runner, "mark", essays_dir, "-r", SMALL_RUBRIC), 2, "Missing option '-o' / '--out'"
    )


# --- evaluate ------------------------------------------------------------------------------


def test_evaluate_prints_auc_map_and_f1(runner: CliRunner) -> None:
    result = invoke(runner, "evaluate", TINY_DATA)

    assert result.exit_code == 0, result.output
    assert f"data: {TINY_DATA}\n" in result.stdout
    assert "texts: 10, labelled pairs: 29\n" in result.stdout
    for label in ("ROC AUC", "KPA mAP (strict)", "KPA mAP (relaxed)", "F1 of covered"):
        assert re.search(rf"^  {re.escape(label)} +[01]\.\d{{3}}$", result.stdout, re.MULTILINE), (
            label
        )


def test_evaluate_json_parses(runner: CliRunner) -> None:
    result = invoke(runner, "evaluate", TINY_DATA, "--format", "json")

    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert metrics["data"] == str(TINY_DATA)
    assert metrics["engine"]["name"] == "static-centred"
    assert (metrics["texts"], metrics["labelled_pairs"]) == (10, 29)
    assert metrics["positive_rate"] == pytest.approx(9 / 29)
    for key in ("auc", "map_strict", "map_relaxed", "precision", "recall", "f1", "top1_accuracy"):
        assert 0.0 <= metrics[key] <= 1.0, key
    # Better than chance on hand-written arguments that plainly make, or miss, their points.
    assert metrics["auc"] > 0.7


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "broken", "topic": "x"', ":3: not valid JSON"),
        (
            '{"id": "no-text", "topic": "x", "keypoints": [], "labels": {}}',
            ":3: not a labelled record",
        ),
        (
            '{"id": "u", "topic": "x", "text": "t", "keypoints": [{"id": "a", "text": "A"}], '
            '"labels": {"b": 1}}',
            ":3: labels name key points ['b']",
        ),
    ],
    ids=["not-json", "missing-field", "unknown-key-point"],
)
def test_evaluate_malformed_line_is_named(
    runner: CliRunner, tmp_path: Path, line: str, message: str
) -> None:
    lines = TINY_DATA.read_text("utf-8").splitlines()
    data = tmp_path / "data.jsonl"
    data.write_text("\n".join([*lines[:2], line, *lines[3:]]) + "\n", "utf-8")

    assert_error(invoke(runner, "evaluate", data), 1, f"Error: {data}{message}")


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such data file"), ("\n\n", "holds no records")],
    ids=["missing", "empty"],
)
def test_evaluate_unusable_data_file_is_an_error(
    runner: CliRunner, tmp_path: Path, content: str | None, message: str
) -> None:
    data = tmp_path / "data.jsonl"
    if content is not None:
        data.write_text(content)

    assert_error(invoke(runner, "evaluate", data), 1, message)


def test_evaluate_without_data_is_a_usage_error(runner: CliRunner) -> None:
    assert_error(invoke(runner, "evaluate"), 2, "Missing argument 'DATA'")


# --- train ---------------------------------------------------------------------------------


@pytest.fixture
def empty_models_dir(tmp_path: Path) -> Path:
    """A models folder holding only the static model: no decision rule yet."""
    folder = tmp_path / "models"
    folder.mkdir()
    static = REPO_DIR / "models" / ENGINES["fast"].embeddings_dir
    try:
        (folder / static.name).symlink_to(static, target_is_directory=True)
    except OSError:
        shutil.copytree(static, folder / static.name)
    return folder


def test_train_writes_the_rule_and_its_meta(runner: CliRunner, empty_models_dir: Path) -> None:
    result = invoke(runner, "train", "--data", TINY_DATA, "--models-dir", empty_models_dir)

    assert result.exit_code == 0, result.output
    folder = empty_models_dir / "decision-rule"
    assert sorted(p.name for p in folder.iterdir()) == ["decision-rule.json", "meta.json"]
    rule = load_rule(folder)
    assert len(rule.coefficients) == len(FEATURES)
    meta = json.loads((folder / "meta.json").read_text("utf-8"))
    assert meta["essaycheck"] == "0.1.0"
    assert meta["training_data"]["file"] == "tiny.jsonl"
    assert meta["training_data"]["texts"] == 10
    assert re.fullmatch(r"[0-9a-f]{64}", meta["training_data"]["sha256"])
    assert meta["held_out_data"] is None
    figures = json.loads(result.stdout)
    assert figures["train"]["texts"]["pairs"] == 29
    assert "dev" not in figures
    assert f"Decision rule written to {folder / 'decision-rule.json'}" in result.stderr


def test_train_with_dev_records_held_out_figures(runner: CliRunner, empty_models_dir: Path) -> None:
    result = invoke(
        runner, "train", "--data", TINY_DATA, "--dev", TINY_DATA, "--models-dir", empty_models_dir
    )

    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["dev"]["labelled_pairs"] == 29
    assert 0.0 <= figures["dev"]["auc"] <= 1.0
    meta = json.loads((empty_models_dir / "decision-rule" / "meta.json").read_text("utf-8"))
    assert meta["held_out_data"]["file"] == "tiny.jsonl"
    assert meta["figures"] == figures


def test_train_twice_gives_the_same_rule(runner: CliRunner, empty_models_dir: Path) -> None:
    rule_file = empty_models_dir / "decision-rule" / "decision-rule.json"
    assert (
        invoke(runner, "train", "--data", TINY_DATA, "--models-dir", empty_models_dir).exit_code
        == 0
    )
    first = rule_file.read_bytes()

    assert (
        invoke(runner, "train", "--data", TINY_DATA, "--models-dir", empty_models_dir).exit_code
        == 0
    )

    assert rule_file.read_bytes() == first


def test_train_defaults_to_the_models_dir_in_the_environment(
    runner: CliRunner, models_dir: Path
) -> None:
    rule_file = models_dir / "decision-rule" / "decision-rule.json"
    shipped = rule_file.read_bytes()

    result = invoke(runner, "train", "--data", TINY_DATA)

    assert result.exit_code == 0, result.output
    assert rule_file.read_bytes() != shipped


def test_train_without_the_static_model_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "train", "--data", TINY_DATA, "--models-dir", tmp_path)

    assert_error(result, 1, "static embedding model is missing")
    assert not (tmp_path / "decision-rule").exists()


def test_train_on_malformed_data_is_an_error(
    runner: CliRunner, empty_models_dir: Path, tmp_path: Path
) -> None:
    data = tmp_path / "train.jsonl"
    data.write_text("not json\n")

    assert_error(
        invoke(runner, "train", "--data", data, "--models-dir", empty_models_dir), 1, f"{data}:1:"
    )
    assert not (empty_models_dir / "decision-rule").exists()


def test_train_without_data_is_a_usage_error(runner: CliRunner) -> None:
    assert_error(invoke(runner, "train"), 2, "Missing option '--data'")


# --- rubric build --------------------------------------------------------------------------


def test_rubric_build_writes_a_valid_rubric(runner: CliRunner, tmp_path: Path) -> None:
    output = tmp_path / "rubric.json"

    result = invoke(runner, "rubric", "build", EXAMPLES_DIR / "source.txt", "-o", output)

    assert result.exit_code == 0, result.output
    rubric = load_rubric(output)
    assert rubric.title == "Source"
    assert rubric.source == "source.txt"
    assert "socialism-in-one-country" in [point.id for point in rubric]
    assert result.stdout == ""
    assert f"{len(rubric)} key points written to {output}" in result.stderr
    assert f"essaycheck rubric validate {output}" in result.stderr


def test_rubric_build_yaml_has_the_same_content_as_json(runner: CliRunner, tmp_path: Path) -> None:
    source = EXAMPLES_DIR / "source.txt"
    as_json, as_yaml = tmp_path / "r.json", tmp_path / "r.yaml"

    for output in (as_json, as_yaml):
        result = invoke(
            runner, "rubric", "build", source, "-o", output, "--title", "The 1920s debate"
        )
        assert result.exit_code == 0, result.output

    assert not as_yaml.read_text("utf-8").lstrip().startswith("{")
    assert load_rubric(as_yaml).title == "The 1920s debate"
    assert load_rubric(as_yaml).sha256 == load_rubric(as_json).sha256


def test_rubric_build_refuses_to_overwrite_without_force(runner: CliRunner, tmp_path: Path) -> None:
    output = tmp_path / "rubric.json"
    output.write_text("the teacher's edits")

    result = invoke(runner, "rubric", "build", EXAMPLES_DIR / "source.txt", "-o", output)

    assert_error(result, 1, "already exists", "--force")
    assert output.read_text() == "the teacher's edits"


def test_rubric_build_force_replaces_the_file(runner: CliRunner, tmp_path: Path) -> None:
    output = tmp_path / "rubric.json"
    output.write_text("the teacher's edits")

    result = invoke(runner, "rubric", "build", EXAMPLES_DIR / "source.txt", "-o", output, "--force")

    assert result.exit_code == 0, result.output
    assert len(load_rubric(output)) > 1
    assert [p.name for p in tmp_path.iterdir()] == ["rubric.json"]


def test_rubric_build_source_without_claims_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("Trotsky and Stalin. 1924. The Soviet Union.\n")

    result = invoke(runner, "rubric", "build", source, "-o", tmp_path / "r.json")

    assert_error(result, 1, "no key points found")
    assert not (tmp_path / "r.json").exists()


def test_rubric_build_missing_source_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "rubric", "build", tmp_path / "none.txt", "-o", tmp_path / "r.json")

    assert_error(result, 1, "no such file")


def test_rubric_build_without_output_is_a_usage_error(runner: CliRunner) -> None:
    assert_error(
        invoke(runner, "rubric", "build", EXAMPLES_DIR / "source.txt"),
        2,
        "Missing option '-o' / '--output'",
    )


# --- rubric validate -----------------------------------------------------------------------


def test_rubric_validate_accepts_good_rubrics(runner: CliRunner) -> None:
    result = invoke(
        runner,
        "rubric",
        "validate",
        EXAMPLES_DIR / "rubric.json",
        DATA_DIR / "rubrics" / "trotsky-stalin.yaml",
    )

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{EXAMPLES_DIR / 'rubric.json'}: valid (11 key points)\n"
        f"{DATA_DIR / 'rubrics' / 'trotsky-stalin.yaml'}: valid (5 key points)\n"
    )
    assert result.stderr == ""


def test_rubric_validate_reports_every_bad_file_and_fails(
    runner: CliRunner, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text('{"title": "x", "points": []}')
    broken = tmp_path / "broken.yaml"
    broken.write_text("title: x\npoints:\n  - id: a\n    text: b: c\n")

    result = invoke(runner, "rubric", "validate", empty, SMALL_RUBRIC, broken)

    assert result.exit_code == 1
    assert result.stdout == f"{SMALL_RUBRIC}: valid (5 key points)\n"
    assert f"Error: {empty}: 1 problem in the rubric" in result.stderr
    assert "$.points: the rubric has no points" in result.stderr
    assert f"Error: {broken}: line 4, column 12: not valid YAML" in result.stderr


def test_rubric_validate_without_files_is_a_usage_error(runner: CliRunner) -> None:
    assert_error(invoke(runner, "rubric", "validate"), 2, "Missing argument 'FILES...'")
