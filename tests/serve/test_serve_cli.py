"""`essaycheck serve`: what it serves, what it prints, and its errors (the server is not run)."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import assert_error, invoke
from served import RUBRIC, copy_class, mark_class
from starlette.applications import Starlette

from essaycheck.cli import serving
from essaycheck.engine.checker import Checker
from essaycheck.serve.server import ServeError, bind, port_of


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory, checker: Checker) -> Path:
    return mark_class(tmp_path_factory.mktemp("cli"), checker)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Starlette, int]]:
    """Instead of serving, keep the app and its port."""
    apps: list[tuple[Starlette, int]] = []

    def keep(app: Starlette, sock: socket.socket) -> None:
        apps.append((app, port_of(sock)))
        sock.close()

    monkeypatch.setattr(serving, "run_server", keep)
    return apps


def test_serve_a_class_prints_the_desk_on_the_loopback(
    runner: CliRunner, marked: Path, tmp_path: Path, served: list[Any]
) -> None:
    out = copy_class(marked, tmp_path)
    result = invoke(runner, "serve", out, "--port", "0")

    assert result.exit_code == 0, result.output
    [(app, port)] = served
    assert f"Review desk: http://127.0.0.1:{port}/desk\n" in result.stderr
    assert "Student page" not in result.stderr and "Warning" not in result.stderr
    assert app.state.desk is not None and app.state.student is None
    assert app.state.guard.access_token is None
    assert result.stdout == ""


def test_serve_a_rubric_and_a_class_together(
    runner: CliRunner, marked: Path, tmp_path: Path, served: list[Any]
) -> None:
    out = copy_class(marked, tmp_path)
    result = invoke(runner, "serve", out, "--rubric", RUBRIC, "--port", "0")

    assert result.exit_code == 0, result.output
    [(app, port)] = served
    assert f"Student page: http://127.0.0.1:{port}/check\n" in result.stderr
    assert list(app.state.student.assignments) == ["rubric"]


def test_serve_beyond_the_loopback_warns_and_needs_the_token(
    runner: CliRunner, served: list[Any]
) -> None:
    result = invoke(runner, "serve", "--rubric", RUBRIC, "--host", "0.0.0.0", "--port", "0")

    assert result.exit_code == 0, result.output
    [(app, port)] = served
    token = app.state.guard.access_token
    assert token and len(token) >= 24
    assert "Warning: listening on 0.0.0.0" in result.stderr
    assert f"Student page: http://0.0.0.0:{port}/check?token={token}\n" in result.stderr


def test_serve_several_assignments(runner: CliRunner, tmp_path: Path, served: list[Any]) -> None:
    data = json.loads(RUBRIC.read_text("utf-8"))
    (tmp_path / "week-1.json").write_text(json.dumps(data))
    (tmp_path / "week-2.yaml").write_text(
        "title: Rain\npoints:\n  - id: rain\n    text: It rains.\n"
    )
    (tmp_path / "week-1.calibration.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("not a rubric")

    result = invoke(runner, "serve", "--rubrics", tmp_path, "--port", "0", "--no-calibration")

    assert result.exit_code == 0, result.output
    [(app, _)] = served
    assert list(app.state.student.assignments) == ["week-1", "week-2"]


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        ([], 2, ["essaycheck serve OUT", "--rubric"]),
        (["--rubric", str(RUBRIC), "--rubrics", "."], 2, ["not both"]),
        (["nowhere"], 1, ["nowhere", "essaycheck mark"]),
        (["--rubric", "missing.json"], 1, ["missing.json", "rubric"]),
    ],
)
def test_bad_arguments_are_clear_errors(
    runner: CliRunner, served: list[Any], args: list[str], code: int, words: list[str]
) -> None:
    assert_error(invoke(runner, "serve", *args), code, *words)
    assert served == []


def test_a_folder_without_rubrics_is_a_clear_error(
    runner: CliRunner, tmp_path: Path, served: list[Any]
) -> None:
    assert_error(invoke(runner, "serve", "--rubrics", tmp_path), 1, "holds no rubric")


def test_a_port_in_use_is_a_clear_error() -> None:
    taken = bind("127.0.0.1", 0)
    try:
        with pytest.raises(ServeError, match="another --port"):
            bind("127.0.0.1", port_of(taken))
    finally:
        taken.close()


def test_serve_help(runner: CliRunner) -> None:
    result = invoke(runner, "serve", "--help")
    assert result.exit_code == 0
    for word in ("--rubric", "--rubrics", "--port", "--host", "review desk", "Exit codes"):
        assert word in result.output
