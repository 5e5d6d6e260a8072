"""The shape of the code: which parts may import which, and the tables everything reads.

The package is built in layers, each importing only from its own layer or a lower
one: ``errors`` -> ``io/``, ``rubric`` -> ``results`` -> ``engine/``, ``calibration``
-> ``reports/``, ``extraction``, ``training/`` -> ``batch/`` -> ``serve/`` -> ``cli/``.
Results and reports never load spaCy or a model; only the command line knows click.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import click
import pytest
from conftest import REPO_DIR

from essaycheck.cli import cli
from essaycheck.engine import ENGINES
from essaycheck.reports import ESSAY_FORMATS

PACKAGE = REPO_DIR / "essaycheck"
LAYERS = {
    "errors": 0,
    "io": 1,
    "rubric": 1,
    "results": 2,
    "engine": 3,
    "calibration": 3,
    "reports": 4,
    "extraction": 4,
    "training": 4,
    "batch": 5,
    "serve": 6,
    "cli": 7,
}
EXEMPT = {"__init__", "__main__"}  # the package's face and entry point sit above everything


def _unit(module: str) -> str:
    """The layer unit of a dotted module name: ``essaycheck.engine.rule`` -> ``engine``."""
    return module.split(".")[1]


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(REPO_DIR).with_suffix("").parts
        found.append((".".join(parts).removesuffix(".__init__"), path))
    return found


def _imports(path: Path) -> set[str]:
    """Every module the file imports, at the top, inside functions or for type checking."""
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


MODULES = _modules()


def test_every_module_belongs_to_a_layer() -> None:
    units = {_unit(name) for name, _ in MODULES if name != "essaycheck"} - EXEMPT
    assert units == set(LAYERS)


@pytest.mark.parametrize(("name", "path"), MODULES, ids=[name for name, _ in MODULES])
def test_no_module_imports_from_a_higher_layer(name: str, path: Path) -> None:
    if name == "essaycheck" or _unit(name) in EXEMPT:
        return
    own = LAYERS[_unit(name)]
    upward = sorted(
        imported
        for imported in _imports(path)
        if imported.startswith("essaycheck.")
        and _unit(imported) in LAYERS
        and LAYERS[_unit(imported)] > own
    )
    assert upward == [], f"{name} (layer {own}) imports {upward}"


@pytest.mark.parametrize("unit", ["results", "rubric", "io", "reports"])
def test_results_rubric_io_and_reports_never_import_the_engine(unit: str) -> None:
    for name, path in MODULES:
        if name == f"essaycheck.{unit}" or name.startswith(f"essaycheck.{unit}."):
            engine = [i for i in _imports(path) if i.startswith("essaycheck.engine")]
            assert engine == [], f"{name} imports {engine}"


def test_results_depend_on_the_rubric_only() -> None:
    ours = {i for i in _imports(PACKAGE / "results.py") if i.startswith("essaycheck")}
    assert {_unit(i) for i in ours} == {"rubric"}


def test_only_the_command_line_imports_click() -> None:
    users = [
        name
        for name, path in MODULES
        if any(i == "click" or i.startswith("click.") for i in _imports(path))
    ]
    assert users and all(name.startswith("essaycheck.cli") for name in users), users


def test_rendering_results_loads_no_spacy_and_no_model() -> None:
    code = (
        "import sys, essaycheck.reports, essaycheck.results, essaycheck.calibration; "
        "loaded = {'spacy', 'tokenizers', 'onnxruntime', 'essaycheck.engine'} & set(sys.modules); "
        "assert not loaded, loaded"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_command_line_starts_without_numpy_or_spacy() -> None:
    code = "import sys, essaycheck.cli; assert not {'numpy', 'spacy'} & set(sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _choices(command: str, option: str) -> list[str]:
    found = cli.commands[command]
    parameter = next(p for p in found.params if option in p.opts)
    assert isinstance(parameter.type, click.Choice)
    return list(parameter.type.choices)


def test_check_offers_exactly_the_essay_formats_table() -> None:
    assert _choices("check", "--format") == list(ESSAY_FORMATS)


@pytest.mark.parametrize("command", ["check", "mark", "evaluate", "calibrate", "train"])
def test_engine_option_offers_exactly_the_engines_table(command: str) -> None:
    assert _choices(command, "--engine") == list(ENGINES)
