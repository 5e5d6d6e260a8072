"""Undo: remove_override, record_overrides, and `essaycheck override --clear`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import assert_error, invoke
from served import ESSAYS, copy_class, gradebook, mark_class
from served import override_rows as rows

from essaycheck.batch.overrides import (
    Decision,
    read_overrides,
    record_override,
    record_overrides,
    remove_override,
    remove_overrides,
)
from essaycheck.engine.checker import Checker
from essaycheck.errors import OutputError

POINT = "permanent-revolution"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory, checker: Checker) -> Path:
    return mark_class(tmp_path_factory.mktemp("undo"), checker)


@pytest.fixture
def out(marked: Path, tmp_path: Path) -> Path:
    return copy_class(marked, tmp_path)


def test_remove_override_drops_only_that_cell(out: Path) -> None:
    record_override(out, ESSAYS[0], POINT, is_covered=False, comment="no", now=NOW)
    record_override(out, ESSAYS[1], POINT, is_covered=True, now=NOW)

    removed = remove_override(out, ESSAYS[0], POINT)

    assert removed is not None and removed.comment == "no" and removed.is_covered is False
    assert list(read_overrides(out)) == [(ESSAYS[1], POINT)]
    assert remove_override(out, ESSAYS[0], POINT) is None  # a second undo changes nothing


def test_removing_what_was_never_recorded_writes_nothing(out: Path) -> None:
    assert remove_overrides(out, [(ESSAYS[0], POINT), (ESSAYS[1], POINT)]) == [None, None]
    assert not (out / "overrides.csv").exists()


def test_record_overrides_checks_every_cell_before_writing_any(out: Path) -> None:
    decisions = [Decision(ESSAYS[0], POINT, True), Decision(ESSAYS[1], "no-such-point", True)]
    with pytest.raises(OutputError, match="no-such-point"):
        record_overrides(out, decisions)
    assert rows(out) == []

    recorded = record_overrides(
        out, [Decision(e, POINT, False, " checked ") for e in ESSAYS], now=NOW
    )

    assert [o.comment for o in recorded] == ["checked"] * len(ESSAYS)
    assert [(r["essay"], r["covered"], r["time"]) for r in rows(out)] == [
        (essay, "0", "2026-01-02T03:04:05+00:00") for essay in ESSAYS
    ]


def test_remove_override_needs_a_marked_class(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="essaycheck mark"):
        remove_override(tmp_path, ESSAYS[0], POINT)


def test_override_clear_undoes_a_decision_in_every_report(runner: CliRunner, out: Path) -> None:
    before = gradebook(out)[ESSAYS[0]][POINT]
    flag = "--missing" if before == "1" else "--covered"
    assert invoke(runner, "override", out, ESSAYS[0], POINT, flag).exit_code == 0
    assert invoke(runner, "report", out).exit_code == 0
    assert gradebook(out)[ESSAYS[0]][POINT] != before

    result = invoke(runner, "override", out, ESSAYS[0], POINT, "--clear")

    assert result.exit_code == 0, result.output
    assert "removed" in result.stderr and "essaycheck report" in result.stderr
    assert rows(out) == []
    assert invoke(runner, "report", out).exit_code == 0
    assert gradebook(out)[ESSAYS[0]][POINT] == before


def test_override_clear_of_nothing_says_so(runner: CliRunner, out: Path) -> None:
    result = invoke(runner, "override", out, ESSAYS[0], POINT, "--clear")
    assert result.exit_code == 0
    assert "nothing changed" in result.stderr
    assert not (out / "overrides.csv").exists()


@pytest.mark.parametrize("extra", [["--covered"], ["--missing"], ["--comment", "x"]])
def test_override_clear_takes_no_decision(runner: CliRunner, out: Path, extra: list[str]) -> None:
    result = invoke(runner, "override", out, ESSAYS[0], POINT, "--clear", *extra)
    assert_error(result, 2, "--clear takes no")


def test_override_help_names_clear(runner: CliRunner) -> None:
    result = invoke(runner, "override", "--help")
    assert result.exit_code == 0 and "--clear" in result.output
