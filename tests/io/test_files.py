"""Artefact files: atomic JSON writes, reads that name the file and the remedy, meta.json checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from essaycheck import __version__
from essaycheck.errors import CalibrationError, ModelError
from essaycheck.io.files import read_json, write_json, write_text_atomically
from essaycheck.io.models import build_meta, check_meta, models_dir, save_meta


def test_json_is_written_sorted_indented_with_a_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "rule.json"

    write_json(path, {"b": 1, "a": [1, 2]})

    assert path.read_text("utf-8") == '{\n  "a": [\n    1,\n    2\n  ],\n  "b": 1\n}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["rule.json"]  # no temporary file left


def test_a_failed_write_leaves_the_old_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "rubric.json"
    path.write_text("old", "utf-8")

    with pytest.raises(UnicodeEncodeError):
        write_text_atomically(path, "new \udc80")

    assert path.read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["rubric.json"]


def test_reading_a_missing_file_raises_the_callers_error_with_the_remedy(tmp_path: Path) -> None:
    with pytest.raises(CalibrationError, match=r"x\.json: missing\. Rerun it\."):
        read_json(tmp_path / "x.json", CalibrationError, "Rerun it.")


def test_reading_broken_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{", "utf-8")

    with pytest.raises(ModelError, match=r"x\.json: unreadable .*Restore it\."):
        read_json(path, ModelError, "Restore it.")


def test_meta_of_the_right_kind_and_release_is_accepted(tmp_path: Path) -> None:
    save_meta(tmp_path, build_meta(name="rule", kind="decision-rule", figures={"auc": 0.8}))

    meta = check_meta(tmp_path, kind="decision-rule", remedy="Retrain.")

    assert meta["essaycheck"] == __version__
    assert meta["figures"] == {"auc": 0.8}
    assert {"scikit_learn", "spacy"} <= set(meta)


def test_meta_that_is_not_an_object_is_refused(tmp_path: Path) -> None:
    (tmp_path / "meta.json").write_text(json.dumps([1, 2]), "utf-8")

    with pytest.raises(ModelError, match=r"should hold a JSON object\. Retrain\."):
        check_meta(tmp_path, kind="decision-rule", remedy="Retrain.")


def test_a_model_made_outside_essaycheck_has_no_release_to_check(tmp_path: Path) -> None:
    save_meta(tmp_path, {"name": "table", "kind": "static-embeddings"})

    assert check_meta(tmp_path, kind="static-embeddings", remedy="x")["name"] == "table"


def test_the_models_folder_comes_from_the_caller_then_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESSAYCHECK_MODELS_DIR", str(tmp_path / "env"))

    assert models_dir(tmp_path / "given") == tmp_path / "given"
    assert models_dir() == tmp_path / "env"
    monkeypatch.delenv("ESSAYCHECK_MODELS_DIR")
    assert (models_dir() / "decision-rule").is_dir()
