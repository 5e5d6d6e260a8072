"""build_rubric() on kinds of source a teacher has: expected points, ids and hints.

Each table is a source written for these tests (a model answer, a short science
text, notes, fragments, a mark scheme, a history passage with pronouns) with the
points a teacher would keep, the id each would be filed under and the hint a
teacher would ask a student who missed it. A hint asks without answering: the words
that name the point never all appear in it. The example source and every table must
also give grammatical, self-contained finer units with ``detail="fine"``.
"""

from __future__ import annotations

import re

import pytest
from conftest import EXAMPLES_DIR
from test_extraction import FRAGMENTS, MARK_SCHEME, NOTES

from essaycheck.extraction import build_rubric
from essaycheck.rubric import Rubric, find_rubric_problems

MODEL_ANSWER = (
    "In this essay I will argue that Stalin defeated Trotsky mainly because he controlled "
    "the party machine. As General Secretary, Stalin appointed loyal officials to key posts, "
    "and they voted for him at party congresses. Trotsky, by contrast, was seen as arrogant "
    "by many Bolsheviks, and he failed to build a following of his own. I think that "
    "Stalin's policy of socialism in one country also appealed to party members who were "
    "tired of waiting for world revolution. In conclusion, Stalin's control of appointments "
    "mattered more than his ideas."
)
SCIENCE = (
    "Photosynthesis takes place in the chloroplasts of plant cells. Chlorophyll absorbs "
    "light energy, mostly from the red and blue parts of the spectrum. The plant uses this "
    "energy to split water into hydrogen and oxygen, and the oxygen is released through "
    "the stomata. Carbon dioxide from the air is then combined with the hydrogen to make "
    "glucose. The rate of photosynthesis rises with light intensity until another factor, "
    "such as the carbon dioxide concentration, limits it. Glucose is used in respiration "
    "or stored as starch."
)
PRONOUNS = (
    "Stalin controlled the party machine. Trotsky was admired by the Red Army, but he "
    "failed to win the trust of the party. His long speeches impressed the younger delegates."
)
SOURCE = (EXAMPLES_DIR / "source.txt").read_text("utf-8")

# (point text, id, hint) as a teacher would keep them.
TABLES = {
    "model-answer": (
        MODEL_ANSWER,
        [
            (
                "Stalin defeated Trotsky mainly because he controlled the party machine.",
                "party-machine",
                "Why did Stalin defeat Trotsky?",
            ),
            (
                "As General Secretary, Stalin appointed loyal officials to key posts.",
                "loyal-official",
                "What did Stalin appoint to key posts?",
            ),
            (
                "The loyal officials voted for Stalin at party congresses.",
                "party-congress",
                "Who did the loyal officials vote for?",
            ),
            (
                "Trotsky was seen as arrogant by many Bolsheviks.",
                "trotsky-arrogant",
                "How did many Bolsheviks see Trotsky, and why?",
            ),
            (
                "Trotsky failed to build a following of his own.",
                "trotsky-following",
                "What did Trotsky fail to build?",
            ),
            (
                "Stalin's policy of socialism in one country appealed to party members who "
                "were tired of waiting for world revolution.",
                "socialism-in-one-country",
                "What did Stalin's policy of socialism in one country appeal to?",
            ),
            (
                "Stalin's control of appointments mattered more than his ideas.",
                "control-of-appointments",
                "How would you describe Stalin's control of appointments, and what shows it?",
            ),
        ],
    ),
    "science": (
        SCIENCE,
        [
            (
                "Photosynthesis takes place in the chloroplasts of plant cells.",
                "plant-cell",
                "Where does photosynthesis take place?",
            ),
            (
                "Chlorophyll absorbs light energy, mostly from the red and blue parts of the "
                "spectrum.",
                "light-energy",
                "What does chlorophyll absorb?",
            ),
            (
                "The plant uses this energy to split water into hydrogen and oxygen.",
                "split-water",
                "What does the plant use to split water into hydrogen and oxygen?",
            ),
            (
                "The oxygen is released through the stomata.",
                "release-stomata",
                "How is the oxygen released?",
            ),
            (
                "Carbon dioxide from the air is then combined with the hydrogen to make glucose.",
                "carbon-dioxide",
                "What is carbon dioxide from the air combined with?",
            ),
            (
                "The rate of photosynthesis rises with light intensity until another factor, "
                "such as the carbon dioxide concentration, limits it.",
                "light-intensity",
                "What does the rate of photosynthesis rise with?",
            ),
            (
                "Glucose is used in respiration or stored as starch.",
                "use-respiration",
                "What is glucose used in?",
            ),
        ],
    ),
    "pronouns": (
        PRONOUNS,
        [
            (
                "Stalin controlled the party machine.",
                "party-machine",
                "What did Stalin control?",
            ),
            (
                "Trotsky was admired by the Red Army.",
                "red-army",
                "Who was Trotsky admired by?",
            ),
            (
                "Trotsky failed to win the trust of the party.",
                "trotsky-trust",
                "What did Trotsky fail to win?",
            ),
            (
                "Trotsky's long speeches impressed the younger delegates.",
                "younger-delegate",
                "What did Trotsky's long speeches impress?",
            ),
        ],
    ),
    "notes-with-bullets": (
        NOTES,
        [
            (
                "Stalin wanted rapid industrialisation and a strong army.",
                "rapid-industrialisation",
                "What did Stalin want?",
            ),
            (
                "Stalin argued for socialism in one country.",
                "socialism-in-one-country",
                "What did Stalin argue for?",
            ),
            (
                "Stalin promised to modernise the USSR first.",
                "modernise-ussr",
                "What did Stalin promise to do?",
            ),
            (
                "Trotsky argued for permanent revolution.",
                "permanent-revolution",
                "What kind of revolution did Trotsky argue for?",
            ),
            (
                "Trotsky wanted to help communists abroad.",
                "help-communist",
                "What did Trotsky want to do?",
            ),
            (
                "Collective farms were less productive.",
                "collective-farm",
                "What were collective farms like?",
            ),
        ],
    ),
    "fragments": (
        FRAGMENTS,
        [
            (
                "Trotsky argued for permanent revolution.",
                "permanent-revolution",
                "What kind of revolution did Trotsky argue for?",
            ),
            (
                "Stalin argued for socialism in one country.",
                "socialism-in-one-country",
                "What did Stalin argue for?",
            ),
            (
                "Peasants were unhappy about collective farms.",
                "unhappy-peasants",
                "How did peasants feel about collective farms?",
            ),
            (
                "Collective farms were less productive.",
                "collective-farm",
                "What were collective farms like?",
            ),
        ],
    ),
    "mark-scheme": (
        MARK_SCHEME,
        [
            (
                "Stalin controlled appointments as General Secretary.",
                "control-appointment",
                "What did Stalin control?",
            ),
            (
                "Trotsky's permanent revolution seemed defeatist.",
                "permanent-revolution",
                "How did Trotsky's permanent revolution seem?",
            ),
            (
                "Socialism in one country appealed to patriotic party members.",
                "patriotic-party-member",
                "What did socialism in one country appeal to?",
            ),
        ],
    ),
}
# Words a finer unit may add to the source's own: a copula for "the Plan, launched in
# 1928" -> "The Plan was launched in 1928", the verbs that complete a fragment, and the
# possessive of a name put in for "his".
ADDED_WORDS = {"was", "were", "is", "are", "argued", "for", "wanted", "to", "involved", "s"}
PRONOUN_START = re.compile(r"^(?:He|She|His|Her|It|Its|They|Their|Them|Him)\b")
STEM = 5
STOP = {"the", "a", "an", "of", "in", "to", "and", "was", "were", "is", "are", "his", "her"}


def _stems(text: str) -> set[str]:
    return {w[:STEM] for w in re.findall(r"[a-z]+", text.lower())}


@pytest.fixture(scope="module")
def built() -> dict[str, Rubric]:
    return {name: build_rubric(source, title="T") for name, (source, _) in TABLES.items()}


@pytest.mark.parametrize("name", list(TABLES))
def test_each_source_gives_the_points_a_teacher_would_keep(
    built: dict[str, Rubric], name: str
) -> None:
    rubric = built[name]

    assert [(p.text, p.id, p.hint) for p in rubric] == TABLES[name][1]
    assert find_rubric_problems(rubric.to_dict()) == []


@pytest.mark.parametrize("name", list(TABLES))
def test_a_hint_leaves_out_some_of_what_the_point_says(built: dict[str, Rubric], name: str) -> None:
    for point in built[name]:
        assert not _stems(point.text) - STOP <= _stems(point.hint), (point.text, point.hint)


@pytest.mark.parametrize(
    ("source", "point_id", "answer"),
    [
        (SOURCE, "true-nationalist", "nationalist"),
        (SOURCE, "militarised-labour-unit", "militarised labour units"),
        (SOURCE, "socialism-in-one-country", "socialism"),
        (SOURCE, "defeatist-plan", "defeatist"),
        (SOURCE, "end-isolation", "isolation"),
        (SOURCE, "collective-farming", "collectively"),
        (MODEL_ANSWER, "trotsky-arrogant", "arrogant"),
        (MODEL_ANSWER, "party-machine", "machine"),
        (SCIENCE, "plant-cell", "chloroplasts"),
        (SCIENCE, "carbon-dioxide", "hydrogen"),
        (MARK_SCHEME, "permanent-revolution", "defeatist"),
        (FRAGMENTS, "unhappy-peasants", "unhappy"),
        (FRAGMENTS, "collective-farm", "productive"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 30 else None,
)
def test_a_hint_does_not_give_the_answer_away(source: str, point_id: str, answer: str) -> None:
    point = next(p for p in build_rubric(source, title="T") if p.id == point_id)

    assert not _stems(answer) & _stems(point.hint), point.hint


def test_a_person_named_earlier_in_the_sentence_is_who_he_means() -> None:
    # The sentence before is about Stalin; "he" is Trotsky, named earlier in its own sentence.
    _, second, third, fourth = build_rubric(PRONOUNS, title="T")

    assert second.text.startswith("Trotsky was")
    assert third.text == "Trotsky failed to win the trust of the party."
    assert fourth.text.startswith("Trotsky's long speeches")


def test_they_means_the_plural_noun_before_it_in_the_sentence() -> None:
    rubric = build_rubric(MODEL_ANSWER, title="T")

    assert "The loyal officials voted for Stalin at party congresses." in [p.text for p in rubric]


def test_a_model_answers_thesis_is_a_point_without_its_frame() -> None:
    first = build_rubric(MODEL_ANSWER, title="T").points[0]

    assert first.text.startswith("Stalin defeated Trotsky")
    assert "essay" not in first.text and "argue" not in first.text


@pytest.mark.parametrize("name", [*TABLES, "example-source"])
def test_fine_units_are_grammatical_and_self_contained(name: str) -> None:
    source = SOURCE if name == "example-source" else TABLES[name][0]
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", source)} | ADDED_WORDS

    rubric = build_rubric(source, title="T", detail="fine")

    assert find_rubric_problems(rubric.to_dict()) == []
    for point in rubric:
        text = point.text
        assert text[0].isupper() and text.endswith("."), text
        assert not PRONOUN_START.match(text), text
        assert "  " not in text and " ," not in text, text
        assert text.count('"') % 2 == 0 and text.count("“") == text.count("”"), text
        # A word the source does not have is two of its words run together.
        assert {w.lower() for w in re.findall(r"[A-Za-z]+", text)} <= words, text


def test_fine_units_state_what_a_clause_says_on_the_side() -> None:
    texts = [p.text for p in build_rubric(SOURCE, title="T", detail="fine")]

    assert "The Soviet Union stood alone among hostile capitalist powers." in texts
    assert "The first Five-Year Plan was launched in 1928." in texts
    assert "Lenin died in January 1924." in texts
    assert "Many people came to see Stalin as a true nationalist." in texts
    assert "Trotsky argued that the revolution could not stop." in texts


def test_fine_units_state_a_persons_role_written_before_their_name() -> None:
    source = (
        "The club's manager Maria Lopez praised the young players. "
        "Police questioned former teacher John Smith in 2014. "
        "The 58-year-old pilot Anna Berg landed the plane safely."
    )

    texts = [p.text for p in build_rubric(source, title="T", detail="fine")]

    assert "Maria Lopez was the club's manager." in texts
    assert "John Smith was a former teacher." in texts
    assert "Anna Berg was the 58-year-old pilot." in texts


def test_fine_units_leave_out_what_says_nothing() -> None:
    texts = [p.text for p in build_rubric(SOURCE, title="T", detail="fine")]

    assert not any(re.fullmatch(r"\w+ (?:argued|held|believed)\.", t) for t in texts), texts
    assert not any(t.startswith(("By contrast", "At home Trotsky")) for t in texts), texts
    assert "The way was rapid industrialisation." not in texts
    assert not any("A wave abroad" in t for t in texts)


def test_fine_units_put_in_what_a_pronoun_of_the_clause_means() -> None:
    source = (
        "The council closed the old library because it was too expensive to heat. "
        "The new farms were run by officials who knew little about farming."
    )

    points = {p.text: p.id for p in build_rubric(source, title="T", detail="fine")}

    assert points["The old library was too expensive to heat."] == "expensive-library"
    assert "Officials knew little about farming." in points
    # A passive verb keeps who did it: not "The new farms were run."
    assert "The new farms were run." not in points


def test_a_clause_the_parser_misread_still_gives_its_sound_units() -> None:
    texts = [p.text for p in build_rubric(SCIENCE, title="T", detail="fine")]

    assert "The rate of photosynthesis rises with light intensity." in texts
    assert not any(t.endswith("such as the carbon dioxide concentration.") for t in texts)
