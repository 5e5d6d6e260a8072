"""Fit the shipped decision rule on labelled key-point data.

essaycheck decides at the level of an essay, taking the best of many sentence
windows, while ArgKP labels single arguments. The best of 30 windows is a
different statistic from one pair's score, so the rule is fitted on both
shapes: each labelled text on its own, and pseudo-essays that mix arguments
from both sides of one topic with a few sentences from other topics, checked
against the key points of both sides (a key point counts as covered when an
included argument matches it).
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from spacy.language import Language

from essaycheck.engine.matcher import KeyPointMatcher, PreparedRubric
from essaycheck.engine.rule import DecisionRule
from essaycheck.engine.windows import Window, essay_windows
from essaycheck.errors import DataError
from essaycheck.results import THRESHOLD
from essaycheck.rubric import KeyPoint, Rubric
from essaycheck.training.answers import ScoredAnswers, derived_score, pseudo_labels
from essaycheck.training.dataset import LabelledText, group_texts

RANDOM_STATE = 0
FITTING_PASSES = 2
# With scored answers, each pass also relabels them (answers.py): one more pass settles it.
PASSES_WITH_ANSWERS = 3
# How much one answer's point counts against one debate argument's: answers are what
# teachers mark. Chosen on the training figures alone (the answers' QWK plus ArgKP
# train F1, over weights 1 to 10; docs/accuracy.md), never on the dev answers.
ANSWER_WEIGHT = 3.0
# The thresholds (on the fitted rule's score) tried for answers; see _answer_threshold.
ANSWER_THRESHOLDS = tuple(round(0.3 + 0.05 * step, 2) for step in range(11))
DATA_LICENCES = {
    "argkp": "ArgKP-2021 (IBM/KPA_2021_shared_task), (c) IBM 2020, CDLA-Sharing-1.0; "
    "Bar-Haim et al., ACL 2020",
}
PSEUDO_ESSAYS_PER_TEXT = 0.5
ARGUMENTS_PER_ESSAY = (3, 12)
DISTRACTORS_PER_ESSAY = (0, 3)


@dataclass(frozen=True)
class TrainingEssay:
    """A text to mark, its rubric's points and the labels of those points."""

    group: str
    text: str
    points: tuple[KeyPoint, ...]
    labels: dict[str, int]
    is_pseudo: bool


def build_training_essays(
    records: list[LabelledText], random_state: int = RANDOM_STATE
) -> list[TrainingEssay]:
    """Return every labelled text as an essay, plus pseudo-essays (deterministic)."""
    rng = np.random.default_rng(random_state)
    essays = [TrainingEssay(r.group, r.text, r.points, r.labels, False) for r in records]
    topics: dict[str, list[LabelledText]] = {}
    for record in records:
        topics.setdefault(record.topic, []).append(record)
    for topic, texts in topics.items():
        others = [r.text for other, rs in topics.items() if other != topic for r in rs]
        for _ in range(round(len(texts) * PSEUDO_ESSAYS_PER_TEXT)):
            essays.append(_pseudo_essay(topic, texts, others, rng))
    return essays


def _pseudo_essay(
    topic: str, texts: list[LabelledText], others: list[str], rng: np.random.Generator
) -> TrainingEssay:
    """A few arguments on one topic, from either side, and a few off-topic sentences.

    The rubric holds the key points of both sides of the topic, as an essay's
    rubric holds points that are related to each other. A point is covered when
    an included argument of its side matches it; arguments of the other side
    count as not matching it; a point is left unlabelled when no argument of its
    side matches it and one of them is unlabelled for it.
    """
    count = int(rng.integers(ARGUMENTS_PER_ESSAY[0], ARGUMENTS_PER_ESSAY[1] + 1))
    distractors = int(rng.integers(DISTRACTORS_PER_ESSAY[0], DISTRACTORS_PER_ESSAY[1] + 1))
    chosen = [texts[i] for i in rng.choice(len(texts), size=min(count, len(texts)), replace=False)]
    sentences = [text.text for text in chosen]
    sentences += [others[i] for i in rng.choice(len(others), size=distractors, replace=False)]
    order = rng.permutation(len(sentences))
    sides: dict[str, tuple[str, KeyPoint]] = {}
    for text in texts:
        for point in text.points:
            sides.setdefault(point.id, (text.stance, point))
    points = tuple(point for _, (_, point) in sorted(sides.items()))
    labels: dict[str, int] = {}
    for point_id, (stance, _) in sides.items():
        given = [text.labels.get(point_id) for text in chosen if text.stance == stance]
        if 1 in given:
            labels[point_id] = 1
        elif None not in given:
            labels[point_id] = 0
    essay_text = " ".join(_as_sentence(sentences[i]) for i in order)
    return TrainingEssay(f"{topic} (both sides)", essay_text, points, labels, True)


def _as_sentence(text: str) -> str:
    text = text.strip()
    return text if text[-1:] in ".!?" else text + "."


@dataclass(frozen=True)
class EssayFeatures:
    """A training essay's windows and their features for every key point."""

    essay: TrainingEssay
    windows: list[Window]
    features: npt.NDArray[np.float64]


def essay_features(
    essays: list[TrainingEssay], nlp: Language, matcher: KeyPointMatcher, prior_cosine: float
) -> Iterator[EssayFeatures]:
    """Yield each essay's windows and window features (see KeyPointMatcher)."""
    prepared_by_group: dict[str, PreparedRubric] = {}
    for doc, essay in nlp.pipe(((e.text, e) for e in essays), as_tuples=True, batch_size=256):
        if essay.group not in prepared_by_group:
            prepared_by_group[essay.group] = matcher.prepare(
                Rubric(title=essay.group, points=essay.points)
            )
        windows = essay_windows(doc)
        features = matcher.window_features(windows, prepared_by_group[essay.group], prior_cosine)
        yield EssayFeatures(essay, windows, features)


def mean_cosine(records: list[LabelledText], matcher: KeyPointMatcher) -> float:
    """Return the mean cosine between texts and their own key points."""
    total, count = 0.0, 0
    for _, texts in group_texts(records):
        point_vectors = matcher.embeddings.embed([p.text for p in texts[0].points])
        text_vectors = matcher.embeddings.embed([t.text for t in texts])
        cosines = text_vectors @ point_vectors.T
        total += float(cosines.sum())
        count += cosines.size
    return total / count


def fit_matcher(
    records: list[LabelledText],
    nlp: Language,
    matcher: KeyPointMatcher,
    answers: Sequence[ScoredAnswers] = (),
) -> dict[str, Any]:
    """Fit the matcher's decision rule on the records and scored answers; return figures.

    The answers' point labels come from their scores (see answers.py), relabelled
    with each pass's rule.
    """
    from sklearn.metrics import precision_recall_fscore_support

    prior = mean_cosine(records, matcher)
    essays = build_training_essays(records)
    featured = [item for item in essay_features(essays, nlp, matcher, prior) if item.windows]
    answered = _answer_features(answers, nlp, matcher, prior)
    # Pass one takes each point's best window by centred cosine; later passes refit
    # on the windows the previous rule prefers, as marking will choose them.
    rule: DecisionRule | None = None
    for _ in range(PASSES_WITH_ANSWERS if answers else FITTING_PASSES):
        features_array, label_array, is_pseudo = _labelled_rows(featured, matcher, rule)
        answer_rows, answer_labels = _answer_rows(answered, matcher, rule)
        weights = np.concatenate(
            [np.ones(len(label_array)), np.full(len(answer_labels), ANSWER_WEIGHT)]
        )
        rule = matcher.fit(
            np.vstack([features_array, *answer_rows]) if answer_rows else features_array,
            np.concatenate([label_array, answer_labels]) if answer_rows else label_array,
            prior,
            weights if answer_rows else None,
        ).decision_rule()
    rule = matcher.decision_rule()
    threshold: dict[str, Any] | None = None
    if answers:
        rule, threshold = _answer_threshold(answered, matcher, rule)
        matcher.rule_ = rule
    decisions = np.asarray([rule.decide(score)[0] for score in rule.score(features_array)])
    figures: dict[str, Any] = {"prior_cosine": round(prior, 6)}
    for name, mask in (("texts", ~is_pseudo), ("pseudo_essays", is_pseudo)):
        precision, recall, f1, _ = precision_recall_fscore_support(
            label_array[mask], decisions[mask], average="binary", zero_division=0.0
        )
        figures[name] = {
            "pairs": int(mask.sum()),
            "precision": round(float(precision), 4),
            "recall": round(float(recall), 4),
            "f1": round(float(f1), 4),
        }
    figures["essays"] = {
        "texts": sum(not e.is_pseudo for e in essays),
        "pseudo_essays": sum(e.is_pseudo for e in essays),
    }
    if answers:
        figures["answers"] = _answer_figures(answered, matcher, rule)
        figures["answer_threshold"] = threshold
    return figures


# One answer for fitting: its data set, its rater's score, its window features, and
# its point labels when someone labelled them (else None: they are guessed from the score).
Answered = tuple[ScoredAnswers, int, EssayFeatures, Mapping[str, int] | None]


def _answer_features(
    answers: Sequence[ScoredAnswers], nlp: Language, matcher: KeyPointMatcher, prior: float
) -> list[Answered]:
    """The window features of every scored answer, against its own rubric."""
    found: list[Answered] = []
    for data in answers:
        essays = [
            TrainingEssay(data.name, text, tuple(data.rubric), {}, False)
            for _, text, _ in data.answers
        ]
        featured = essay_features(essays, nlp, matcher, prior)
        for (answer, _, score), item in zip(data.answers, featured, strict=True):
            if item.windows:
                found.append((data, score, item, data.point_labels.get(answer)))
    return found


def _answer_rows(
    answered: list[Answered], matcher: KeyPointMatcher, rule: DecisionRule | None
) -> tuple[list[npt.NDArray[np.float64]], npt.NDArray[np.int_]]:
    """Each answer's points at their best windows, labelled (else from its score by ``rule``)."""
    rows: list[npt.NDArray[np.float64]] = []
    labels: list[int] = []
    for data, score, item, labelled in answered:
        best = matcher.best_windows(item.features, item.windows, rule)
        at_best = item.features[best, np.arange(len(data.rubric))]
        strength = at_best[:, 0] if rule is None else rule.logits(at_best)
        by_id = {point.id: float(value) for point, value in zip(data.rubric, strength, strict=True)}
        found = labelled if labelled is not None else pseudo_labels(data, by_id, score)
        for index, point in enumerate(data.rubric):
            if point.id in found:
                rows.append(at_best[index])
                labels.append(found[point.id])
    return ([np.asarray(rows)] if rows else []), np.asarray(labels, dtype=np.int_)


@dataclass(frozen=True)
class _ScoredSet:
    """One answer set under a rule: its raters' scores and each answer's point scores."""

    data: ScoredAnswers
    truth: list[int]
    scores: list[npt.NDArray[np.float64]]  # per answer, each point's score at its best window

    def qwk(self, threshold: float = THRESHOLD) -> float:
        """The QWK of the derived scores with the raters', a point covered from ``threshold``."""
        from sklearn.metrics import cohen_kappa_score

        ids = [point.id for point in self.data.rubric]
        derived = [
            derived_score(self.data, [i for i, v in zip(ids, s, strict=True) if v >= threshold])
            for s in self.scores
        ]
        return float(cohen_kappa_score(self.truth, derived, weights="quadratic"))


def _scored_sets(
    answered: list[Answered], matcher: KeyPointMatcher, rule: DecisionRule
) -> list[_ScoredSet]:
    """Each answer set's answers scored by ``rule``, each point at its best window."""
    by_set: dict[str, _ScoredSet] = {}
    for data, score, item, _ in answered:
        best = matcher.best_windows(item.features, item.windows, rule)
        at_best = item.features[best, np.arange(len(data.rubric))]
        scored = by_set.setdefault(data.name, _ScoredSet(data, [], []))
        scored.truth.append(score)
        scored.scores.append(rule.score(at_best))
    return list(by_set.values())


def _answer_figures(
    answered: list[Answered], matcher: KeyPointMatcher, rule: DecisionRule
) -> dict[str, Any]:
    """Each answer set's agreement with its raters on the fitted answers (QWK of the score)."""
    return {
        scored.data.name: {"answers": len(scored.truth), "qwk": round(scored.qwk(), 4)}
        for scored in _scored_sets(answered, matcher, rule)
    }


def _answer_threshold(
    answered: list[Answered], matcher: KeyPointMatcher, rule: DecisionRule
) -> tuple[DecisionRule, dict[str, Any]]:
    """The rule with its threshold moved for answers (``_threshold_for_answers``), and figures."""
    chosen, figures = _threshold_for_answers(_scored_sets(answered, matcher, rule))
    return dataclasses.replace(rule, intercept=_shifted(rule.intercept, chosen)), figures


def _threshold_for_answers(scored: Sequence[_ScoredSet]) -> tuple[float, dict[str, Any]]:
    """The threshold at which answers' derived scores agree best with their raters.

    A logistic fit places its threshold where F1 of "covered" peaks over every
    row, debate arguments included; a teacher's mark comes from how many points an
    answer covers, so the threshold is chosen among ANSWER_THRESHOLDS by the mean
    QWK of the answer sets' derived scores (the nearest to THRESHOLD on a tie).
    Returns it and the figures of the choice.
    """
    qwk = {t: float(np.mean([each.qwk(t) for each in scored])) for t in ANSWER_THRESHOLDS}
    chosen = max(ANSWER_THRESHOLDS, key=lambda t: (round(qwk[t], 6), -abs(t - THRESHOLD)))
    figures = {
        "chosen": chosen,
        "mean_qwk": {f"{t:.2f}": round(value, 4) for t, value in qwk.items()},
    }
    return chosen, figures


def _shifted(intercept: float, threshold: float) -> float:
    """A logistic rule's intercept moved so that ``threshold`` becomes THRESHOLD."""
    shift = math.log(threshold / (1.0 - threshold)) - math.log(THRESHOLD / (1.0 - THRESHOLD))
    return round(intercept - shift, 6)


def _labelled_rows(
    featured: list[EssayFeatures], matcher: KeyPointMatcher, rule: DecisionRule | None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int_], npt.NDArray[np.bool_]]:
    """Each labelled point's features at its best window, its label, and its essay kind."""
    rows, labels, is_pseudo = [], [], []
    for item in featured:
        best = matcher.best_windows(item.features, item.windows, rule)
        for index, point in enumerate(item.essay.points):
            if point.id in item.essay.labels:
                rows.append(item.features[best[index], index])
                labels.append(item.essay.labels[point.id])
                is_pseudo.append(item.essay.is_pseudo)
    return np.asarray(rows), np.asarray(labels), np.asarray(is_pseudo, dtype=bool)


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def train_decision_rule(
    data_path: Path,
    dev_path: Path | None,
    models_dir: Path | None,
    engine: str = "fast",
    answers: Sequence[ScoredAnswers] = (),
    command: str | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Fit the decision rule on ``data_path``, save it with its meta.json, return figures.

    ``dev_path`` is only scored after fitting, and its figures recorded. When the
    static embeddings were trained on part of the same data, their meta.json names
    the topics they were trained on, and the rule is fitted on the other topics only:
    on the table's own training pairs its cosines are higher than on any essay.
    """
    from essaycheck.engine import get_engine, load_embeddings
    from essaycheck.engine.checker import Checker
    from essaycheck.engine.pipelines import build_marking_nlp, load_checking_nlp
    from essaycheck.engine.rule import RULE_KIND, save_rule
    from essaycheck.engine.verification import ClaimVerifier
    from essaycheck.io.models import build_meta
    from essaycheck.io.models import models_dir as default_models_dir
    from essaycheck.training.dataset import load_labelled
    from essaycheck.training.evaluation import compute_metrics, score_texts

    spec = get_engine(engine)
    records = load_labelled(data_path)
    held_out = load_labelled(dev_path) if dev_path is not None else None
    folder = default_models_dir(models_dir)
    nlp = build_marking_nlp()
    matcher = KeyPointMatcher(load_embeddings(engine, folder))
    seen = set(matcher.embeddings.meta.get("training_topics") or [])
    fitted = [record for record in records if record.topic not in seen]
    if not fitted:
        raise DataError(
            f"{data_path}: the static embeddings were trained on every one of its topics, "
            "so a rule fitted on it would expect their cosines to be too high. Fit the "
            "rule on topics the embeddings held out (see their meta.json)."
        )
    figures: dict[str, Any] = {"train": fit_matcher(fitted, nlp, matcher, answers)}
    if held_out is not None:
        checker = Checker(nlp, matcher, spec, lambda: ClaimVerifier(load_checking_nlp()))
        dev = compute_metrics(list(score_texts(held_out, checker)))
        figures["dev"] = {
            key: round(value, 4) if isinstance(value, float) else value
            for key, value in dev.items()
        }
    if command is None:
        command = f"essaycheck train --data {data_path}"
        command += f" --dev {dev_path}" if dev_path is not None else ""
        command += f" --engine {spec.key}"
    meta = build_meta(
        name=spec.rule_dir,
        kind=RULE_KIND,
        description=spec.description,
        engine=spec.key,
        embeddings=matcher.embeddings.name,
        training_data={
            "file": data_path.name,
            "path": str(data_path),
            "sha256": file_sha256(data_path),
            "texts": len(fitted),
            "topics": sorted({record.topic for record in fitted}),
            "datasets": sorted({record.dataset for record in records}),
            "licence": DATA_LICENCES.get(records[0].dataset, "see the data's own README"),
        },
        held_out_data=(
            {"file": dev_path.name, "path": str(dev_path), "sha256": file_sha256(dev_path)}
            if dev_path is not None
            else None
        ),
        settings={
            "random_state": RANDOM_STATE,
            "pseudo_essays_per_text": PSEUDO_ESSAYS_PER_TEXT,
            "arguments_per_essay": list(ARGUMENTS_PER_ESSAY),
            "distractors_per_essay": list(DISTRACTORS_PER_ESSAY),
            "fitting_passes": PASSES_WITH_ANSWERS if answers else FITTING_PASSES,
            "answer_weight": ANSWER_WEIGHT if answers else None,
        },
        answer_data=[
            {
                "name": data.name,
                "answers": len(data.answers),
                "scheme": [{"prefix": g.prefix, "cap": g.cap} for g in data.groups],
                "answers_with_point_labels": len(data.point_labels),
                "licence": data.licence,
            }
            for data in answers
        ],
        figures=figures,
        command=command,
    )
    path = save_rule(matcher.decision_rule(), folder / spec.rule_dir, meta)
    return path, figures
