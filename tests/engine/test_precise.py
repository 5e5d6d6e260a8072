"""The precise engine: an optional extra, selected with --engine precise."""

from __future__ import annotations

import importlib.util
import json

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES_DIR as EXAMPLES

from essaycheck.cli import cli

MODELS_DIR = EXAMPLES.parent / "models"
IS_INSTALLED = importlib.util.find_spec("onnxruntime") is not None


@pytest.mark.skipif(IS_INSTALLED, reason="the precise extra is installed here")
def test_precise_engine_without_the_extra_says_how_to_install_it(runner: CliRunner) -> None:
    essay = str(EXAMPLES / "essays" / "01-strong-amira.txt")

    result = runner.invoke(
        cli, ["check", essay, "-r", str(EXAMPLES / "rubric.json"), "--engine", "precise"]
    )

    assert result.exit_code == 1
    assert "pip install -e '.[precise]'" in result.stderr


@pytest.mark.skipif(not IS_INSTALLED, reason="needs pip install -e '.[precise]'")
def test_precise_engine_checks_an_essay(runner: CliRunner) -> None:
    essay = str(EXAMPLES / "essays" / "01-strong-amira.txt")

    result = runner.invoke(
        cli,
        ["check", essay, "-r", str(EXAMPLES / "rubric.json"), "--engine", "precise", "-f", "json"],
    )

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["engine"]["name"] == "precise-centred"
    assert report["engine"]["embeddings"] == "minilm-argkp-precise"
    covered = [p["id"] for p in report["essays"][0]["points"] if p["status"] == "covered"]
    assert "permanent-revolution" in covered
    assert "socialism-in-one-country" in covered


def test_unknown_engine_is_a_usage_error(runner: CliRunner) -> None:
    essay = str(EXAMPLES / "essays" / "01-strong-amira.txt")

    result = runner.invoke(
        cli, ["check", essay, "-r", str(EXAMPLES / "rubric.json"), "--engine", "huge"]
    )

    assert result.exit_code == 2
    assert "'huge' is not one of 'fast', 'precise'" in result.stderr


@pytest.mark.skipif(not IS_INSTALLED, reason="needs pip install -e '.[precise]'")
def test_a_sentence_embeds_the_same_alone_and_padded_in_a_batch() -> None:
    import numpy as np

    from essaycheck.engine import ENGINES
    from essaycheck.engine.precise import TransformerEmbeddings

    model = TransformerEmbeddings.load(MODELS_DIR / ENGINES["precise"].embeddings_dir)
    short = "Trotsky argued for permanent revolution."
    longer = "Stalin wanted the Soviet Union to build socialism by itself, without waiting."

    alone = model.embed([short])
    batched = model.embed([longer, short])

    assert np.allclose(alone[0], batched[1], atol=1e-5)
    assert abs(float(np.linalg.norm(batched[0])) - 1.0) < 1e-5
