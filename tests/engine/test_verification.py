"""Negation and attribution: evidence that denies a point, or credits it to someone else.

The tables are sentences a student might write about a key point of the small
Trotsky/Stalin rubric: negated and misattributed ones must not count; hedged
ones, and correct ones that merely contain "not", must.
"""

from __future__ import annotations

import pytest

from essaycheck.engine.checker import Checker
from essaycheck.engine.pipelines import load_checking_nlp
from essaycheck.engine.verification import ClaimVerifier, PreparedClaims
from essaycheck.io.essays import Essay
from essaycheck.rubric import KeyPoint, Rubric


@pytest.fixture(scope="module")
def verifier() -> ClaimVerifier:
    return ClaimVerifier(load_checking_nlp())


@pytest.fixture(scope="module")
def claims(verifier: ClaimVerifier, small_rubric: Rubric) -> PreparedClaims:
    return verifier.prepare(small_rubric)


def _index(rubric: Rubric, point_id: str) -> int:
    return [point.id for point in rubric].index(point_id)


NEGATED = [
    ("permanent-revolution", "Trotsky never argued for spreading revolution abroad."),
    ("permanent-revolution", "Trotsky did not want communism spread to other countries."),
    ("permanent-revolution", "It is not true that Trotsky argued for permanent revolution."),
    ("collective-farming", "Trotsky didn't want peasants to farm collectively."),
    ("collective-farming", "Trotsky rejected collective farming for the peasants."),
    ("socialism-in-one-country", "Stalin rejected socialism in one country."),
    ("stalin-favoured", "People did not support Stalin's policy."),
    # the subject is shared but never negated: the one other shared word decides
    ("industrialisation", "Stalin never industrialised."),
    # "cannot" is a negation, though it is one word
    ("permanent-revolution", "Trotsky cannot have argued for spreading revolution abroad."),
    # a verb that ends something denies its subject
    ("permanent-revolution", "Trotsky wanted the revolution to stop at Russia's border."),
]

MISATTRIBUTED = [
    ("permanent-revolution", "Stalin called for permanent revolution around the world.", "Stalin"),
    ("collective-farming", "Stalin wanted the peasants to farm collectively.", "Stalin"),
    ("socialism-in-one-country", "Trotsky championed socialism in one country.", "Trotsky"),
    ("industrialisation", "Trotsky wanted rapid industrialisation and a strong army.", "Trotsky"),
    ("stalin-favoured", "Trotsky's policy won wider support than Stalin's.", "Trotsky"),
]

ACCEPTED = [
    # correct claims
    ("permanent-revolution", "Trotsky called for permanent revolution around the world."),
    ("collective-farming", "Trotsky wanted peasants to work together on state farms."),
    # hedged
    ("collective-farming", "Trotsky may have wanted peasants on collective farms."),
    ("permanent-revolution", "Trotsky probably hoped revolution would spread abroad."),
    # correct, but containing a negation
    (
        "permanent-revolution",
        "Not only did Trotsky want permanent revolution, he wanted it in every country.",
    ),
    (
        "collective-farming",
        "Trotsky wanted peasants to farm collectively, not on their own plots.",
    ),
    (
        "socialism-in-one-country",
        "Stalin believed in socialism in one country: the Soviet Union did not need "
        "to wait for revolutions elsewhere.",
    ),
    (
        "stalin-favoured",
        "Stalin's policy won wider support because people did not want to wait any longer.",
    ),
    # two negations that cancel: "not" and a verb that ends something
    ("permanent-revolution", "Trotsky did not want the revolution to stop at Russia's border."),
    ("permanent-revolution", "Trotsky thought the revolution should not stop in Russia."),
    ("permanent-revolution", "Trotsky never stopped arguing for permanent revolution."),
    # the person is named by a pronoun (resolved from the essay before it)
    ("permanent-revolution", "He wanted communism to spread to other countries."),
    # the point's person is credited, even though another person is the subject
    ("socialism-in-one-country", "Trotsky attacked Stalin's socialism in one country."),
    # the point's person, misspelt as students do
    ("permanent-revolution", "Trotksy called for permanent revolution around the world."),
    ("socialism-in-one-country", "Stallin championed socialism in one country."),
]


@pytest.mark.parametrize(("point_id", "sentence"), NEGATED, ids=[s for _, s in NEGATED])
def test_negated_evidence_is_rejected(
    verifier: ClaimVerifier,
    claims: PreparedClaims,
    small_rubric: Rubric,
    point_id: str,
    sentence: str,
) -> None:
    objection = verifier.objection(claims, _index(small_rubric, point_id), [sentence], "")

    assert objection is not None
    assert objection.kind == "negated"
    assert objection.message.startswith("your essay says the opposite")


@pytest.mark.parametrize(
    ("point_id", "sentence", "named"), MISATTRIBUTED, ids=[s for _, s, _ in MISATTRIBUTED]
)
def test_misattributed_evidence_is_rejected(
    verifier: ClaimVerifier,
    claims: PreparedClaims,
    small_rubric: Rubric,
    point_id: str,
    sentence: str,
    named: str,
) -> None:
    objection = verifier.objection(claims, _index(small_rubric, point_id), [sentence], "")

    assert objection is not None
    assert objection.kind == "misattributed"
    assert objection.message.endswith(f"your essay gives it to {named}")


@pytest.mark.parametrize(("point_id", "sentence"), ACCEPTED, ids=[s for _, s in ACCEPTED])
def test_correct_and_hedged_evidence_is_accepted(
    verifier: ClaimVerifier,
    claims: PreparedClaims,
    small_rubric: Rubric,
    point_id: str,
    sentence: str,
) -> None:
    context = "Trotsky had big ideas about the revolution. "

    assert verifier.objection(claims, _index(small_rubric, point_id), [sentence], context) is None


NEEDS = Rubric(title="Plants", points=(KeyPoint("sunlight", "Plants need sunlight to make food."),))


@pytest.mark.parametrize(
    ("sentence", "denied"),
    [
        # "cannot ... without" states the need: the two negations do not deny it
        ("A plant cannot make food without sunlight.", False),
        ("Without sunlight a plant cannot make food.", False),
        ("Plants never need sunlight to make food.", True),
    ],
)
def test_cannot_without_states_a_need(verifier: ClaimVerifier, sentence: str, denied: bool) -> None:
    claims = verifier.prepare(NEEDS)
    objection = verifier.objection(claims, 0, [sentence], "")
    assert (objection is not None and objection.kind == "negated") is denied


@pytest.mark.parametrize(
    ("point_id", "sentence", "cancel"),
    [
        (
            "permanent-revolution",
            "Trotsky did not want the revolution to stop at Russia's border.",
            True,
        ),
        ("permanent-revolution", "Trotsky thought the revolution should not stop in Russia.", True),
        (
            "permanent-revolution",
            "Trotsky did not want communism spread to other countries.",
            False,
        ),
        (
            "permanent-revolution",
            "Trotsky wanted the revolution to stop at Russia's border.",
            False,
        ),
        ("permanent-revolution", "Trotsky never argued for spreading revolution abroad.", False),
        ("collective-farming", "Nobody wanted peasants to farm collectively.", False),
        (
            "permanent-revolution",
            "Trotsky called for permanent revolution around the world.",
            False,
        ),
        # two negations, each denying words of its own: they do not cancel
        (
            "collective-farming",
            "Trotsky did not want peasants on farms, and nobody wanted collective farming.",
            False,
        ),
    ],
)
def test_two_negations_that_cancel_are_told_apart_from_a_denial(
    verifier: ClaimVerifier,
    claims: PreparedClaims,
    small_rubric: Rubric,
    point_id: str,
    sentence: str,
    cancel: bool,
) -> None:
    index = _index(small_rubric, point_id)
    assert verifier.negations_cancel(claims, index, [sentence]) is cancel


def test_cannot_without_is_two_negations_that_cancel(verifier: ClaimVerifier) -> None:
    claims = verifier.prepare(NEEDS)
    assert verifier.negations_cancel(claims, 0, ["A plant cannot make food without sunlight."])
    assert not verifier.negations_cancel(claims, 0, ["Plants never need sunlight to make food."])
    two = "Plants cannot live in the dark, so there is no food without sunlight."
    assert not verifier.negations_cancel(claims, 0, [two])


GROUNDWATER = Rubric(
    title="Water",
    points=(
        KeyPoint(
            "groundwater", "Some water soaks into the soil and rock and is stored underground."
        ),
    ),
)


def test_there_is_no_denies_the_whole_clause(verifier: ClaimVerifier) -> None:
    claims = verifier.prepare(GROUNDWATER)
    sentence = (
        "The rain cannot soak into the ground, because soil and rock are solid, "
        "so there is no water underground."
    )
    objection = verifier.objection(claims, 0, [sentence], "")
    assert objection is not None and objection.kind == "negated"


def test_what_stops_is_not_a_clause_beside_it(verifier: ClaimVerifier) -> None:
    point = KeyPoint(
        "steam-powered-factories",
        "Machines driven by steam power moved the making of goods out of people's homes "
        "and into large factories.",
    )
    claims = verifier.prepare(Rubric(title="Industry", points=(point,)))
    sentence = (
        "Factory owners used steam engines to drive their machines, so people stopped "
        "making cloth at home and went to work in the factories instead."
    )
    assert verifier.objection(claims, 0, [sentence], "") is None


def test_he_refers_to_the_last_person_named_before_it(
    verifier: ClaimVerifier, claims: PreparedClaims, small_rubric: Rubric
) -> None:
    index = _index(small_rubric, "permanent-revolution")
    sentence = "He wanted communism to spread to other countries."

    objection = verifier.objection(claims, index, [sentence], "Stalin was ambitious. ")

    assert objection is not None
    assert objection.kind == "misattributed"


def test_points_know_whose_claim_they_are(claims: PreparedClaims, small_rubric: Rubric) -> None:
    agents = {
        point.id: claim.agent for point, claim in zip(small_rubric, claims.claims, strict=True)
    }

    assert agents == {
        "permanent-revolution": "Trotsky",
        "collective-farming": "Trotsky",
        "socialism-in-one-country": "Stalin",
        "industrialisation": "Stalin",
        "stalin-favoured": "Stalin",
    }


def test_check_reports_a_negated_point_as_missing_with_the_reason(
    checker: Checker, small_rubric: Rubric
) -> None:
    essay = Essay("ben.txt", "Trotsky did not want communism to spread to other countries.")

    result = checker.check(essay, small_rubric)

    point = next(p for p in result.points if p.point.id == "permanent-revolution")
    assert not point.is_covered
    assert point.objection is not None
    assert point.objection.kind == "negated"
    assert point.evidence is not None
    assert essay.text[point.evidence.start : point.evidence.end] == point.evidence.text


def test_check_reports_a_misattributed_point_as_missing_with_the_reason(
    checker: Checker, small_rubric: Rubric
) -> None:
    essay = Essay("ben.txt", "Stalin wanted the peasants to farm collectively on state farms.")

    result = checker.check(essay, small_rubric)

    point = next(p for p in result.points if p.point.id == "collective-farming")
    assert not point.is_covered
    assert point.objection is not None
    assert point.objection.message == (
        "the rubric credits this to Trotsky; your essay gives it to Stalin"
    )


def test_a_correct_sentence_elsewhere_still_covers_the_point(
    checker: Checker, small_rubric: Rubric
) -> None:
    essay = Essay(
        "mixed.txt",
        "Stalin wanted the peasants to farm collectively on state farms.\n\n"
        "Trotsky wanted peasants made to farm collectively on state-run farms.",
    )

    result = checker.check(essay, small_rubric)

    point = next(p for p in result.points if p.point.id == "collective-farming")
    assert point.is_covered
    assert point.objection is None
    assert point.evidence is not None
    assert point.evidence.text.startswith("Trotsky")


def test_a_full_cache_never_loses_a_sentence_being_verified(
    verifier: ClaimVerifier,
    claims: PreparedClaims,
    small_rubric: Rubric,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import essaycheck.engine.verification

    monkeypatch.setattr(essaycheck.engine.verification, "MAX_CACHED_SENTENCES", 1)
    index = _index(small_rubric, "permanent-revolution")
    first, second = "Trotsky did not want revolution abroad.", "He never said so."
    verifier.parse_ahead([first])

    objection = verifier.objection(claims, index, [first, second], "")

    assert objection is not None
