"""Artefact files: atomic JSON writes, guarded parsing, reads that name the file and the remedy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from essaycheck import __version__
from essaycheck.errors import CalibrationError, ModelError
from essaycheck.io.documents import (
    DocumentError,
    describe_size,
    load_json,
    load_yaml,
    parse_json,
    read_limited,
    schema_validator,
)
from essaycheck.io.files import read_json, write_json, write_text_atomically
from essaycheck.io.models import build_meta, check_meta, models_dir, save_meta


def test_json_is_written_sorted_indented_with_a_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "rule.json"

    write_json(path, {"b": 1, "a": [1, 2]})

    assert path.read_text("utf-8") == '{\n  "a": [\n    1,\n    2\n  ],\n  "b": 1\n}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["rule.json"]  # no temporary file left


def test_a_failed_write_leaves_the_old_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "rubric.json"
    path.write_text("old", "utf-8")

    with pytest.raises(UnicodeEncodeError):
        write_text_atomically(path, "new \udc80")

    assert path.read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["rubric.json"]


def test_reading_a_missing_file_raises_the_callers_error_with_the_remedy(tmp_path: Path) -> None:
    with pytest.raises(CalibrationError, match=r"x\.json: missing\. Rerun it\."):
        read_json(tmp_path / "x.json", CalibrationError, "Rerun it.")


def test_reading_broken_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{", "utf-8")

    with pytest.raises(ModelError, match=r"x\.json: unreadable .*Restore it\."):
        read_json(path, ModelError, "Restore it.")


def test_meta_of_the_right_kind_and_release_is_accepted(tmp_path: Path) -> None:
    save_meta(tmp_path, build_meta(name="rule", kind="decision-rule", figures={"auc": 0.8}))

    meta = check_meta(tmp_path, kind="decision-rule", remedy="Retrain.")

    assert meta["essaycheck"] == __version__
    assert meta["figures"] == {"auc": 0.8}
    assert {"scikit_learn", "spacy"} <= set(meta)


def test_meta_that_is_not_an_object_is_refused(tmp_path: Path) -> None:
    (tmp_path / "meta.json").write_text(json.dumps([1, 2]), "utf-8")

    with pytest.raises(ModelError, match=r"should hold a JSON object\. Retrain\."):
        check_meta(tmp_path, kind="decision-rule", remedy="Retrain.")


def test_a_model_made_outside_essaycheck_has_no_release_to_check(tmp_path: Path) -> None:
    save_meta(tmp_path, {"name": "table", "kind": "static-embeddings"})

    assert check_meta(tmp_path, kind="static-embeddings", remedy="x")["name"] == "table"


def test_the_models_folder_comes_from_the_caller_then_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESSAYCHECK_MODELS_DIR", str(tmp_path / "env"))

    assert models_dir(tmp_path / "given") == tmp_path / "given"
    assert models_dir() == tmp_path / "env"
    monkeypatch.delenv("ESSAYCHECK_MODELS_DIR")
    assert (models_dir() / "decision-rule").is_dir()


# --- nothing read is trusted: numbers, repeated keys, depth, size, YAML aliases ----------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"slope": NaN}', "line 1, column 11: NaN is not a number JSON allows"),
        ('{"a": 1,\n "b": Infinity}', "line 2, column 7: Infinity is not a number"),
        ("[1, -Infinity]", "line 1, column 5: -Infinity is not a number"),
        ('{"slope": 1e309}', "line 1, column 11: 1e309 is too large a number"),
        ('{"slope": ' + "9" * 400 + "}", "a number of 400 digits is too large"),
        ('{"slope": ' + "9" * 5000 + "}", "a number of 5000 digits is too large"),
        ('{"a": 1, "a": 2}', "$: the key 'a' appears more than once"),
        ('{"p": [{}, {"x": [], "x": {}}]}', "$.p[1]: the key 'x' appears more than once"),
        ('{"odd key": {"k": 1, "k": 1}}', "$['odd key']: the key 'k' appears more than once"),
        ("[" * 100_000 + "]" * 100_000, "line 1, column 33: nested more than 32 levels deep"),
        ('{"a": ' * 40 + "1" + "}" * 40, "nested more than 32 levels deep"),
    ],
    ids=[
        "nan",
        "infinity",
        "minus-infinity",
        "overflowing-float",
        "huge-integer",
        "integer-over-python-limit",
        "repeated-key",
        "repeated-key-nested",
        "repeated-key-odd-name",
        "100000-deep",
        "40-deep-objects",
    ],
)
def test_untrustworthy_json_is_refused_saying_where(text: str, words: str) -> None:
    with pytest.raises(DocumentError) as caught:
        load_json(text)

    assert words in str(caught.value)


def test_json_numbers_and_brackets_inside_strings_are_only_text() -> None:
    text = json.dumps({"a": "NaN Infinity 1e309 " + "[" * 100, "b": 1e308})

    assert load_json(text) == {"a": "NaN Infinity 1e309 " + "[" * 100, "b": 1e308}


def test_json_as_deep_as_the_limit_is_read() -> None:
    nested: list[object] = []
    for _ in range(31):
        nested = [nested]

    assert load_json("[" * 32 + "]" * 32, max_depth=32) == nested


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a: &x [1, 1]\nb: [*x, *x]\n", "line 2, column 5: uses the alias *x"),
        ("a: 1\nb: 2\na: 3\n", "line 3, column 1: the key 'a' appears more than once"),
        ("p:\n  - id: a\n    id: b\n", "first at line 2, column 5"),
        ("[" * 100_000, "line 1, column 33: nested more than 32 levels deep"),
        ("- " * 100_000 + "x", "nested more than 32 levels deep"),
        ("title: 2024-13-45\n", "line 1, column 8: cannot read '2024-13-45' as timestamp"),
        ("weight: !!int ''\n", "cannot read '' as int"),
        ("a\x00b: 1\n", "line 1, column 2: not valid YAML (the character U+0000"),
        ("a: b: c\n", "line 1, column 5: not valid YAML (mapping values are not allowed here)"),
    ],
    ids=[
        "alias",
        "repeated-key",
        "repeated-key-nested",
        "100000-deep-flow",
        "100000-deep-block",
        "impossible-date",
        "empty-tagged-int",
        "nul-character",
        "syntax",
    ],
)
def test_untrustworthy_yaml_is_refused_saying_where(text: str, words: str) -> None:
    with pytest.raises(DocumentError) as caught:
        load_yaml(text)

    assert words in str(caught.value)


def test_a_yaml_alias_bomb_is_refused_at_its_first_alias() -> None:
    # "billion laughs": nine levels of nine aliases each, 10**9 strings once expanded
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]

    with pytest.raises(DocumentError, match=r"line 2, column 10: uses the alias \*a0"):
        load_yaml("\n".join(lines))


def test_yaml_anchors_without_aliases_and_inline_merges_are_read() -> None:
    assert load_yaml("a: &x 1\n<<: {b: 2}\n") == {"a": 1, "b": 2}


def test_reading_an_artefact_with_nan_names_the_file_and_the_remedy(tmp_path: Path) -> None:
    path = tmp_path / "rule.json"
    path.write_text('{"threshold": NaN}', "utf-8")

    with pytest.raises(
        ModelError, match=r"rule\.json: unreadable \(line 1, column 15: NaN .*Retrain"
    ):
        read_json(path, ModelError, "Retrain.")


def test_reading_an_artefact_with_a_repeated_key_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "meta.json"
    path.write_text('{"kind": "decision-rule", "kind": "other"}', "utf-8")

    with pytest.raises(ModelError, match=r"unreadable \(\$: the key 'kind' appears more"):
        read_json(path, ModelError, "Retrain.")


def test_reading_an_artefact_over_the_size_limit_reads_only_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "meta.json"
    path.write_text(json.dumps({"pad": "x" * 5000}), "utf-8")

    with pytest.raises(CalibrationError, match=r"unreadable \(larger than 4 KiB.*Rerun"):
        read_json(path, CalibrationError, "Rerun.", max_bytes=4096)
    assert read_limited(path, 10_000) == path.read_bytes()


def test_parse_json_keeps_the_parsers_error_as_its_cause() -> None:
    with pytest.raises(
        ModelError, match=r"^x: line 1, column 2: not valid JSON .*Do this\.$"
    ) as caught:
        parse_json("[", "x", ModelError, "Do this.")

    assert isinstance(caught.value.__cause__, json.JSONDecodeError)


@pytest.mark.parametrize(
    ("value", "is_valid"),
    [(1.5, True), (10**400, True), (float("nan"), False), (float("inf"), False), (True, False)],
    ids=["float", "big-integer", "nan", "inf", "boolean"],
)
def test_the_schema_validator_takes_only_finite_numbers(value: object, is_valid: bool) -> None:
    validator = schema_validator({"type": "number"})

    assert validator.is_valid(value) is is_valid


def test_the_schema_validator_takes_only_strings_utf8_can_store() -> None:
    validator = schema_validator({"type": "string"})

    assert validator.is_valid("café 🙂")
    assert not validator.is_valid("half \ud800 a pair")
    assert describe_size(64 * 1024) == "64 KiB"
