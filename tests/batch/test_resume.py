"""An interrupted `mark`, resumed, ends with exactly what an uninterrupted run writes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES_DIR as EXAMPLES
from marking import Interrupt, tree

from essaycheck.batch import journal_for, mark_folder
from essaycheck.cli import cli
from essaycheck.engine.checker import Checker
from essaycheck.io.names import feedback_file_names
from essaycheck.rubric import Rubric


def _marked_and_interrupted(
    checker: Checker, rubric: Rubric, essays: Path, tmp_path: Path, after: int
) -> tuple[Path, Path]:
    """Mark the essays straight through into one folder, and into another until Ctrl-C."""
    straight = tmp_path / "straight"
    mark_folder(essays, rubric, checker, straight, checker.info())
    resumed = tmp_path / "resumed"
    with pytest.raises(KeyboardInterrupt):
        mark_folder(
            essays, rubric, checker, resumed, checker.info(), on_essay=Interrupt(after=after)
        )
    return straight, resumed


@pytest.fixture
def essays(tmp_path: Path) -> Path:
    folder = tmp_path / "essays"
    shutil.copytree(EXAMPLES / "essays", folder)
    return folder


def test_interrupted_mark_writes_no_reports_but_keeps_what_it_marked(
    checker: Checker, example_rubric: Rubric, essays: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reports"

    with pytest.raises(KeyboardInterrupt):
        mark_folder(
            essays, example_rubric, checker, out, checker.info(), on_essay=Interrupt(after=4)
        )

    assert not out.exists()
    journal = journal_for(out).read_text("utf-8").splitlines()
    assert len(journal) == 1 + 4  # the header, then one line per essay marked


def test_resumed_mark_gives_exactly_the_uninterrupted_reports(
    checker: Checker, example_rubric: Rubric, essays: Path, tmp_path: Path
) -> None:
    straight, resumed = _marked_and_interrupted(checker, example_rubric, essays, tmp_path, 5)

    checked: list[str] = []
    real_check_many = checker.check_many

    def counting(essays_in, rubric, calibration=None):  # type: ignore[no-untyped-def]
        for result in real_check_many(essays_in, rubric, calibration):
            checked.append(result.name)
            yield result

    checker.check_many = counting  # type: ignore[method-assign]
    try:
        mark_folder(essays, example_rubric, checker, resumed, checker.info(), resume=True)
    finally:
        del checker.check_many

    assert len(checked) == 11 - 5
    assert tree(resumed) == tree(straight)
    assert not journal_for(resumed).exists()


def test_resume_marks_again_an_essay_that_changed(
    checker: Checker, example_rubric: Rubric, essays: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    with pytest.raises(KeyboardInterrupt):
        mark_folder(
            essays, example_rubric, checker, out, checker.info(), on_essay=Interrupt(after=3)
        )
    first = sorted(essays.iterdir())[0]
    first.write_text("Lenin died in 1924.\n", "utf-8")

    mark_folder(essays, example_rubric, checker, out, checker.info(), resume=True)

    report = json.loads((out / "results.json").read_text("utf-8"))
    changed = next(essay for essay in report["essays"] if essay["path"] == first.name)
    assert [point["status"] for point in changed["points"]] == ["missing"] * len(example_rubric)


def test_resume_after_a_line_cut_short_gives_the_same_reports(
    checker: Checker, example_rubric: Rubric, essays: Path, tmp_path: Path
) -> None:
    straight, resumed = _marked_and_interrupted(checker, example_rubric, essays, tmp_path, 4)
    with journal_for(resumed).open("a", encoding="utf-8") as journal:
        journal.write('{"name": "01-strong-amira.txt", "fingerp')  # the power went off here

    mark_folder(essays, example_rubric, checker, resumed, checker.info(), resume=True)

    assert tree(resumed) == tree(straight)


def test_marking_twice_gives_byte_identical_reports(
    checker: Checker, example_rubric: Rubric, essays: Path, tmp_path: Path
) -> None:
    mark_folder(essays, example_rubric, checker, tmp_path / "one", checker.info())
    mark_folder(essays, example_rubric, checker, tmp_path / "two", checker.info())

    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_mark_says_how_to_resume_after_ctrl_c(
    runner: CliRunner,
    essays: Path,
    tmp_path: Path,
    reuse_checker: list[Path | None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("essaycheck.batch.mark_folder", interrupted)
    out = tmp_path / "reports"

    result = runner.invoke(
        cli, ["mark", str(essays), "-r", str(EXAMPLES / "rubric.json"), "-o", str(out)]
    )

    assert result.exit_code == 130
    assert "--resume" in result.stderr


@pytest.mark.parametrize(
    ("name", "feedback"),
    [
        ("../../etc/passwd.txt", "etc/passwd.md"),
        ("/abs/essay.txt", "abs/essay.md"),
        ("two\nlines.txt", "two lines.md"),
        ("class\\..\\ana.docx", "class/ana.md"),
    ],
    ids=["dot-dot", "absolute", "newline", "backslashes"],
)
def test_feedback_files_never_leave_the_feedback_folder(name: str, feedback: str) -> None:
    assert feedback_file_names([name]) == {name: feedback}


def test_two_worker_processes_write_the_same_reports_as_one(
    checker: Checker, example_rubric: Rubric, essays: Path, tmp_path: Path
) -> None:
    from conftest import MODELS_DIR

    from essaycheck.batch import WorkerPool

    mark_folder(essays, example_rubric, checker, tmp_path / "one", checker.info())
    with WorkerPool(2, "fast", MODELS_DIR) as workers:
        mark_folder(essays, example_rubric, workers, tmp_path / "two", workers.info())

    assert tree(tmp_path / "two") == tree(tmp_path / "one")
