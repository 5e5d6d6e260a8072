"""Shared fixtures: repository paths, the marking pipeline (loaded once), golden files.

Everything a test writes goes to tmp_path. The repository's models/ folder is
read, never written: every test runs with ESSAYCHECK_MODELS_DIR pointing at a
temporary mirror of it, and fails if anything in models/ changed meanwhile.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from essaycheck.cli import cli
from essaycheck.cli.base import Services
from essaycheck.engine import load_checker
from essaycheck.engine.checker import Checker
from essaycheck.rubric import Rubric, load_rubric

REPO_DIR = Path(__file__).resolve().parent.parent
MODELS_DIR = REPO_DIR / "models"
EXAMPLES_DIR = REPO_DIR / "examples"
DATA_DIR = Path(__file__).resolve().parent / "data"
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
DECISION_RULE = "decision-rule"
SMALL_RUBRIC = DATA_DIR / "rubrics" / "trotsky-stalin.json"
SHORT_ESSAY = DATA_DIR / "essays" / "short-essay.txt"
SPLIT_ESSAY = DATA_DIR / "essays" / "split-sentences.txt"
TINY_DATA = DATA_DIR / "labelled" / "tiny.jsonl"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite the expected reports in tests/golden/ instead of comparing with them.",
    )


# --- paths ------------------------------------------------------------------


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    return REPO_DIR


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return EXAMPLES_DIR


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR


# --- models: loaded once, never written ---------------------------------------


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        path.relative_to(folder).as_posix(): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
    }


def mirror_models(target: Path) -> Path:
    """Make ``target`` a models folder: the models linked, the decision rules copied.

    Decision rules are the only artefacts ``essaycheck train`` writes, so they are
    copies; the embedding models are large and only ever read, so they are links.
    """
    target.mkdir(parents=True, exist_ok=True)
    for folder in sorted(MODELS_DIR.iterdir()):
        if not folder.is_dir():
            continue
        if folder.name.startswith(DECISION_RULE):
            shutil.copytree(folder, target / folder.name)
            continue
        try:
            (target / folder.name).symlink_to(folder, target_is_directory=True)
        except OSError:  # no symlinks on this file system
            shutil.copytree(folder, target / folder.name)
    return target


@pytest.fixture(autouse=True)
def models_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Point ESSAYCHECK_MODELS_DIR at a temporary mirror; fail if models/ changes."""
    mirror = mirror_models(tmp_path_factory.mktemp("models"))
    monkeypatch.setenv("ESSAYCHECK_MODELS_DIR", str(mirror))
    before = _snapshot(MODELS_DIR)
    yield mirror
    assert _snapshot(MODELS_DIR) == before, "a test wrote into the repository's models/"


@pytest.fixture(scope="session")
def checker() -> Checker:
    """The shipped marking pipeline, loaded once for the whole run."""
    return load_checker("fast", MODELS_DIR)


@pytest.fixture
def reuse_checker() -> list[Path | None]:
    """The models folders the commands asked for, in order (see ``services``)."""
    return []


@pytest.fixture
def services(checker: Checker, models_dir: Path, reuse_checker: list[Path | None]) -> Services:
    """What the commands load, handed in: the session's checker instead of loading their own.

    Only a load of the shipped models (the default, or the mirror of them) is
    given the session's checker; any other engine or --models-dir is loaded
    for real.
    """

    def load(engine: str, folder: Path | None) -> Checker:
        reuse_checker.append(folder)
        if engine == "fast" and (folder is None or Path(folder) == models_dir):
            return checker
        return load_checker(engine, folder)

    return Services(load_checker=load)


class ServicesRunner(CliRunner):
    """A CliRunner whose commands get the test's ``Services`` (click's ``obj``)."""

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services

    def invoke(self, *args: Any, **kwargs: Any) -> Result:  # type: ignore[override]
        kwargs.setdefault("obj", self.services)
        return super().invoke(*args, **kwargs)


# --- rubrics and the command line ----------------------------------------------


@pytest.fixture(scope="session")
def example_rubric() -> Rubric:
    """examples/rubric.json: eleven key points, the teacher-reviewed rubric."""
    return load_rubric(EXAMPLES_DIR / "rubric.json")


@pytest.fixture(scope="session")
def small_rubric() -> Rubric:
    """tests/data/rubrics/trotsky-stalin.json: five related key points."""
    return load_rubric(DATA_DIR / "rubrics" / "trotsky-stalin.json")


@pytest.fixture
def runner(services: Services) -> CliRunner:
    return ServicesRunner(services)


# --- golden files -------------------------------------------------------------


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare text byte for byte with tests/golden/<name>; --update-golden rewrites it."""
    update = bool(request.config.getoption("--update-golden"))

    def compare(name: str, actual: str) -> None:
        path = GOLDEN_DIR / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(actual.encode("utf-8"))
        assert path.is_file(), f"{path} is missing: run pytest --update-golden and review it"
        expected = path.read_bytes().decode("utf-8")
        assert actual == expected, (
            f"{name} differs from tests/golden/{name}; if the change is intended, "
            "run pytest --update-golden and review the diff"
        )

    return compare


# --- command-line helpers --------------------------------------------------------------


def invoke(runner: CliRunner, *args: str | Path, **kwargs: Any) -> Result:
    """Run ``essaycheck ARGS`` in the runner."""
    return runner.invoke(cli, [str(arg) for arg in args], prog_name="essaycheck", **kwargs)


def assert_error(result: Result, code: int, *words: str) -> None:
    """The command failed with ``code``, said so on stderr, and printed no results."""
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    for word in words:
        assert word in result.stderr
