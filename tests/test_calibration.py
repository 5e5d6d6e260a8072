"""Teacher calibration: a teacher's marks on a few essays re-scale a rubric's decisions."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES_DIR as EXAMPLES

from essaycheck.calibration import (
    Agreement,
    Calibration,
    CalibrationReport,
    calibration_path,
    load_calibration,
    points_fingerprint,
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


def test_calibrate_reports_agreement_and_saves_the_calibration_when_forced(
    runner: CliRunner, rubric_copy: Path, reuse_checker: list[Path | None]
) -> None:
    result = _calibrate(runner, rubric_copy, "--force")

    assert result.exit_code == 0, result.output
    assert "Agreement with the teacher, estimated leaving one essay out" in result.stdout
    assert "permanent-revolution" in result.stdout
    assert "Disagreements (" in result.stdout
    saved = json.loads(calibration_path(rubric_copy).read_text("utf-8"))
    assert saved["essays"] == 11
    assert saved["marks"] == 121
    assert saved["rubric_sha256"] == load_rubric(rubric_copy).sha256
    assert saved["points_sha256"] == points_fingerprint(load_rubric(rubric_copy))
    assert "Calibration saved anyway (--force) to" in result.stderr


def test_a_calibration_that_agrees_less_than_the_shipped_rule_is_not_saved(
    runner: CliRunner, rubric_copy: Path, reuse_checker: list[Path | None]
) -> None:
    result = _calibrate(runner, rubric_copy)

    assert result.exit_code == 0, result.output
    assert "Agreement with the teacher" in result.stdout
    assert "Calibration not saved: leaving one essay out, it agrees with your marks less" in (
        result.stderr
    )
    assert "--force" in result.stderr
    assert not calibration_path(rubric_copy).exists()


def test_too_few_marked_essays_are_not_enough_and_the_next_to_mark_are_named(
    runner: CliRunner, rubric_copy: Path, tmp_path: Path, reuse_checker: list[Path | None]
) -> None:
    marked = (
        "01-strong-amira.txt",
        "03-partial-jake.txt",
        "06-offtopic-french-revolution-chloe.txt",
    )
    rows = (EXAMPLES / "labels.csv").read_text("utf-8").splitlines()
    labels = tmp_path / "labels.csv"
    labels.write_text("\n".join([rows[0], *(r for r in rows[1:] if r.startswith(marked))]), "utf-8")

    result = runner.invoke(
        cli,
        [
            "calibrate",
            "-r",
            str(rubric_copy),
            "-l",
            str(labels),
            "--essays",
            str(EXAMPLES / "essays"),
        ],
    )

    assert result.exit_code == 0, result.output
    assert "3 marked essays are too few to tell whether it helps; mark at least 5" in result.stderr
    assert not calibration_path(rubric_copy).exists()
    suggestion = next(line for line in result.stderr.splitlines() if "mark next:" in line)
    assert "close calls" in suggestion
    assert not any(name in suggestion for name in marked)


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
    _calibrate(runner, rubric_copy, "--force")

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


def test_a_calibration_for_other_key_points_is_an_error(
    runner: CliRunner, rubric_copy: Path, reuse_checker: list[Path | None]
) -> None:
    _calibrate(runner, rubric_copy, "--force")
    data = json.loads(rubric_copy.read_text("utf-8"))
    data["points"][0]["text"] = "Trotsky argued for world revolution."
    rubric_copy.write_text(json.dumps(data), "utf-8")

    essay = str(EXAMPLES / "essays" / "01-strong-amira.txt")
    result = runner.invoke(cli, ["check", essay, "-r", str(rubric_copy)])

    assert result.exit_code == 1
    assert "key points were different" in result.stderr
    assert "no longer applies" in result.stderr
    assert "essaycheck calibrate" in result.stderr


def test_a_calibration_survives_an_edited_hint_or_weight(
    runner: CliRunner, rubric_copy: Path, reuse_checker: list[Path | None]
) -> None:
    _calibrate(runner, rubric_copy, "--force")
    data = json.loads(rubric_copy.read_text("utf-8"))
    data["points"][0]["hint"] = "What did Trotsky want to happen outside Russia?"
    data["points"][1]["weight"] = 2
    rubric_copy.write_text(json.dumps(data), "utf-8")

    essay = str(EXAMPLES / "essays" / "01-strong-amira.txt")
    result = runner.invoke(cli, ["check", essay, "-r", str(rubric_copy), "-f", "json"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["engine"]["calibration"]["essays"] == 11


def test_the_verdict_prefers_the_calibration_only_when_it_agrees_better() -> None:
    better = replace(STRICT, held_out=Agreement(60, 0.9, 0.9, 0.8, 0.9), essays=6)
    worse = replace(STRICT, held_out=Agreement(60, 0.5, 0.5, -0.2, 0.4), essays=6)
    few = replace(better, essays=4)

    assert CalibrationReport(better, {}, ()).verdict()[0] is True
    assert CalibrationReport(worse, {}, ()).verdict() == (
        False,
        "leaving one essay out, it agrees with your marks less than the shipped rule does "
        "(kappa -0.20 against 0.00)",
    )
    assert CalibrationReport(few, {}, ()).verdict()[0] is False


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


# --- a hand-edited calibration file is never trusted ---------------------------------

REMEDY = r"Delete it, or rerun essaycheck calibrate\.$"


Edit = str | Callable[[Any], Any]


def _hand_edited(tmp_path: Path, edit: Edit) -> tuple[Rubric, Path]:
    """A saved calibration, then ``edit`` (a function of its data, or the file's new text)."""
    rubric = Rubric("R", (POINT,))
    path = _saved(tmp_path, rubric)
    if isinstance(edit, str):
        path.write_text(edit, "utf-8")
    else:
        data = json.loads(path.read_text("utf-8"))
        path.write_text(json.dumps(edit(data), allow_nan=True), "utf-8")
    return rubric, path


def _set(key: str, value: object, inside: str | None = None) -> Edit:
    def edit(data: dict[str, Any]) -> dict[str, Any]:
        (data[inside] if inside else data)[key] = value
        return data

    return edit


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (_set("slope", float("nan")), r"unreadable \(line \d+, column \d+: NaN is not a number"),
        (_set("intercept", float("inf")), r"unreadable \(line \d+, column \d+: Infinity is not"),
        ('{"format": 2, "slope": 1e999}', r"unreadable \(line 1, column 24: 1e999 is too large"),
        ('{"format": 2, "format": 2}', r"unreadable \(\$: the key 'format' appears more than once"),
        ("[" * 50_000, r"unreadable \(line 1, column 33: nested more than 32 levels deep"),
    ],
    ids=["nan-slope", "infinite-intercept", "overflowing", "repeated-key", "50000-deep"],
)
def test_a_calibration_file_json_cannot_hold_is_unreadable(
    tmp_path: Path, edit: Edit, words: str
) -> None:
    rubric, path = _hand_edited(tmp_path, edit)

    with pytest.raises(CalibrationError, match=words + ".*" + REMEDY):
        load_calibration(rubric, path, ("static-centred", "1"))


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (_set("slope", 1e308), r"\$\.slope: 1e\+308 is greater than the maximum of 1000"),
        (_set("intercept", -1001), r"\$\.intercept: -1001 is less than the minimum of -1000"),
        (_set("slope", "1.0"), r"\$\.slope: '1\.0' is not of type 'number'"),
        (lambda data: [data], r"\$: \[.*\] is not of type 'object'"),
        (lambda data: "calibration", r"\$: 'calibration' is not of type 'object'"),
        (_set("engine_name", ""), r"\$\.engine_name: '' does not match"),
        (_set("engine_version", None), r"\$\.engine_version: None is not of type 'string'"),
        (_set("rubric_sha256", 7), r"\$\.rubric_sha256: 7 is not of type 'string'"),
        (_set("essays", -3), r"\$\.essays: -3 is less than the minimum of 1"),
        (_set("marks", 2.5), r"\$\.marks: 2\.5 is not of type 'integer'"),
        (_set("marks", True), r"\$\.marks: True is not of type 'integer'"),
        (_set("essays", 7), r"\$\.essays: 7 marked essays but only 6 marks"),
        (_set("review_band", 0.6), r"\$\.review_band: 0\.6 is greater than the maximum of 0\.5"),
        (_set("review_band", -0.1), r"\$\.review_band: -0\.1 is less than the minimum of 0"),
        (_set("accuracy", 1.5, "held_out"), r"\$\.held_out\.accuracy: 1\.5 is greater than"),
        (_set("kappa", -2, "uncalibrated"), r"\$\.uncalibrated\.kappa: -2 is less than"),
        (_set("marks", -1, "held_out"), r"\$\.held_out\.marks: -1 is less than the minimum of 0"),
        (_set("extra", 1, "held_out"), r"\$\.held_out: Additional properties"),
        (_set("held_out", [1, 2]), r"\$\.held_out: \[1, 2\] is not of type 'object'"),
        (_set("format", 3), r"\$\.format: 2 was expected"),
        (_set("format", True), r"\$\.format: 2 was expected"),
        (
            lambda data: {k: v for k, v in data.items() if k != "slope"},
            r"\$: 'slope' is a required property",
        ),
    ],
    ids=[
        "huge-slope",
        "intercept-under-minus-1000",
        "slope-as-text",
        "a-list",
        "a-string",
        "empty-engine-name",
        "engine-version-null",
        "sha256-a-number",
        "negative-essays",
        "fractional-marks",
        "marks-a-boolean",
        "more-essays-than-marks",
        "review-band-over-half",
        "negative-review-band",
        "accuracy-over-1",
        "kappa-under-minus-1",
        "negative-agreement-marks",
        "unknown-agreement-figure",
        "agreement-a-list",
        "unknown-format",
        "format-a-boolean",
        "no-slope",
    ],
)
def test_a_hand_edited_calibration_file_is_a_clean_error(
    tmp_path: Path, edit: Edit, words: str
) -> None:
    rubric, path = _hand_edited(tmp_path, edit)

    with pytest.raises(CalibrationError, match=r"not a valid calibration file \(.*" + words):
        load_calibration(rubric, path, ("static-centred", "1"))
    with pytest.raises(CalibrationError, match=REMEDY):
        load_calibration(rubric, path, ("static-centred", "1"))


def test_a_format_1_calibration_without_its_engine_is_a_clean_error(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> dict[str, Any]:
        del data["engine_name"], data["engine_version"]
        return {**data, "format": 1, "engine": 5}

    rubric, path = _hand_edited(tmp_path, edit)

    with pytest.raises(
        CalibrationError, match=r"\(\$\.engine: 5 should be the engine's .*" + REMEDY
    ):
        load_calibration(rubric, path)


def test_the_largest_coefficients_allowed_still_decide_cleanly(tmp_path: Path) -> None:
    rubric, path = _hand_edited(tmp_path, _set("slope", 1000))

    loaded = load_calibration(rubric, path, ("static-centred", "1"))

    assert loaded is not None
    assert (loaded.score(0.9), loaded.score(0.1)) == (1.0, 0.0)


@pytest.mark.parametrize("slope", [1e308, -1e308, float("inf")], ids=["huge", "minus", "inf"])
def test_calibrated_scores_never_overflow(slope: float) -> None:
    calibration = replace(STRICT, slope=slope, intercept=0.0)

    scores = [calibration.score(score) for score in (0.0, 0.2, 0.9, 1.0)]

    assert all(0.0 <= score <= 1.0 for score in scores)
    assert scores[2] == (1.0 if slope > 0 else 0.0)
