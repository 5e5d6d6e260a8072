"""Benchmark coverage decisions on real student answers (ASAP-SAS sets 1 and 2).

Run from the repository root (the shared data sits in ../shared by default):

    python benchmarks/benchmark_asap.py                        # report on stdout
    python benchmarks/benchmark_asap.py --write docs/asap.md   # and into the docs
    python benchmarks/benchmark_asap.py --split dev            # only the dev rows

Each set's answers are marked against the set's rubric by every engine (``fast``,
and ``precise`` when onnxruntime imports) through ``Checker.check_many``, and by
the keyword checker that ../shared/data/asap/README.md describes. An answer's
0-3 score follows from its covered points by the README's rule; the report gives
the quadratic weighted kappa (QWK) of that score with the first rater's, the
Spearman correlation of the covered count with it, the human QWK, how many
points each marker credits on answers people scored 0, and how the engine's
``needs_review`` flags sit on the answers it scores wrongly. As an off-topic
check, each marker also marks the *other* set's dev answers against each
rubric: answers to another prompt should credit nothing (the two prompts are
both about a lab procedure, so this is a near-topic test, harder than an essay
on another subject).

Splits: each set's answers are ordered by the SHA-256 of their id; the first
60% are ``train``, the rest ``dev``. Fit on train, report dev. The answers are
read from ../shared/data at run time only: none of their text is written out.
The report is Markdown; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shlex
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import numpy as np
from machine import cpu_name, emit, progress

import essaycheck
from essaycheck.engine import load_checker
from essaycheck.engine.checker import Checker
from essaycheck.io.essays import Essay
from essaycheck.rubric import KeyPoint, Rubric, load_rubric
from essaycheck.training.answers import by_answer, read_point_labels

REPO_ROOT = Path(__file__).resolve().parent.parent
SETS = (1, 2)
ENGINES = ("fast", "entail", "precise")
KEYWORD = "keyword"
TRAIN_SHARE = 0.6
# The split hashes "essaycheck-asap-split:" + id. The unsalted SHA-256 of the id will not
# do: it is correlated with the human score on this sample (set 2's dev would hold 102 of
# the 150 score-0 answers), as if the sample itself had been drawn by that hash.
SPLIT_SALT = "essaycheck-asap-split:"
SPLITS = ("all", "train", "dev")
DEFAULT_SPLITS = ("all", "dev")
MAX_SCORE = 3
SET2_IMPROVEMENTS = 2

# ../shared/data/asap/README.md, "Figures on this sample" (all 600 answers of a set).
REFERENCE: dict[int, dict[str, float]] = {
    1: {"human": 0.948, KEYWORD: 0.475, "fast": 0.401, "precise": 0.449},
    2: {"human": 0.942, KEYWORD: 0.261, "fast": 0.225, "precise": 0.300},
}

_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Answer:
    """One student answer and its two human scores."""

    id: str
    set: int
    text: str
    score1: int
    score2: int


@dataclass(frozen=True)
class Marked:
    """One marker's decisions on one answer: the covered points and the close calls."""

    covered: frozenset[str]
    needs_review: frozenset[str]
    failed: bool = False


@dataclass(frozen=True)
class MarkerRun:
    """Every answer of one set as one marker marked it."""

    marker: str
    points: int
    decisions: dict[str, Marked]
    seconds: float


@dataclass(frozen=True)
class Figures:
    """One row of the report: a set, a marker and a split."""

    set: int
    marker: str
    split: str
    answers: int
    qwk: float | None
    spearman: float | None
    human_qwk: float | None
    zero_answers: int
    zero_mean_credited: float
    over: float  # share of answers whose derived score is above score1
    under: float  # ... and below it
    wrong_with_review: float | None  # share of wrongly scored answers with a needs_review
    right_with_review: float | None  # the same share among correctly scored answers
    review_share: float  # share of all (answer, point) decisions flagged needs_review
    failed: int

    @property
    def wrong(self) -> float:
        """Share of answers whose derived score differs from score1."""
        return self.over + self.under


# --- data and splits --------------------------------------------------------------------


def load_answers(path: Path) -> list[Answer]:
    """Read one set's answers (JSON Lines: id, set, text, score1, score2)."""
    answers = []
    with path.open(encoding="utf-8") as file:
        for line in file:
            if line.strip():
                row = json.loads(line)
                answers.append(
                    Answer(
                        id=str(row["id"]),
                        set=int(row["set"]),
                        text=row["text"],
                        score1=int(row["score1"]),
                        score2=int(row["score2"]),
                    )
                )
    return answers


def split_ids(ids: Iterable[str], train_share: float = TRAIN_SHARE) -> dict[str, str]:
    """Assign each id to train (the first 60% by salted SHA-256 of the id) or dev (the rest)."""
    ordered = sorted(ids, key=_split_hash)
    cut = round(len(ordered) * train_share)
    return {key: "train" if index < cut else "dev" for index, key in enumerate(ordered)}


def _split_hash(key: str) -> str:
    return hashlib.sha256((SPLIT_SALT + key).encode("utf-8")).hexdigest()


def in_split(answers: Sequence[Answer], splits: dict[str, str], split: str) -> list[Answer]:
    """The answers of one split (``all``: every answer)."""
    return [answer for answer in answers if split == "all" or splits[answer.id] == split]


# --- the score rule ----------------------------------------------------------------------


def derived_score(set_number: int, covered: Iterable[str]) -> int:
    """An answer's 0-3 score from its covered point ids, by the set's rule (asap/README.md)."""
    covered = list(covered)
    if set_number == 1:
        return min(MAX_SCORE, len(covered))
    if set_number == 2:
        conclusion = any(point.startswith("conclusion-") for point in covered)
        improvements = sum(point.startswith("improvement-") for point in covered)
        return int(conclusion) + min(SET2_IMPROVEMENTS, improvements)
    raise ValueError(f"no score rule for set {set_number}")


# --- markers -------------------------------------------------------------------------------


class KeywordChecker:
    """The README's keyword baseline.

    A point is credited when at least half of the content words of the point's
    text, or of one of its examples, occur in the answer. Content words: runs of
    ``[a-z0-9]`` in the lower-cased text, spaCy's English stop words dropped,
    stemmed with PyStemmer's English Snowball stemmer.
    """

    def __init__(
        self,
        rubric: Rubric,
        *,
        strict: bool = False,
        phrasings: Callable[[KeyPoint], Sequence[str]] = lambda point: point.phrasings,
        stop_after_stemming: bool = False,
    ) -> None:
        import Stemmer
        from spacy.lang.en.stop_words import STOP_WORDS

        self._stemmer = Stemmer.Stemmer("english")
        self._stop_words = STOP_WORDS
        self._strict = strict
        self._stop_after_stemming = stop_after_stemming
        self._points = [
            (point.id, [stems for text in phrasings(point) if (stems := self.content(text))])
            for point in rubric
        ]

    @property
    def points(self) -> int:
        """How many points the rubric has."""
        return len(self._points)

    def content(self, text: str) -> frozenset[str]:
        """The stems of the text's content words."""
        words = _WORD.findall(text.lower())
        if self._stop_after_stemming:
            stems = self._stemmer.stemWords(words)
            return frozenset(stem for stem in stems if stem not in self._stop_words)
        return frozenset(
            self._stemmer.stemWords([word for word in words if word not in self._stop_words])
        )

    def credits(self, text: str) -> frozenset[str]:
        """The ids of the points the text is credited with."""
        answer = self.content(text)
        return frozenset(
            point_id
            for point_id, phrasings in self._points
            if any(self._enough(len(stems & answer), len(stems)) for stems in phrasings)
        )

    def _enough(self, found: int, total: int) -> bool:
        return 2 * found > total if self._strict else 2 * found >= total


def mark_keyword(answers: Sequence[Answer], checker: KeywordChecker) -> MarkerRun:
    """Mark every answer with a keyword checker (it flags nothing for review)."""
    started = time.perf_counter()
    decisions = {
        answer.id: Marked(covered=checker.credits(answer.text), needs_review=frozenset())
        for answer in answers
    }
    return MarkerRun(KEYWORD, checker.points, decisions, time.perf_counter() - started)


def mark_engine(
    name: str, checker: Checker, answers: Sequence[Answer], rubric: Rubric
) -> MarkerRun:
    """Mark every answer with an engine's ``Checker.check_many``."""
    started = time.perf_counter()
    essays = [Essay(name=answer.id, text=answer.text) for answer in answers]
    decisions: dict[str, Marked] = {}
    for result in checker.check_many(essays, rubric):
        decisions[result.name] = Marked(
            covered=frozenset(point.point.id for point in result.points if point.is_covered),
            needs_review=frozenset(point.point.id for point in result.points if point.needs_review),
            failed=result.is_failed,
        )
    missing = {answer.id for answer in answers} - decisions.keys()
    if missing:
        raise RuntimeError(f"{name}: no result for {len(missing)} answers")
    return MarkerRun(name, len(rubric), decisions, time.perf_counter() - started)


def available_engines(requested: Sequence[str]) -> tuple[list[str], list[str]]:
    """The requested engines that can run here, and notes on those skipped."""
    engines, skipped = [], []
    for engine in requested:
        if engine == "precise":
            try:
                import onnxruntime  # noqa: F401
            except ImportError as error:
                skipped.append(f"precise skipped: onnxruntime does not import ({error})")
                continue
        engines.append(engine)
    return engines, skipped


# --- figures -------------------------------------------------------------------------------


def qwk(first: Sequence[int], second: Sequence[int]) -> float | None:
    """Quadratic weighted kappa over the 0-3 scale (None when undefined)."""
    from sklearn.metrics import cohen_kappa_score

    if not first:
        return None
    value = cohen_kappa_score(first, second, weights="quadratic", labels=list(range(4)))
    return None if np.isnan(value) else float(value)


def spearman(first: Sequence[float], second: Sequence[float]) -> float | None:
    """Spearman's rank correlation (None when either side is constant)."""
    if len(set(first)) < 2 or len(set(second)) < 2:
        return None
    try:
        from scipy.stats import spearmanr
    except ImportError:
        ranks = [_average_ranks(np.asarray(values, dtype=float)) for values in (first, second)]
        return float(np.corrcoef(ranks[0], ranks[1])[0, 1])
    return float(spearmanr(first, second).statistic)


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties given their mean rank (scipy's rankdata, method='average')."""
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    for value in np.unique(values):
        tied = values == value
        ranks[tied] = ranks[tied].mean()
    return ranks


def figures(set_number: int, split: str, answers: Sequence[Answer], run: MarkerRun) -> Figures:
    """The report's figures for one marker on one set's answers of one split."""
    marked = [run.decisions[answer.id] for answer in answers]
    humans = [answer.score1 for answer in answers]
    derived = [derived_score(set_number, item.covered) for item in marked]
    zero = [item for item, answer in zip(marked, answers, strict=True) if answer.score1 == 0]
    wrong = [item for item, d, h in zip(marked, derived, humans, strict=True) if d != h]
    right = [item for item, d, h in zip(marked, derived, humans, strict=True) if d == h]
    decisions_flagged = sum(len(item.needs_review) for item in marked)
    return Figures(
        set=set_number,
        marker=run.marker,
        split=split,
        answers=len(answers),
        qwk=qwk(humans, derived),
        spearman=spearman([len(item.covered) for item in marked], humans),
        human_qwk=qwk(humans, [answer.score2 for answer in answers]),
        zero_answers=len(zero),
        zero_mean_credited=_mean([len(item.covered) for item in zero]),
        over=_share(sum(d > h for d, h in zip(derived, humans, strict=True)), len(answers)),
        under=_share(sum(d < h for d, h in zip(derived, humans, strict=True)), len(answers)),
        wrong_with_review=_flagged_share(wrong),
        right_with_review=_flagged_share(right),
        review_share=_share(decisions_flagged, len(answers) * run.points),
        failed=sum(item.failed for item in marked),
    )


def _mean(values: Sequence[int]) -> float:
    return float(np.mean(values)) if values else 0.0


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def _flagged_share(marked: Sequence[Marked]) -> float | None:
    """Share of the answers with at least one needs_review decision (None for no answers)."""
    return sum(bool(item.needs_review) for item in marked) / len(marked) if marked else None


def zero_credits(answers: Sequence[Answer], run: MarkerRun, score: int) -> Counter[str]:
    """How many answers people scored ``score`` (score1) each point is credited on."""
    return Counter(
        point
        for answer in answers
        if answer.score1 == score
        for point in run.decisions[answer.id].covered
    )


# keyword-checker variants, to show how sensitive its figures are to the details
KEYWORD_VARIANTS: dict[str, dict[str, object]] = {
    "as described: >= half, text or an example (the rows above)": {},
    "more than half (strict), text or an example": {"strict": True},
    ">= half, the point's text only": {"phrasings": lambda point: (point.text,)},
    ">= half, the examples only (the text where none)": {
        "phrasings": lambda point: point.examples or (point.text,)
    },
    ">= half, stop words dropped after stemming": {"stop_after_stemming": True},
}


def keyword_variants(data: dict[int, tuple[Rubric, list[Answer]]]) -> dict[str, dict[int, float]]:
    """QWK against score1 on all answers of each set, for each keyword-checker variant."""
    table: dict[str, dict[int, float]] = {}
    for name, options in KEYWORD_VARIANTS.items():
        table[name] = {}
        for set_number, (rubric, answers) in data.items():
            checker = KeywordChecker(rubric, **options)  # type: ignore[arg-type]
            run = mark_keyword(answers, checker)
            humans = [answer.score1 for answer in answers]
            derived = [derived_score(set_number, run.decisions[a.id].covered) for a in answers]
            table[name][set_number] = qwk(humans, derived) or 0.0
    return table


# --- the report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SetResult:
    """Everything measured on one set."""

    set: int
    rubric: Rubric
    answers: list[Answer]
    splits: dict[str, str]
    runs: list[MarkerRun]
    # the other set's dev answers marked against this set's rubric, per marker
    crossed: list[MarkerRun] = field(default_factory=list)


def render_report(
    command: str,
    results: list[SetResult],
    splits: Sequence[str],
    engines: dict[str, dict[str, object]],
    skipped: list[str],
    variants: dict[str, dict[int, float]],
    total_seconds: float,
) -> str:
    """Return the whole Markdown report."""
    rows = [
        figures(result.set, split, in_split(result.answers, result.splits, split), run)
        for result in results
        for split in splits
        for run in result.runs
    ]
    lines = [
        "# Coverage decisions on real student answers (ASAP-SAS sets 1 and 2)",
        "",
        f"Produced by `{command}` (from the repository root) on "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, in {total_seconds:.0f} s.",
        "",
        f"- machine: {platform.platform()}, {cpu_name()}, {os.cpu_count()} CPUs; "
        f"Python {platform.python_version()}",
        f"- essaycheck {essaycheck.__version__}; spaCy {version('spacy')}, "
        f"scikit-learn {version('scikit-learn')}, PyStemmer {version('PyStemmer')}"
        + (f", onnxruntime {version('onnxruntime')}" if "precise" in engines else ""),
        *(
            f"- engine `{key}`: " + ", ".join(f"{name} `{value}`" for name, value in info.items())
            for key, info in engines.items()
        ),
        *(f"- {note}" for note in skipped),
        "- data: `../shared/data/asap/set{1,2}.answers.jsonl` and `set{1,2}.rubric.json` "
        "(600 answers per set, 150 at each human score); read at run time, none of it is "
        "copied here.",
        f"- splits: each set's answers ordered by the SHA-256 of `{SPLIT_SALT}` + their id; "
        f"the first {TRAIN_SHARE:.0%} are `train`, the rest `dev`. `all` is every answer. Fit "
        "on train, report dev. (Unsalted, the hash is correlated with the human score on this "
        "sample.) Answers per `score1` 0/1/2/3: "
        + "; ".join(_split_counts(result) for result in results)
        + ".",
        "",
        *_method_section(),
        *_main_table(rows),
        *_review_table(rows),
        *_points_section(results, splits),
        *_reference_table(rows),
        *_keyword_section(variants),
        *_zero_section(results),
        *_crossed_section(results),
        *_timing_section(results),
        *_notes(rows, results),
    ]
    return "\n".join(lines) + "\n"


def _split_counts(result: SetResult) -> str:
    parts = []
    for split in ("train", "dev"):
        counts = Counter(a.score1 for a in in_split(result.answers, result.splits, split))
        parts.append(f"{split} " + "/".join(str(counts[s]) for s in range(MAX_SCORE + 1)))
    return f"set {result.set} " + ", ".join(parts)


def _method_section() -> list[str]:
    return [
        "## What is measured",
        "",
        "- **derived score**: set 1, the number of covered points capped at 3; set 2, 1 if any "
        "`conclusion-*` point is covered plus 1 per covered `improvement-*` point, up to 2 "
        "(`asap/README.md`).",
        "- **QWK**: quadratic weighted kappa of the derived score with `score1`; **human QWK**: "
        "`score1` with `score2` on the same answers; **Spearman**: of the number of covered "
        "points with `score1`.",
        "- **keyword**: the README's keyword checker, a point credited when at least half of "
        "the content words (lower-cased `[a-z0-9]+` runs, spaCy's English stop words dropped, "
        "PyStemmer's English Snowball stems) of its text or of one of its examples occur in "
        "the answer.",
        "- **needs_review**: whether a point is truly covered is not labelled here, so it is "
        "measured per answer: the share of answers whose derived score differs from `score1`, "
        "the share of those with at least one `needs_review` decision (and, for contrast, the "
        "same share among the answers scored right), and the share of all (answer, point) "
        "decisions flagged. The keyword checker flags nothing.",
        "",
    ]


def _main_table(rows: list[Figures]) -> list[str]:
    return [
        "## Agreement with the first rater",
        "",
        "| set | marker | split | answers | QWK | Spearman (count) | human QWK "
        "| mean credited, score-0 answers (n) | derived > score1 | derived < score1 |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *(
            f"| {row.set} | {row.marker} | {row.split} | {row.answers} | {_f(row.qwk)} "
            f"| {_f(row.spearman)} | {_f(row.human_qwk)} "
            f"| {row.zero_mean_credited:.2f} ({row.zero_answers}) | {row.over:.1%} "
            f"| {row.under:.1%} |"
            for row in rows
        ),
        "",
    ]


def _review_table(rows: list[Figures]) -> list[str]:
    engine_rows = [row for row in rows if row.marker != KEYWORD]
    return [
        "## needs_review",
        "",
        "| set | engine | split | answers scored wrong | of those, with a needs_review "
        "| of those scored right, with a needs_review | decisions flagged | failed answers |",
        "|---|---|---|---|---|---|---|---|",
        *(
            f"| {row.set} | {row.marker} | {row.split} | {row.wrong:.1%} "
            f"| {_pct(row.wrong_with_review)} | {_pct(row.right_with_review)} "
            f"| {row.review_share:.1%} | {row.failed} |"
            for row in engine_rows
        ),
        "",
    ]


# Point by point: labels/README.md says which answer states which point.
LABELS = {split: REPO_ROOT / "labels" / f"asap-{split}-points.csv" for split in ("train", "dev")}


@dataclass(frozen=True)
class PointFigures:
    """One marker's decisions, point by point, against the labels of one split."""

    decisions: int
    precision: float
    recall: float
    f1: float
    accuracy: float
    flagged: float | None  # share of decisions marked needs_review
    wrong_flagged: float | None  # share of the wrong decisions among them


def point_figures(
    run: MarkerRun, labels: dict[str, dict[str, int]], answers: Sequence[Answer], engine: bool
) -> PointFigures | None:
    """Compare ``run``'s decisions on ``answers`` with the labels (unsure ones left out)."""
    hits = misses = false = right_missing = flagged = wrong = wrong_flagged = 0
    for answer in answers:
        marked = run.decisions[answer.id]
        for point, label in labels.get(answer.id, {}).items():
            covered = point in marked.covered
            hits += covered and label == 1
            false += covered and label == 0
            misses += not covered and label == 1
            right_missing += not covered and label == 0
            is_wrong = covered != (label == 1)
            wrong += is_wrong
            flagged += point in marked.needs_review
            wrong_flagged += is_wrong and point in marked.needs_review
    decisions = hits + misses + false + right_missing
    if not decisions:
        return None
    precision = hits / max(1, hits + false)
    recall = hits / max(1, hits + misses)
    return PointFigures(
        decisions,
        precision,
        recall,
        2 * precision * recall / max(1e-12, precision + recall),
        (hits + right_missing) / decisions,
        flagged / decisions if engine else None,
        wrong_flagged / wrong if engine and wrong else None,
    )


def _points_section(results: list[SetResult], splits: Sequence[str]) -> list[str]:
    labelled = {
        split: by_answer(read_point_labels(path))
        for split, path in LABELS.items()
        if path.is_file() and split in splits
    }
    if not labelled:
        return []
    lines = [
        "## Point by point, against the labels",
        "",
        "Each decision (an answer and a point) against `labels/asap-{train,dev}-points.csv`, "
        "which say which answer states which point (labels/README.md; pairs labelled `?` "
        "are left out). The dev labels are never fitted on. `needs_review`: the share of the "
        "decisions flagged, and the share of the wrong decisions among them.",
        "",
        "| set | marker | split | decisions | precision | recall | F1 | accuracy "
        "| flagged | wrong decisions flagged |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        for split, labels in labelled.items():
            answers = in_split(result.answers, result.splits, split)
            for run in result.runs:
                found = point_figures(run, labels, answers, run.marker != KEYWORD)
                if found is None:
                    continue
                lines.append(
                    f"| {result.set} | {run.marker} | {split} | {found.decisions} "
                    f"| {found.precision:.3f} | {found.recall:.3f} | **{found.f1:.3f}** "
                    f"| {found.accuracy:.3f} | {_pct(found.flagged)} "
                    f"| {_pct(found.wrong_flagged)} |"
                )
    return [*lines, ""]


def _reference_table(rows: list[Figures]) -> list[str]:
    all_rows = {(row.set, row.marker): row for row in rows if row.split == "all"}
    if not all_rows:
        return []
    markers = sorted({marker for _, marker in all_rows}, key=_marker_order)
    lines = [
        "## Against the README's figures (all 600 answers of a set)",
        "",
        "| set | human QWK (here / README) | "
        + " | ".join(f"{marker} QWK (here / README)" for marker in markers)
        + " |",
        "|---|---|" + "---|" * len(markers),
    ]
    for set_number, reference in REFERENCE.items():
        here = [all_rows.get((set_number, marker)) for marker in markers]
        if not any(here):
            continue
        human = next(row.human_qwk for row in here if row is not None)
        lines.append(
            f"| {set_number} | {_f(human)} / {_f(reference['human'])} | "
            + " | ".join(
                f"{_f(row.qwk if row else None)} / {_f(reference.get(marker))}"
                for row, marker in zip(here, markers, strict=True)
            )
            + " |"
        )
    return [*lines, ""]


def _keyword_section(variants: dict[str, dict[int, float]]) -> list[str]:
    if not variants:
        return []
    return [
        "### How sensitive the keyword checker is to its details (all answers, QWK)",
        "",
        "| variant | set 1 | set 2 |",
        "|---|---|---|",
        *(
            f"| {name} | {_f(values.get(1))} | {_f(values.get(2))} |"
            for name, values in variants.items()
        ),
        f"| README | {_f(REFERENCE[1][KEYWORD])} | {_f(REFERENCE[2][KEYWORD])} |",
        "",
    ]


def _zero_section(results: list[SetResult]) -> list[str]:
    lines = [
        "## Which points are credited on answers people scored 0 (all answers)",
        "",
        "Each cell: the number of score-0 answers (`score1` = 0) credited with the point / "
        "the number of score-3 answers credited with it, for contrast.",
        "",
    ]
    for result in results:
        markers = [run.marker for run in result.runs]
        zeros = sum(answer.score1 == 0 for answer in result.answers)
        threes = sum(answer.score1 == MAX_SCORE for answer in result.answers)
        credits = {
            run.marker: (zero_credits(result.answers, run, 0), zero_credits(result.answers, run, 3))
            for run in result.runs
        }
        lines += [
            f"Set {result.set} ({zeros} score-0 answers, {threes} score-3 answers):",
            "",
            "| point | " + " | ".join(markers) + " |",
            "|---|" + "---|" * len(markers),
            *(
                f"| `{point.id}` | "
                + " | ".join(
                    f"{credits[marker][0][point.id]} / {credits[marker][1][point.id]}"
                    for marker in markers
                )
                + " |"
                for point in result.rubric
            ),
            "",
        ]
    return lines


def _crossed_section(results: list[SetResult]) -> list[str]:
    if not any(result.crossed for result in results):
        return []
    lines = [
        "## Answers to the other prompt (off topic)",
        "",
        "Each set's rubric against the other set's dev answers, which cover none of its "
        "points: the points credited per answer on average, and the share of answers "
        "credited at least one point (ideal: 0 and 0%).",
        "",
        "| rubric | answers | " + " | ".join(run.marker for run in results[0].crossed) + " |",
        "|---|---|" + "---|" * len(results[0].crossed),
    ]
    for result in results:
        cells = []
        for run in result.crossed:
            credited = [len(marked.covered) for marked in run.decisions.values()]
            cells.append(
                f"{_mean(credited):.2f} ({_share(sum(c > 0 for c in credited), len(credited)):.0%})"
            )
        answers = len(result.crossed[0].decisions) if result.crossed else 0
        lines.append(
            f"| set {result.set} | {answers} of set {3 - result.set} | " + " | ".join(cells) + " |"
        )
    return [*lines, ""]


def _timing_section(results: list[SetResult]) -> list[str]:
    totals: dict[str, float] = {}
    for result in results:
        for run in result.runs:
            totals[run.marker] = totals.get(run.marker, 0.0) + run.seconds
    answers = sum(len(result.answers) for result in results)
    return [
        "## Time",
        "",
        f"Marking all {answers} answers (both sets), one process, engine loading excluded:",
        "",
        "| marker | seconds | answers/s |",
        "|---|---|---|",
        *(
            f"| {marker} | {seconds:.1f} | {answers / seconds:,.0f} |"
            for marker, seconds in sorted(totals.items(), key=lambda item: _marker_order(item[0]))
        ),
        "",
    ]


def _notes(rows: list[Figures], results: list[SetResult]) -> list[str]:
    lines = ["## Notes", ""]
    by_key = {(row.set, row.marker, row.split): row for row in rows}
    for result in results:
        keyword = by_key.get((result.set, KEYWORD, "all"))
        for run in result.runs:
            if run.marker == KEYWORD:
                continue
            engine = by_key.get((result.set, run.marker, "all"))
            if engine is None or keyword is None:
                continue
            zero_engine = zero_credits(result.answers, run, 0)
            top = ", ".join(f"`{point}` {count}" for point, count in zero_engine.most_common(3))
            lines.append(
                f"- Set {result.set}, {run.marker}: QWK {_f(engine.qwk)} against the keyword "
                f"checker's {_f(keyword.qwk)}; on score-0 answers it credits "
                f"{engine.zero_mean_credited:.2f} points on average (keyword "
                f"{keyword.zero_mean_credited:.2f}), most often {top or 'none'}. It scores "
                f"{engine.over:.0%} of answers above the first rater and {engine.under:.0%} "
                f"below."
            )
    lines += _keyword_note(by_key)
    lines += _review_note(rows)
    lines += _inverted_note(results)
    return [*lines, ""]


def _keyword_note(by_key: dict[tuple[int, str, str], Figures]) -> list[str]:
    here = [by_key.get((set_number, KEYWORD, "all")) for set_number in SETS]
    if any(row is None for row in here):
        return []
    agrees = all(
        row is not None
        and row.qwk is not None
        and abs(row.qwk - REFERENCE[row.set][KEYWORD]) < 0.02
        for row in here
    )
    figures_here = " / ".join(_f(row.qwk) for row in here if row is not None)
    readme = " / ".join(_f(REFERENCE[set_number][KEYWORD]) for set_number in SETS)
    if agrees:
        return [f"- The keyword checker scores {figures_here}, as the README's {readme}."]
    return [
        f"- **The keyword checker does not reproduce the README**: {figures_here} here against "
        f"{readme} (sets 1 / 2). The human and engine QWKs match the README's to the third "
        "decimal, so the answers, rubrics and score rule are the README's; the difference is "
        "in the keyword checker's details, which the README leaves open (how words are split, "
        "whether exactly half counts, stop words before or after stemming, which phrasings). "
        "None of the variants in the table above gives both of its figures; the rows here "
        "follow the definition as stated (at least half, text or any example)."
    ]


def _review_note(rows: list[Figures]) -> list[str]:
    lines = []
    for row in rows:
        if row.marker == KEYWORD or row.split != "all":
            continue
        lines.append(
            f"- needs_review, set {row.set}, {row.marker}: {_pct(row.wrong_with_review)} of the "
            f"answers it scores wrongly carry a flag, but so do {_pct(row.right_with_review)} "
            f"of those it scores right ({row.review_share:.0%} of all decisions are flagged): "
            "at the answer level the flag hardly tells the two apart."
        )
    return lines


def _inverted_note(results: list[SetResult]) -> list[str]:
    lines = []
    for result in results:
        for run in result.runs:
            zeros, threes = (
                zero_credits(result.answers, run, 0),
                zero_credits(result.answers, run, 3),
            )
            inverted = [
                f"`{point.id}` ({zeros[point.id]} / {threes[point.id]})"
                for point in result.rubric
                if zeros[point.id] and zeros[point.id] >= 0.8 * threes[point.id]
            ]
            if inverted:
                lines.append(
                    f"- Set {result.set}, {run.marker}: credited on score-0 answers nearly as "
                    "often as on score-3 answers, or more (score-0 / score-3 credits): "
                    + ", ".join(inverted)
                    + "."
                )
    return lines


def _marker_order(marker: str) -> tuple[int, str]:
    order = [*ENGINES, KEYWORD]
    return (order.index(marker) if marker in order else len(order), marker)


def _f(value: float | None) -> str:
    """Format a figure as .xxx (— when absent)."""
    if value is None:
        return "—"
    return f"{value:.3f}".replace("0.", ".", 1) if 0 <= value < 1 else f"{value:.3f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def main(argv: list[str] | None = None) -> None:
    """Mark both sets with every engine and the keyword checker; print (or write) the report."""
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
        "--engine",
        dest="engines",
        action="append",
        choices=ENGINES,
        help="an engine to mark with (repeatable; default: fast, and precise when "
        "onnxruntime imports)",
    )
    parser.add_argument(
        "--split",
        dest="splits",
        action="append",
        choices=SPLITS,
        help="report this split (repeatable; default: all and dev)",
    )
    parser.add_argument("--write", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)
    command = shlex.join(["python", *(sys.argv if argv is None else ["benchmark_asap.py", *argv])])
    splits = list(dict.fromkeys(args.splits or DEFAULT_SPLITS))

    started = time.perf_counter()
    folder = args.shared / "data" / "asap"
    data = {
        number: (
            load_rubric(folder / f"set{number}.rubric.json"),
            load_answers(folder / f"set{number}.answers.jsonl"),
        )
        for number in SETS
    }
    results = [
        SetResult(number, rubric, answers, split_ids(a.id for a in answers), [])
        for number, (rubric, answers) in data.items()
    ]
    engines, skipped = available_engines(args.engines or ENGINES)
    infos: dict[str, dict[str, object]] = {}
    for engine in engines:
        progress(f"loading {engine}")
        checker = load_checker(engine, args.models_dir)
        infos[engine] = checker.info().to_dict()
        for result in results:
            progress(f"set {result.set}: {engine} on {len(result.answers)} answers")
            run = mark_engine(engine, checker, result.answers, result.rubric)
            progress(f"  {run.seconds:.1f} s")
            result.runs.append(run)
        for result in results:
            result.crossed.append(
                mark_engine(engine, checker, _other_dev(results, result), result.rubric)
            )
        del checker
    progress("keyword checker")
    for result in results:
        result.runs.append(mark_keyword(result.answers, KeywordChecker(result.rubric)))
        result.crossed.append(
            mark_keyword(_other_dev(results, result), KeywordChecker(result.rubric))
        )
    variants = keyword_variants(data)
    report = render_report(
        command,
        results,
        splits,
        infos,
        skipped,
        variants,
        total_seconds=time.perf_counter() - started,
    )
    emit(report, args.write)


def _other_dev(results: list[SetResult], result: SetResult) -> list[Answer]:
    """The dev answers of the set that is not ``result``'s."""
    other = next(r for r in results if r.set != result.set)
    return in_split(other.answers, other.splits, "dev")


if __name__ == "__main__":
    main()
