"""Fuzzing rubric loading: any text is a usable rubric or a RubricError, never anything else.

The documents are generated: random JSON and YAML values (with rubric keys, NaN,
infinities and huge numbers among them), random text, and valid rubrics mutated by
setting a field to a random value or by splicing troublesome tokens into their text.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import yaml
from conftest import DATA_DIR, REPO_DIR
from hypothesis import given, settings
from hypothesis import strategies as st

from essaycheck.errors import RubricError
from essaycheck.rubric import dump_rubric, parse_rubric

FUZZ = settings(derandomize=True, max_examples=80, deadline=None, database=None)
VALID = [
    REPO_DIR / "examples" / "rubric.json",
    *sorted((REPO_DIR / "rubrics").glob("*.*")),
    *sorted((DATA_DIR / "rubrics").glob("*.*")),
]
POINT_KEYS = ["id", "text", "weight", "hint", "examples", "required"]
KEYS = ["title", "points", "bands", "min", "label", "description", "source", *POINT_KEYS]
# Tokens that have broken parsers: numbers JSON cannot hold, YAML aliases, tags and
# dates, brackets that open and never close, quotes, surrogate escapes, NUL.
TOKENS = ["NaN", "Infinity", "-Infinity", "1e309", "1e308", "9" * 400, ".nan", ".inf"]
TOKENS += ["&a ", "*a", "<<: ", "!!int ", "!!timestamp ", "!!binary ", "!!set ", "2024-13-45"]
TOKENS += ["[" * 50, "{" * 50, "- " * 40, '"', "'", "\\ud800", '"\\udc80"', "\x00", "\t"]
TOKENS += [": ", "\n", "\n  ", ",", "}", "]", "? ", "---\n", '"points": []', "points:\n"]

leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([10**400, -(10**309), 1e308, 1000, 1000.5, 1, 0.5, 0, -0.0, 5e-324])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(KEYS)
)
splices = st.sampled_from(TOKENS) | st.text(max_size=4)
documents = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=5)
    ),
    max_leaves=24,
)

texts = st.text(max_size=12) | st.from_regex(r"[a-z0-9][a-z0-9_-]{0,8}", fullmatch=True)
values = texts | leaves | st.lists(texts, max_size=3) | documents
points = st.lists(st.dictionaries(st.sampled_from(POINT_KEYS), values, min_size=1), max_size=3)
bands = st.lists(st.dictionaries(st.sampled_from(["min", "label"]), values), max_size=2)
# Rubric-shaped documents: the right keys, any values; these get past the first checks.
rubrics = st.fixed_dictionaries(
    {"title": values, "points": points},
    optional={"bands": bands, "description": values, "source": values},
)


def _check(text: str, *, is_yaml: bool) -> None:
    """Parse ``text``: a RubricError naming it, or a rubric essaycheck can use and save."""
    try:
        rubric = parse_rubric(text, "fuzzed", is_yaml=is_yaml)
    except RubricError as err:
        assert str(err).startswith("fuzzed: ")
        return
    assert all(math.isfinite(point.weight) and 0 < point.weight <= 1000 for point in rubric)
    assert all(math.isfinite(band.min) and 0 <= band.min <= 1 for band in rubric.bands)
    assert len(rubric.sha256) == 64
    for suffix in (".json", ".yaml"):
        again = parse_rubric(
            dump_rubric(rubric, Path(f"r{suffix}")), "again", is_yaml=suffix == ".yaml"
        )
        assert again.sha256 == rubric.sha256


def _valid(index: int) -> tuple[str, bool]:
    path = VALID[index % len(VALID)]
    return path.read_text("utf-8-sig"), path.suffix != ".json"


@FUZZ
@given(documents | rubrics)
def test_any_json_document_is_a_rubric_or_a_rubric_error(data: Any) -> None:
    _check(json.dumps(data, allow_nan=True), is_yaml=False)


@FUZZ
@given(documents | rubrics)
def test_any_yaml_document_is_a_rubric_or_a_rubric_error(data: Any) -> None:
    _check(yaml.safe_dump(data, allow_unicode=True), is_yaml=True)


@FUZZ
@given(st.text(max_size=200), st.booleans())
def test_any_text_is_a_rubric_or_a_rubric_error(text: str, is_yaml: bool) -> None:
    _check(text, is_yaml=is_yaml)


@FUZZ
@given(
    st.integers(min_value=0),
    st.lists(
        st.tuples(
            st.floats(0, 1), st.integers(0, 40), st.sampled_from(TOKENS) | st.text(max_size=4)
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_a_valid_rubric_spliced_with_bad_tokens_is_a_rubric_or_a_rubric_error(
    index: int, splices: list[tuple[float, int, str]]
) -> None:
    text, is_yaml = _valid(index)
    for where, cut, token in splices:
        at = int(where * len(text))
        text = text[:at] + token + text[at + cut :]

    _check(text, is_yaml=is_yaml)


def _set_at(data: Any, route: list[int], value: Any) -> Any:
    """Replace the value that ``route`` leads to (each step picks a child) with ``value``."""
    if not route or not isinstance(data, dict | list) or not data:
        return value
    keys = list(data) if isinstance(data, dict) else list(range(len(data)))
    key = keys[route[0] % len(keys)]
    data[key] = _set_at(data[key], route[1:], value)
    return data


@FUZZ
@given(st.integers(min_value=0), st.lists(st.integers(min_value=0), max_size=4), documents)
def test_a_valid_rubric_with_a_field_set_to_anything_is_a_rubric_or_a_rubric_error(
    index: int, route: list[int], value: Any
) -> None:
    text, _ = _valid(index)
    data = _set_at(yaml.safe_load(text), route, value)

    _check(json.dumps(data, allow_nan=True), is_yaml=False)
    _check(yaml.safe_dump(data, allow_unicode=True), is_yaml=True)
