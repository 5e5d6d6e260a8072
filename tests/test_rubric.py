"""Rubrics: loading JSON and YAML, the schema, and errors that say where and what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import DATA_DIR, REPO_DIR
from jsonschema import Draft202012Validator

from essaycheck.errors import RubricError
from essaycheck.rubric import (
    KeyPoint,
    Rubric,
    dump_rubric,
    find_rubric_problems,
    load_rubric,
    parse_rubric,
    rubric_schema,
)

RUBRIC_SUFFIXES = (".json", ".yaml", ".yml")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def _problems_of(data: object) -> list[str]:
    with pytest.raises(RubricError) as caught:
        parse_rubric(json.dumps(data), "rubric.json")
    return caught.value.problems


# --- loading -------------------------------------------------------------------


def test_minimal_rubric_loads_with_defaults(tmp_path: Path) -> None:
    path = _write(tmp_path, "r.json", '{"title": "T", "points": [{"id": "a", "text": "A claim."}]}')

    rubric = load_rubric(path)

    assert rubric.title == "T"
    assert rubric.points == (KeyPoint(id="a", text="A claim."),)
    point = rubric.points[0]
    assert (point.weight, point.hint, point.examples, point.required) == (1.0, "", (), False)
    assert rubric.path == path


def test_every_field_of_a_point_is_read(tmp_path: Path) -> None:
    text = json.dumps(
        {
            "title": "  Padded title  ",
            "description": "d",
            "source": "source.txt",
            "points": [
                {
                    "id": "a-1",
                    "text": " A claim. ",
                    "weight": 2.5,
                    "hint": " Think. ",
                    "examples": [" Another way. "],
                    "required": True,
                }
            ],
        }
    )

    rubric = load_rubric(_write(tmp_path, "r.json", text))

    assert rubric.title == "Padded title"
    assert (rubric.description, rubric.source) == ("d", "source.txt")
    assert rubric.points[0] == KeyPoint(
        id="a-1",
        text="A claim.",
        weight=2.5,
        hint="Think.",
        examples=("Another way.",),
        required=True,
    )
    assert rubric.points[0].phrasings == ("A claim.", "Another way.")
    assert rubric.total_weight == 2.5


def test_json_and_yaml_forms_of_a_rubric_have_the_same_sha256() -> None:
    from_json = load_rubric(DATA_DIR / "rubrics" / "trotsky-stalin.json")
    from_yaml = load_rubric(DATA_DIR / "rubrics" / "trotsky-stalin.yaml")

    assert from_json == from_yaml
    assert from_json.sha256 == from_yaml.sha256
    assert len(from_json.sha256) == 64


def test_sha256_changes_when_a_point_changes(small_rubric: Rubric) -> None:
    first, *rest = small_rubric.points
    changed = Rubric(
        title=small_rubric.title,
        points=(KeyPoint(first.id, first.text + " Also elsewhere."), *rest),
    )

    assert changed.sha256 != small_rubric.sha256


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml"])
def test_dumped_rubric_loads_back_unchanged(
    small_rubric: Rubric, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"rubric{suffix}"
    path.write_text(dump_rubric(small_rubric, path), "utf-8")

    assert load_rubric(path).sha256 == small_rubric.sha256


def test_rubric_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + (DATA_DIR / "rubrics" / "minimal.json").read_bytes())

    assert load_rubric(path).points[0].id == "only"


# --- problems: all at once, each with its JSON path -------------------------------


def test_every_problem_is_reported_at_once_with_its_json_path(tmp_path: Path) -> None:
    text = json.dumps(
        {
            "title": "Problems",
            "points": [
                {"id": "blank", "text": "   "},
                {"id": "Bad Id!", "text": "A point with a bad id."},
                {"id": "typo", "text": "A point with a typo.", "wieght": 2},
                {"id": "zero", "text": "A point that counts for nothing.", "weight": 0},
                {"id": "zero", "text": "A point that reuses an id."},
            ],
        },
        indent=2,
    )
    path = _write(tmp_path, "problems.json", text)

    with pytest.raises(RubricError) as caught:
        load_rubric(path)

    problems = caught.value.problems
    assert len(problems) == 5
    assert problems[0].startswith("$.points[0].text:") and "blank" in problems[0]
    assert problems[1].startswith("$.points[1].id:") and "'Bad Id!'" in problems[1]
    assert problems[2].startswith("$.points[2]:") and "'wieght'" in problems[2]
    assert problems[3].startswith("$.points[3].weight:")
    assert problems[4].startswith("$.points[4].id:") and "duplicate id 'zero'" in problems[4]
    message = str(caught.value)
    assert message.startswith(f"{path}: 5 problems in the rubric:")
    assert all(problem in message for problem in problems)
    assert f"essaycheck rubric validate {path}" in message


@pytest.mark.parametrize(
    ("data", "path", "words"),
    [
        ({"title": "T", "points": []}, "$.points", "no points"),
        ({"title": "T"}, "$", "'points' is a required property"),
        ({"title": " ", "points": [{"id": "a", "text": "t"}]}, "$.title", "blank"),
        ({"title": "T", "points": [{"id": "a"}]}, "$.points[0]", "'text' is a required"),
        (
            {"title": "T", "points": [{"id": "a", "text": "t", "weight": -1}]},
            "$.points[0].weight",
            "-1",
        ),
        ({"title": "T", "points": [{"id": "-a", "text": "t"}]}, "$.points[0].id", "not a valid id"),
        ({"title": "T", "points": [{"id": "a" * 65, "text": "t"}]}, "$.points[0].id", "at most 64"),
        (
            {"title": "T", "points": [{"id": "a", "text": "t", "examples": [""]}]},
            "$.points[0].examples[0]",
            "blank",
        ),
        (
            {"title": "T", "points": [{"id": "a", "text": "t", "required": "yes"}]},
            "$.points[0].required",
            "boolean",
        ),
        ({"title": "T", "colour": "red", "points": [{"id": "a", "text": "t"}]}, "$", "'colour'"),
        (["not", "an", "object"], "$", "not of type 'object'"),
    ],
    ids=[
        "empty-points",
        "no-points-key",
        "blank-title",
        "point-without-text",
        "negative-weight",
        "id-starting-with-dash",
        "id-too-long",
        "blank-example",
        "required-not-boolean",
        "unknown-top-level-property",
        "not-an-object",
    ],
)
def test_schema_problem_names_its_path(data: object, path: str, words: str) -> None:
    problems = _problems_of(data)

    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: ")
    assert words in problems[0]


def test_empty_points_list_message_mentions_points(tmp_path: Path) -> None:
    path = _write(tmp_path, "empty.json", '{"title": "x", "points": []}')

    with pytest.raises(RubricError, match=r"\$\.points: the rubric has no points"):
        load_rubric(path)


def test_valid_rubric_has_no_problems(small_rubric: Rubric) -> None:
    assert find_rubric_problems(small_rubric.to_dict()) == []


# --- syntax errors: line and column ------------------------------------------------


def test_json_syntax_error_reports_line_and_column(tmp_path: Path) -> None:
    text = '{\n  "title": "x",\n  "points": [\n    {"id": "a" "text": "b"}\n  ]\n}\n'
    path = _write(tmp_path, "broken.json", text)

    with pytest.raises(RubricError) as caught:
        load_rubric(path)

    assert str(caught.value).startswith(f"{path}: line 4, column 16: not valid JSON")
    assert "Fix the syntax" in str(caught.value)
    assert isinstance(caught.value.__cause__, json.JSONDecodeError)


def test_yaml_syntax_error_reports_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "broken.yaml", "title: x\npoints:\n  - id: a\n    text: b: c\n")

    with pytest.raises(RubricError) as caught:
        load_rubric(path)

    assert str(caught.value).startswith(f"{path}: line 4, column 12: not valid YAML")
    assert "mapping values are not allowed here" in str(caught.value)


def test_yaml_suffix_decides_the_parser(tmp_path: Path) -> None:
    yaml_text = "title: T\npoints:\n  - id: a\n    text: A claim.\n"

    assert load_rubric(_write(tmp_path, "r.yml", yaml_text)).points[0].id == "a"
    with pytest.raises(RubricError, match="not valid JSON"):
        load_rubric(_write(tmp_path, "r.json", yaml_text))


def test_missing_rubric_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(RubricError, match=r"no such rubric file.*essaycheck rubric build"):
        load_rubric(tmp_path / "nowhere.json")


def test_rubric_that_is_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"title": "Caf\u00e9", "points": []}'.encode("latin-1"))

    with pytest.raises(RubricError, match="Save it as UTF-8"):
        load_rubric(path)


# --- the schema and the shipped rubrics ------------------------------------------------


def test_shipped_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(rubric_schema())

    assert rubric_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_every_schema_property_is_documented() -> None:
    schema = rubric_schema()
    properties = {**schema["properties"], **schema["$defs"]["point"]["properties"]}
    undocumented = sorted(
        name
        for name, spec in properties.items()
        if name != "description" and "description" not in spec
    )

    assert undocumented == []


def _shipped_rubrics() -> list[Path]:
    folder = REPO_DIR / "rubrics"
    shipped = sorted(p for p in folder.glob("*") if p.suffix in RUBRIC_SUFFIXES)
    tests = sorted(p for p in (DATA_DIR / "rubrics").glob("*") if p.suffix in RUBRIC_SUFFIXES)
    return [REPO_DIR / "examples" / "rubric.json", *shipped, *tests]


@pytest.mark.parametrize(
    "path", _shipped_rubrics(), ids=lambda p: p.relative_to(REPO_DIR).as_posix()
)
def test_shipped_rubric_validates(path: Path) -> None:
    rubric = load_rubric(path)

    assert len(rubric) >= 1
    assert find_rubric_problems(rubric.to_dict()) == []


def test_example_rubric_has_the_documented_points(example_rubric: Rubric) -> None:
    assert [point.id for point in example_rubric] == [
        "permanent-revolution",
        "end-isolation",
        "militant-labour",
        "collective-farming",
        "peasant-opposition",
        "farm-productivity",
        "socialism-in-one-country",
        "industrialisation",
        "stalin-nationalist",
        "trotsky-defeatist",
        "stalin-favoured",
    ]
    assert {p.id for p in example_rubric if p.required} == {
        "permanent-revolution",
        "socialism-in-one-country",
        "stalin-favoured",
    }
