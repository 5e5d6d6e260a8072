"""Measure `rubric build` against the content units people wrote (REALSumm dev references).

1. Unit recall and point precision: build a rubric from each of the 20 dev reference
   summaries (``--detail fine`` by default) and report the share of human content
   units (SCUs) that some point matches, the share of points that match some unit,
   and points per document. A match is content-word F1 >= 0.5 (lower-cased words,
   spaCy's stop words dropped, Snowball-stemmed). The baseline is one point per
   sentence of the reference.
2. Downstream: mark each document's 25 system summaries with the built rubric (the
   installed engine, the same code path as ``essaycheck check``) and correlate, per
   document, the share of points covered with the labels' share of human units
   present (Pearson, averaged over documents); the same with the human units as the
   rubric, and with the sentence baseline.

Run from the repository root, with the shared data in ../shared (or pass --shared):

    python benchmarks/benchmark_rubric.py                            # report on stdout
    python benchmarks/benchmark_rubric.py --write docs/rubric-build.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import json
import re
import shlex
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import Stemmer
from machine import emit, progress
from spacy.lang.en.stop_words import STOP_WORDS

from essaycheck.engine import load_checker
from essaycheck.engine.pipelines import build_marking_nlp
from essaycheck.extraction import build_rubric
from essaycheck.io.essays import Essay
from essaycheck.rubric import KeyPoint, Rubric

MATCH_F1 = 0.5
TARGET_RECALL = 0.85
TARGET_PRECISION = 0.90
TARGET_CORRELATION_GAP = 0.05
_STEMMER = Stemmer.Stemmer("english")


@dataclass(frozen=True)
class Reference:
    """One dev document: its reference summary and the units people wrote for it."""

    topic: str
    text: str
    units: list[str]


@dataclass(frozen=True)
class Figures:
    """How one way of building points matches the human units."""

    recall: float
    precision: float
    points_per_document: float
    documents_without_points: int


def content_words(text: str) -> set[str]:
    """Stemmed content words: lower-cased, stop words dropped."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return set(_STEMMER.stemWords([w for w in words if w not in STOP_WORDS]))


def f1(first: set[str], second: set[str]) -> float:
    """Content-word F1 of two word sets."""
    common = len(first & second)
    if not common:
        return 0.0
    precision, recall = common / len(first), common / len(second)
    return 2 * precision * recall / (precision + recall)


def match_figures(references: list[Reference], points: dict[str, list[str]]) -> Figures:
    """Unit recall, point precision (pooled over documents) and points per document."""
    found = units = matched = total = 0
    for ref in references:
        unit_words = [content_words(u) for u in ref.units]
        point_words = [content_words(p) for p in points[ref.topic]]
        found += sum(any(f1(p, u) >= MATCH_F1 for p in point_words) for u in unit_words)
        matched += sum(any(f1(p, u) >= MATCH_F1 for u in unit_words) for p in point_words)
        units += len(unit_words)
        total += len(point_words)
    return Figures(
        recall=found / units,
        precision=matched / total if total else 0.0,
        points_per_document=total / len(references),
        documents_without_points=sum(not points[ref.topic] for ref in references),
    )


def built_points(references: list[Reference], detail: str) -> dict[str, list[str]]:
    """The points `rubric build` gives for each reference."""
    accepts_detail = "detail" in inspect.signature(build_rubric).parameters
    points: dict[str, list[str]] = {}
    for ref in references:
        options: dict[str, Any] = {"detail": detail} if accepts_detail else {}
        rubric = build_rubric(ref.text, title=ref.topic, **options)
        points[ref.topic] = [point.text for point in rubric]
    return points


def sentence_points(references: list[Reference]) -> dict[str, list[str]]:
    """The baseline: each sentence of the reference is a point."""
    nlp = build_marking_nlp()
    return {
        ref.topic: [s.text.strip() for s in nlp(ref.text).sents if s.text.strip()]
        for ref in references
    }


def downstream(
    summaries: dict[str, list[dict[str, Any]]],
    rubrics: dict[str, Callable[[str], Rubric]],
) -> dict[str, float]:
    """Mean per-document Pearson of covered share vs. the labels' share, per rubric kind."""
    checker = load_checker()
    correlations: dict[str, list[float]] = defaultdict(list)
    for topic, records in sorted(summaries.items()):
        labelled = [sum(r["labels"].values()) / len(r["labels"]) for r in records]
        for kind, make in rubrics.items():
            rubric = make(topic)
            essays = [Essay(name=r["id"], text=r["text"]) for r in records]
            shares = [
                sum(p.is_covered for p in result.points) / len(result.points)
                for result in checker.check_many(essays, rubric)
            ]
            if np.std(shares) > 0 and np.std(labelled) > 0:
                correlations[kind].append(float(np.corrcoef(shares, labelled)[0, 1]))
        progress(f"  {topic}: marked {len(records)} summaries")
    return {kind: statistics.fmean(values) for kind, values in correlations.items()}


def _rubric(topic: str, texts: list[str]) -> Rubric:
    return Rubric(
        title=topic,
        points=tuple(KeyPoint(id=f"u{i}", text=t) for i, t in enumerate(texts)),
    )


def _load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--detail", choices=["fine", "coarse", "default"], default="fine")
    parser.add_argument("--skip-downstream", action="store_true")
    parser.add_argument("--write", type=Path, help="also write the report to this file")
    args = parser.parse_args()
    started = time.perf_counter()
    folder = args.shared / "data" / "realsumm"
    references = [
        Reference(r["topic"], r["reference"], r["scus"])
        for r in _load(folder / "dev_references.jsonl")
    ]
    progress(f"building rubrics from {len(references)} references ({args.detail})")
    built = built_points(references, args.detail)
    sentences = sentence_points(references)
    rows = {"`rubric build`": match_figures(references, built)}
    rows["baseline: one point per sentence"] = match_figures(references, sentences)
    rows["the human units themselves"] = match_figures(
        references, {r.topic: r.units for r in references}
    )
    correlations: dict[str, float] = {}
    if not args.skip_downstream:
        summaries: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for record in _load(folder / "dev.jsonl"):
            if record["labels"]:
                summaries[record["topic"]].append(record)
        units = {r.topic: r.units for r in references}
        progress("marking the system summaries")
        correlations = downstream(
            summaries,
            {
                "`rubric build`": lambda t: _rubric(t, built[t]),
                "baseline: one point per sentence": lambda t: _rubric(t, sentences[t]),
                "the human units themselves": lambda t: _rubric(t, units[t]),
            },
        )
    command = "python " + shlex.join(["benchmarks/benchmark_rubric.py", *sys.argv[1:]])
    emit(_report(rows, correlations, args.detail, command, started), args.write)


def _report(
    rows: dict[str, Figures],
    correlations: dict[str, float],
    detail: str,
    command: str,
    started: float,
) -> str:
    lines = [
        "## Measured on REALSumm dev references",
        "",
        f"Produced by `{command}` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC "
        f"in {time.perf_counter() - started:.0f} s; rubrics built with `--detail {detail}`.",
        "A unit or point matches at content-word F1 >= 0.5 (stemmed, stop words dropped).",
        "",
        "| points from | human units found | points matching a unit | points per document "
        "| summary-level Pearson |",
        "|---|---|---|---|---|",
    ]
    for name, fig in rows.items():
        pearson = f"{correlations[name]:.3f}" if name in correlations else "—"
        lines.append(
            f"| {name} | {fig.recall:.3f} | {fig.precision:.3f} "
            f"| {fig.points_per_document:.1f} | {pearson} |"
        )
    built = rows["`rubric build`"]
    lines += [
        "",
        f"Targets: units found >= {TARGET_RECALL:.2f} "
        f"(**{'met' if built.recall >= TARGET_RECALL else 'missed'}**), points matching "
        f">= {TARGET_PRECISION:.2f} "
        f"(**{'met' if built.precision >= TARGET_PRECISION else 'missed'}**)",
    ]
    if correlations:
        gap = correlations["the human units themselves"] - correlations["`rubric build`"]
        verdict = "met" if gap <= TARGET_CORRELATION_GAP else "missed"
        lines[-1] += (
            f", Pearson within {TARGET_CORRELATION_GAP:.2f} of the human units' "
            f"(gap {gap:+.3f}: **{verdict}**)"
        )
    lines[-1] += "."
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
