"""`essaycheck rubric build`: kinds of source, sizes, several files, the commented YAML."""

from __future__ import annotations

from pathlib import Path

import docx
import yaml
from click.testing import CliRunner
from conftest import EXAMPLES_DIR, assert_error, invoke

from essaycheck.rubric import load_rubric

NOTES = "Stalin\n- wanted rapid industrialisation\n- socialism in one country\n"
SCHEME = (
    "Key elements:\n- Stalin controlled appointments as General Secretary (2 marks)\n"
    "- Trotsky's permanent revolution seemed defeatist (1 mark)\nAward 1 mark for each.\n"
)


def test_yaml_output_keeps_the_reasons_as_comments(runner: CliRunner, tmp_path: Path) -> None:
    output = tmp_path / "rubric.yaml"

    result = invoke(runner, "rubric", "build", EXAMPLES_DIR / "source.txt", "-o", output)

    assert result.exit_code == 0, result.output
    text = output.read_text("utf-8")
    assert text.startswith("# Built by `essaycheck rubric build` (source.txt as a source).")
    assert "# proposed weight 2, required: central:" in text
    rubric = load_rubric(output)
    assert 6 <= len(rubric) <= 15
    assert [p["id"] for p in yaml.safe_load(text)["points"]] == [p.id for p in rubric]


def test_several_sources_of_different_kinds_make_one_rubric(
    runner: CliRunner, tmp_path: Path
) -> None:
    notes, scheme = tmp_path / "notes.txt", tmp_path / "scheme.txt"
    notes.write_text(NOTES, "utf-8")
    scheme.write_text(SCHEME, "utf-8")
    output = tmp_path / "r.json"

    result = invoke(runner, "rubric", "build", notes, scheme, "-o", output)

    assert result.exit_code == 0, result.output
    assert "notes.txt as a source, scheme.txt as a mark-scheme" in result.stderr
    rubric = load_rubric(output)
    assert rubric.source == "notes.txt, scheme.txt"
    assert [p.text for p in rubric] == [
        "Stalin wanted rapid industrialisation.",
        "Stalin argued for socialism in one country.",
        "Stalin controlled appointments as General Secretary.",
        "Trotsky's permanent revolution seemed defeatist.",
    ]


def test_from_overrides_the_guess(runner: CliRunner, tmp_path: Path) -> None:
    scheme = tmp_path / "scheme.txt"
    scheme.write_text(SCHEME, "utf-8")

    result = invoke(
        runner, "rubric", "build", scheme, "--from", "source", "-o", tmp_path / "r.json"
    )

    assert result.exit_code == 0, result.output
    assert "scheme.txt as a source" in result.stderr


def test_detail_and_max_points(runner: CliRunner, tmp_path: Path) -> None:
    source = EXAMPLES_DIR / "source.txt"
    sizes = {}
    for name, options in {
        "fine": ["--detail", "fine"],
        "coarse": ["--detail", "coarse"],
        "four": ["--max-points", "4"],
    }.items():
        output = tmp_path / f"{name}.json"
        result = invoke(runner, "rubric", "build", source, "-o", output, *options)
        assert result.exit_code == 0, result.output
        sizes[name] = len(load_rubric(output))

    assert sizes["fine"] > 15 >= 8 >= sizes["coarse"]
    assert sizes["four"] == 4


def test_a_docx_source_is_read_like_an_essay(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "notes.docx"
    document = docx.Document()
    document.add_paragraph("Stalin")
    document.add_paragraph("- wanted rapid industrialisation")
    document.add_paragraph("- socialism in one country")
    document.save(str(source))

    result = invoke(runner, "rubric", "build", source, "-o", tmp_path / "r.json")

    assert result.exit_code == 0, result.output
    assert "Stalin argued for socialism in one country." in [
        p.text for p in load_rubric(tmp_path / "r.json")
    ]


def test_zero_max_points_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(
        runner,
        "rubric",
        "build",
        EXAMPLES_DIR / "source.txt",
        "-o",
        tmp_path / "r.json",
        "--max-points",
        "0",
    )

    assert_error(result, 2, "--max-points")


def test_help_names_the_new_options(runner: CliRunner) -> None:
    result = invoke(runner, "rubric", "build", "--help")

    assert result.exit_code == 0
    for option in ("--from", "--detail", "--max-points", "mark-scheme"):
        assert option in result.stdout


def test_yaml_output_has_no_trailing_spaces_and_reads_back_the_same(
    runner: CliRunner, tmp_path: Path
) -> None:
    as_yaml, as_json = tmp_path / "r.yaml", tmp_path / "r.json"
    for output in (as_yaml, as_json):
        result = invoke(runner, "rubric", "build", EXAMPLES_DIR / "source.txt", "-o", output)
        assert result.exit_code == 0, result.output

    lines = as_yaml.read_text("utf-8").splitlines()
    assert [line for line in lines if line != line.rstrip()] == []
    assert load_rubric(as_yaml).sha256 == load_rubric(as_json).sha256
