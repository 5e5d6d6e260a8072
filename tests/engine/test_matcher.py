"""KeyPointMatcher and DecisionRule: features, the decision, fitting, and the saved rule.

Also the engine's similarity through spaCy: ``essaycheck.engine.pipeline`` puts
the engine's embeddings behind ``Doc.similarity``, and it must give the very
cosines the matcher computes in its batched matrix products while marking.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import MODELS_DIR

from essaycheck import engine
from essaycheck.engine import ENGINES, lexical
from essaycheck.engine.checker import Checker
from essaycheck.engine.matcher import KeyPointMatcher
from essaycheck.engine.rule import FEATURES, DecisionRule, load_rule, save_rule
from essaycheck.engine.windows import essay_windows
from essaycheck.errors import ModelError, NotFittedError
from essaycheck.io.models import build_meta
from essaycheck.results import THRESHOLD
from essaycheck.rubric import KeyPoint, Rubric

RULE = DecisionRule(coefficients=(1.0, 1.0, 1.0, 1.0, 0.0), intercept=0.0, prior_cosine=0.4)
POINT = "Stalin argued that socialism could be built in one country."
SENTENCES = [
    "Stalin said the Soviet Union could build socialism on its own.",
    "Trotsky wanted revolutions to spread to other countries.",
    "The peasants were forced into collective farms.",
]


# --- the decision ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "covered", "review"),
    [
        (0.9, True, False),
        (0.6, True, True),
        (0.5, True, True),
        (0.4, False, True),
        (0.2, False, False),
    ],
    ids=["clear", "close-above", "at-threshold", "close-below", "clearly-missing"],
)
def test_the_rule_decides_covered_at_the_threshold_and_flags_close_calls(
    score: float, covered: bool, review: bool
) -> None:
    assert THRESHOLD == 0.5
    assert RULE.decide(score) == (covered, review)


def test_a_narrower_review_band_flags_fewer_close_calls() -> None:
    narrow = DecisionRule(RULE.coefficients, RULE.intercept, RULE.prior_cosine, review_band=0.05)

    assert RULE.decide(0.6) == (True, True)
    assert narrow.decide(0.6) == (True, False)


def test_a_window_worth_verifying_is_covered_or_a_close_call() -> None:
    assert RULE.may_cover(0.36)
    assert not RULE.may_cover(0.34)


def test_scores_are_the_logistic_of_the_features() -> None:
    features = np.array([[0.5, 0.5, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0]])

    assert RULE.score(features) == pytest.approx([1 / (1 + np.exp(-1.0)), 0.5])


# --- the matcher's features ----------------------------------------------------------------


def test_features_are_computed_for_every_window_and_point(
    checker: Checker, small_rubric: Rubric
) -> None:
    windows = essay_windows(checker.nlp(" ".join(SENTENCES)))
    matcher = KeyPointMatcher(checker.matcher.embeddings)

    features = matcher.window_features(windows, matcher.prepare(small_rubric), prior_cosine=0.4)

    assert features.shape == (len(windows), len(small_rubric), len(FEATURES))
    centred = features[:, :, FEATURES.index("centred_cosine")]
    assert centred.mean(axis=1) == pytest.approx(np.zeros(len(windows)), abs=1e-6)


def test_an_essay_with_no_windows_covers_nothing(checker: Checker, small_rubric: Rubric) -> None:
    matches = checker.matcher.match([], checker.matcher.prepare(small_rubric))

    assert [match.is_covered for match in matches] == [False] * len(small_rubric)
    assert all(match.window is None for match in matches)


def test_the_constructor_stores_its_arguments_only(checker: Checker) -> None:
    matcher = KeyPointMatcher(checker.matcher.embeddings, RULE)

    assert matcher.embeddings is checker.matcher.embeddings
    assert matcher.rule is RULE
    assert not hasattr(matcher, "rule_")
    assert matcher.decision_rule() is RULE


# --- the engine's similarity through spaCy ---------------------------------------------------


@pytest.mark.parametrize("engine_key", list(ENGINES))
def test_spacy_similarity_is_the_cosine_the_matcher_computes(
    checker: Checker, engine_key: str
) -> None:
    if engine_key == "precise":
        pytest.importorskip("onnxruntime")
    nlp = engine.pipeline(engine_key, MODELS_DIR)
    rubric = Rubric("one point", (KeyPoint("one-country", POINT),))
    embeddings = engine.load_embeddings(engine_key, MODELS_DIR)
    matcher = KeyPointMatcher(embeddings)
    windows = [w for w in essay_windows(checker.nlp(" ".join(SENTENCES))) if w.sentence_count == 1]

    batched = matcher.window_features(windows, matcher.prepare(rubric), prior_cosine=0.4)
    cosines = batched[:, 0, FEATURES.index("cosine")]
    through_spacy = [nlp(window.text).similarity(nlp(POINT)) for window in windows]

    assert len(windows) == len(SENTENCES)
    assert through_spacy == pytest.approx(cosines, abs=1e-5)
    assert int(np.argmax(through_spacy)) == 0  # the sentence that makes the point


def test_spacy_similarity_works_on_sentences_of_a_doc() -> None:
    nlp = engine.pipeline("fast", MODELS_DIR)
    doc = nlp(" ".join(SENTENCES))
    point = nlp(POINT)

    sentences = list(doc.sents)

    assert len(sentences) == 3
    assert sentences[0].similarity(point) > sentences[2].similarity(point)
    assert doc.has_vector


def test_the_marking_pipeline_does_not_load_the_similarity_component(checker: Checker) -> None:
    assert checker.nlp.pipe_names == ["essaycheck_line_breaks", "sentencizer"]


def test_an_unknown_engine_is_a_model_error() -> None:
    with pytest.raises(ModelError, match="unknown engine 'slow': choose one of fast, precise"):
        engine.pipeline("slow")


# --- fitting and the saved rule ----------------------------------------------------------------


def test_a_saved_rule_loads_back(tmp_path: Path) -> None:
    save_rule(RULE, tmp_path, build_meta(name="decision-rule", kind="decision-rule"))

    assert load_rule(tmp_path) == RULE


def test_a_rule_whose_meta_is_of_another_kind_is_refused(tmp_path: Path) -> None:
    save_rule(RULE, tmp_path, build_meta(name="decision-rule", kind="static-embeddings"))

    with pytest.raises(ModelError, match=r"not a 'decision-rule'.*essaycheck train"):
        load_rule(tmp_path)


def test_a_rule_written_by_another_release_is_refused(tmp_path: Path) -> None:
    meta = {**build_meta(name="decision-rule", kind="decision-rule"), "essaycheck": "9.3.0"}
    save_rule(RULE, tmp_path, meta)

    with pytest.raises(ModelError, match=r"written by essaycheck 9\.3\.0.*essaycheck train"):
        load_rule(tmp_path)


def test_a_rule_without_its_meta_is_refused(tmp_path: Path) -> None:
    save_rule(RULE, tmp_path, {})
    (tmp_path / "meta.json").unlink()

    with pytest.raises(ModelError, match=r"meta\.json: missing.*essaycheck train"):
        load_rule(tmp_path)


def test_a_malformed_rule_file_is_refused(tmp_path: Path) -> None:
    save_rule(RULE, tmp_path, build_meta(name="decision-rule", kind="decision-rule"))
    (tmp_path / "decision-rule.json").write_text("{not json", "utf-8")

    with pytest.raises(ModelError, match="unreadable"):
        load_rule(tmp_path)


def test_matcher_without_a_rule_is_not_fitted(checker: Checker, small_rubric: Rubric) -> None:
    matcher = KeyPointMatcher(checker.matcher.embeddings)

    with pytest.raises(NotFittedError, match="call fit"):
        matcher.match([], matcher.prepare(small_rubric))


def test_fit_learns_a_rule_that_separates_the_labels(checker: Checker) -> None:
    rng = np.random.default_rng(0)
    covered = rng.normal([0.2, 0.7, 0.3, 0.1, 0.8], 0.05, size=(40, 5))
    missing = rng.normal([-0.05, 0.4, 0.0, -0.1, 0.2], 0.05, size=(40, 5))
    features = np.vstack([covered, missing])
    labels = np.array([1] * 40 + [0] * 40)

    matcher = KeyPointMatcher(checker.matcher.embeddings).fit(features, labels, prior_cosine=0.4)

    decisions = matcher.rule_.score(features) >= 0.5
    assert (decisions == labels.astype(bool)).mean() >= 0.95
    assert matcher.decision_rule() is matcher.rule_
    assert matcher.rule is None  # fit leaves the constructor's arguments as they were
    assert matcher.rule_.prior_cosine == 0.4


def test_decision_rule_round_trips_through_json() -> None:
    rule = DecisionRule(
        coefficients=(3.5, 1.25, 0.5, -0.75, 2.0),
        intercept=-2.0,
        prior_cosine=0.41,
        review_band=0.1,
    )

    assert DecisionRule.from_dict(json.loads(json.dumps(rule.to_dict())), "rule") == rule


def test_decision_rule_of_another_format_asks_for_retraining() -> None:
    data = DecisionRule(coefficients=(1.0, 1.0), intercept=0.0, prior_cosine=0.4).to_dict()
    data["features"] = ["cosine"]

    with pytest.raises(ModelError, match="Retrain it with: essaycheck train"):
        DecisionRule.from_dict(data, "old.json")


def test_missing_decision_rule_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"decision rule is missing.*essaycheck train"):
        load_rule(tmp_path)


def test_shipped_decision_rule_loads_and_matches_the_engine_info(checker: Checker) -> None:
    rule = load_rule(MODELS_DIR / "decision-rule")

    assert checker.matcher.rule == rule
    assert checker.info().to_dict()["review_band"] == rule.review_band
    assert checker.info().to_dict()["embeddings"] == ENGINES["fast"].embeddings_dir


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("intercept", float("nan"), "finite"),
        ("coefficients", [1.0, 1.0, 1e6, 1.0, 1.0], "beyond"),
        ("coefficients", [1.0], "5 finite coefficients"),
        ("prior_cosine", 3.0, "not a cosine"),
        ("review_band", 0.9, "review_band is outside"),
    ],
    ids=["nan", "huge", "too-few", "cosine", "band"],
)
def test_a_damaged_rule_is_refused(field: str, value: object, message: str) -> None:
    data = {**RULE.to_dict(), field: value}

    with pytest.raises(ModelError, match=message):
        DecisionRule.from_dict(data, "rule.json")


# --- alignment: the point's informative words, misspelt or not --------------------------


def test_alignment_weighs_the_words_that_tell_points_apart() -> None:
    phrasings = ["Stalin wanted collective farms.", "Stalin wanted rapid industrialisation."]
    words = lexical.point_words(phrasings, [0, 1])

    aligned = lexical.alignments([["Stalin and his farms were collective."]], words)

    # "stalin" and "wanted" are in both points: they count for less than "farms"
    assert aligned[0, 0] > 0.8
    assert aligned[0, 1] < 0.3


def test_alignment_forgives_misspellings_of_long_words() -> None:
    words = lexical.point_words(["Plants make their own food by photosynthesis."], [0])

    misspelt = lexical.alignments([["plants make there own food by fotosynthesis"]], words)
    other = lexical.alignments([["animals eat other animals"]], words)

    assert misspelt[0, 0] > 0.8
    assert other[0, 0] == 0.0
