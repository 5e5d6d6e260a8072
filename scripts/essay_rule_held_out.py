"""How the entail engine's essays' rule decides a topic of marked essays it was not fitted on.

Each topic of labels/essays is held out in turn: the essays' rule is fitted on the
other topics (from the shipped answers' rule, as scripts/fit_entailment_rule.py
fits it on all of them), and the held-out topic's essays are marked by the whole
entail engine with that rule, parser checks included, against their marks. The
example essays of benchmarks/benchmark_engine.py are never read. Then the topics
of labels/essays-held-out, never fitted on, are marked by the rule fitted on every
topic of labels/essays (the shipped one), and by the fast and precise engines beside it.

    python scripts/essay_rule_held_out.py [--essays labels/essays] [--only TOPIC ...]

``--only`` fits on those topics alone (the others are still each decided as
held out, by a rule fitted on the listed topics other than themselves).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

from essaycheck.engine import load_checker  # noqa: E402
from essaycheck.engine.checker import Checker  # noqa: E402
from essaycheck.engine.entailment import (  # noqa: E402
    EntailmentRule,
    EntailmentStage,
    load_entailment_rule,
)
from essaycheck.io.essays import Essay  # noqa: E402
from essaycheck.training.entailment import fit_essay_rule  # noqa: E402
from essaycheck.training.essays import MarkedEssays, marked_essay_sets  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--essays", type=Path, default=REPO / "labels" / "essays")
    parser.add_argument("--held-out", type=Path, default=REPO / "labels" / "essays-held-out")
    parser.add_argument("--only", nargs="*", default=None, help="topics to fit on")
    args = parser.parse_args()
    entail = load_checker("entail")
    assert entail.entailment is not None
    model = entail.entailment.model
    shipped = load_entailment_rule(REPO / "models" / "decision-rule")
    assert shipped is not None
    answers_rule = replace(shipped, essay=None)
    reading = Checker(entail.nlp, entail.matcher, entail.spec, entail._load_verifier, None)
    topics = marked_essay_sets(args.essays)
    fitted_on = [t for t in topics if args.only is None or t.name in args.only]
    totals = [0, 0, 0, 0]
    print("| held-out topic | fitted on | essays | TP | FP | FN | TN | F1 |")
    print("|---|---|---|---|---|---|---|---|")
    for held in topics:
        others = [t for t in fitted_on if t.name != held.name]
        essay_rule, _ = fit_essay_rule(reading, model, others, answers_rule)
        checker = _with_rule(entail, replace(answers_rule, essay=essay_rule))
        counts = _counts(checker, held)
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        names = ", ".join(t.name for t in others)
        print(f"| {held.name} | {names} | {len(held.texts)} | " + _row(counts))
    print(f"| **all** | | {sum(len(t.texts) for t in topics)} | " + _row(totals))
    held_out = marked_essay_sets(args.held_out) if args.held_out.is_dir() else []
    if not held_out:
        return
    essay_rule, _ = fit_essay_rule(reading, model, fitted_on, answers_rule)
    engines = {
        "entail": _with_rule(entail, replace(answers_rule, essay=essay_rule)),
        "fast": load_checker("fast"),
    }
    if importlib.util.find_spec("onnxruntime") is not None:  # the precise extra
        engines["precise"] = load_checker("precise")
    names = ", ".join(t.name for t in fitted_on)
    print()
    print(f"Never fitted on ({args.held_out.name}); the essays' rule fitted on {names}:")
    print()
    print("| topic | engine | essays | TP | FP | FN | TN | F1 |")
    print("|---|---|---|---|---|---|---|---|")
    for engine, checker in engines.items():
        totals = [0, 0, 0, 0]
        for held in held_out:
            counts = _counts(checker, held)
            totals = [a + b for a, b in zip(totals, counts, strict=True)]
            print(f"| {held.name} | {engine} | {len(held.texts)} | " + _row(counts))
        print(f"| **all** | {engine} | {sum(len(t.texts) for t in held_out)} | " + _row(totals))


def _with_rule(entail: Checker, rule: EntailmentRule) -> Checker:
    """The entail engine deciding by ``rule``."""
    assert entail.entailment is not None
    stage = EntailmentStage(entail.entailment.model, rule)
    return Checker(entail.nlp, entail.matcher, entail.spec, entail._load_verifier, stage)


def _counts(checker: Checker, data: MarkedEssays) -> list[int]:
    """True and false positives, misses and true negatives on one topic's essays."""
    essays = [Essay(name=n, text=t) for n, t in zip(data.names, data.texts, strict=True)]
    tp = fp = fn = tn = 0
    for number, result in enumerate(checker.check_many(essays, data.rubric)):
        marks = data.labels(number)
        for point in result.points:
            covered, marked = point.is_covered, bool(marks[point.point.id])
            tp += covered and marked
            fp += covered and not marked
            fn += marked and not covered
            tn += not covered and not marked
    return [tp, fp, fn, tn]


def _row(counts: list[int]) -> str:
    tp, fp, fn, tn = counts
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return f"{tp} | {fp} | {fn} | {tn} | {f1:.3f} |"


if __name__ == "__main__":
    sys.exit(main())
