"""The marking engine: which sentences cover which key points, windows, evidence offsets.

The tables run one-sentence essays through the real, shipped engine against
tests/data/rubrics/trotsky-stalin.json (five related points). They hold only
cases whose verdict is the one a teacher wants AND that the engine gets right,
with a clear margin from the 0.5 decision boundary; cases it gets wrong are
tracked outside the suite, so that this file stays a specification of working
behaviour.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import DATA_DIR, EXAMPLES_DIR

from essaycheck.engine.checker import Checker, in_batches
from essaycheck.engine.windows import MAX_SENTENCE_TOKENS, PIECE_TOKENS, essay_windows
from essaycheck.io.essays import Essay, find_essays, read_essay
from essaycheck.reports import ReportOptions, render_json
from essaycheck.results import EssayResult, PointResult
from essaycheck.rubric import KeyPoint, Rubric


def _verdicts(checker: Checker, rubric: Rubric, text: str) -> dict[str, PointResult]:
    result = checker.check(Essay(name="essay.txt", text=text), rubric)
    return {point.point.id: point for point in result.points}


# --- tables ------------------------------------------------------------------------

SHOULD_MATCH = [
    # permanent-revolution
    pytest.param(
        "permanent-revolution",
        "Trotsky wanted permanent revolution, spreading communism to other countries.",
        id="permanent-revolution/near-verbatim",
    ),
    pytest.param(
        "permanent-revolution",
        "Trotsky believed the revolution had to spread across the whole world.",
        id="permanent-revolution/whole-world",
    ),
    pytest.param(
        "permanent-revolution",
        "Trotsky wanted the revolution to keep going beyond Russia's borders.",
        id="permanent-revolution/beyond-borders",
    ),
    pytest.param(
        "permanent-revolution",
        "For Trotsky, the revolution could not stop at one country.",
        id="permanent-revolution/not-stop-at-one-country",
    ),
    # collective-farming
    pytest.param(
        "collective-farming",
        "Trotsky wanted the peasants to work on collective farms run by the state.",
        id="collective-farming/near-verbatim",
    ),
    pytest.param(
        "collective-farming",
        "Trotsky wanted to force farmers onto shared farms controlled by the government.",
        id="collective-farming/shared-farms",
    ),
    pytest.param(
        "collective-farming",
        "Trotsky wanted the land taken from individual peasants and farmed in common.",
        id="collective-farming/farmed-in-common",
    ),
    pytest.param(
        "collective-farming",
        "Under Trotsky's plan the peasants would lose their own plots and work on big state farms.",
        id="collective-farming/lose-own-plots",
    ),
    # socialism-in-one-country
    pytest.param(
        "socialism-in-one-country",
        "Stalin's policy was socialism in one country.",
        id="socialism-in-one-country/slogan",
    ),
    pytest.param(
        "socialism-in-one-country",
        "Stalin believed the USSR could build socialism on its own "
        "without waiting for other countries.",
        id="socialism-in-one-country/on-its-own",
    ),
    pytest.param(
        "socialism-in-one-country",
        "Stalin said Russia should build socialism at home first.",
        id="socialism-in-one-country/at-home-first",
    ),
    pytest.param(
        "socialism-in-one-country",
        "Stalin thought socialism could be built in Russia alone.",
        id="socialism-in-one-country/russia-alone",
    ),
    # industrialisation
    pytest.param(
        "industrialisation",
        "Stalin wanted to industrialise rapidly and make the military strong.",
        id="industrialisation/near-verbatim",
    ),
    pytest.param(
        "industrialisation",
        "Stalin wanted to build up factories and the army quickly.",
        id="industrialisation/factories-and-army",
    ),
    pytest.param(
        "industrialisation",
        "Stalin pushed for heavy industry and a powerful army so the USSR would be safe.",
        id="industrialisation/heavy-industry",
    ),
    # stalin-favoured
    pytest.param(
        "stalin-favoured",
        "People preferred Stalin's policy because they wanted progress at home.",
        id="stalin-favoured/preferred",
    ),
    pytest.param(
        "stalin-favoured",
        "Most people supported Stalin's plan since they wanted change after years of war.",
        id="stalin-favoured/supported",
    ),
    pytest.param(
        "stalin-favoured",
        "People backed Stalin because he promised progress after years of war.",
        id="stalin-favoured/backed",
    ),
    pytest.param(
        "stalin-favoured",
        "Stalin's plan was more popular because people were tired of waiting for change.",
        id="stalin-favoured/more-popular",
    ),
]

# Paraphrases that share few of the point's words: covered, but close calls for a teacher
# (the rule's threshold is set for answers, where on-topic sentences are often not claims).
COVERED_CLOSE_CALLS = [
    pytest.param(
        "permanent-revolution",
        "Trotsky hoped that workers everywhere would rise up, with Soviet help, "
        "until capitalism was gone from the world.",
        id="permanent-revolution/paraphrase",
    ),
    pytest.param(
        "socialism-in-one-country",
        "Stalin argued that the Soviet Union did not need to wait for revolutions elsewhere.",
        id="socialism-in-one-country/no-need-to-wait",
    ),
]

SHOULD_NOT_MATCH = [
    # permanent-revolution: Stalin's opposite policy, facts about Stalin, other topics
    pytest.param(
        "permanent-revolution",
        "Stalin said Russia should build socialism at home first.",
        id="permanent-revolution/stalins-policy",
    ),
    pytest.param(
        "permanent-revolution",
        "Stalin wanted to industrialise rapidly and make the military strong.",
        id="permanent-revolution/industrialisation",
    ),
    pytest.param(
        "permanent-revolution",
        "Stalin was General Secretary of the party.",
        id="permanent-revolution/stalin-fact",
    ),
    pytest.param(
        "permanent-revolution", "Many peasants were poor.", id="permanent-revolution/peasants"
    ),
    pytest.param(
        "permanent-revolution",
        "Napoleon crowned himself emperor of France in 1804.",
        id="permanent-revolution/off-topic",
    ),
    # collective-farming: Trotsky's other claim, Stalin's claims, shared words only
    pytest.param(
        "collective-farming",
        "Trotsky wanted permanent revolution, spreading communism to other countries.",
        id="collective-farming/trotskys-other-claim",
    ),
    pytest.param(
        "collective-farming",
        "Stalin called for permanent revolution around the world.",
        id="collective-farming/revolution",
    ),
    pytest.param(
        "collective-farming",
        "Stalin wanted to industrialise rapidly and make the military strong.",
        id="collective-farming/industrialisation",
    ),
    pytest.param(
        "collective-farming",
        "The French Revolution began in 1789 when peasants rose against the king.",
        id="collective-farming/french-peasants",
    ),
    pytest.param(
        "collective-farming",
        "Napoleon crowned himself emperor of France in 1804.",
        id="collective-farming/off-topic",
    ),
    # socialism-in-one-country: Trotsky's claims, negated ideas, off topic
    pytest.param(
        "socialism-in-one-country",
        "Trotsky wanted permanent revolution, spreading communism to other countries.",
        id="socialism-in-one-country/trotskys-policy",
    ),
    pytest.param(
        "socialism-in-one-country",
        "Trotsky wanted the peasants to work on collective farms run by the state.",
        id="socialism-in-one-country/collective-farms",
    ),
    pytest.param(
        "socialism-in-one-country",
        "Trotsky did not want revolution abroad.",
        id="socialism-in-one-country/trotsky-negated",
    ),
    pytest.param(
        "socialism-in-one-country",
        "People preferred Trotsky's policy.",
        id="socialism-in-one-country/preferred-trotsky",
    ),
    pytest.param(
        "socialism-in-one-country",
        "My favourite sport is football and I play every weekend.",
        id="socialism-in-one-country/off-topic",
    ),
    # industrialisation
    pytest.param(
        "industrialisation",
        "Trotsky wanted permanent revolution, spreading communism to other countries.",
        id="industrialisation/trotskys-policy",
    ),
    pytest.param(
        "industrialisation",
        "Trotsky wanted the peasants to work on collective farms run by the state.",
        id="industrialisation/collective-farms",
    ),
    pytest.param("industrialisation", "Lenin died in January 1924.", id="industrialisation/lenin"),
    pytest.param(
        "industrialisation",
        "The French Revolution began in 1789 when peasants rose against the king.",
        id="industrialisation/french-revolution",
    ),
    pytest.param(
        "industrialisation",
        "My favourite sport is football and I play every weekend.",
        id="industrialisation/off-topic",
    ),
    # stalin-favoured: "Stalin became leader" alone
    pytest.param(
        "stalin-favoured",
        "Stalin became leader of the Soviet Union.",
        id="stalin-favoured/became-leader",
    ),
    pytest.param(
        "stalin-favoured",
        "Stalin wanted to industrialise rapidly and make the military strong.",
        id="stalin-favoured/industrialisation",
    ),
    pytest.param(
        "stalin-favoured",
        "Trotsky wanted permanent revolution, spreading communism to other countries.",
        id="stalin-favoured/trotskys-policy",
    ),
    pytest.param(
        "stalin-favoured", "Both men were Bolsheviks.", id="stalin-favoured/both-bolsheviks"
    ),
]

# Table entries must be clear verdicts, not coin flips that a retrained rule or
# another machine's floating point could turn over.
MARGIN = 0.1


@pytest.mark.parametrize(("point_id", "sentence"), SHOULD_MATCH)
def test_sentence_covers_key_point(
    checker: Checker, small_rubric: Rubric, point_id: str, sentence: str
) -> None:
    verdict = _verdicts(checker, small_rubric, sentence)[point_id]

    assert verdict.is_covered, f"score {verdict.score:.3f}"
    assert verdict.score >= 0.5 + MARGIN
    assert verdict.evidence is not None and verdict.evidence.text == sentence


@pytest.mark.parametrize(("point_id", "sentence"), COVERED_CLOSE_CALLS)
def test_a_loose_paraphrase_is_covered_as_a_close_call(
    checker: Checker, small_rubric: Rubric, point_id: str, sentence: str
) -> None:
    verdict = _verdicts(checker, small_rubric, sentence)[point_id]

    assert verdict.is_covered, f"score {verdict.score:.3f}"
    assert verdict.needs_review
    assert verdict.evidence is not None and verdict.evidence.text == sentence


@pytest.mark.parametrize(("point_id", "sentence"), SHOULD_NOT_MATCH)
def test_sentence_does_not_cover_key_point(
    checker: Checker, small_rubric: Rubric, point_id: str, sentence: str
) -> None:
    verdict = _verdicts(checker, small_rubric, sentence)[point_id]

    assert not verdict.is_covered, f"score {verdict.score:.3f}"
    assert verdict.score <= 0.5 - MARGIN


def test_claim_split_over_two_sentences_is_covered_with_both_as_evidence(
    checker: Checker, small_rubric: Rubric
) -> None:
    text = (DATA_DIR / "essays" / "split-sentences.txt").read_text("utf-8")

    verdict = _verdicts(checker, small_rubric, text)["collective-farming"]

    assert verdict.is_covered
    assert verdict.evidence is not None
    assert verdict.evidence.text == (
        "Trotsky had a plan for farming as well. "
        "He wanted peasants to work on shared, state-run farms."
    )


def test_examples_most_decisions_agree_with_the_labels(
    checker: Checker, example_rubric: Rubric
) -> None:
    with (EXAMPLES_DIR / "labels.csv").open(newline="", encoding="utf-8") as handle:
        covered = {
            (row["essay"], row["point_id"])
            for row in csv.DictReader(handle)
            if row["covered"] == "1"
        }
    paths = find_essays(EXAMPLES_DIR / "essays")
    essays = [read_essay(path, name=path.name) for path in paths]

    found = {
        (result.name, point.point.id)
        for result in checker.check_many(essays, example_rubric)
        for point in result.points
        if point.is_covered
    }

    assert len(covered) == 55
    # measured: recall .855 (47 of 55), precision .797 (47 of 59); docs/benchmarks.md
    assert len(covered & found) >= 47, sorted(covered - found)
    assert len(covered & found) / len(found) >= 0.79, sorted(found - covered)


def test_examples_strong_essay_covers_every_labelled_point(
    checker: Checker, example_rubric: Rubric
) -> None:
    essay = read_essay(EXAMPLES_DIR / "essays" / "01-strong-amira.txt")

    result = checker.check(essay, example_rubric)

    covered = {point.point.id for point in result.points if point.is_covered}
    rows = csv.DictReader((EXAMPLES_DIR / "labels.csv").read_text("utf-8").splitlines())
    labelled = {
        row["point_id"]
        for row in rows
        if row["essay"] == "01-strong-amira.txt" and row["covered"] == "1"
    }
    assert len(labelled) == 10
    assert labelled <= covered


# --- small rubrics and empty essays --------------------------------------------------

ONE_POINT = Rubric(
    title="One point",
    points=(
        KeyPoint(
            id="socialism-in-one-country",
            text=(
                "Stalin championed socialism in one country, "
                "building socialism inside the Soviet Union first."
            ),
        ),
    ),
)


@pytest.mark.parametrize(
    ("sentence", "is_covered", "is_clear"),
    [
        ("Stalin said Russia should build socialism at home first.", True, True),
        ("Stalin thought socialism could be built in Russia alone.", True, True),
        # the other side's policy, in the same words: missing
        (
            "Trotsky wanted permanent revolution, spreading communism to other countries.",
            False,
            True,
        ),
        ("Trotsky wanted the peasants to work on collective farms run by the state.", False, True),
        ("My favourite sport is football and I play every weekend.", False, True),
    ],
    ids=["at-home-first", "russia-alone", "trotskys-policy", "collective-farms", "off-topic"],
)
def test_rubric_of_one_point_still_tells_covered_from_missing(
    checker: Checker, sentence: str, is_covered: bool, is_clear: bool
) -> None:
    verdict = _verdicts(checker, ONE_POINT, sentence)["socialism-in-one-country"]

    assert verdict.is_covered is is_covered
    if is_clear:
        assert abs(verdict.score - 0.5) >= MARGIN
    else:
        assert verdict.needs_review


@pytest.mark.parametrize(
    "text", ["... --- !!!", "\n\n  \n", "?"], ids=["punctuation", "blank-lines", "question-mark"]
)
def test_essay_with_no_words_misses_every_point(
    checker: Checker, small_rubric: Rubric, text: str
) -> None:
    result = checker.check(Essay(name="empty.txt", text=text), small_rubric)

    assert [point.status for point in result.points] == ["missing"] * len(small_rubric)
    assert all(point.evidence is None and not point.needs_review for point in result.points)
    assert all(point.score == 0.0 for point in result.points)
    assert result.score == 0.0


def test_score_is_the_covered_share_of_the_weight(checker: Checker, small_rubric: Rubric) -> None:
    # permanent-revolution weighs 2 of the rubric's 7.
    result = checker.check(
        Essay(
            name="e.txt",
            text="Trotsky wanted permanent revolution, spreading communism to other countries.",
        ),
        small_rubric,
    )

    assert [point.point.id for point in result.points if point.is_covered] == [
        "permanent-revolution"
    ]
    assert result.score == pytest.approx(2 / 7)


# --- windows -----------------------------------------------------------------------------


def test_two_adjacent_sentences_form_a_window(checker: Checker) -> None:
    windows = essay_windows(checker.nlp("Trotsky wanted revolution. Stalin did not."))

    assert [(w.text, w.sentence_count) for w in windows] == [
        ("Trotsky wanted revolution.", 1),
        ("Stalin did not.", 1),
        ("Trotsky wanted revolution. Stalin did not.", 2),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Trotsky wanted revolution.\nStalin did not.",
        "Trotsky wanted revolution.\n\nStalin did not.",
        "Trotsky and Stalin\nStalin did not.",
    ],
    ids=["line-break", "paragraph-break", "heading"],
)
def test_a_pair_never_spans_a_line_break(checker: Checker, text: str) -> None:
    windows = essay_windows(checker.nlp(text))

    assert [w.sentence_count for w in windows] == [1, 1]
    assert all("\n" not in w.text for w in windows)


def test_pairs_form_within_each_paragraph(checker: Checker) -> None:
    text = "One claim here. Another claim.\n\nA third claim. A fourth claim."

    pairs = [w.text for w in essay_windows(checker.nlp(text)) if w.sentence_count == 2]

    assert pairs == ["One claim here. Another claim.", "A third claim. A fourth claim."]


def test_run_on_text_without_punctuation_is_cut_into_pieces(checker: Checker) -> None:
    words = [f"word{i}" for i in range(200)]
    text = " ".join(words)

    singles = [w for w in essay_windows(checker.nlp(text)) if w.sentence_count == 1]

    assert len(singles) == -(-200 // PIECE_TOKENS)
    assert all(len(w.text.split()) <= PIECE_TOKENS for w in singles)
    assert " ".join(w.text for w in singles) == text


def test_sentence_up_to_the_limit_is_one_window(checker: Checker) -> None:
    text = " ".join(["word"] * (MAX_SENTENCE_TOKENS - 1)) + "."

    windows = essay_windows(checker.nlp(text))

    assert [w.text for w in windows] == [text]


def test_windows_skip_sentences_without_words(checker: Checker) -> None:
    windows = essay_windows(checker.nlp("Trotsky wanted revolution.\n* * *\nStalin did not."))

    assert [w.text for w in windows] == ["Trotsky wanted revolution.", "Stalin did not."]


def test_window_text_is_the_essay_text_at_its_offsets(checker: Checker) -> None:
    text = "  Heading\n\nFirst sentence here.  Second one follows!\nLast line?  "

    for window in essay_windows(checker.nlp(text)):
        assert text[window.start : window.end] == window.text
        assert window.text == window.text.strip()


def test_items_of_a_listing_sentence_are_windows_of_their_own(checker: Checker) -> None:
    text = (
        "You need to know how much vinegar to use, what type of container to use "
        "and how long to rinse the samples. Dry them well."
    )

    windows = essay_windows(checker.nlp(text), items=True)
    items = windows[3:]

    assert [w.text for w in windows[:3]] == [w.text for w in essay_windows(checker.nlp(text))]
    assert [w.text for w in items] == [
        "You need to know how much vinegar to use",
        "what type of container to use",
        "how long to rinse the samples.",
    ]
    assert all(text[w.start : w.end] == w.text and w.sentence_count == 1 for w in items)


@pytest.mark.parametrize(
    "text",
    [
        "Stalin wanted socialism in one country.",
        "Yes, Stalin won the debate.",
        "Plants and animals breathe.",
    ],
    ids=["no-list", "one-long-item", "short-items"],
)
def test_a_sentence_listing_fewer_than_two_items_gives_none(checker: Checker, text: str) -> None:
    assert essay_windows(checker.nlp(text), items=True) == essay_windows(checker.nlp(text))


# --- evidence offsets, determinism -------------------------------------------------------


def _all_essays() -> list[Path]:
    return [*find_essays(EXAMPLES_DIR / "essays"), *find_essays(DATA_DIR / "essays")]


def test_evidence_is_the_essay_text_at_its_offsets(
    checker: Checker, example_rubric: Rubric
) -> None:
    essays = [read_essay(path) for path in _all_essays()]

    results = list(checker.check_many(essays, example_rubric))

    checked = 0
    for essay, result in zip(essays, results, strict=True):
        for point in result.points:
            if point.evidence is not None:
                evidence = point.evidence
                assert essay.text[evidence.start : evidence.end] == evidence.text
                assert result.text[evidence.start : evidence.end] == evidence.text
                checked += 1
    assert checked > 50


def test_evidence_offsets_count_in_the_normalised_text(
    checker: Checker, small_rubric: Rubric, tmp_path: Path
) -> None:
    path = tmp_path / "windows.txt"
    path.write_bytes(
        "\ufeffTrotsky and Stalin\r\n\r\nStalin’s policy was socialism in one country.\r\n".encode()
    )
    essay = read_essay(path)

    verdict = {p.point.id: p for p in checker.check(essay, small_rubric).points}[
        "socialism-in-one-country"
    ]

    assert verdict.evidence is not None
    assert essay.text[verdict.evidence.start : verdict.evidence.end] == verdict.evidence.text
    assert verdict.evidence.text == "Stalin’s policy was socialism in one country."


def test_same_essays_twice_give_identical_json(checker: Checker, example_rubric: Rubric) -> None:
    essays = [read_essay(path) for path in _all_essays()]
    engine = ReportOptions(engine=checker.info())

    first = render_json(list(checker.check_many(essays, example_rubric)), example_rubric, engine)
    second = render_json(list(checker.check_many(essays, example_rubric)), example_rubric, engine)

    assert first == second
    assert json.loads(first)["essays"][0]["points"]


def test_checking_one_at_a_time_equals_checking_in_a_batch(
    checker: Checker, small_rubric: Rubric
) -> None:
    essays = [read_essay(path) for path in _all_essays()]

    batch = list(checker.check_many(essays, small_rubric))
    single: list[EssayResult] = [checker.check(essay, small_rubric) for essay in essays]

    assert [r.to_dict() for r in batch] == [r.to_dict() for r in single]


# --- limits -----------------------------------------------------------------------------


def test_an_essay_too_long_to_mark_is_an_error_and_the_others_are_marked(
    checker: Checker, small_rubric: Rubric, monkeypatch: pytest.MonkeyPatch
) -> None:
    short = Essay(name="short.txt", text="Trotsky argued for permanent revolution.")
    long = Essay(name="long.txt", text="Stalin wanted socialism in one country. " * 10)
    monkeypatch.setattr(checker.nlp, "max_length", 100)

    results = list(checker.check_many([long, short, long], small_rubric))

    assert [r.name for r in results] == ["long.txt", "short.txt", "long.txt"]
    assert results[0].error == (
        "long.txt: 400 characters, more than the 100 essaycheck reads in one essay. "
        "Split it into parts and mark each."
    )
    assert results[1].error is None and results[1].points


def test_batches_end_before_their_characters_pass_the_budget() -> None:
    sizes = [3, 3, 5, 1, 9, 1]

    batches = list(in_batches(sizes, 4, weight=lambda size: size, budget=6))

    assert batches == [[3, 3], [5, 1], [9], [1]]
    assert list(in_batches(range(5), 2)) == [[0, 1], [2, 3], [4]]
