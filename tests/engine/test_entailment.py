"""The entailment stage: its rule, its file, and how it rescores a point's candidates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest
from conftest import MODELS_DIR

from essaycheck.engine import load_checker
from essaycheck.engine.checker import Checker
from essaycheck.engine.entailment import (
    ENTAILMENT_RULE_FILE,
    ESSAY_SENTENCES,
    EntailmentModel,
    EntailmentRule,
    EntailmentStage,
    entailment_features,
    load_entailment_rule,
    save_entailment_rule,
)
from essaycheck.engine.matcher import PointMatch, _proposed
from essaycheck.engine.verification import no_negation_but_not
from essaycheck.engine.windows import Window
from essaycheck.errors import ModelError
from essaycheck.io.essays import Essay
from essaycheck.results import PointResult
from essaycheck.rubric import KeyPoint, Rubric

RULE = EntailmentRule((0.5, 1.0, 0.0), 0.0, floor=0.1, candidates=3, contradiction=0.5)
POINT = KeyPoint(id="food", text="Plants make their own food.")
RUBRIC = Rubric(title="Plants", points=(POINT,))
VERDICTS = {
    "Plants make food from sunlight.": (0.95, 0.01, 0.04),
    "Plants do not make their own food.": (0.02, 0.96, 0.02),
    "Plants need water.": (0.05, 0.05, 0.90),
    "Plants grow in soil.": (0.30, 0.02, 0.68),  # scores about 0.29 with RULE
}


NEITHER = (0.05, 0.05, 0.90)


class FakeModel:
    """Gives each text the verdict ``verdicts`` lists for it, and counts what it reads."""

    name = "fake"

    def __init__(self, verdicts: dict[str, tuple[float, float, float]] | None = None) -> None:
        self.verdicts = VERDICTS if verdicts is None else verdicts
        self.read: list[tuple[str, str]] = []

    def judge(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        self.read.extend(pairs)
        found = [self.verdicts.get(text, NEITHER) for _, text in pairs]
        return np.asarray(found, dtype=np.float32).reshape(-1, 3)


def _window(text: str, start: int = 0) -> Window:
    return Window(text, start, start + len(text), 1, (text,))


def _match(*texts: str) -> PointMatch:
    candidates = tuple((_window(t, 100 * n), 0.45) for n, t in enumerate(texts))
    window = candidates[0][0] if candidates else None
    return PointMatch("food", False, 0.45, True, window, candidates)


def _with_model(entail: Checker, model: FakeModel, rule: EntailmentRule = RULE) -> Checker:
    """The entail engine with ``model`` and ``rule`` in its entailment stage."""
    stage = EntailmentStage(cast(EntailmentModel, model), rule)
    return Checker(entail.nlp, entail.matcher, entail.spec, entail._load_verifier, stage)


def _stage() -> tuple[EntailmentStage, FakeModel]:
    model = FakeModel()
    return EntailmentStage(cast(EntailmentModel, model), RULE), model


def test_a_candidate_that_states_the_point_covers_it() -> None:
    stage, _ = _stage()
    [[match]] = stage.read([[_match("Plants make food from sunlight.")]], RUBRIC)
    assert match.is_covered and match.score > 0.9 and match.rejected is None
    assert match.window is not None and match.window.text == "Plants make food from sunlight."


def test_a_candidate_on_topic_that_does_not_state_the_point_does_not_cover_it() -> None:
    stage, _ = _stage()
    [[match]] = stage.read([[_match("Plants need water.")]], RUBRIC)
    assert not match.is_covered and match.score < 0.1 and match.rejected is None


def test_a_candidate_saying_the_opposite_is_rejected_whoever_the_subject_is() -> None:
    stage, _ = _stage()
    [[match]] = stage.read([[_match("Plants do not make their own food.")]], RUBRIC)
    assert not match.is_covered and not match.needs_review
    assert match.rejected is not None
    window, objection = match.rejected
    assert window.text == "Plants do not make their own food."
    assert objection.kind == "negated" and "says the opposite" in objection.message


def test_a_point_stated_elsewhere_is_covered_despite_a_contradicting_sentence() -> None:
    stage, _ = _stage()
    texts = ("Plants do not make their own food.", "Plants make food from sunlight.")
    [[match]] = stage.read([[_match(*texts)]], RUBRIC)
    assert match.is_covered and match.rejected is None
    assert match.window is not None and match.window.text == texts[1]
    assert [window.text for window, _ in match.candidates] == [texts[1]]


def test_the_model_reads_only_proposed_candidates_the_first_of_each_point_first() -> None:
    stage, model = _stage()
    essays = [
        [_match("Plants need water.", "Plants grow in soil.")],
        [_match()],
        [_match("Plants make food from sunlight.")],
    ]
    read = stage.read(essays, RUBRIC)
    assert model.read == [
        (POINT.text, "Plants need water."),
        (POINT.text, "Plants make food from sunlight."),
        (POINT.text, "Plants grow in soil."),
    ]
    assert read[1][0] == essays[1][0]  # nothing proposed: the similarity's verdict stands


def test_a_point_its_first_candidate_surely_states_is_settled_there() -> None:
    stage, model = _stage()
    texts = ("Plants make food from sunlight.", "Plants grow in soil.")
    [[match]] = stage.read([[_match(*texts)]], RUBRIC)
    assert match.is_covered and not match.needs_review
    assert model.read == [(POINT.text, texts[0])]  # the other could not change the decision
    assert [window.text for window, _ in match.unread] == list(texts)
    finished = stage.finish(match, (0, POINT.text), RULE)
    assert model.read[1:] == [(POINT.text, text) for text in texts]
    assert finished.is_covered and finished.unread == ()
    assert finished.window is not None and finished.window.text == texts[0]
    assert [window.text for window, _ in finished.candidates] == [texts[0]]


def test_a_close_call_on_the_first_candidate_has_the_others_read() -> None:
    stage, model = _stage()
    texts = ("Plants grow in soil.", "Plants make food from sunlight.")
    [[match]] = stage.read([[_match(*texts)]], RUBRIC)
    assert model.read == [(POINT.text, text) for text in texts]
    assert match.is_covered and match.unread == ()
    assert match.window is not None and match.window.text == texts[1]


def test_a_settled_point_whose_evidence_the_parser_rejects_has_its_others_read(
    entail: Checker,
) -> None:
    negated, stated = "Plants do not make their own food.", "Plants make food from sunlight."
    # a model that misreads the negated sentence: the parser's negation check catches it
    model = FakeModel({negated: (0.95, 0.01, 0.04), stated: (0.95, 0.01, 0.04)})
    checker = _with_model(entail, model)
    found = _covered(checker, f"{negated} {stated}")["own-food"]
    own_food = [text for point, text in model.read if point == "Plants make their own food."]
    assert own_food[0] == negated and stated in own_food[1:]
    assert found.is_covered and found.evidence is not None and found.evidence.text == stated


@pytest.mark.parametrize("sure", [None, 0.9, 0.99])
def test_the_parsers_negation_check_gives_way_where_the_model_is_sure(
    entail: Checker, sure: float | None
) -> None:
    negated = "Plants do not make their own food."
    model = FakeModel({negated: (0.95, 0.01, 0.04)})
    rule = replace(RULE, sure=sure)
    checker = _with_model(entail, model, rule)
    found = _covered(checker, negated)["own-food"]
    overruled = sure is not None and sure <= 0.95
    assert found.is_covered == overruled
    assert (found.objection is None) == overruled


@pytest.mark.parametrize(
    "negated",
    [
        "Nobody thinks plants make their own food.",
        "Plants never make their own food.",
    ],
)
def test_a_sure_model_overrules_no_negation_word_but_not(entail: Checker, negated: str) -> None:
    model = FakeModel({negated: (0.97, 0.01, 0.02)})
    checker = _with_model(entail, model, replace(RULE, sure=0.9))
    found = _covered(checker, negated)["own-food"]
    assert not found.is_covered and found.objection is not None


def test_a_contradiction_the_parser_reads_as_two_negations_that_cancel_is_a_statement(
    entail: Checker,
) -> None:
    cancelling = "Plants do not stop making their own food."
    denying = "Plants do not make their own food."
    # a model that reads any "not" as the opposite
    model = FakeModel({cancelling: (0.03, 0.95, 0.02), denying: (0.02, 0.96, 0.02)})
    checker = _with_model(entail, model)
    stated = _covered(checker, cancelling)["own-food"]
    denied = _covered(checker, denying)["own-food"]
    assert stated.is_covered and stated.objection is None
    assert not denied.is_covered and denied.objection is not None


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Plants do not make their own food.", True),
        ("Plants don't need soil, they need light.", True),
        ("Plants make their own food.", True),
        ("Plants cannot make their own food.", True),
        ("Nobody wanted the peasants to farm on state-run farms.", False),
        ("Not one plant makes no food.", False),
        ("Stalin denied that it could work.", False),
    ],
)
def test_only_not_is_a_negation_a_sure_model_may_overrule(text: str, plain: bool) -> None:
    assert no_negation_but_not(text) is plain


def test_features_are_similarity_and_the_models_log_odds_against_neither() -> None:
    features = entailment_features(
        np.asarray([0.0, 2.0]), np.asarray([[0.8, 0.1, 0.1], [0.1, 0.1, 0.8]])
    )
    assert features.shape == (2, 3)
    assert features[0, 1] > 0 and features[1, 1] < 0 and features[0, 2] == pytest.approx(0.0)
    assert features[1, 0] == 2.0


def test_the_rule_round_trips_through_its_file(tmp_path: Path) -> None:
    assert load_entailment_rule(tmp_path) is None
    save_entailment_rule(RULE, tmp_path, {"command": "test"})
    assert load_entailment_rule(tmp_path) == RULE


def test_a_rules_scales_round_trip_and_default_to_one(tmp_path: Path) -> None:
    rule = replace(RULE, covered_scale=0.6, missing_scale=1.5)
    save_entailment_rule(rule, tmp_path, {})
    assert load_entailment_rule(tmp_path) == rule
    features = entailment_features(
        np.asarray([0.0, 0.0]), np.asarray([[0.9, 0.05, 0.05], [0.05, 0.05, 0.9]])
    )
    plain, scaled = RULE.score(features), rule.score(features)
    assert scaled[0] < plain[0] and scaled[0] >= 0.5  # covered, less surely
    assert scaled[1] < plain[1] < 0.5  # missing, more surely
    data = RULE.to_dict()
    del data["covered_scale"], data["missing_scale"]
    assert EntailmentRule.from_dict(data, "old rule") == RULE  # a rule file from before


ESSAY_RULE = replace(
    RULE, coefficients=(1.0, 0.0, 0.0), floor=0.2, candidates=2, review_band=0.1, items=False
)


def test_an_essay_is_decided_by_the_essays_rule_and_a_short_answer_by_the_answers() -> None:
    rule = replace(RULE, review_band=0.3, essay=ESSAY_RULE)
    assert rule.for_text(ESSAY_SENTENCES - 1) is rule
    assert rule.for_text(ESSAY_SENTENCES) is ESSAY_RULE
    assert RULE.for_text(50) is RULE  # no essays' rule: one rule for every text


def test_a_rule_with_its_essays_rule_round_trips_through_its_file(tmp_path: Path) -> None:
    rule = replace(RULE, essay=ESSAY_RULE)
    save_entailment_rule(rule, tmp_path, {})
    assert load_entailment_rule(tmp_path) == rule


def test_an_essays_rule_cannot_hold_another(tmp_path: Path) -> None:
    import json

    save_entailment_rule(replace(RULE, essay=ESSAY_RULE), tmp_path, {})
    path = tmp_path / ENTAILMENT_RULE_FILE
    data = json.loads(path.read_text())
    data["essay"]["essay"] = data["essay"] | {"essay": None}
    path.write_text(json.dumps(data))
    with pytest.raises(ModelError, match="cannot hold another"):
        load_entailment_rule(tmp_path)


def test_the_checker_reads_an_essay_as_its_rule_says(entail: Checker) -> None:
    model = FakeModel({})
    essays_rule = replace(ESSAY_RULE, floor=0.0, candidates=1)
    rule = replace(RULE, floor=0.0, candidates=3, essay=essays_rule)
    checker = Checker(
        entail.nlp,
        entail.matcher,
        entail.spec,
        None,
        EntailmentStage(cast(EntailmentModel, model), rule),
    )
    sentences = [f"Plants grow in field number {n}." for n in range(ESSAY_SENTENCES)]
    listing = "Plants need water, light from the sun, and good soil to grow."
    for text, most in ((" ".join([*sentences[:3], listing]), 3), (" ".join(sentences), 1)):
        model.read.clear()
        checker.check(Essay(name="draft.txt", text=text), SCIENCE)
        for point in SCIENCE:
            assert 1 <= sum(1 for read, _ in model.read if read == point.text) <= most
    essay = " ".join([*sentences, listing])
    model.read.clear()
    checker.check(Essay(name="essay.txt", text=essay), SCIENCE)
    assert all(text in sentences or text == listing for _, text in model.read)  # no items


def test_a_close_call_in_a_short_answer_is_decided_surely_in_an_essay() -> None:
    model = FakeModel()
    answers = replace(RULE, review_band=0.3)
    stage = EntailmentStage(cast(EntailmentModel, model), answers)
    answer, essay = stage.read(
        [[_match("Plants grow in soil.")], [_match("Plants grow in soil.")]],
        RUBRIC,
        [answers, replace(answers, review_band=0.05)],
    )
    assert not answer[0].is_covered and answer[0].needs_review
    assert not essay[0].is_covered and not essay[0].needs_review


@pytest.mark.parametrize(
    "change",
    [
        {"format": 9},
        {"coefficients": [1.0]},
        {"floor": 2.0},
        {"candidates": 0},
        {"intercept": "NaN"},
        {"review_band": 0.9},
        {"essay": {"format": 2}},
        {"covered_scale": 0.0},
        {"missing_scale": 50.0},
        {"essay": ESSAY_RULE.to_dict() | {"candidates": 0}},
        {"sure": 1.5},
    ],
    ids=[
        "format",
        "coefficients",
        "floor",
        "candidates",
        "not-finite",
        "band",
        "essay-rule",
        "covered-scale",
        "missing-scale",
        "essay-candidates",
        "sure",
    ],
)
def test_a_damaged_rule_file_says_how_to_restore_it(tmp_path: Path, change: dict[str, Any]) -> None:
    import json

    save_entailment_rule(RULE, tmp_path, {})
    path = tmp_path / ENTAILMENT_RULE_FILE
    data = json.loads(path.read_text())
    path.write_text(json.dumps(data | change))
    with pytest.raises(ModelError, match=r"entailment rule.*(Restore|run)"):
        load_entailment_rule(tmp_path)


# --- the shipped model, in the entail engine ----------------------------------------------

SCIENCE = Rubric(
    title="Photosynthesis",
    points=(
        KeyPoint(id="own-food", text="Plants make their own food."),
        KeyPoint(id="oxygen", text="Plants give off oxygen."),
        KeyPoint(id="sunlight", text="Plants need sunlight to make food."),
    ),
)


@pytest.fixture(scope="module")
def entail() -> Checker:
    return load_checker("entail", MODELS_DIR)


def _covered(checker: Checker, text: str) -> dict[str, PointResult]:
    result = checker.check(Essay(name="draft.txt", text=text), SCIENCE)
    return {point.point.id: point for point in result.points}


def test_the_entail_engine_records_its_stage(entail: Checker) -> None:
    info = entail.info()
    assert (info.name, info.checks[0]) == ("static-entailment", "entailment")
    assert load_checker("fast", MODELS_DIR).entailment is None


def test_a_sentence_stating_the_point_is_credited(entail: Checker) -> None:
    found = _covered(entail, "Plants make their own food through photosynthesis.")
    assert found["own-food"].is_covered


def test_a_sentence_saying_the_opposite_is_rejected_as_the_opposite(entail: Checker) -> None:
    verdict = _covered(entail, "Plants do not make their own food.")["own-food"]
    assert not verdict.is_covered
    assert verdict.objection is not None and "says the opposite" in verdict.objection.message


def test_an_off_topic_essay_credits_nothing(entail: Checker) -> None:
    found = _covered(entail, "My favourite football team won on Saturday. The crowd sang.")
    assert not any(point.is_covered for point in found.values())


def test_an_essay_of_many_sentences_is_flagged_within_the_essays_band(entail: Checker) -> None:
    rule = entail.entailment.rule if entail.entailment else None
    assert rule is not None and rule.essay is not None
    sentences = [
        "Plants are living things.",
        "Most of them are green.",
        "They grow in gardens and in fields.",
        "Their leaves catch the light of the sun.",
        "Some plants give off oxygen.",
        "Roots take in water from the soil.",
        "Farmers grow plants for food.",
        "Plants make their own food.",
    ]
    for text, band in (
        (" ".join(sentences[-3:]), rule.review_band),
        (" ".join(sentences), rule.essay.review_band),
    ):
        for point in _covered(entail, text).values():
            if point.objection is None:
                assert point.needs_review == (abs(point.score - 0.5) < band), (text, point)


def test_an_essays_verdicts_do_not_depend_on_the_essays_marked_with_it(entail: Checker) -> None:
    essays = [
        Essay(name="a.txt", text="Plants make their own food. They need water."),
        Essay(name="b.txt", text="Leaves give off oxygen when the sun shines on them."),
        Essay(name="c.txt", text="Without sunlight a plant makes no food at all, so it dies."),
    ]
    together = list(entail.check_many(essays, SCIENCE))
    alone = [entail.check(essay, SCIENCE) for essay in essays]
    assert [r.to_dict() for r in together] == [r.to_dict() for r in alone]


def test_a_proposed_pair_of_sentences_brings_each_of_its_sentences() -> None:
    first, second = _window("Plants need water.", 0), _window("They make food.", 19)
    pair = Window(f"{first.text} {second.text}", 0, second.end, 2, (first.text, second.text))
    elsewhere = _window("Roots hold the soil.", 40)
    windows = [first, second, pair, elsewhere]
    scores = np.asarray([0.1, 0.5, 0.8, 0.6])
    order = np.argsort(-scores, kind="stable")
    proposed = _proposed(windows, order, scores, 0.2, 1)
    # the pair first; its second sentence, scoring above the floor, read on its own too
    assert [(window.text, score) for window, score in proposed] == [
        (pair.text, 0.8),
        (second.text, 0.5),
    ]
    assert [w.text for w, _ in _proposed(windows, order, scores, 0.2, 2)] == [
        pair.text,
        elsewhere.text,
        second.text,
    ]


def test_pairs_read_side_by_side_get_the_verdicts_they_get_one_at_a_time() -> None:
    folder = MODELS_DIR / "minilm-entailment"
    pairs = [
        (point.text, text)
        for point in SCIENCE
        for text in ("Plants make food from sunlight.", "Plants do not need light.", "Dogs bark.")
    ]
    side_by_side = EntailmentModel.load(folder, threads=2).judge(pairs)
    one_at_a_time = EntailmentModel.load(folder, threads=1).judge(pairs)
    assert side_by_side.shape == (len(pairs), 3)
    assert np.array_equal(side_by_side, one_at_a_time)
