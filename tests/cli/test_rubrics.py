"""`essaycheck rubric build` and `rubric validate`."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from conftest import (
    DATA_DIR,
    EXAMPLES_DIR,
    SMALL_RUBRIC,
    assert_error,
    invoke,
)

from essaycheck.rubric import load_rubric

# --- rubric build --------------------------------------------------------------------------


def test_rubric_build_writes_a_valid_rubric(runner: CliRunner, tmp_path: Path) -> None:
    output = tmp_path / "rubric.json"

    result = invoke(runner, "rubric", "build", EXAMPLES_DIR / "source.txt", "-o", output)

    assert result.exit_code == 0, result.output
    rubric = load_rubric(output)
    assert rubric.title == "Source"
    # The source's path, relative to the rubric, so that mark finds it to check copying.
    assert (output.parent / rubric.source).resolve() == (EXAMPLES_DIR / "source.txt").resolve()
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
