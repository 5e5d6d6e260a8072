"""build_rubric(): a source text in, one readable key point per claim out.

spaCy's en_core_web_sm parser is loaded once (load_parser_nlp is cached), and the
example source is extracted once per module.
"""

from __future__ import annotations

import re
from itertools import combinations

import pytest
from conftest import EXAMPLES_DIR
from spacy.lang.en.stop_words import STOP_WORDS

from essaycheck.errors import RubricError
from essaycheck.extraction import build_rubric
from essaycheck.rubric import Rubric, find_rubric_problems

SOURCE = EXAMPLES_DIR / "source.txt"
KEBAB_CASE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NUMBERED_ID = re.compile(r"^(?:p|point|kp|item)[-_]?\d+$")
TROTSKY_ABROAD = (
    "Trotsky argued that the Soviet Union should help communists seize power in other countries."
)


@pytest.fixture(scope="module")
def built() -> Rubric:
    return build_rubric(SOURCE.read_text("utf-8"), title="Trotsky and Stalin", source="source.txt")


def _texts(rubric: Rubric) -> list[str]:
    return [point.text for point in rubric]


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if w not in STOP_WORDS}


# --- what the example source gives -----------------------------------------------


def test_built_rubric_is_titled_and_valid(built: Rubric) -> None:
    assert built.title == "Trotsky and Stalin"
    assert built.source == "source.txt"
    assert find_rubric_problems(built.to_dict()) == []
    assert 8 <= len(built) <= 30


@pytest.mark.parametrize(
    ("phrase", "expected_id"),
    [
        ("permanent revolution", "permanent-revolution"),
        ("socialism in one country", "socialism-in-one-country"),
        ("farm collectively", None),
    ],
    ids=["permanent-revolution", "socialism-in-one-country", "collective-farming"],
)
def test_central_claims_become_key_points(
    built: Rubric, phrase: str, expected_id: str | None
) -> None:
    found = [point for point in built if phrase in point.text.lower()]

    assert len(found) == 1, _texts(built)
    if expected_id is not None:
        assert found[0].id == expected_id


def test_ids_are_readable_kebab_case_and_unique(built: Rubric) -> None:
    ids = [point.id for point in built]

    assert len(set(ids)) == len(ids)
    assert all(KEBAB_CASE.match(point_id) for point_id in ids), ids
    assert not [point_id for point_id in ids if NUMBERED_ID.match(point_id)]


def test_no_two_points_say_nearly_the_same_thing(built: Rubric) -> None:
    for first, second in combinations(built, 2):
        a, b = _content_words(first.text), _content_words(second.text)
        overlap = len(a & b) / min(len(a), len(b))
        assert overlap < 0.75, (first.text, second.text)


def test_compound_sentence_becomes_two_points(built: Rubric) -> None:
    # "He held that the workforce would have to be organised into militarised
    # labour units, as well as that the peasants should be made to farm
    # collectively instead of working their own plots."
    labour = [p for p in built if "militarised labour units" in p.text]
    farming = [p for p in built if "farm collectively" in p.text]

    assert len(labour) == len(farming) == 1
    assert labour[0] != farming[0]
    assert "peasants" not in labour[0].text
    assert "workforce" not in farming[0].text
    assert labour[0].text.startswith("Trotsky held that")
    assert farming[0].text.startswith("Trotsky held that")


def test_leading_he_is_replaced_by_the_person(built: Rubric) -> None:
    assert not [text for text in _texts(built) if re.match(r"(?:He|She|His|Her)\b", text)]
    assert "Trotsky argued that the revolution could not stop at Russia's borders." in _texts(built)


def test_every_point_is_one_tidy_sentence(built: Rubric) -> None:
    for text in _texts(built):
        assert text[0].isupper(), text
        assert text.endswith("."), text
        assert "  " not in text, text
        assert not text.endswith(("...", "…")), text


# --- small sources ---------------------------------------------------------------------


def test_possessive_his_is_replaced_by_the_person() -> None:
    source = (
        "Leon Trotsky was a leading Bolshevik. He argued that the Soviet Union should help "
        "communists seize power in other countries. His plan depended on revolutions abroad "
        "succeeding quickly."
    )

    texts = _texts(build_rubric(source, title="T"))

    assert texts == [
        TROTSKY_ABROAD,
        "Trotsky's plan depended on revolutions abroad succeeding quickly.",
    ]


@pytest.mark.parametrize("ellipsis", ["...", "…"], ids=["three-dots", "ellipsis-character"])
def test_truncated_sentence_is_skipped(ellipsis: str) -> None:
    source = (
        "Stalin wanted rapid industrialisation and a strong army to protect the country. "
        "Stalin believed that the Soviet Union could build socialism by itself "
        f"without {ellipsis}\n" + TROTSKY_ABROAD
    )

    texts = _texts(build_rubric(source, title="T"))

    assert texts == [
        "Stalin wanted rapid industrialisation and a strong army to protect the country.",
        TROTSKY_ABROAD,
    ]


def test_a_claim_said_twice_becomes_one_point() -> None:
    source = (
        "Stalin wanted rapid industrialisation and a strong army to protect the country. "
        "Stalin wanted a strong army and rapid industrialisation to protect the country."
    )

    assert len(build_rubric(source, title="T")) == 1


@pytest.mark.parametrize(
    "source",
    [
        "",
        "   \n\n  ",
        "Hello there. Yes. Okay then.",
        "Why did Stalin win the debate about socialism?",
        "Trotsky and Stalin. 1924. The Soviet Union.",
    ],
    ids=["empty", "whitespace", "small-talk", "only-a-question", "no-verbs"],
)
def test_source_without_claims_is_a_rubric_error(source: str) -> None:
    with pytest.raises(RubricError, match=r"no key points found.*write the rubric by hand"):
        build_rubric(source, title="T", source="notes.txt")


def test_building_twice_gives_the_same_rubric(built: Rubric) -> None:
    again = build_rubric(SOURCE.read_text("utf-8"), title="Trotsky and Stalin", source="source.txt")

    assert again.sha256 == built.sha256


def test_heading_above_a_blank_line_does_not_join_the_first_sentence() -> None:
    source = "The great debate of the twenties\n\n" + TROTSKY_ABROAD

    assert _texts(build_rubric(source, title="T")) == [TROTSKY_ABROAD]


def test_words_either_side_of_a_line_break_stay_apart() -> None:
    source = (
        "Stalin wanted rapid industrialisation and a strong army\n"
        "to protect the country from hostile capitalist powers."
    )

    assert _texts(build_rubric(source, title="T")) == [
        "Stalin wanted rapid industrialisation and a strong army "
        "to protect the country from hostile capitalist powers."
    ]


def test_every_hint_is_a_question_that_names_only_people_the_point_mentions(built: Rubric) -> None:
    for point in built:
        assert point.hint.startswith("What ") and point.hint.endswith("?"), point.hint
        named = re.match(r"What did (\w+) ", point.hint)
        if named:
            assert named.group(1) in point.text, (point.hint, point.text)
