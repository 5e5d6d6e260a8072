"""A class with every kind of bad submission: each gets its own clear error, the rest are marked.

The battery is generated here: a folder of good essays with one bad file of each
kind beside them, marked with `essaycheck mark`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES_DIR as EXAMPLES
from documents import docx_bytes, encrypted_pdf_bytes, pdf_bytes

import essaycheck.io.formats
from essaycheck.cli import cli

GOOD = ["01-strong-amira.txt", "04-partial-priya.txt", "08-paraphrase-sofia.txt"]

# name of the bad file -> words its error must contain
BAD: dict[str, str] = {
    "empty.txt": "is empty",
    "blank.md": "is empty",
    "binary.txt": "looks like a binary file",
    "truncated.docx": "is not a readable Word document",
    "truncated.pdf": "is not a readable PDF",
    "locked.pdf": "password-protected",
    "scanned.pdf": "no text layer",
    "huge.txt": "over the",
    "bomb.zip/zeros.txt": "zip bomb",
}


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.txt", b"0" * (5 * 1024 * 1024))
    return buffer.getvalue()


def _traversal_zip(essay: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../escaped.txt", essay)
        archive.writestr("/abs/absolute.txt", essay)
    return buffer.getvalue()


@pytest.fixture
def battery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "class"
    folder.mkdir()
    for name in GOOD:
        shutil.copy(EXAMPLES / "essays" / name, folder / name)
    essay = (EXAMPLES / "essays" / GOOD[0]).read_text("utf-8")
    files: dict[str, bytes] = {
        "empty.txt": b"",
        "blank.md": b"   \n\t\n",
        "binary.txt": bytes(range(256)) * 4,
        "truncated.docx": docx_bytes(["Heading", essay])[:700],
        "truncated.pdf": pdf_bytes([essay[:60]])[:150],
        "locked.pdf": encrypted_pdf_bytes("secret"),
        "scanned.pdf": pdf_bytes([]),
        "huge.txt": b"word " * 300_000,
        "bomb.zip": _bomb(),
        "smuggled.zip": _traversal_zip(essay),
        # names a learning platform produces: spaces, accents, a newline
        "Ana Díaz_101_assignsubmission_file_essay.docx": docx_bytes(["Essay", essay]),
        "two\nlines.txt": essay.encode("utf-8"),
        "no punctuation.txt": (" ".join(essay.replace(".", " ").split()) + "\n").encode(),
        "french.txt": (
            "La révolution permanente était l'idée de Trotsky et ses partisans. " * 8
        ).encode("utf-8"),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    loop = folder / "loop"
    loop.mkdir()
    (loop / "again").symlink_to(loop, target_is_directory=True)
    monkeypatch.setattr(essaycheck.io.formats, "MAX_ESSAY_BYTES", 1024 * 1024, raising=False)
    monkeypatch.setattr(essaycheck.io.essays, "MAX_ESSAY_BYTES", 1024 * 1024, raising=False)
    return folder


@pytest.fixture
def marked(
    runner: CliRunner, battery: Path, tmp_path: Path, reuse_checker: list[Path | None]
) -> tuple[object, Path]:
    out = tmp_path / "reports"
    result = runner.invoke(
        cli, ["mark", str(battery), "-r", str(EXAMPLES / "rubric.json"), "-o", str(out)]
    )
    return result, out


def _rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open(newline="", encoding="utf-8") as handle:
        return {row["file"]: row for row in csv.DictReader(handle)}


def test_a_class_with_bad_files_exits_3(marked: tuple[object, Path]) -> None:
    result, _ = marked

    assert result.exit_code == 3, result.output  # type: ignore[attr-defined]
    assert f"{len(BAD)} of " in result.stderr  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "words"), BAD.items(), ids=list(BAD))
def test_each_bad_file_gets_its_own_clear_error(
    marked: tuple[object, Path], name: str, words: str
) -> None:
    result, out = marked

    row = _rows(out)[name]
    assert words in row["error"]
    assert row["score"] == ""
    assert f"Failed: {row['error']}" in result.stderr  # type: ignore[attr-defined]


def test_every_good_essay_beside_them_is_marked(marked: tuple[object, Path]) -> None:
    _, out = marked
    rows = _rows(out)

    good = [
        *GOOD,
        "Ana Díaz_101_assignsubmission_file_essay.docx",
        "two lines.txt",
        "no punctuation.txt",
        "french.txt",
        "smuggled.zip/escaped.txt",
        "smuggled.zip/abs/absolute.txt",
    ]
    for name in good:
        assert rows[name]["error"] == "", name
        assert rows[name]["score"] != "", name
    assert set(rows) == set(good) | set(BAD)


def test_zip_entries_never_leave_the_output_folder(marked: tuple[object, Path]) -> None:
    _, out = marked

    written = [
        path.relative_to(out.parent).as_posix()
        for path in out.parent.rglob("*")
        if path.is_file() and not path.is_relative_to(out.parent / "class")
    ]
    assert written
    assert all(path.startswith("reports/") for path in written), written
    assert "reports/feedback/smuggled.zip/escaped.md" in written


def test_the_student_is_read_from_a_moodle_file_name(marked: tuple[object, Path]) -> None:
    _, out = marked

    assert _rows(out)["Ana Díaz_101_assignsubmission_file_essay.docx"]["student"] == "Ana Díaz"


def test_doubtful_essays_are_marked_with_a_warning(marked: tuple[object, Path]) -> None:
    _, out = marked
    essays = {
        essay["path"]: essay
        for essay in json.loads((out / "results.json").read_text("utf-8"))["essays"]
    }

    assert any("no sentence punctuation" in w for w in essays["no punctuation.txt"]["warnings"])
    assert any("does not look like English" in w for w in essays["french.txt"]["warnings"])
    assert essays[GOOD[0]]["warnings"] == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file whatever its permissions")
def test_an_unreadable_file_is_reported(
    runner: CliRunner, tmp_path: Path, reuse_checker: list[Path | None]
) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(EXAMPLES / "essays" / GOOD[0], folder / GOOD[0])
    locked = folder / "locked.txt"
    locked.write_text("An essay.", "utf-8")
    locked.chmod(0)

    result = runner.invoke(
        cli, ["mark", str(folder), "-r", str(EXAMPLES / "rubric.json"), "-o", str(tmp_path / "o")]
    )

    assert result.exit_code == 3
    assert "Permission denied" in result.stderr


def test_a_rubric_of_a_thousand_points_works(
    runner: CliRunner, tmp_path: Path, reuse_checker: list[Path | None]
) -> None:
    rubric = tmp_path / "big.json"
    points = [
        {"id": f"point-{n}", "text": f"Claim number {n} about the debate."} for n in range(1000)
    ]
    rubric.write_text(json.dumps({"title": "Big", "points": points}), "utf-8")

    result = runner.invoke(
        cli, ["check", str(EXAMPLES / "essays" / GOOD[0]), "-r", str(rubric), "-f", "json"]
    )

    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["essays"][0]["points"]) == 1000
