"""Teacher calibration: a teacher's marks on a few essays re-scale a rubric's decisions."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES_DIR as EXAMPLES

from essaycheck.calibration import (
    Agreement,
    Calibration,
    calibration_path,
    load_calibration,
    read_teacher_marks,
    save_calibration,
)
from essaycheck.cli import cli
from essaycheck.errors import CalibrationError
from essaycheck.results import EssayResult, Evidence, Objection, PointResult
from essaycheck.rubric import KeyPoint, Rubric, load_rubric


@pytest.fixture
def rubric_copy(tmp_path: Path) -> Path:
    """The example rubric, copied so that its calibration is written to tmp_path."""
    path = tmp_path / "rubric.json"
    shutil.copy(EXAMPLES / "rubric.json", path)
    return path


def _calibrate(runner: CliRunner, rubric: Path, *extra: str) -> object:
    return runner.invoke(
        cli,
        [
            "calibrate",
            "-r",
            str(rubric),
            "-l",
            str(EXAMPLES / "labels.csv"),
            "--essays",
            str(EXAMPLES / "essays"),
            *extra,
        ],
    )


def test_calibrate_reports_agreement_and_saves_the_calibration(
    runner: CliRunner, rubric_copy: Path, reuse_checker: list[Path | None]
) -> None:
    result = _calibrate(runner, rubric_copy)

    assert result.exit_code == 0, result.output
    assert "Agreement with the teacher, estimated leaving one essay out" in result.stdout
    assert "permanent-revolution" in result.stdout
    assert "Disagreements (" in result.stdout
    saved = json.loads(calibration_path(rubric_copy).read_text("utf-8"))
    assert saved["essays"] == 11
    assert saved["marks"] == 121
    assert saved["rubric_sha256"] == load_rubric(rubric_copy).sha256
    assert "Calibration saved to" in result.stderr


def test_calibrate_json_lists_every_disagreement(
    runner: CliRunner, rubric_copy: Path, reuse_checker: list[Path | None]
) -> None:
    result = _calibrate(runner, rubric_copy, "-f", "json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    held_out = report["calibration"]["held_out"]
    wrong = round((1 - held_out["accuracy"]) * held_out["marks"])
    assert len(report["disagreements"]) == wrong
    assert set(report["per_point"]) == {p.id for p in load_rubric(rubric_copy)}


def test_check_uses_the_calibration_beside_the_rubric(
    runner: CliRunner, rubric_copy: Path, reuse_checker: list[Path | None]
) -> None:
    essay = str(EXAMPLES / "essays" / "06-offtopic-french-revolution-chloe.txt")
    before = json.loads(
        runner.invoke(cli, ["check", essay, "-r", str(rubric_copy), "-f", "json"]).stdout
    )
    _calibrate(runner, rubric_copy)

    after = json.loads(
        runner.invoke(cli, ["check", essay, "-r", str(rubric_copy), "-f", "json"]).stdout
    )
    ignored = json.loads(
        runner.invoke(
            cli, ["check", essay, "-r", str(rubric_copy), "-f", "json", "--no-calibration"]
        ).stdout
    )

    assert before["engine"]["calibration"] is None
    assert after["engine"]["calibration"]["essays"] == 11
    assert after["essays"][0]["score"] < before["essays"][0]["score"]
    assert ignored == before


def test_a_calibration_for_another_version_of_the_rubric_is_an_error(
    runner: CliRunner, rubric_copy: Path, reuse_checker: list[Path | None]
) -> None:
    _calibrate(runner, rubric_copy)
    data = json.loads(rubric_copy.read_text("utf-8"))
    data["points"][0]["text"] = "Trotsky argued for world revolution."
    rubric_copy.write_text(json.dumps(data), "utf-8")

    essay = str(EXAMPLES / "essays" / "01-strong-amira.txt")
    result = runner.invoke(cli, ["check", essay, "-r", str(rubric_copy)])

    assert result.exit_code == 1
    assert "different version of the rubric" in result.stderr
    assert "essaycheck calibrate" in result.stderr


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("essay,point_id,covered\na.txt,no-such-point,1\n", "'no-such-point' is not a key point"),
        ("essay,point_id,covered\na.txt,permanent-revolution,maybe\n", "must be 1 or 0"),
        ("essay,point,covered\na.txt,,1\n", "needs the columns essay, point_id and covered"),
        ("essay,point_id,covered\na.txt,permanent-revolution,1\n", "at least 3 essays"),
    ],
    ids=["unknown point", "bad value", "missing column", "too few essays"],
)
def test_bad_teacher_marks_are_clear_errors(tmp_path: Path, rows: str, message: str) -> None:
    marks = tmp_path / "marks.csv"
    marks.write_text(rows, "utf-8")

    with pytest.raises(CalibrationError, match=message):
        read_teacher_marks(marks, load_rubric(EXAMPLES / "rubric.json"))


def test_calibrate_with_bad_marks_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    marks = tmp_path / "marks.csv"
    marks.write_text("essay,point_id,covered\na.txt,nope,1\n", "utf-8")

    result = runner.invoke(
        cli, ["calibrate", "-r", str(EXAMPLES / "rubric.json"), "-l", str(marks)]
    )

    assert result.exit_code == 1
    assert "'nope' is not a key point of the rubric" in result.stderr


POINT = KeyPoint(id="p", text="Trotsky argued for permanent revolution.")
STRICT = Calibration(
    slope=1.0,
    intercept=-3.0,
    rubric_sha256="x",
    engine_name="static-centred",
    engine_version="1",
    essays=3,
    marks=6,
    held_out=Agreement(6, 1.0, 1.0, 1.0, 1.0),
    uncalibrated=Agreement(6, 0.5, 1.0, 0.0, 0.5),
)


def test_calibration_can_turn_a_lenient_decision_into_missing() -> None:
    evidence = Evidence("Trotsky liked trains.", 0, 21)
    result = EssayResult("a.txt", (PointResult(POINT, True, 0.8, False, evidence),))

    point = STRICT.apply(result).points[0]

    assert not point.is_covered
    assert point.score == pytest.approx(STRICT.score(0.8))
    assert point.evidence is None


def test_calibration_never_counts_evidence_that_denies_the_point() -> None:
    lenient = Calibration(**{**STRICT.__dict__, "intercept": 5.0})
    note = Objection("negated", "your essay says the opposite: “Trotsky did not.”")
    evidence = Evidence("Trotsky did not.", 0, 16)
    result = EssayResult("a.txt", (PointResult(POINT, False, 0.25, False, evidence, note),))

    point = lenient.apply(result).points[0]

    assert not point.is_covered
    assert point.objection == note


def test_no_calibration_file_means_the_shipped_rule(tmp_path: Path) -> None:
    rubric = Rubric(title="t", points=(POINT,))

    assert load_calibration(rubric, tmp_path / "rubric.calibration.json") is None


def _saved(tmp_path: Path, rubric: Rubric) -> Path:
    path = tmp_path / "rubric.calibration.json"
    save_calibration(replace(STRICT, rubric_sha256=rubric.sha256), path)
    return path


def test_a_saved_calibration_loads_back_for_its_engine(tmp_path: Path) -> None:
    rubric = Rubric("R", (POINT,))
    path = _saved(tmp_path, rubric)

    loaded = load_calibration(rubric, path, ("static-centred", "1"))

    assert loaded == replace(STRICT, rubric_sha256=rubric.sha256)
    assert json.loads(path.read_text("utf-8"))["engine_name"] == "static-centred"


@pytest.mark.parametrize(
    "engine", [("precise-centred", "1"), ("static-centred", "2")], ids=["engine", "version"]
)
def test_a_calibration_of_another_engine_or_version_is_refused(
    tmp_path: Path, engine: tuple[str, str]
) -> None:
    rubric = Rubric("R", (POINT,))
    path = _saved(tmp_path, rubric)

    with pytest.raises(CalibrationError, match="static-centred 1 engine's scores"):
        load_calibration(rubric, path, engine)


def test_a_calibration_saved_by_essaycheck_0_1_still_loads(tmp_path: Path) -> None:
    rubric = Rubric("R", (POINT,))
    path = _saved(tmp_path, rubric)
    data = json.loads(path.read_text("utf-8"))
    data["format"] = 1
    data["engine"] = f"{data.pop('engine_name')} {data.pop('engine_version')}"
    path.write_text(json.dumps(data), "utf-8")

    loaded = load_calibration(rubric, path, ("static-centred", "1"))

    assert loaded == replace(STRICT, rubric_sha256=rubric.sha256)


def test_a_calibration_file_that_is_not_json_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "rubric.calibration.json"
    path.write_text("{half", "utf-8")

    with pytest.raises(CalibrationError, match=r"unreadable.*rerun essaycheck calibrate"):
        load_calibration(Rubric("R", (POINT,)), path)
