"""Benchmark `mark --cluster dask`: essays per second against worker processes, the
scheduler's overhead per essay, and the client's peak memory on a large class.

Not a timed test. Run it from the repository root with the development venv (Dask
installed: pip install -e '.[dask]'):

    python benchmarks/benchmark_cluster.py                      # throughput and overhead
    python benchmarks/benchmark_cluster.py --memory-essays 100000   # and 100,000 essays

The figures and what they mean are in docs/cluster.md.

It writes a fixed corpus (seed 0) of short essays (four sentences, ~400 characters, drawn
from examples/essays) as .txt files into a temporary folder and marks them against
examples/rubric.json with `mark_folder`, the code path of `essaycheck mark`:

1. throughput: one process; `--jobs 2` (WorkerPool); a LocalCluster of 1 and of 2 worker
   processes. Each marker is started and warmed up on a separate batch first, so the
   figures are steady-state marking (reading, marking, journal, reports), not start-up;
   the median of `--repeat` runs;
2. scheduler overhead per essay, two ways: (a) null tasks with the same chunks and the
   same in-order window as `DaskMarker` (paths out, ~2 kB per essay back), on one worker;
   (b) the 1-worker cluster's time per essay minus one process's;
3. with `--memory-essays N`: one `DaskMarker(jobs=2)` run of N essays, sampling the
   client's resident memory (the LocalCluster's scheduler lives in the client process,
   so it is counted), beside the size of the essays and of the reports.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from machine import cpu_name, emit, progress

from essaycheck.batch import Marker, WorkerPool, mark_folder
from essaycheck.batch.cluster import CHUNK_SIZE, DaskMarker
from essaycheck.engine import load_checker
from essaycheck.rubric import Rubric, load_rubric

REPO = Path(__file__).resolve().parent.parent
RUBRIC = REPO / "examples" / "rubric.json"
MODELS = REPO / "models"
SENTENCES_PER_ESSAY = 4
WARM_UP_ESSAYS = 256


def write_corpus(folder: Path, count: int, seed: int = 0) -> int:
    """Write ``count`` short essays into ``folder``; their total size in bytes."""
    texts = [path.read_text("utf-8") for path in sorted((REPO / "examples" / "essays").iterdir())]
    sentences = [
        s.strip() for text in texts for s in re.split(r"(?<=[.!?])\s+", text) if len(s.strip()) > 20
    ]
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for index in range(count):
        text = " ".join(rng.sample(sentences, SENTENCES_PER_ESSAY)) + "\n"
        (folder / f"{index:06d}.txt").write_text(text, "utf-8")
        total += len(text.encode("utf-8"))
    return total


def rss_mb() -> float:
    """This process's resident memory now, in MiB (Linux /proc)."""
    fields = Path("/proc/self/statm").read_text().split()
    return int(fields[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """CPU seconds this process has used, all its threads (run in each Dask worker too)."""
    return time.process_time()


def _workers_cpu(marker: Marker) -> float:
    if not isinstance(marker, DaskMarker):
        return 0.0
    return float(sum(marker.client.run(_cpu_seconds).values()))


def time_marking(marker: Marker, rubric: Rubric, essays: Path, work: Path) -> dict[str, float]:
    """Mark ``essays``: seconds to the last result, in all, and CPU seconds spent marking."""
    out = work / f"out-{time.monotonic_ns()}"
    last = [0.0, 0.0]

    def seen(_: object) -> None:
        last[0], last[1] = time.perf_counter(), time.process_time()

    workers = _workers_cpu(marker)
    cpu, start = time.process_time(), time.perf_counter()
    mark_folder(essays, rubric, marker, out, marker.info(), on_essay=seen)
    total = time.perf_counter() - start
    workers = _workers_cpu(marker) - workers
    shutil.rmtree(out)
    return {
        "marking": last[0] - start,
        "total": total,
        "client_cpu": last[1] - cpu,
        "workers_cpu": workers,
    }


def throughput(
    name: str,
    make: Callable[[], Any],
    rubric: Rubric,
    essays: Path,
    warm: Path,
    work: Path,
    repeat: int,
) -> dict[str, Any]:
    """Start a marker, warm it up, and time ``repeat`` runs; the median's figures."""
    progress(f"{name}: starting")
    started = time.perf_counter()
    with make() as marker:
        start_s = time.perf_counter() - started
        time_marking(marker, rubric, warm, work)
        runs = []
        for index in range(repeat):
            runs.append(time_marking(marker, rubric, essays, work))
            progress(f"{name}: run {index + 1}: {runs[-1]}")
    figures = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    return {
        "name": name,
        "start_s": start_s,
        "marking_s": figures["marking"],
        "total_s": figures["total"],
        "client_cpu_s": figures["client_cpu"],
        "workers_cpu_s": figures["workers_cpu"],
        "runs": runs,
    }


class _Checker:
    """One process: the checker as a context manager, like the pools."""

    def __enter__(self) -> Any:
        return load_checker("fast", MODELS)

    def __exit__(self, *_: object) -> None:
        return None


def _null_chunk(chunk: list[Any]) -> list[bytes]:
    """A task that marks nothing: it returns about what a chunk's results weigh."""
    return [b"x" * 2000 for _ in chunk]


def null_overhead(marker: DaskMarker, essays: Path, chunk_size: int) -> float:
    """Seconds per essay of scheduling, sending and gathering alone, in DaskMarker's window."""
    from collections import deque

    from essaycheck.engine.checker import in_batches
    from essaycheck.io.essays import collect_submissions

    client = marker.client
    tasks = [(source, None) for source in collect_submissions(essays)]
    ahead = max(4, 2 * sum(client.nthreads().values()) + 2)
    start = time.perf_counter()
    pending: deque[Any] = deque()
    chunks = in_batches(tasks, chunk_size)
    while True:
        while len(pending) < ahead and (chunk := next(chunks, None)) is not None:
            pending.append(client.submit(_null_chunk, chunk, pure=False))
        if not pending:
            break
        pending.popleft().result()
    return (time.perf_counter() - start) / len(tasks)


def memory_run(count: int, rubric: Rubric, work: Path) -> dict[str, Any]:
    """Mark ``count`` essays on a 2-worker LocalCluster, sampling the client's memory."""
    essays = work / "memory-essays"
    progress(f"memory: writing {count:,} essays")
    text_bytes = write_corpus(essays, count, seed=1)
    samples: list[float] = []
    seen = [0]
    last = [0.0]

    def sample(_: object) -> None:
        seen[0] += 1
        last[0] = time.perf_counter()
        if seen[0] % 1000 == 0:
            samples.append(rss_mb())
            if seen[0] % 10_000 == 0:
                progress(f"memory: {seen[0]:,} marked, client {samples[-1]:.0f} MB")

    before = rss_mb()  # this Python with essaycheck imported, nothing loaded
    with DaskMarker("fast", MODELS, jobs=2) as marker:
        started = rss_mb()
        out = work / "memory-out"
        start = time.perf_counter()
        batch = mark_folder(essays, rubric, marker, out, marker.info(), on_essay=sample)
        seconds = time.perf_counter() - start
    reports = sum(path.stat().st_size for path in out.rglob("*") if path.is_file())
    return {
        "essays": batch.count,
        "failed": len(batch.failed),
        "seconds": seconds,
        "marking_s": last[0] - start,
        "rss_before_mb": before,
        "rss_cluster_started_mb": started,
        "rss_peak_sampled_mb": max(samples, default=started),
        "rss_peak_mb": peak_rss_mb(),
        "text_mb": text_bytes / 1e6,
        "reports_mb": reports / 1e6,
        "results_json_mb": (out / "results.json").stat().st_size / 1e6,
    }


def report(figures: dict[str, Any], args: argparse.Namespace) -> str:
    """The figures as Markdown."""
    lines = [
        "# Cluster benchmark",
        "",
        f"Machine: {cpu_name()}, {os.cpu_count()} cores; Python {sys.version.split()[0]}; "
        f"load average (1, 5, 15 min) at the start {figures['load']}, at the end "
        f"{figures['load_end']}. Command: "
        f"`python benchmarks/benchmark_cluster.py {' '.join(sys.argv[1:])}`.",
    ]
    if "throughput" in figures:
        lines += _throughput_lines(figures, args)
    if "memory" in figures:
        lines += _memory_lines(figures["memory"])
    return "\n".join(lines) + "\n"


def _throughput_lines(figures: dict[str, Any], args: argparse.Namespace) -> list[str]:
    lines = [
        "",
        f"Throughput on {args.essays:,} short essays (~400 characters), median of "
        f"{args.repeat}, after a warm-up of {WARM_UP_ESSAYS}; chunks of {CHUNK_SIZE} essays:",
        "",
        "| marker | start (s) | marking (s) | essays/s (marking) | essays/s (with reports) "
        "| client CPU ms/essay | workers' CPU ms/essay |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    per_essay = 1000 / args.essays
    for run in figures["throughput"]:
        workers = f"{run['workers_cpu_s'] * per_essay:.2f}" if run["workers_cpu_s"] else "–"
        lines.append(
            f"| {run['name']} | {run['start_s']:.1f} | {run['marking_s']:.2f} | "
            f"{args.essays / run['marking_s']:,.0f} | {args.essays / run['total_s']:,.0f} | "
            f"{run['client_cpu_s'] * per_essay:.2f} | {workers} |"
        )
    by_name = {run["name"]: run for run in figures["throughput"]}
    one, two = by_name["dask, 1 worker"], by_name["dask, 2 workers"]
    process, jobs = by_name["one process"], by_name["--jobs 2"]
    client = two["client_cpu_s"] * per_essay
    worker = two["workers_cpu_s"] * per_essay  # summed over the workers
    return [
        *lines,
        "",
        f"- 2 Dask workers / 1 Dask worker: **{one['marking_s'] / two['marking_s']:.2f}×** "
        f"(target ≥ 1.7×); 2 Dask workers / `--jobs 2`: "
        f"{jobs['marking_s'] / two['marking_s']:.2f}×; "
        f"`--jobs 2` / one process: {process['marking_s'] / jobs['marking_s']:.2f}×.",
        f"- Scheduler overhead per essay, null tasks on one worker: "
        f"**{figures['null_ms'][CHUNK_SIZE]:.3f} ms** at {CHUNK_SIZE} essays a task, "
        f"{figures['null_ms'][1]:.2f} ms at 1 essay a task (target < 5 ms).",
        f"- 1 Dask worker minus one process, per essay: "
        f"{(one['marking_s'] - process['marking_s']) / args.essays * 1000:.3f} ms.",
        f"- From CPU time (what the load of other programs does not distort): with the "
        f"client's {client:.2f} ms and a worker's {worker:.2f} ms of CPU per essay, "
        f"2 workers on 2 otherwise idle cores would reach at most "
        f"{2 * worker / (worker + client):.2f}× one worker (2·w / (w + c)); on n "
        f"cores, about n·w / (w + c), until n workers' results fill the client's core "
        f"(n = w / c = {worker / client:.0f}).",
    ]


def _memory_lines(memory: dict[str, Any]) -> list[str]:
    return [
        "",
        f"Client memory, {memory['essays']:,} essays on a LocalCluster of 2 workers, in a "
        f"fresh process ({memory['marking_s']:.0f} s marking, "
        f"{memory['essays'] / memory['marking_s']:,.0f} essays/s; {memory['seconds']:.0f} s "
        f"with the reports; {memory['failed']} failed):",
        "",
        f"- client RSS (MiB) before the cluster: {memory['rss_before_mb']:.0f}; with the "
        f"cluster started: {memory['rss_cluster_started_mb']:.0f}; highest sampled "
        f"while marking (every 1,000 essays): {memory['rss_peak_sampled_mb']:.0f}; peak "
        f"of the whole run, reports included: **{memory['rss_peak_mb']:.0f}**;",
        f"- the essays: {memory['text_mb']:.0f} MB of text; the reports written: "
        f"{memory['reports_mb']:.0f} MB (results.json {memory['results_json_mb']:.0f} MB).",
    ]


def memory_in_a_fresh_process(count: int) -> dict[str, Any]:
    """Run ``memory_run`` in a new Python, so that nothing marked before counts in its peak."""
    with tempfile.TemporaryDirectory(prefix="essaycheck-memory-") as tmp:
        figures = Path(tmp) / "memory.json"
        command = [sys.executable, __file__, "--memory-only", str(count), "--figures", str(figures)]
        subprocess.run(command, check=True)
        return dict(json.loads(figures.read_text("utf-8")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--essays", type=int, default=3000, help="essays per throughput run")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per marker")
    parser.add_argument("--memory-essays", type=int, default=0, help="0 skips the memory run")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--write", type=Path, help="also write the report here")
    parser.add_argument("--memory-only", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--figures", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    rubric = load_rubric(RUBRIC)
    if args.memory_only:  # the child of memory_in_a_fresh_process
        with tempfile.TemporaryDirectory(prefix="essaycheck-cluster-") as tmp:
            args.figures.write_text(json.dumps(memory_run(args.memory_only, rubric, Path(tmp))))
        return
    figures: dict[str, Any] = {"load": ", ".join(f"{x:.1f}" for x in os.getloadavg())}
    if not args.skip_throughput:
        with tempfile.TemporaryDirectory(prefix="essaycheck-cluster-") as tmp:
            work = Path(tmp)
            essays, warm = work / "essays", work / "warm"
            write_corpus(essays, args.essays)
            write_corpus(warm, WARM_UP_ESSAYS, seed=2)
            makers: list[tuple[str, Callable[[], Any]]] = [
                ("one process", _Checker),
                ("--jobs 2", lambda: WorkerPool(2, "fast", MODELS)),
                ("dask, 1 worker", lambda: DaskMarker("fast", MODELS, jobs=1)),
                ("dask, 2 workers", lambda: DaskMarker("fast", MODELS, jobs=2)),
            ]
            figures["throughput"] = [
                throughput(name, make, rubric, essays, warm, work, args.repeat)
                for name, make in makers
            ]
            progress("overhead: null tasks on one worker")
            with DaskMarker("fast", MODELS, jobs=1) as marker:
                figures["null_ms"] = {
                    size: null_overhead(marker, essays, size) * 1000 for size in (CHUNK_SIZE, 1)
                }
    if args.memory_essays:
        figures["memory"] = memory_in_a_fresh_process(args.memory_essays)
    figures["load_end"] = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    emit(report(figures, args), args.write)


if __name__ == "__main__":
    main()
