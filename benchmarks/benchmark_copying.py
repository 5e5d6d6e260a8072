"""Copying: is "copied" flagged where it should be, and how long a class of thousands takes.

Two tables of texts written for essaycheck (no student's data):

- the hand-written one of the tests (tests/copying_texts.py): a source, a verbatim and
  a lightly edited copy, a paraphrase and an independent essay;
- a generated one, from the same source: excerpts copied at several shares of the essay,
  with a share of their words replaced (edits), with their sentences shuffled, and
  essays that use the source's words in another order (same vocabulary, nothing copied).

An essay counts as flagged when the share copied from the source reaches
``FLAG_SHARE``, the threshold the class report flags at. Then a synthetic class of
``--essays`` essays, some pairs of which share a paragraph, times the class pass
(one read of each essay, then the passages of each pair sharing a fingerprint),
and checks every planted
pair is found.

Run: .venv/bin/python benchmarks/benchmark_copying.py --essays 3000 --write docs/copying.md
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from copying_texts import COPIED, NOT_COPIED, SOURCE

from essaycheck.batch.copying import (
    CHUNK_PAIRS,
    COMMON_ESSAYS,
    COMMON_SHARE,
    FLAG_SHARE,
    MAX_PARTNERS,
    MERGE_GAP,
    SHINGLE_WORDS,
    WINDOW,
    class_copying,
    source_copying,
)
from essaycheck.results import Copying, EssayResult

FILLER = [
    "in",
    "my",
    "view",
    "this",
    "shows",
    "how",
    "much",
    "changed",
    "for",
    "ordinary",
    "people",
    "and",
    "I",
    "want",
    "to",
    "explain",
    "why",
    "it",
    "matters",
    "today",
    "because",
    "our",
    "teacher",
    "asked",
    "us",
    "to",
    "think",
    "about",
    "the",
    "causes",
    "and",
    "effects",
    "of",
    "new",
    "inventions",
    "on",
    "the",
    "lives",
    "of",
    "people",
    "who",
    "could",
    "not",
    "read",
    "before",
]


def _own_words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(FILLER) for _ in range(count))


def _edited(text: str, rate: float, rng: random.Random) -> str:
    """Replace a share ``rate`` of the words with filler words, and change some case."""
    words = text.split()
    for index in range(len(words)):
        if rng.random() < rate:
            words[index] = rng.choice(FILLER)
    return " ".join(word.upper() if rng.random() < 0.05 else word for word in words)


def generated_table(seed: int = 0) -> list[tuple[str, str, bool]]:
    """(kind, essay, is copied) rows built from the source."""
    rng = random.Random(seed)
    sentences = re.findall(r"[^.]+\.", SOURCE)
    rows: list[tuple[str, str, bool]] = []
    for share in (1.0, 0.5, 0.3):
        for rate in (0.0, 0.05, 0.1, 0.2, 0.3):
            for _ in range(10):
                count = max(1, round(len(sentences) * share))
                first = rng.randrange(len(sentences) - count + 1)
                excerpt = " ".join(s.strip() for s in sentences[first : first + count])
                copied = _edited(excerpt, rate, rng)
                own = _own_words(rng, round(len(copied.split()) * (1 - share) / share * 0.5))
                rows.append(
                    (f"copied {share:.0%}, {rate:.0%} of words edited", f"{own} {copied}", True)
                )
    for _ in range(20):
        shuffled = [s.strip() for s in sentences]
        rng.shuffle(shuffled)
        rows.append(("copied, sentences shuffled", " ".join(shuffled), True))
    vocabulary = re.findall(r"\w+", SOURCE)
    for _ in range(40):
        rows.append(("same words, another order", " ".join(rng.sample(vocabulary, 120)), False))
        rows.append(("own words", _own_words(rng, 150), False))
    return rows


def hand_written_table() -> list[tuple[str, str, bool]]:
    """The tests' table."""
    return [(kind, text, True) for kind, text in COPIED.items()] + [
        (kind, text, False) for kind, text in NOT_COPIED.items()
    ]


def detection(rows: list[tuple[str, str, bool]]) -> tuple[list[str], float, float]:
    """Per kind: how many flagged; and precision and recall of 'copied' overall."""
    kinds: dict[str, list[int]] = {}
    tp = fp = fn = 0
    for kind, text, copied in rows:
        share, _ = source_copying(text, SOURCE)
        flagged = share is not None and share >= FLAG_SHARE
        tp += flagged and copied
        fp += flagged and not copied
        fn += copied and not flagged
        tally = kinds.setdefault(kind, [0, 0, int(copied)])
        tally[0] += flagged
        tally[1] += 1
    lines = [
        f"| {kind} | {'yes' if copied else 'no'} | {flagged} of {total} |"
        for kind, (flagged, total, copied) in kinds.items()
    ]
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return lines, precision, recall


def synthetic_class(essays: int, seed: int = 0) -> tuple[list[EssayResult], set[frozenset[str]]]:
    """``essays`` essays of about 400 words; one in twenty shares a paragraph with the next."""
    rng = random.Random(seed)
    words = re.findall(r"\w+", SOURCE.lower()) + FILLER
    results = []
    planted: set[frozenset[str]] = set()
    shared = ""
    for number in range(essays):
        name = f"class/essay-{number:05d}.txt"
        text = " ".join(rng.choice(words) for _ in range(400))
        if shared:
            text = f"{text[:900]} {shared} {text[900:]}"
            planted.add(frozenset((name, results[-1].name)))
            shared = ""
        elif number % 20 == 0:
            shared = " ".join(rng.choice(words) for _ in range(80))
            text = f"{shared} {text}"
        results.append(EssayResult(name, text=text))
    return results, planted


def timed_pass(
    results: list[EssayResult],
) -> tuple[float, list[Copying | None], set[frozenset[str]]]:
    """Time the class pass: its seconds, its copying, and the pairs of essays it linked."""
    started = time.perf_counter()
    copying = class_copying(results)
    seconds = time.perf_counter() - started
    found = {
        frozenset((result.name, passage.origin))
        for result, item in zip(results, copying, strict=True)
        if item is not None
        for passage in item.passages
    }
    return seconds, copying, found


def main() -> None:
    """Print (or write) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--essays", type=int, default=3000, help="size of the timed class")
    parser.add_argument("--write", type=Path, help="write the Markdown page here")
    args = parser.parse_args()

    out = [
        "# Copying: how much of each essay is shared, with the source and within the class",
        "",
        "`essaycheck mark` reports, for each essay, the share of its words copied from the "
        "source and the share shared with other essays of the class, and the shared passages: "
        "in results.json (`copying` per essay) and in report.html (a Copied column, and the "
        "passages outlined in each essay, linked to the other essay). Students never see it: "
        "not in feedback/, `check`, or the student page.",
        "",
        "How it works:",
        "",
        f"- Words are normalised (lower-cased, stemmed, punctuation dropped). A passage is a run "
        f"of at least {SHINGLE_WORDS} such words that both texts hold; runs at most "
        f"{MERGE_GAP} words apart are merged, so a changed word does not split a copied "
        "paragraph.",
        "- The source is the one `rubric build` recorded (its path relative to the rubric and "
        "its SHA-256: if the file changed, mark warns and skips it), or `mark --source FILE`.",
        "- Within a class, each essay is read once: its shingles (each a 64-bit hash) are "
        "counted across the class, and winnowed into fingerprints (the smallest hash of every "
        f"{WINDOW} shingles in a row, as MOSS does), so two essays sharing "
        f"{SHINGLE_WORDS + WINDOW - 1} words in a row or more always share one. Only the "
        "essays that share a fingerprint are compared word by word, each with at most the "
        f"{MAX_PARTNERS} it shares the most with (the candidate pairs ranked "
        f"{CHUNK_PAIRS:,} at a time). No text is held for the whole class, only the hashes "
        "while the pass runs, and each essay's copying goes to a file beside `mark`'s "
        "journal as soon as it is found. Text copied from the source counts as from "
        "the source, not from the essays that copy it too; text in more than "
        f"{COMMON_SHARE:.0%} of the essays (and more than {COMMON_ESSAYS}), such as a question "
        "pasted at the top of each, counts as nobody's.",
        f"- The class report flags an essay when {FLAG_SHARE:.0%} or more of its words come "
        "from one of them.",
        "",
        "Limits: a paraphrase is not copying here (the same ideas in other words are not "
        "flagged); an excerpt with about a fifth of its words changed is found only in part; "
        "a passage copied by a fifth of a large class counts as common text.",
        "",
        "Made by `.venv/bin/python benchmarks/benchmark_copying.py "
        f"--essays {args.essays}{' --write ' + str(args.write) if args.write else ''}` "
        "on texts written for it (tests/copying_texts.py, and copies generated from its source).",
        "",
    ]
    for title, rows in (
        ("Hand-written table", hand_written_table()),
        ("Generated table", generated_table()),
    ):
        lines, precision, recall = detection(rows)
        out += [
            f"## {title}",
            "",
            "| kind | copied | flagged |",
            "|---|---|---|",
            *lines,
            "",
            f'Precision of "copied": {precision:.3f}; recall: {recall:.3f} ({len(rows)} essays).',
            "",
        ]
    results, planted = synthetic_class(args.essays)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seconds, _, found = timed_pass(results)
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024  # KiB to MiB
    out += [
        "## A class of thousands",
        "",
        f"{args.essays} synthetic essays of 400 words, {len(planted)} pairs of which share a "
        "paragraph of 80 words.",
        "",
        "- class pass (count and winnow every essay's shingles, then compare the pairs "
        f"sharing a fingerprint): {seconds:.1f} s; the process's peak memory grew by "
        f"{grown:.0f} MiB (the essays themselves were already in memory)",
        f"- planted pairs found: {len(planted & found)} of {len(planted)}; "
        f"other pairs reported: {len(found - planted)}",
        "",
    ]
    question = "Explain why the printing press changed Europe, using the source and your own ideas."
    asked = [replace(result, text=f"{question} {result.text}") for result in results]
    seconds, _, found = timed_pass(asked)
    out += [
        "The same class with the same question pasted at the top of every essay (text "
        "common to the class is nobody's, so it proposes no pairs):",
        "",
        f"- class pass: {seconds:.1f} s; planted pairs found: {len(planted & found)} of "
        f"{len(planted)}; other pairs reported: {len(found - planted)}",
        "",
    ]
    rng = random.Random(5)
    pool = [
        " ".join(rng.choice(FILLER) + str(rng.randrange(50)) for _ in range(16)) for _ in range(200)
    ]
    quoting = [
        replace(result, text=result.text + " " + ". ".join(rng.sample(pool, 5)))
        for result in results
    ]
    seconds, copying, _ = timed_pass(quoting)
    out += [
        "The same class with each essay also quoting 5 of the same 200 sentences of 16 words "
        "(each sentence in about 2.5% of the essays, under the common share: every essay shares "
        "some text with hundreds of others, the worst case for the work):",
        "",
        f"- class pass: {seconds:.1f} s; mean share of an essay shared within the class: "
        f"{sum(item.class_share for item in copying if item is not None) / len(copying):.2f}",
        "",
    ]
    text = "\n".join(out)
    if args.write:
        args.write.write_text(text, "utf-8")
    print(text)


if __name__ == "__main__":
    main()
