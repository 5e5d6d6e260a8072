"""Fit an engine's entailment rule on data the entailment model never saw, and save it.

The rule (essaycheck/engine/entailment.py) combines the similarity rule's
log-odds with the cross-encoder's entailed and contradicted log-odds. It is
fitted on the ArgKP-2021 train topics held out of the model's training
(scripts/build_common.py) and on the ``rule`` half of the ASAP train answers
(scripts/build_entailment_pairs.py trains the model on the other half); the
ASAP dev answers of benchmarks/benchmark_asap.py are never read. The essays'
rule is fitted on the team's own marked essays in labels/essays (never on the
example essays of benchmarks/benchmark_engine.py). It is written to the
engine's rule folder as ``entailment-rule.json``, its meta inside.

    python scripts/fit_entailment_rule.py [--engine entail]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
from build_common import DEFAULT_HELD_OUT_TOPICS, held_out_topics  # noqa: E402
from build_entailment_pairs import answer_half  # noqa: E402
from train_answer_rule import ASAP_LICENCE, POINT_LABELS, answer_sets  # noqa: E402

from essaycheck.engine import get_engine, load_checker  # noqa: E402
from essaycheck.engine.entailment import EntailmentModel, save_entailment_rule  # noqa: E402
from essaycheck.io.models import models_dir as default_models_dir  # noqa: E402
from essaycheck.training import entailment as fitting  # noqa: E402
from essaycheck.training.answers import ScoredAnswers  # noqa: E402
from essaycheck.training.dataset import load_labelled  # noqa: E402
from essaycheck.training.essays import marked_essay_sets  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
ESSAYS = REPO / "labels" / "essays"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", default="entail", choices=["entail"])
    parser.add_argument("--models-dir", type=Path, default=REPO / "models")
    parser.add_argument("--data-dir", type=Path, default=SHARED)
    parser.add_argument(
        "--point-labels",
        type=Path,
        default=POINT_LABELS,
        help="labels of the train answers' points (labels/README.md); 'none' to guess "
        "them from the answers' scores",
    )
    parser.add_argument(
        "--essays",
        type=Path,
        default=ESSAYS,
        help="folders of marked essays (labels/essays/README.md) for the essays' rule; "
        "'none' for one rule for every text",
    )
    args = parser.parse_args()
    labels = None if str(args.point_labels) == "none" else args.point_labels
    spec = get_engine(args.engine)
    folder = default_models_dir(args.models_dir)
    rule_file = folder / spec.rule_dir / "entailment-rule.json"
    if rule_file.exists():
        rule_file.unlink()  # the checker below must decide on similarity alone
    checker = load_checker(args.engine, folder)
    assert spec.entailment_dir is not None
    model = EntailmentModel.load(folder / spec.entailment_dir)
    records = load_labelled(args.data_dir / "argkp" / "train.jsonl")
    held = set(held_out_topics(records, DEFAULT_HELD_OUT_TOPICS))  # type: ignore[arg-type]
    labelled = [record for record in records if record.topic in held]
    halves = [
        ScoredAnswers(
            data.name.replace("train", "train, rule half"),
            data.rubric,
            data.groups,
            tuple(answer for answer in data.answers if answer_half(answer[0]) == "rule"),
            data.licence,
            data.point_labels,
        )
        for data in answer_sets(args.data_dir / "asap", labels)
    ]
    essays = [] if str(args.essays) == "none" else marked_essay_sets(args.essays)
    rule, figures = fitting.fit_entailment_rule(checker, model, labelled, halves, essays)
    meta = {
        "kind": "entailment-rule",
        "engine": spec.key,
        "entailment_model": model.name,
        "argkp_topics": sorted(held),
        "answer_data": [{"name": d.name, "answers": len(d.answers)} for d in halves],
        "essay_data": [
            {"name": _shown(args.essays / d.name), "essays": len(d.texts)} for d in essays
        ],
        "licences": [
            "ArgKP-2021, (c) IBM 2020, CDLA-Sharing-1.0",
            ASAP_LICENCE,
            *(["labels/essays: essaycheck's own essays and marks"] if essays else []),
        ],
        "settings": {
            "passes": fitting.PASSES,
            "answer_weight": fitting.ANSWER_WEIGHT,
            "floor": fitting.FLOOR,
            "candidates": fitting.CANDIDATES,
            "contradiction": fitting.CONTRADICTION,
            "sure": fitting.SURE,
            "essay_proposal": list(fitting.ESSAY_PROPOSAL),
        },
        "figures": figures,
        "point_labels": _shown(labels),
        "command": f"python scripts/fit_entailment_rule.py --engine {spec.key}"
        + ("" if labels else " --point-labels none")
        + ("" if essays else " --essays none"),
    }
    path = save_entailment_rule(rule, folder / spec.rule_dir, meta)
    print(json.dumps({"rule": rule.to_dict(), "figures": figures}, indent=2))
    print(f"Entailment rule written to {path}", file=sys.stderr)


def _shown(path: Path | None) -> str | None:
    """A labels file as meta.json names it: relative to the repository when inside it."""
    if path is None:
        return None
    full = path.resolve()
    return str(full.relative_to(REPO)) if full.is_relative_to(REPO) else str(path)


if __name__ == "__main__":
    main()
