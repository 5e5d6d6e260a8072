"""Rubrics: loading JSON and YAML, the schema, and errors that say where and what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import DATA_DIR, REPO_DIR
from jsonschema import Draft202012Validator

from essaycheck.cli import cli
from essaycheck.errors import RubricError
from essaycheck.io.documents import load_json, load_yaml
from essaycheck.rubric import (
    MAX_RUBRIC_BYTES,
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


# --- numbers and structures are never trusted --------------------------------------

POINT_JSON = '{{"title": "T", "points": [{{"id": "a", "text": "t", "weight": {weight}}}]}}'
POINT_YAML = "title: T\npoints:\n  - id: a\n    text: t\n    weight: {weight}\n"


@pytest.mark.parametrize(
    ("weight", "words"),
    [
        ("NaN", "line 1, column 62: NaN is not a number JSON allows"),
        ("Infinity", "line 1, column 62: Infinity is not a number JSON allows"),
        ("-Infinity", "line 1, column 62: -Infinity is not a number JSON allows"),
        ("1e309", "line 1, column 62: 1e309 is too large a number"),
        ("1" + "0" * 400, "line 1, column 62: a number of 401 digits is too large"),
    ],
    ids=["nan", "infinity", "minus-infinity", "overflowing", "400-digits"],
)
def test_a_weight_json_cannot_hold_as_a_number_is_a_syntax_error(weight: str, words: str) -> None:
    with pytest.raises(RubricError) as caught:
        parse_rubric(POINT_JSON.format(weight=weight), "r.json")

    assert str(caught.value).startswith(f"r.json: {words}")
    assert str(caught.value).endswith("Fix the syntax and try again.")


@pytest.mark.parametrize(
    ("weight", "is_yaml", "words"),
    [
        ("1e308", False, "1e+308 is greater than the maximum of 1000"),
        ("1000.5", False, "1000.5 is greater than the maximum of 1000"),
        (".nan", True, "nan is not a finite number"),
        (".inf", True, "inf is not a finite number"),
        ("-.inf", True, "-inf is not a finite number"),
        ("1.0e+308", True, "1e+308 is greater than the maximum of 1000"),
    ],
    ids=["json-1e308", "json-over-1000", "yaml-nan", "yaml-inf", "yaml-minus-inf", "yaml-1e308"],
)
def test_a_weight_that_is_not_finite_or_over_1000_is_a_schema_problem(
    weight: str, is_yaml: bool, words: str
) -> None:
    text = (POINT_YAML if is_yaml else POINT_JSON).format(weight=weight)

    with pytest.raises(RubricError) as caught:
        parse_rubric(text, "r", is_yaml=is_yaml)

    assert caught.value.problems == [f"$.points[0].weight: {words}" + _FINITE_ADVICE(words)]


def _FINITE_ADVICE(words: str) -> str:
    return ": write a number such as 1 or 2.5" if "finite" in words else ""


def test_the_heaviest_weight_allowed_is_1000() -> None:
    rubric = parse_rubric(POINT_JSON.format(weight=1000), "r.json")

    assert rubric.points[0].weight == 1000.0


@pytest.mark.parametrize(
    ("band", "words"),
    [(".nan", "nan is not a finite number"), ("1.5", "1.5 is greater than the maximum of 1")],
    ids=["nan", "over-1"],
)
def test_a_band_threshold_must_be_a_finite_share(band: str, words: str) -> None:
    text = POINT_YAML.format(weight=1) + f"bands:\n  - min: {band}\n    label: Pass\n"

    with pytest.raises(RubricError) as caught:
        parse_rubric(text, "r.yaml", is_yaml=True)

    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(f"$.bands[0].min: {words}")


def test_python_data_with_a_nan_weight_has_a_problem() -> None:
    data = {"title": "T", "points": [{"id": "a", "text": "t", "weight": float("nan")}]}

    assert find_rubric_problems(data) == [
        "$.points[0].weight: nan is not a finite number: write a number such as 1 or 2.5"
    ]


def test_text_utf8_cannot_store_is_a_schema_problem() -> None:
    text = '{"title": "T", "points": [{"id": "a", "text": "half \\ud800 a pair"}]}'

    with pytest.raises(RubricError) as caught:
        parse_rubric(text, "r.json")

    assert caught.value.problems[0].startswith("$.points[0].text: 'half \\ud800 a pair' holds")


@pytest.mark.parametrize(
    ("text", "is_yaml", "words"),
    [
        (
            '{"title": "T", "points": [{"id": "a", "text": "t"}], "points": []}',
            False,
            "r: $: the key 'points' appears more than once",
        ),
        (
            '{"title": "T", "points": [{"id": "a", "text": "t", "text": "u"}]}',
            False,
            "r: $.points[0]: the key 'text' appears more than once",
        ),
        (
            "title: T\npoints:\n  - id: a\n    text: t\npoints:\n  - id: b\n    text: u\n",
            True,
            "r: line 5, column 1: the key 'points' appears more than once in one mapping "
            "(first at line 2, column 1)",
        ),
    ],
    ids=["json-top-level", "json-in-a-point", "yaml"],
)
def test_a_key_given_twice_is_refused_saying_which_and_where(
    text: str, is_yaml: bool, words: str
) -> None:
    with pytest.raises(RubricError) as caught:
        parse_rubric(text, "r", is_yaml=is_yaml)

    assert str(caught.value).startswith(words)


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_rubric_nested_100000_deep_is_refused_without_a_crash(
    tmp_path: Path, suffix: str
) -> None:
    path = _write(tmp_path, f"deep{suffix}", "[" * 100_000 + "]" * 100_000)

    with pytest.raises(RubricError, match=r"line 1, column 33: nested more than 32 levels deep"):
        load_rubric(path)


def test_a_yaml_rubric_alias_bomb_is_refused(tmp_path: Path) -> None:
    # "billion laughs": each line nine aliases of the one before, 9**9 strings in all
    lines = ["title: T", "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    path = _write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")

    with pytest.raises(RubricError, match=r"bomb\.yaml: line 3, column 10: uses the alias \*a0;"):
        load_rubric(path)


def test_a_rubric_file_over_1_mib_is_refused(tmp_path: Path) -> None:
    data = {
        "title": "T",
        "description": "x" * MAX_RUBRIC_BYTES,
        "points": [{"id": "a", "text": "t"}],
    }
    path = _write(tmp_path, "huge.json", json.dumps(data))

    with pytest.raises(RubricError, match=r"huge\.json: larger than 1 MiB"):
        load_rubric(path)
    with pytest.raises(RubricError, match=r"huge: longer than 1 MiB"):
        parse_rubric(json.dumps(data), "huge")


def test_a_yaml_date_that_cannot_exist_is_a_clear_error() -> None:
    with pytest.raises(RubricError, match=r"^r: line 1, column 8: cannot read '2024-13-45'"):
        parse_rubric("title: 2024-13-45\npoints: []\n", "r", is_yaml=True)


@pytest.mark.parametrize(
    "path", _shipped_rubrics(), ids=lambda p: p.relative_to(REPO_DIR).as_posix()
)
def test_the_guarded_parsers_read_shipped_rubrics_as_the_plain_ones_do(path: Path) -> None:
    text = path.read_text("utf-8-sig")

    if path.suffix == ".json":
        assert load_json(text) == json.loads(text)
    else:
        assert load_yaml(text) == yaml.safe_load(text)


def test_rubric_validate_refuses_a_nan_weight_and_an_alias_bomb_with_exit_1(
    runner: CliRunner, tmp_path: Path
) -> None:
    nan = _write(tmp_path, "nan.json", POINT_JSON.format(weight="NaN"))
    bomb = _write(
        tmp_path, "bomb.yaml", "a: &a [lol, lol]\nb: [*a, *a]\n" + POINT_YAML.format(weight=1)
    )

    result = runner.invoke(cli, ["rubric", "validate", str(nan), str(bomb)])

    assert result.exit_code == 1
    assert f"{nan}: line 1, column 62: NaN is not a number JSON allows" in result.stderr
    assert f"{bomb}: line 2, column 5: uses the alias *a" in result.stderr
    assert "score nan" not in result.output
