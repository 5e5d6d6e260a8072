"""build_rubric(): sources a teacher has in, the rubric a teacher would write out.

Tables of sources written for these tests (prose, notes with bullets, fragments, a
mark scheme), each with the points expected. spaCy's en_core_web_sm is loaded once.
"""

from __future__ import annotations

import re
from itertools import combinations

import pytest
from conftest import EXAMPLES_DIR
from spacy.lang.en.stop_words import STOP_WORDS

from essaycheck.errors import RubricError
from essaycheck.extraction import build_rubric, propose_rubric
from essaycheck.extraction.blocks import guess_kind, read_blocks
from essaycheck.rubric import Rubric, find_rubric_problems

SOURCE = EXAMPLES_DIR / "source.txt"
KEBAB_CASE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NUMBERED_ID = re.compile(r"^(?:p|point|kp|item)[-_]?\d+$")
LEADING_PRONOUN = re.compile(r"^(?:He|She|His|Her|It|Its|They|Their|This|These|Some)\b")
TROTSKY_ABROAD = (
    "Trotsky argued that the Soviet Union should help communists seize power in other countries."
)
NOTES = """Stalin
- wanted rapid industrialisation and a strong army
- socialism in one country
- promised to modernise the USSR first

Trotsky
- permanent revolution
- help communists abroad
- collective farms less productive
"""
NUMBERED = """Why Stalin won the struggle for power
1. Stalin controlled the appointments to party posts.
2. Trotsky was seen as arrogant by other Bolsheviks.
3) Stalin allied with Bukharin against the Left Opposition.
"""
FRAGMENTS = (
    "Trotsky: permanent revolution. Stalin: socialism in one country. "
    "Peasants unhappy about collective farms. Collective farms less productive."
)
MARK_SCHEME = """Question 4: Explain why Stalin defeated Trotsky. (6 marks)
Key elements:
- Stalin controlled appointments as General Secretary (2 marks)
- Trotsky's permanent revolution seemed defeatist [1]
- Socialism in one country appealed to patriotic party members (2 marks)
Award 1 mark for each element, up to 6 marks. Accept any reasonable wording.
"""
TABLE = """| leader | policy |
|---|---|
| Stalin | wanted socialism in one country |
| Trotsky | wanted worldwide permanent revolution |
"""


@pytest.fixture(scope="module")
def built() -> Rubric:
    return build_rubric(SOURCE.read_text("utf-8"), title="Trotsky and Stalin", source="source.txt")


def _texts(rubric: Rubric) -> list[str]:
    return [point.text for point in rubric]


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if w not in STOP_WORDS}


def _assert_teacher_points(rubric: Rubric) -> None:
    """Every point one tidy, self-contained sentence; ids readable; hints real questions."""
    assert find_rubric_problems(rubric.to_dict()) == []
    for point in rubric:
        assert point.text[0].isupper() and point.text.endswith("."), point.text
        assert "  " not in point.text and not point.text.endswith(("...", "…")), point.text
        assert not LEADING_PRONOUN.match(point.text), point.text
        assert KEBAB_CASE.match(point.id) and not NUMBERED_ID.match(point.id), point.id
        assert point.hint[0].isupper() and point.hint.endswith("?"), point.hint
        assert "What does the source say" not in point.hint, point.hint
        named = re.match(r"What (?:did|kind of \w+ did) ([A-Z]\w+) ", point.hint)
        if named:
            assert named.group(1) in point.text, (point.hint, point.text)


# --- the example source (the project's own text) -----------------------------------------


def test_example_source_gives_a_teacher_sized_valid_rubric(built: Rubric) -> None:
    assert built.title == "Trotsky and Stalin"
    assert built.source == "source.txt"
    assert 6 <= len(built) <= 15
    _assert_teacher_points(built)


@pytest.mark.parametrize(
    ("phrase", "expected_id"),
    [
        ("permanent revolution", "permanent-revolution"),
        ("socialism in one country", "socialism-in-one-country"),
        ("farm collectively", "collective-farming"),
        ("militarised labour units", "militarised-labour-unit"),
        ("isolation", "end-isolation"),
        ("true nationalist", "true-nationalist"),
        ("full socialism", "full-socialism"),
        ("defeatist", "defeatist-plan"),
        ("wider support", "wider-support"),
    ],
)
def test_every_distinct_argument_is_one_point_with_a_concept_id(
    built: Rubric, phrase: str, expected_id: str
) -> None:
    found = [point for point in built if phrase in point.text.lower()]

    assert len(found) == 1, _texts(built)
    assert found[0].id == expected_id


def test_no_two_points_say_nearly_the_same_thing(built: Rubric) -> None:
    for first, second in combinations(built, 2):
        a, b = _content_words(first.text), _content_words(second.text)
        assert len(a & b) / min(len(a), len(b)) < 0.75, (first.text, second.text)


def test_compound_sentence_becomes_two_points(built: Rubric) -> None:
    labour = [p for p in built if "militarised labour units" in p.text]
    farming = [p for p in built if "farm collectively" in p.text]

    assert labour[0] != farming[0]
    assert "peasants" not in labour[0].text and "workforce" not in farming[0].text
    assert labour[0].text.startswith("Trotsky held that")
    assert farming[0].text.startswith("Trotsky held that")


def test_pronouns_are_replaced_by_what_they_mean(built: Rubric) -> None:
    assert "Trotsky argued that the revolution could not stop at Russia's borders." in _texts(built)
    assert "Trotsky lost his posts." in _texts(built)
    farming = next(p for p in built if "farm collectively" in p.text)
    assert farming.text.endswith("instead of working their own plots.")


def test_a_central_argument_is_proposed_as_required(built: Rubric) -> None:
    required = [point.id for point in built if point.required]

    assert 1 <= len(required) <= 4
    assert all(point.weight == 2 for point in built if point.required)
    assert any("revolution" in point_id for point_id in required)


def test_hints_ask_without_answering(built: Rubric) -> None:
    revolution = next(p for p in built if p.id == "permanent-revolution")
    isolation = next(p for p in built if p.id == "end-isolation")

    assert "permanent" not in revolution.hint.lower()
    assert isolation.hint == "What would a wave of uprisings abroad end?"


@pytest.mark.parametrize(
    ("point_id", "expected"),
    [
        ("true-nationalist", "How did many people come to see Stalin, and why?"),
        ("socialism-in-one-country", "What slogan was Stalin's name tied to?"),
        ("militarised-labour-unit", "What did Trotsky hold about the workforce?"),
        ("collective-farming", "What did Trotsky hold about the peasants?"),
        ("defeatist-plan", "How could Trotsky's opponents paint Trotsky's plan, and why?"),
        ("see-change", "What did people want to see?"),
    ],
)
def test_hints_ask_what_a_teacher_would_ask(built: Rubric, point_id: str, expected: str) -> None:
    assert next(p for p in built if p.id == point_id).hint == expected


def test_no_hint_on_the_example_source_is_a_generic_question(built: Rubric) -> None:
    generic = [
        p.hint for p in built if p.hint.startswith(("How would you describe", "What happened"))
    ]

    assert generic == []


# The constructions of the seed essay the project was conceived around, in new words.
SEED_LIKE = (
    "Trotsky argued for permanent revolution. He also believed that in order to move the "
    "USSR towards full socialism, militarised labour armies might be necessary. Stalin, on "
    "the other hand, became synonymous with the policy of 'socialism in one country' in "
    "1925. His promise to modernise the country first allowed Stalin to be seen, by many "
    "workers, as a true patriot. This shows that people wanted stability, and because it "
    "seemed that Trotsky was holding back, Stalin's policy was favoured."
)


def test_seed_like_constructions_get_concept_ids_and_hints_that_do_not_answer() -> None:
    rubric = build_rubric(SEED_LIKE, title="T")

    assert [(p.id, p.hint) for p in rubric] == [
        ("permanent-revolution", "What kind of revolution did Trotsky argue for?"),
        (
            "militarised-labour-army",
            "What did Trotsky believe might be necessary in order to move the USSR towards "
            "full socialism?",
        ),
        ("socialism-in-one-country", "What policy did Stalin become synonymous with?"),
        ("true-patriot", "How did many workers see Stalin, and why?"),
        ("favoured-policy", "Why was Stalin's policy favoured?"),
    ]
    # "also" adds to nothing once the point stands on its own.
    assert rubric.points[1].text.startswith("Trotsky believed that")
    _assert_teacher_points(rubric)


def test_building_twice_gives_the_same_rubric(built: Rubric) -> None:
    again = build_rubric(SOURCE.read_text("utf-8"), title="Trotsky and Stalin", source="source.txt")

    assert again.sha256 == built.sha256


def test_ids_survive_a_small_edit_elsewhere_in_the_source(built: Rubric) -> None:
    edited = SOURCE.read_text("utf-8").replace("sharpest quarrel", "bitterest quarrel")

    again = build_rubric(edited, title="Trotsky and Stalin")

    assert [p.id for p in again] == [p.id for p in built]


# --- other kinds of source ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            NOTES,
            [
                "Stalin wanted rapid industrialisation and a strong army.",
                "Stalin argued for socialism in one country.",
                "Stalin promised to modernise the USSR first.",
                "Trotsky argued for permanent revolution.",
                "Trotsky wanted to help communists abroad.",
                "Collective farms were less productive.",
            ],
        ),
        (
            NUMBERED,
            [
                "Stalin controlled the appointments to party posts.",
                "Trotsky was seen as arrogant by other Bolsheviks.",
                "Stalin allied with Bukharin against the Left Opposition.",
            ],
        ),
        (
            FRAGMENTS,
            [
                "Trotsky argued for permanent revolution.",
                "Stalin argued for socialism in one country.",
                "Peasants were unhappy about collective farms.",
                "Collective farms were less productive.",
            ],
        ),
        (
            TABLE,
            [
                "Stalin wanted socialism in one country.",
                "Trotsky wanted worldwide permanent revolution.",
            ],
        ),
    ],
    ids=["notes-with-bullets", "numbered-list", "fragments", "table"],
)
def test_notes_lists_and_fragments_give_sentences(source: str, expected: list[str]) -> None:
    rubric = build_rubric(source, title="T")

    assert _texts(rubric) == expected
    _assert_teacher_points(rubric)


def test_a_mark_scheme_gives_its_elements_weighted_by_their_marks() -> None:
    built = propose_rubric([("scheme.txt", MARK_SCHEME)], "Q4")
    rubric = built.rubric

    assert built.kinds == {"scheme.txt": "mark-scheme"}
    assert _texts(rubric) == [
        "Stalin controlled appointments as General Secretary.",
        "Trotsky's permanent revolution seemed defeatist.",
        "Socialism in one country appealed to patriotic party members.",
    ]
    assert [point.weight for point in rubric] == [2, 1, 2]
    assert [point.required for point in rubric] == [True, False, True]
    assert "the mark scheme gives it 2 marks" in built.reasons[rubric.points[0].id]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (MARK_SCHEME, "mark-scheme"),
        ("In this essay I will argue that Stalin won. I think that he was clever.", "model-answer"),
        (SOURCE.read_text("utf-8"), "source"),
    ],
    ids=["mark-scheme", "model-answer", "source"],
)
def test_the_kind_of_source_is_guessed(text: str, kind: str) -> None:
    assert guess_kind(text) == kind


def test_a_heading_above_a_list_is_not_a_point_but_gives_the_subject() -> None:
    blocks = read_blocks(NOTES)

    assert [block.heading for block in blocks] == ["Stalin"] * 3 + ["Trotsky"] * 3
    assert all(block.is_item for block in blocks)


def test_several_sources_make_one_rubric_without_repeats() -> None:
    built = propose_rubric(
        [("notes.txt", NOTES), ("summary.txt", FRAGMENTS)], "Revision", detail="default"
    )

    texts = _texts(built.rubric)
    assert built.rubric.source == "notes.txt, summary.txt"
    assert texts.count("Trotsky argued for permanent revolution.") == 1
    assert "Peasants were unhappy about collective farms." in texts


# --- claims: self-contained, split, merged, framing dropped ------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "Leon Trotsky was a leading Bolshevik. He argued that the Soviet Union should help "
            "communists seize power in other countries. His plan depended on revolutions abroad "
            "succeeding quickly.",
            [
                "Leon Trotsky was a leading Bolshevik.",
                "Leon Trotsky argued that the Soviet Union should help communists seize power "
                "in other countries.",
                "Leon Trotsky's plan depended on revolutions abroad succeeding quickly.",
            ],
        ),
        (
            "Maria Lopez won the regional chess title in May. The 16-year-old had trained "
            "every evening for three years.",
            [
                "Maria Lopez won the regional chess title in May.",
                "Maria Lopez had trained every evening for three years.",
            ],
        ),
        (
            "The New Economic Policy allowed small private trade. It was ended by Stalin "
            "in 1928 when grain supplies fell.",
            [
                "The New Economic Policy allowed small private trade.",
                "The New Economic Policy was ended by Stalin in 1928 when grain supplies fell.",
            ],
        ),
        (
            "Another debate that occurred at this time was about the future of the party. "
            "Stalin wanted rapid industrialisation and a strong army to protect the country.",
            ["Stalin wanted rapid industrialisation and a strong army to protect the country."],
        ),
        (
            "Stalin wanted rapid industrialisation and a strong army to protect the country. "
            "This highlights that Stalin put the security of the Soviet Union first.",
            [
                "Stalin wanted rapid industrialisation and a strong army to protect the country.",
                "Stalin put the security of the Soviet Union first.",
            ],
        ),
    ],
    ids=["he-and-his", "person-description", "it", "framing-dropped", "this-highlights"],
)
def test_every_point_reads_on_its_own(source: str, expected: list[str]) -> None:
    assert _texts(build_rubric(source, title="T")) == expected


def test_a_claim_said_twice_becomes_one_point_with_an_example() -> None:
    source = (
        "Stalin wanted rapid industrialisation and a strong army to protect the country. "
        "Stalin wanted a strong army and rapid industrialisation to protect the country."
    )

    rubric = build_rubric(source, title="T")

    assert len(rubric) == 1
    assert rubric.points[0].examples == (
        "Stalin wanted a strong army and rapid industrialisation to protect the country.",
    )


@pytest.mark.parametrize("ellipsis", ["...", "…"], ids=["three-dots", "ellipsis-character"])
def test_truncated_sentence_is_skipped(ellipsis: str) -> None:
    source = (
        "Stalin wanted rapid industrialisation and a strong army to protect the country. "
        "Stalin believed that the Soviet Union could build socialism by itself "
        f"without {ellipsis}\n\n" + TROTSKY_ABROAD
    )

    assert _texts(build_rubric(source, title="T")) == [
        "Stalin wanted rapid industrialisation and a strong army to protect the country.",
        TROTSKY_ABROAD,
    ]


def test_words_either_side_of_a_line_break_stay_apart() -> None:
    source = (
        "Stalin wanted rapid industrialisation and a strong army\n"
        "to protect the country from hostile capitalist powers."
    )

    assert _texts(build_rubric(source, title="T")) == [
        "Stalin wanted rapid industrialisation and a strong army "
        "to protect the country from hostile capitalist powers."
    ]


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
    with pytest.raises(RubricError, match=r"notes.txt: no key points found.*by hand"):
        build_rubric(source, title="T", source="notes.txt")


# --- size and detail ---------------------------------------------------------------------


def test_detail_and_max_points_choose_the_size(built: Rubric) -> None:
    text = SOURCE.read_text("utf-8")
    fine = build_rubric(text, title="T", detail="fine")
    coarse = build_rubric(text, title="T", detail="coarse")
    five = build_rubric(text, title="T", max_points=5)

    assert len(fine) > len(built) > len(coarse)
    assert len(coarse) <= 8
    assert len(five) == 5
    order = [p.text for p in built]
    assert [order.index(p.text) for p in five] == sorted(order.index(p.text) for p in five)


def test_fine_detail_gives_one_fact_per_point() -> None:
    source = "Pair were left homeless after storms and met in a trailer park in Connecticut."

    texts = _texts(build_rubric(source, title="T", detail="fine"))

    assert "Pair were left homeless." in texts
    assert "Pair were left homeless after storms." in texts
    assert "Pair met in a trailer park in Connecticut." in texts


def test_a_persons_claim_gets_a_specific_hint_and_an_id_naming_its_concept() -> None:
    source = (
        "In comparison, Rosa Keller argued that the city council should build "
        "libraries in poorer districts to widen reading. Keller also believed in "
        "making landlords repair houses promptly. The mayor, however, feared the cost, "
        "because the budget had already been cut. In contrast, Tom Baird notes that "
        "Keller's plan could easily be made to seem reckless. This shows that voters "
        "wanted calm, and because the council looked careful, its budget was chosen."
    )

    rubric = build_rubric(source, title="T")
    points = {point.id: point for point in rubric}

    _assert_teacher_points(rubric)
    # The person's claim is named by what it argues for, and its hint asks about it.
    libraries = points["build-library"].hint
    assert libraries == "What did Rosa Keller argue the city council should do?"
    believed = next(p for p in rubric if "repair houses" in p.text)
    assert believed.hint == "What did Keller believe about the landlords?"
    # A one-word verdict names the point, not a discourse phrase ("In contrast").
    assert "reckless-plan" in points
    assert not any(("comparison" in i or "contrast" in i) for i in points)
    # A conclusion too slight to split stays one point; its hint asks for the reason.
    conclusion = [p for p in rubric if "calm" in p.text or "chosen" in p.text]
    assert len(conclusion) == 1, _texts(rubric)
    assert conclusion[0].hint.startswith("Why was")


def test_a_purpose_clause_is_left_out_of_the_hint() -> None:
    source = (
        "The council could raise money, through new taxes and land sales, in order to "
        "become a lasting source of housing which could not be threatened by the market."
    )

    (point,) = build_rubric(source, title="T")

    assert point.hint == "How could the council raise money?"
