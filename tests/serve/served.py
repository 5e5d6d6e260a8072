"""What the serve tests share: a marked class (with a hostile essay), apps, and requests."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from click.testing import CliRunner
from conftest import EXAMPLES_DIR
from starlette.applications import Starlette
from starlette.testclient import TestClient

from essaycheck.cli import cli
from essaycheck.cli.base import Services
from essaycheck.engine.checker import Checker
from essaycheck.rubric import load_rubric
from essaycheck.serve import Assignment, Desk, Guard, StudentPage, create_app

RUBRIC = EXAMPLES_DIR / "rubric.json"
ESSAYS = ("01-strong-amira.txt", "04-partial-priya.txt", "09-wrong-claims-ben.txt")
PWNED = "document.title='pwned'"
ATTACK = f'<script>{PWNED}</script><img src=x onerror="{PWNED}">'
HOSTILE_NAME = "05-<img src=x onerror=alert(1)>.txt"
BASE = "http://127.0.0.1"


def mark_class(folder: Path, checker: Checker, names: tuple[str, ...] = ESSAYS) -> Path:
    """Mark a few example essays, and a hostile one full of markup, into ``folder/reports``."""
    essays = folder / "essays"
    essays.mkdir(parents=True)
    for name in names:
        shutil.copy(EXAMPLES_DIR / "essays" / name, essays / name)
    strong = (EXAMPLES_DIR / "essays" / ESSAYS[0]).read_text("utf-8")
    (essays / HOSTILE_NAME).write_text(f"{ATTACK}\n\n{strong}\n{ATTACK}\n", "utf-8")
    out = folder / "reports"
    services = Services(load_checker=lambda engine, models: checker)
    result = CliRunner().invoke(
        cli, ["mark", str(essays), "-r", str(RUBRIC), "-o", str(out), "-q"], obj=services
    )
    assert result.exit_code == 0, result.output
    return out


def copy_class(marked: Path, target: Path) -> Path:
    """A fresh copy of a marked class, for a test that changes it."""
    out = target / "reports"
    shutil.copytree(marked, out)
    return out


def app_for(
    out: Path | None, checker: Checker | None = None, guard: Guard | None = None
) -> tuple[Starlette, Desk | None]:
    """The app with the desk for ``out`` and, given a checker, the student's page."""
    desk = Desk(out) if out is not None else None
    student = None
    if checker is not None:
        student = StudentPage(checker, [Assignment("trotsky", load_rubric(RUBRIC))])
    return create_app(desk=desk, student=student, guard=guard), desk


def client(app: Starlette) -> TestClient:
    """A test client that sends what the page's script sends: the token and the Origin."""
    test_client = TestClient(app, base_url=BASE)
    test_client.headers["X-CSRF-Token"] = app.state.guard.csrf_token
    test_client.headers["Origin"] = BASE
    return test_client


def gradebook(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open(newline="", encoding="utf-8") as handle:
        return {row["file"]: row for row in csv.DictReader(handle)}


def override_rows(out: Path) -> list[dict[str, str]]:
    path = out / "overrides.csv"
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
