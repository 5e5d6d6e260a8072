"""Benchmark `essaycheck serve`: the student's page on a 600-word draft, the desk on 300 essays.

Run from the repository root with the development venv:

    python benchmarks/benchmark_serve.py                        # figures on stdout
    python benchmarks/benchmark_serve.py --write docs/serve.md  # and into docs/serve.md

It marks 300 copies of examples/essays (renamed, unchanged) into a temporary
folder with the installed ``essaycheck mark``, serves that class and
examples/rubric.json in this process on a free loopback port (uvicorn in a
thread, as ``essaycheck serve`` runs it), and times over HTTP:

1. the student's page: loading /check, and checking a 600-word draft (built from
   the example essays' sentences, fixed) through /api/check, the call the page
   makes after each pause in typing;
2. the desk: loading the queue, every decision, the class page, one key point
   across 300 essays and one essay; and a decision, from the click until the
   gradebook holds it (the reports of 300 essays written again).

With Playwright and /usr/bin/chromium it also times the pages in a browser,
until the page's own script has drawn them. Each figure is the median of
``--repeat`` runs (default 7) after one warm-up. Progress goes to stderr.
With --write, the figures replace the part of docs/serve.md between its
benchmark markers; the rest of the page is left as it is.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from machine import cpu_name, progress

from essaycheck.engine import load_checker
from essaycheck.rubric import load_rubric
from essaycheck.serve import Assignment, Desk, StudentPage, create_app
from essaycheck.serve.server import running

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = REPO_ROOT / "examples"
RUBRIC = EXAMPLES / "rubric.json"
CLASS_SIZE = 300
DRAFT_WORDS = 600
START = "<!-- benchmark: start -->"
END = "<!-- benchmark: end -->"
COMMAND = "python benchmarks/benchmark_serve.py --write docs/serve.md"
CHROMIUM = Path("/usr/bin/chromium")


def make_class(folder: Path) -> Path:
    """Mark CLASS_SIZE renamed copies of the example essays; return the output folder."""
    essays = folder / "essays"
    essays.mkdir()
    originals = sorted((EXAMPLES / "essays").glob("*.txt"))
    for number in range(CLASS_SIZE):
        source = originals[number % len(originals)]
        shutil.copy(source, essays / f"{number:03d}-{source.name}")
    out = folder / "reports"
    command = [str(Path(sys.executable).parent / "essaycheck"), "mark", str(essays)]
    subprocess.run([*command, "-r", str(RUBRIC), "-o", str(out), "-q"], check=True)
    return out


def make_draft() -> str:
    """A fixed draft of DRAFT_WORDS words: the example essays' paragraphs, in order."""
    words: list[str] = []
    paragraphs: list[str] = []
    for path in sorted((EXAMPLES / "essays").glob("*.txt")):
        for paragraph in path.read_text("utf-8").split("\n\n"):
            paragraph = " ".join(paragraph.split())
            if not paragraph:
                continue
            room = DRAFT_WORDS - len(words)
            taken = paragraph.split()[:room]
            words += taken
            paragraphs.append(" ".join(taken))
            if len(words) >= DRAFT_WORDS:
                return "\n\n".join(paragraphs)
    return "\n\n".join(paragraphs)


def median_ms(action: Callable[[], object], repeat: int) -> float:
    """The median wall time of ``action`` in milliseconds, after one warm-up."""
    action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def http_figures(base: str, desk: Desk, draft: str, repeat: int) -> list[tuple[str, float]]:
    client = httpx.Client(base_url=base, timeout=120)
    page = client.get("/desk").text  # the CSRF token is read from the page, as its script does
    csrf = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    headers = {"X-CSRF-Token": csrf, "Origin": base}

    def get(path: str) -> Callable[[], object]:
        def fetch() -> object:
            answer = client.get(path)
            answer.raise_for_status()
            return answer

        return fetch

    def check() -> object:
        answer = client.post(
            "/api/check", json={"assignment": "rubric", "text": draft}, headers=headers
        )
        answer.raise_for_status()
        return answer

    cell = desk.queue("review")[0] if desk.queue("review") else next(desk.cells())
    flips = iter(range(10_000))

    def decide() -> object:
        covered = next(flips) % 2 == 0
        body = {"cells": [[cell.essay, cell.point.id]], "covered": covered}
        client.post("/api/desk/decide", json=body, headers=headers).raise_for_status()
        assert desk.writer.flush(300)
        return None

    point = desk.rubric.points[0].id
    figures = [
        ("student page: load /check", median_ms(get("/check"), repeat)),
        (f"student page: check a {DRAFT_WORDS}-word draft (/api/check)", median_ms(check, repeat)),
        (f"desk, {CLASS_SIZE} essays: load the queue (/desk)", median_ms(get("/desk"), repeat)),
        (
            "desk: every decision (/desk?show=all, first 400)",
            median_ms(get("/desk?show=all"), repeat),
        ),
        ("desk: the class page (/desk/points)", median_ms(get("/desk/points"), repeat)),
        (
            f"desk: one key point across {CLASS_SIZE} essays",
            median_ms(get(f"/desk/point/{point}"), repeat),
        ),
        ("desk: one essay (/desk/essay/1)", median_ms(get("/desk/essay/1"), repeat)),
        (
            f"desk: a decision until the reports of {CLASS_SIZE} essays hold it",
            median_ms(decide, max(3, repeat // 2)),
        ),
    ]
    client.post(
        "/api/desk/clear", json={"cells": [[cell.essay, cell.point.id]]}, headers=headers
    ).raise_for_status()
    desk.writer.flush(300)
    return figures


def browser_figures(base: str, draft: str, repeat: int) -> list[tuple[str, float]]:
    """Times in Chromium, until the page's script has drawn what the server sent."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        progress("Playwright is not installed: no browser figures")
        return []
    if not CHROMIUM.is_file():
        progress("no /usr/bin/chromium: no browser figures")
        return []
    figures = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.set_default_timeout(120_000)

        def load_check() -> object:
            page.goto(f"{base}/check")
            page.wait_for_selector("li.student-point")
            return None

        def recheck() -> object:
            with page.expect_response(lambda response: "/api/check" in response.url):
                page.evaluate(
                    "text => { const d = document.getElementById('draft'); d.value = text;"
                    " d.dispatchEvent(new Event('input')); }",
                    draft + f" {time.perf_counter():.6f}",
                )
            page.wait_for_function("() => document.getElementById('state').textContent === ''")
            return None

        def load_desk() -> object:
            page.goto(f"{base}/desk")
            page.wait_for_selector("article.cell:focus")
            return None

        def load_point() -> object:
            page.goto(f"{base}/desk/point/permanent-revolution")
            page.wait_for_selector("article.cell:focus")
            return None

        figures.append(("browser: student page loaded and drawn", median_ms(load_check, repeat)))
        figures.append(
            (
                f"browser: {DRAFT_WORDS}-word draft re-checked and drawn, from the last "
                "keystroke (600 ms of it is the page waiting for a pause in typing)",
                median_ms(recheck, repeat),
            )
        )
        figures.append(
            (f"browser: desk queue of {CLASS_SIZE} essays drawn", median_ms(load_desk, repeat))
        )
        figures.append(
            (
                f"browser: one key point across {CLASS_SIZE} essays drawn",
                median_ms(load_point, repeat),
            )
        )
        browser.close()
    return figures


def render(figures: list[tuple[str, float]], marked_s: float, repeat: int) -> str:
    lines = [
        START,
        "",
        f"Measured {dt.date.today().isoformat()} on {cpu_name()} ({os.cpu_count()} cores, "
        f"{platform.system()}, Python {platform.python_version()}), median of {repeat} runs "
        "after one warm-up, the server, the client and the browser on the same machine:",
        "",
        "```",
        COMMAND,
        "```",
        "",
        "| what | time |",
        "|---|---|",
    ]
    lines += [f"| {name} | {value:,.0f} ms |" for name, value in figures]
    lines += [
        "",
        f"Marking the {CLASS_SIZE}-essay class first (`essaycheck mark`, one process) took "
        f"{marked_s:.1f} s; it is not part of the figures.",
        "",
        END,
    ]
    return "\n".join(lines) + "\n"


def write_into(path: Path, section: str) -> None:
    text = path.read_text("utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"{path}: has no {START} ... {END} markers to write between")
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    path.write_text(head + section.rstrip("\n") + tail, "utf-8")
    progress(f"written to {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="write the figures into this page")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    draft = make_draft()
    assert len(draft.split()) == DRAFT_WORDS
    with tempfile.TemporaryDirectory() as folder:
        progress(f"marking a class of {CLASS_SIZE} essays")
        started = time.perf_counter()
        out = make_class(Path(folder))
        marked_s = time.perf_counter() - started
        progress("loading the engine")
        checker = load_checker("fast")
        desk = Desk(out)
        student = StudentPage(checker, [Assignment("rubric", load_rubric(RUBRIC))])
        with running(create_app(desk=desk, student=student)) as base:
            progress(f"serving at {base}: timing over HTTP")
            figures = http_figures(base, desk, draft, args.repeat)
            progress("timing in the browser")
            figures += browser_figures(base, draft, args.repeat)
        desk.writer.flush(300)
    section = render(figures, marked_s, args.repeat)
    sys.stdout.write(section)
    if args.write is not None:
        write_into(args.write, section)


if __name__ == "__main__":
    main()
