"""Manifests: the lists of essays an exam board marks at scale (no cluster needed here)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES_DIR, assert_error, invoke
from marking import tree

from essaycheck.batch import mark_folder
from essaycheck.batch.sources import ManifestEntry, is_url, list_sources, read_manifest
from essaycheck.engine.checker import Checker
from essaycheck.errors import EssayReadError
from essaycheck.rubric import Rubric

RUBRIC = EXAMPLES_DIR / "rubric.json"


@pytest.fixture
def essays(tmp_path: Path) -> Path:
    folder = tmp_path / "essays"
    shutil.copytree(EXAMPLES_DIR / "essays", folder)
    return folder


def test_a_csv_manifest_lists_paths_relative_to_it_in_its_order(essays: Path) -> None:
    manifest = essays.parent / "class.csv"
    manifest.write_text("name,path\nzed,essays/02-strong-tom.txt\n,essays/01-strong-amira.txt\n")

    entries = read_manifest(manifest)

    assert entries == [
        ManifestEntry("zed", str(essays / "02-strong-tom.txt")),
        ManifestEntry("essays/01-strong-amira.txt", str(essays / "01-strong-amira.txt")),
    ]
    assert entries[0].load().text == (essays / "02-strong-tom.txt").read_text("utf-8")


def test_a_jsonl_manifest_takes_strings_objects_and_urls(essays: Path) -> None:
    manifest = essays.parent / "class.jsonl"
    url = (essays / "03-partial-jake.txt").as_uri()
    lines = ['"essays/01-strong-amira.txt"', json.dumps({"path": url, "name": "c"}), ""]
    manifest.write_text("\n".join(lines))

    entries = list_sources(manifest)

    assert [entry.name for entry in entries] == ["essays/01-strong-amira.txt", "c"]
    assert entries[1].load().text == (essays / "03-partial-jake.txt").read_text("utf-8")


def test_repeated_names_are_numbered(essays: Path) -> None:
    manifest = essays.parent / "class.csv"
    manifest.write_text("path\nessays/01-strong-amira.txt\nessays/01-strong-amira.txt\n")

    assert [e.name for e in read_manifest(manifest)] == [
        "essays/01-strong-amira.txt",
        "essays/01-strong-amira (2).txt",
    ]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("a.csv", "file,student\nx.txt,ana\n", ["a.csv: line 1", "'path' column"]),
        ("a.csv", "path\nx.txt\n,\n\n ,y\n", ["a.csv: line 5", "path is empty"]),
        ("a.jsonl", '"x.txt"\n{"path": 3}\n', ["a.jsonl: line 2", '{"path":']),
        ("a.jsonl", '"x.txt"\nnot json\n', ["a.jsonl: line 2", "not JSON"]),
        ("a.csv", "path\n", ["a.csv: lists no essays"]),
    ],
    ids=["no-path-column", "empty-path", "path-not-text", "not-json", "empty"],
)
def test_a_malformed_manifest_names_the_line(
    tmp_path: Path, name: str, content: str, words: list[str]
) -> None:
    manifest = tmp_path / name
    manifest.write_text(content)
    with pytest.raises(EssayReadError) as caught:
        read_manifest(manifest)
    for word in words:
        assert word in str(caught.value)


def test_urls_and_paths_are_told_apart() -> None:
    assert is_url("s3://board/2026/essay.txt")
    assert is_url("file:///tmp/essay.txt")
    assert not is_url("C:\\essays\\ana.txt")
    assert not is_url("essays/ana.txt")


def test_a_missing_file_in_a_manifest_is_one_failed_essay(
    checker: Checker, example_rubric: Rubric, essays: Path, tmp_path: Path
) -> None:
    manifest = tmp_path / "class.csv"
    manifest.write_text("path\nessays/01-strong-amira.txt\nessays/gone.txt\n")

    batch = mark_folder(manifest, example_rubric, checker, tmp_path / "out", checker.info())

    assert batch.count == 2
    assert [(r.name, r.error) for r in batch.failed] == [
        ("essays/gone.txt", "essays/gone.txt: no such file. Check the path.")
    ]


def test_marking_a_manifest_writes_what_marking_the_folder_writes(
    checker: Checker, example_rubric: Rubric, essays: Path, tmp_path: Path
) -> None:
    manifest = tmp_path / "class.jsonl"
    names = sorted(path.name for path in essays.iterdir())
    manifest.write_text(
        "".join(json.dumps({"path": f"essays/{n}", "name": n}) + "\n" for n in names)
    )

    mark_folder(essays, example_rubric, checker, tmp_path / "folder", checker.info())
    mark_folder(manifest, example_rubric, checker, tmp_path / "manifest", checker.info())

    assert tree(tmp_path / "manifest") == tree(tmp_path / "folder")


def test_mark_reports_a_malformed_manifest_and_writes_nothing(
    runner: CliRunner, tmp_path: Path
) -> None:
    manifest = tmp_path / "class.csv"
    manifest.write_text("student\nana\n")
    result = invoke(runner, "mark", manifest, "-r", RUBRIC, "-o", tmp_path / "out")
    assert_error(result, 1, "class.csv: line 1", "'path' column")
    assert not (tmp_path / "out").exists()


def test_cluster_dask_without_dask_says_how_to_install_it(
    runner: CliRunner, tmp_path: Path, essays: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    result = invoke(
        runner, "mark", essays, "-r", RUBRIC, "-o", tmp_path / "out", "--cluster", "dask"
    )
    assert_error(result, 1, "--cluster dask needs Dask", "pip install 'essaycheck[dask]'")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--scheduler", "tcp://x:1"], "--scheduler needs --cluster dask"),
        (["--cluster", "dask", "--scheduler", "tcp://x:1", "-j", "4"], "Leave out --jobs"),
    ],
    ids=["scheduler-alone", "scheduler-and-jobs"],
)
def test_cluster_options_that_do_not_go_together_are_usage_errors(
    runner: CliRunner, tmp_path: Path, essays: Path, options: list[str], message: str
) -> None:
    result = invoke(runner, "mark", essays, "-r", RUBRIC, "-o", tmp_path / "out", *options)
    assert_error(result, 2, message)
