"""`essaycheck evaluate` and `train`: the engine measured on labelled data, and refitted."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import (
    REPO_DIR,
    TINY_DATA,
    assert_error,
    invoke,
)

from essaycheck.engine import ENGINES
from essaycheck.engine.rule import FEATURES, load_rule

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
