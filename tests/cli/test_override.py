"""`essaycheck override` and `essaycheck report`: a teacher's decisions are data, never lost."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES_DIR, assert_error, invoke

RUBRIC = EXAMPLES_DIR / "rubric.json"
ESSAYS = ("01-strong-amira.txt", "04-partial-priya.txt", "09-wrong-claims-ben.txt")
POINT = "permanent-revolution"


@pytest.fixture
def essays(tmp_path: Path) -> Path:
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ESSAYS:
        shutil.copy(EXAMPLES_DIR / "essays" / name, folder / name)
    return folder


@pytest.fixture
def out(runner: CliRunner, essays: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    result = invoke(runner, "mark", essays, "-r", RUBRIC, "-o", folder, "--scale", "20")
    assert result.exit_code == 0, result.output
    return folder


def _gradebook(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open(newline="", encoding="utf-8") as handle:
        return {row["file"]: row for row in csv.DictReader(handle)}


def _point(out: Path, essay: str, point_id: str) -> dict[str, object]:
    report = json.loads((out / "results.json").read_text("utf-8"))
    item = next(item for item in report["essays"] if item["path"] == essay)
    point: dict[str, object] = next(p for p in item["points"] if p["id"] == point_id)
    return point


def _flip(runner: CliRunner, out: Path, essay: str, point_id: str, *extra: str) -> str:
    """Override the engine's decision on one cell; return the new status."""
    was = _point(out, essay, point_id)["status"]
    flag, status = ("--missing", "missing") if was == "covered" else ("--covered", "covered")
    result = invoke(runner, "override", out, essay, point_id, flag, *extra)
    assert result.exit_code == 0, result.output
    return status


def _assert_agree(out: Path, essay: str, point_id: str, status: str) -> None:
    """The gradebook, results.json and the feedback show the same decision."""
    assert _gradebook(out)[essay][point_id] == ("1" if status == "covered" else "0")
    point = _point(out, essay, point_id)
    assert point["status"] == status
    assert point["teacher"] is not None
    assert point["needs_review"] is False
    feedback = (out / "feedback" / f"{Path(essay).stem}.md").read_text("utf-8")
    section = feedback.split("## Missing")[0 if status == "covered" else 1]
    assert "your teacher's decision" in section
    html = (out / "report.html").read_text("utf-8")
    assert f"{point_id}: {status}, the teacher&#39;s decision" in html


def test_override_then_report_changes_every_report_consistently(
    runner: CliRunner, out: Path, reuse_checker: list[Path | None]
) -> None:
    before = _gradebook(out)[ESSAYS[0]]
    status = _flip(runner, out, ESSAYS[0], POINT, "--comment", "Said in the second paragraph.")
    with (out / "overrides.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["essay", "point_id", "covered", "comment", "time"]
    assert rows[0]["comment"] == "Said in the second paragraph."
    assert _gradebook(out)[ESSAYS[0]] == before  # recorded only: report applies it
    loaded = len(reuse_checker)

    result = invoke(runner, "report", out)

    assert result.exit_code == 0, result.output
    assert len(reuse_checker) == loaded  # no engine was loaded: nothing was marked again
    _assert_agree(out, ESSAYS[0], POINT, status)
    assert _point(out, ESSAYS[0], POINT)["teacher"]["comment"] == (  # type: ignore[index]
        "Said in the second paragraph."
    )
    after = _gradebook(out)[ESSAYS[0]]
    assert after["score"] != before["score"]
    assert after["marks"] == f"{float(after['score']) * 20:.1f}"
    assert _point(out, ESSAYS[1], POINT)["teacher"] is None


def test_report_without_overrides_writes_the_same_reports(runner: CliRunner, out: Path) -> None:
    names = ("gradebook.csv", "results.json", "report.html")
    before = {name: (out / name).read_text("utf-8") for name in names}
    feedback = (out / "feedback" / "01-strong-amira.md").read_text("utf-8")

    assert invoke(runner, "report", out).exit_code == 0

    assert {name: (out / name).read_text("utf-8") for name in names} == before
    assert (out / "feedback" / "01-strong-amira.md").read_text("utf-8") == feedback


def test_a_later_override_of_the_same_cell_replaces_it(runner: CliRunner, out: Path) -> None:
    for flag in ("--covered", "--missing"):
        assert invoke(runner, "override", out, ESSAYS[1], POINT, flag).exit_code == 0
    assert invoke(runner, "report", out).exit_code == 0

    assert len((out / "overrides.csv").read_text("utf-8").splitlines()) == 2
    _assert_agree(out, ESSAYS[1], POINT, "missing")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("nobody.txt", POINT, "--covered"), ["nobody.txt", "results.json", "file column"]),
        ((ESSAYS[0], "no-such-point", "--covered"), ["no-such-point", "Choose one of"]),
    ],
)
def test_a_bad_essay_or_point_is_a_clear_error(
    runner: CliRunner, out: Path, args: tuple[str, ...], words: list[str]
) -> None:
    assert_error(invoke(runner, "override", out, *args), 1, *words)
    assert not (out / "overrides.csv").exists()


@pytest.mark.parametrize("command", ["override", "report"])
def test_a_folder_that_is_not_a_marked_class_is_a_clear_error(
    runner: CliRunner, tmp_path: Path, command: str
) -> None:
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("not reports")
    extra = [ESSAYS[0], POINT, "--covered"] if command == "override" else []

    for folder in (other, tmp_path / "missing"):
        result = invoke(runner, command, folder, *extra)
        assert_error(result, 1, str(folder), "essaycheck mark")
    assert sorted(p.name for p in other.iterdir()) == ["mine.txt"]


def test_override_needs_a_decision(runner: CliRunner, out: Path) -> None:
    assert invoke(runner, "override", out, ESSAYS[0], POINT).exit_code == 2


@pytest.mark.parametrize("again", [["--force"], ["--force", "--resume"]])
def test_marking_again_keeps_the_overrides_and_applies_them(
    runner: CliRunner, essays: Path, out: Path, again: list[str]
) -> None:
    status = _flip(runner, out, ESSAYS[2], POINT, "--comment", "checked")
    kept = (out / "overrides.csv").read_text("utf-8")

    result = invoke(runner, "mark", essays, "-r", RUBRIC, "-o", out, "--scale", "20", *again)

    assert result.exit_code == 0, result.output
    assert (out / "overrides.csv").read_text("utf-8") == kept
    _assert_agree(out, ESSAYS[2], POINT, status)


def test_calibrate_takes_the_overrides_as_labels(
    runner: CliRunner, essays: Path, out: Path, tmp_path: Path
) -> None:
    rubric = tmp_path / "rubric.json"
    shutil.copy(RUBRIC, rubric)
    for essay, flag in zip(ESSAYS, ("--covered", "--missing", "--missing"), strict=True):
        assert invoke(runner, "override", out, essay, POINT, flag).exit_code == 0
    assert invoke(runner, "override", out, ESSAYS[0], "end-isolation", "--covered").exit_code == 0

    result = invoke(
        runner,
        "calibrate",
        "-r",
        rubric,
        "-l",
        out / "overrides.csv",
        "--essays",
        essays,
        "--force",
    )

    assert result.exit_code == 0, result.output
    assert "Calibration saved" in result.stderr
    assert (tmp_path / "rubric.calibration.json").is_file()
