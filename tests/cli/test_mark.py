"""`essaycheck mark`: a class folder in, gradebook, JSON, feedback and class report out."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import (
    EXAMPLES_DIR,
    SHORT_ESSAY,
    SMALL_RUBRIC,
    SPLIT_ESSAY,
    assert_error,
    invoke,
)

from essaycheck.cli import cli
from essaycheck.rubric import load_rubric

# --- mark ----------------------------------------------------------------------------------


@pytest.fixture
def essays_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "essays"
    folder.mkdir()
    shutil.copy(SHORT_ESSAY, folder / "ana.txt")
    shutil.copy(SPLIT_ESSAY, folder / "ben.md")
    (folder / "Thumbs.db").write_bytes(b"what Windows adds to a folder of files")
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


def test_mark_ends_with_the_counts_and_the_class_report(
    runner: CliRunner, essays_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"

    result = invoke(runner, "mark", essays_dir, "-r", SMALL_RUBRIC, "-o", out)

    assert result.exit_code == 0, result.output
    *_, counts, to_check, last = result.stderr.splitlines()
    assert counts == "2 essays marked"
    assert to_check == "no close calls to check"
    assert last == f"Reports written to {out}: open {out / 'report.html'} in a browser."
    assert "essaycheck override" not in result.stderr  # nothing to decide: no advice


def test_mark_quiet_prints_nothing_but_errors(
    runner: CliRunner, essays_dir: Path, tmp_path: Path
) -> None:
    result = invoke(
        runner, "mark", essays_dir, "-r", SMALL_RUBRIC, "-o", tmp_path / "out", "--quiet"
    )

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == ""
    assert (tmp_path / "out" / "report.html").is_file()


def test_mark_quiet_still_reports_the_essays_it_could_not_mark(
    runner: CliRunner, essays_dir: Path, tmp_path: Path
) -> None:
    (essays_dir / "cara.txt").write_bytes(b"")

    result = invoke(
        runner, "mark", essays_dir, "-r", SMALL_RUBRIC, "-o", tmp_path / "out", "--quiet"
    )

    assert result.exit_code == 3, result.output
    assert result.stderr.splitlines() == [
        "Failed: cara.txt: is empty. There is nothing to mark.",
        "1 of 3 essays could not be marked.",
    ]


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
        ".essaycheck-class.jsonl",
        ".essaycheck-reports",
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
    lines = result.stderr.splitlines()
    assert lines[0] == "Failed: cara.txt: is empty. There is nothing to mark."
    assert lines[1].startswith("Failed: dev.txt: looks like a binary file")
    assert lines[2] == "2 of 4 essays could not be marked."
    assert lines[-3] == "2 essays marked, 2 failed"
    assert lines[-1] == f"Reports written to {out}: open {out / 'report.html'} in a browser."


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


STRONG = EXAMPLES_DIR / "essays" / "01-strong-amira.txt"
SHORT = EXAMPLES_DIR / "essays" / "10-short-draft-maya.txt"
RUBRIC = EXAMPLES_DIR / "rubric.json"


def test_gradebook_has_marks_and_grade_bands(
    runner: CliRunner, tmp_path: Path, reuse_checker: list[Path | None]
) -> None:
    data = json.loads(RUBRIC.read_text("utf-8"))
    data["bands"] = [
        {"min": 0.8, "label": "A"},
        {"min": 0.5, "label": "B"},
        {"min": 0, "label": "C"},
    ]
    rubric = tmp_path / "banded.json"
    rubric.write_text(json.dumps(data), "utf-8")
    essays = tmp_path / "essays"
    essays.mkdir()
    shutil.copy(STRONG, essays)
    shutil.copy(SHORT, essays)
    out = tmp_path / "out"

    result = runner.invoke(
        cli, ["mark", str(essays), "-r", str(rubric), "-o", str(out), "--scale", "20"]
    )

    assert result.exit_code == 0, result.output
    with (out / "gradebook.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[:5] == ["file", "student", "score", "marks", "grade"]
    for row in rows:
        score = float(row["score"])
        assert float(row["marks"]) == pytest.approx(score * 20, abs=0.05)
        assert row["grade"] == ("A" if score >= 0.8 else "B" if score >= 0.5 else "C")


def test_mark_lists_a_file_of_another_format_as_failed(
    runner: CliRunner, essays_dir: Path, tmp_path: Path
) -> None:
    (essays_dir / "notes.pages").write_bytes(b"not an essay format essaycheck reads")
    out = tmp_path / "reports"

    result = invoke(runner, "mark", essays_dir, "-r", SMALL_RUBRIC, "-o", out)

    assert result.exit_code == 3, result.output
    rows = {row["file"]: row for row in _gradebook(out)}
    assert sorted(rows) == ["ana.txt", "ben.md", "notes.pages"]
    assert ".pages files are not supported" in rows["notes.pages"]["error"]
    assert "notes.pages" in result.stderr


def test_mark_says_how_many_close_calls_to_check_and_how(
    runner: CliRunner, tmp_path: Path, reuse_checker: list[Path | None]
) -> None:
    essays = tmp_path / "essays"
    essays.mkdir()
    for name in ("01-strong-amira.txt", "03-partial-jake.txt", "10-short-draft-maya.txt"):
        shutil.copy(EXAMPLES_DIR / "essays" / name, essays)
    out = tmp_path / "out"

    result = runner.invoke(cli, ["mark", str(essays), "-r", str(RUBRIC), "-o", str(out)])

    assert result.exit_code == 0, result.output
    report = json.loads((out / "results.json").read_text("utf-8"))
    close = sum(p["needs_review"] for essay in report["essays"] for p in essay["points"])
    assert close > 0
    *_, counts, to_check, how, last = result.stderr.splitlines()
    assert counts == "3 essays marked"
    assert to_check == f"{close} close calls to check, each flagged in report.html"
    assert how == (
        f"To decide one: essaycheck override {out} ESSAY POINT_ID --covered (or --missing), "
        f"then essaycheck report {out}."
    )
    assert last == f"Reports written to {out}: open {out / 'report.html'} in a browser."


def test_mark_does_not_count_the_close_calls_a_teacher_has_decided(
    runner: CliRunner, tmp_path: Path, reuse_checker: list[Path | None]
) -> None:
    essays = tmp_path / "essays"
    essays.mkdir()
    shutil.copy(EXAMPLES_DIR / "essays" / "02-strong-tom.txt", essays)
    out = tmp_path / "out"
    args = ["mark", str(essays), "-r", str(RUBRIC), "-o", str(out)]
    assert runner.invoke(cli, args).exit_code == 0
    report = json.loads((out / "results.json").read_text("utf-8"))
    (essay,) = report["essays"]
    close = [p["id"] for p in essay["points"] if p["needs_review"]]
    assert len(close) == 2
    decided = runner.invoke(cli, ["override", str(out), essay["path"], close[0], "--covered"])
    assert decided.exit_code == 0, decided.output

    result = runner.invoke(cli, [*args, "--force"])

    assert result.exit_code == 0, result.output
    assert "1 close call to check, each flagged in report.html" in result.stderr
    assert "To decide one: essaycheck override" in result.stderr
