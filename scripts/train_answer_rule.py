"""Fit the shipped decision rule on ArgKP-2021 train and real students' scored answers.

The answers are ASAP-SAS sets 1 and 2 (../shared/data/asap), the train split of
benchmarks/benchmark_asap.py only (the same salted hash of each answer's id), so
that the benchmark's dev figures are on answers the rule never saw. Each set's
mark scheme is the one its README gives: set 1 counts the points covered, at most
3; set 2 gives 1 for any ``conclusion-*`` point and 1 per ``improvement-*`` point,
at most 2. The answers are read at run time and never copied into the repository.

    python scripts/train_answer_rule.py [--engine fast|precise] [--models-dir models]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

from essaycheck.rubric import load_rubric
from essaycheck.training.answers import ScoredAnswers, ScoreGroup, by_answer, read_point_labels
from essaycheck.training.fit import train_decision_rule

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
POINT_LABELS = REPO / "labels" / "asap-train-points.csv"
SCHEMES = {
    1: (ScoreGroup("", 3),),
    2: (ScoreGroup("conclusion-", 1), ScoreGroup("improvement-", 2)),
}
ASAP_LICENCE = (
    "ASAP-SAS (The Hewlett Foundation: Short Answer Scoring, Kaggle 2012), sets 1 and 2, "
    "research and education use; as redistributed by Li et al. 2023"
)


def _benchmark() -> object:
    sys.path.insert(0, str(REPO / "benchmarks"))  # the benchmark's own helpers
    spec = importlib.util.spec_from_file_location(
        "benchmark_asap", REPO / "benchmarks" / "benchmark_asap.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["benchmark_asap"] = module
    spec.loader.exec_module(module)
    return module


def answer_sets(data_dir: Path, point_labels: Path | None = None) -> list[ScoredAnswers]:
    """Each ASAP set's train answers with their first rater's score (and point labels)."""
    benchmark = _benchmark()
    labelled = by_answer(read_point_labels(point_labels)) if point_labels else {}
    found = []
    for number, groups in SCHEMES.items():
        rubric = load_rubric(data_dir / f"set{number}.rubric.json")
        answers = benchmark.load_answers(data_dir / f"set{number}.answers.jsonl")  # type: ignore[attr-defined]
        splits = benchmark.split_ids([a.id for a in answers])  # type: ignore[attr-defined]
        train = tuple((a.id, a.text, a.score1) for a in answers if splits[a.id] == "train")
        labels = {a: labelled[a] for a, _, _ in train if a in labelled}
        found.append(
            ScoredAnswers(f"asap-{number} train", rubric, groups, train, ASAP_LICENCE, labels)
        )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", default="fast", choices=["fast", "precise"])
    parser.add_argument("--models-dir", type=Path, default=REPO / "models")
    parser.add_argument("--data-dir", type=Path, default=SHARED)
    parser.add_argument(
        "--point-labels",
        type=Path,
        help=f"labels of the train answers' points ({POINT_LABELS.relative_to(REPO)}, "
        "labels/README.md) instead of guessing them from the answers' scores (tried; the "
        "shipped rules guess them)",
    )
    args = parser.parse_args()
    labels = args.point_labels
    command = f"python scripts/train_answer_rule.py --engine {args.engine}"
    if labels is not None:
        command += f" --point-labels {labels}"
    path, figures = train_decision_rule(
        args.data_dir / "argkp" / "train.jsonl",
        args.data_dir / "argkp" / "dev.jsonl",
        args.models_dir,
        args.engine,
        answers=answer_sets(args.data_dir / "asap", labels),
        command=command,
    )
    print(json.dumps(figures, indent=2, sort_keys=True))
    print(f"Decision rule written to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
