"""How the engine judges sentences a teacher would judge at once, by kind of difficulty.

A table of one-sentence answers, each written for this benchmark (none comes from a
student or a data set), against two small rubrics: the seed topic's (Trotsky and
Stalin) and a science one (photosynthesis). Each sentence says whether a teacher
would credit one key point; the kinds are the ones "Decisions teachers can trust"
names: plain statements, paraphrases, misspellings, negations with any subject,
antonyms, misattributions, hedges, correct sentences that merely contain "not",
and sentences that are on topic but do not make the point. Unlike the tests' tables,
this one keeps the cases the engine gets wrong: it measures, it does not specify.

    python benchmarks/benchmark_sentences.py [--engine fast|precise] [--write docs/sentences.md]
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections import defaultdict
from pathlib import Path

from machine import emit, progress

from essaycheck.engine import load_checker
from essaycheck.io.essays import Essay
from essaycheck.rubric import KeyPoint, Rubric

HISTORY = Rubric(
    "Trotsky and Stalin",
    (
        KeyPoint(
            "permanent-revolution",
            "Trotsky argued for permanent revolution, spreading communism to other countries.",
        ),
        KeyPoint("collective-farming", "Trotsky wanted peasants to farm on state-run farms."),
        KeyPoint(
            "socialism-in-one-country",
            "Stalin championed socialism in one country, building it inside the Soviet Union.",
        ),
        KeyPoint(
            "peasant-opposition",
            "Collective farming would have been unpopular with the peasants.",
        ),
    ),
)
SCIENCE = Rubric(
    "Photosynthesis",
    (
        KeyPoint("own-food", "Plants make their own food by photosynthesis."),
        KeyPoint("sunlight", "Plants need sunlight to make their food."),
        KeyPoint("oxygen", "Plants give off oxygen."),
    ),
)
# (kind, rubric, point id, sentence, would a teacher credit it)
CASES: tuple[tuple[str, Rubric, str, str, bool], ...] = (
    ("plain", SCIENCE, "own-food", "Plants make their own food through photosynthesis.", True),
    ("plain", SCIENCE, "oxygen", "Plants release oxygen into the air.", True),
    ("plain", HISTORY, "permanent-revolution", "Trotsky wanted permanent revolution.", True),
    ("paraphrase", SCIENCE, "sunlight", "Without light a plant cannot produce food.", True),
    ("paraphrase", HISTORY, "socialism-in-one-country",
     "Stalin said Russia should build socialism at home first.", True),
    ("paraphrase", HISTORY, "collective-farming",
     "Trotsky wanted the land farmed together in big farms run by the government.", True),
    ("misspelt", SCIENCE, "own-food", "Fotosynthesis lets plants make there own food.", True),
    ("misspelt", SCIENCE, "oxygen", "Plants give of oxigen.", True),
    ("misspelt", HISTORY, "permanent-revolution",
     "Trotksy wanted permenant revolution in other contries.", True),
    ("negated", SCIENCE, "own-food", "Plants do not make their own food.", False),
    ("negated", SCIENCE, "own-food", "Plants cannot make their own food.", False),
    ("negated", SCIENCE, "oxygen", "Plants never give off oxygen.", False),
    ("negated", HISTORY, "permanent-revolution",
     "Trotsky did not want revolution in other countries.", False),
    ("negated", HISTORY, "collective-farming",
     "Nobody wanted the peasants to farm on state-run farms.", False),
    ("antonym", HISTORY, "peasant-opposition",
     "The peasants liked collective farming and welcomed it.", False),
    ("antonym", SCIENCE, "sunlight", "Plants grow best in complete darkness.", False),
    ("misattributed", HISTORY, "permanent-revolution",
     "Stalin argued for permanent revolution abroad.", False),
    ("misattributed", HISTORY, "socialism-in-one-country",
     "Trotsky championed socialism in one country.", False),
    ("hedged", HISTORY, "peasant-opposition",
     "Collective farming would probably have been unpopular with many peasants.", True),
    ("hedged", SCIENCE, "oxygen", "Plants may give off oxygen as they make food.", True),
    ("correct with not", HISTORY, "permanent-revolution",
     "Trotsky did not want the revolution to stop at Russia's border.", True),
    ("correct with not", SCIENCE, "sunlight", "A plant cannot make food without sunlight.", True),
    ("on topic, not the point", SCIENCE, "own-food", "Plants are green and have leaves.", False),
    ("on topic, not the point", SCIENCE, "oxygen", "Plants take in water through roots.", False),
    ("on topic, not the point", HISTORY, "socialism-in-one-country",
     "Stalin became leader of the Soviet Union after Lenin died.", False),
    ("off topic", SCIENCE, "own-food", "My favourite football team won on Saturday.", False),
    ("off topic", HISTORY, "collective-farming",
     "The French Revolution began in 1789.", False),
)  # fmt: skip


def judge(engine: str) -> list[tuple[str, str, str, bool, bool, float, bool]]:
    """Check every case: (kind, point, sentence, teacher, engine, score, needs review)."""
    checker = load_checker(engine)
    found = []
    for kind, rubric, point_id, sentence, teacher in CASES:
        result = checker.check(Essay(name="sentence", text=sentence), rubric)
        point = next(p for p in result.points if p.point.id == point_id)
        found.append(
            (kind, point_id, sentence, teacher, point.is_covered, point.score, point.needs_review)
        )
    return found


def render(
    command: str, engine: str, rows: list[tuple[str, str, str, bool, bool, float, bool]]
) -> str:
    """The Markdown report: a summary by kind, then every sentence."""
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for kind, _, _, teacher, decided, _, _ in rows:
        by_kind[kind].append(teacher == decided)
    right = sum(teacher == decided for _, _, _, teacher, decided, _, _ in rows)
    lines = [
        f"# Sentences a teacher judges at once ({engine} engine)",
        "",
        f"Command: `{command}`. {right} of {len(rows)} judged as a teacher would.",
        "",
        "| kind | judged as a teacher would |",
        "|---|---|",
        *(f"| {kind} | {sum(ok)} of {len(ok)} |" for kind, ok in by_kind.items()),
        "",
        "| kind | point | sentence | teacher | essaycheck | score |",
        "|---|---|---|---|---|---|",
    ]
    for kind, point_id, sentence, teacher, decided, score, review in rows:
        verdict = ("covered" if decided else "missing") + (" (close call)" if review else "")
        mark = "" if teacher == decided else " **✗**"
        teacher_says = "covered" if teacher else "missing"
        cells = (kind, f"`{point_id}`", sentence, teacher_says, verdict + mark, f"{score:.2f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Judge every sentence and print (or write) the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--engine", default="fast", choices=["fast", "entail", "precise"])
    parser.add_argument("--write", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)
    command = shlex.join(["python", "benchmarks/benchmark_sentences.py", *(argv or sys.argv[1:])])
    progress(f"judging {len(CASES)} sentences with the {args.engine} engine")
    report = render(command, args.engine, judge(args.engine))
    emit(report, args.write)


if __name__ == "__main__":
    main()
