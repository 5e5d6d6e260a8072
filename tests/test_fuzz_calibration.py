"""Fuzzing calibration loading: any file is a usable calibration or a CalibrationError.

A saved calibration is mutated (a field set to any JSON value, a field removed, bad
tokens spliced into its text), and random JSON documents stand in for it. A
calibration that loads must give every score a calibrated score in 0..1.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from essaycheck.calibration import Agreement, Calibration, load_calibration, save_calibration
from essaycheck.errors import CalibrationError
from essaycheck.results import EssayResult, PointResult
from essaycheck.rubric import KeyPoint, Rubric

FUZZ = settings(derandomize=True, max_examples=80, deadline=None, database=None)
POINT = KeyPoint(id="p", text="Trotsky argued for permanent revolution.")
RUBRIC = Rubric("R", (POINT,))
ENGINE = ("static-centred", "1")
VALID = Calibration(
    slope=1.5,
    intercept=-0.5,
    rubric_sha256=RUBRIC.sha256,
    engine_name=ENGINE[0],
    engine_version=ENGINE[1],
    essays=3,
    marks=6,
    held_out=Agreement(6, 1.0, 0.5, 0.4, 0.833),
    uncalibrated=Agreement(6, None, 0.0, None, 0.5),
)
FIELDS = [*VALID.to_dict(), "engine", "held_out.marks", "held_out.kappa", "uncalibrated.recall"]
TOKENS = ["NaN", "Infinity", "-Infinity", "1e309", "1e308", "-1e308", "9" * 400, "null", "[]"]
TOKENS += ["{}", '""', "true", "-1", "0.6", "[" * 40, '"x": 1, "x": 2', ",", "}", "\\ud800"]

leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([10**400, 1e308, -1e308, 1000, 1000.5, 0.5, 0.51, 0, -1, 64 * "a"])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=10)
)
splices = st.sampled_from(TOKENS) | st.text(max_size=3)
documents = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=16,
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("calibrations")


def _check(path: Path) -> None:
    """Load ``path``: a CalibrationError naming it, or a calibration that decides sanely."""
    try:
        calibration = load_calibration(RUBRIC, path, ENGINE)
    except CalibrationError as err:
        assert str(err).startswith(f"{path}: ")
        return
    assert calibration is not None
    for score in (0.0, 1e-9, 0.3, 0.5, 0.7, 1.0):
        calibrated = calibration.score(score)
        assert math.isfinite(calibrated) and 0.0 <= calibrated <= 1.0
    result = EssayResult("a.txt", (PointResult(POINT, True, 0.8, False, None),))
    assert 0.0 <= calibration.apply(result).points[0].score <= 1.0


def _saved(folder: Path) -> tuple[Path, dict[str, Any]]:
    path = folder / "rubric.calibration.json"
    save_calibration(VALID, path)
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return path, data


@FUZZ
@given(documents)
def test_any_json_document_is_a_calibration_or_a_calibration_error(folder: Path, data: Any) -> None:
    path = folder / "random.calibration.json"
    path.write_text(json.dumps(data, allow_nan=True), "utf-8")

    _check(path)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(FIELDS), st.booleans(), documents), max_size=3))
def test_a_calibration_with_fields_set_or_removed_is_usable_or_a_calibration_error(
    folder: Path, edits: list[tuple[str, bool, Any]]
) -> None:
    path, data = _saved(folder)
    for field, removes, value in edits:
        outer, _, inner = field.partition(".")
        target = data.get(outer) if inner else data
        if not isinstance(target, dict):
            continue
        key = inner or outer
        if removes:
            target.pop(key, None)
        else:
            target[key] = value
    path.write_text(json.dumps(data, allow_nan=True), "utf-8")

    _check(path)


@FUZZ
@given(
    st.lists(
        st.tuples(
            st.floats(0, 1), st.integers(0, 12), st.sampled_from(TOKENS) | st.text(max_size=3)
        ),
        min_size=1,
        max_size=3,
    )
)
def test_a_calibration_spliced_with_bad_tokens_is_usable_or_a_calibration_error(
    folder: Path, splices: list[tuple[float, int, str]]
) -> None:
    path, _ = _saved(folder)
    text = path.read_text("utf-8")
    for where, cut, token in splices:
        at = int(where * len(text))
        text = text[:at] + token + text[at + cut :]
    path.write_text(text, "utf-8")

    _check(path)
