"""Benchmark the class report: its size and how fast it renders, in Python and in Chromium.

Run from the repository root with the development venv:

    python benchmarks/benchmark_report.py                          # table on stdout
    python benchmarks/benchmark_report.py --write docs/report.md   # and into the docs

It builds deterministic classes (seed 0) of pseudo-essays of about 450 words (with
apostrophes and quotation marks, which the page escapes), against a rubric of 22
key points, each covered or a close call in about two essays of three with one or
two sentences of evidence, one essay in fifty unreadable, and measures:

1. ``render_class_html``: the median wall time of ``--repeats`` renders (after one
   to compile the templates), the page's size, gzipped size, and the bytes of each
   part (heatmap, tables, essay panels);
2. in headless Chromium (``/usr/bin/chromium``, skipped when absent), for the
   first class size: the median of ``--repeats`` loads of the page from disk,
   timed inside the page (``performance.now()`` when the page's own script has
   run), and the time the per-point view takes to build one key point's evidence
   for the whole class.

Nothing is read from ../shared and nothing is downloaded. It takes about a minute.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

from machine import cpu_name, emit, progress

from essaycheck.reports import ReportOptions
from essaycheck.reports.html import render_class_html
from essaycheck.results import EngineInfo, EssayResult, Evidence, PointResult
from essaycheck.rubric import KeyPoint, Rubric

SEED = 0
POINTS = 22
LIMIT_BYTES = 2_000_000
TARGET_ESSAYS = 300
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
)
# Words of the pseudo-essays; one in six carries an apostrophe or quotation marks.
WORDS = tuple(
    re.findall(
        r"\S+",
        "Trotsky Stalin revolution peasants farms industry socialism country workers army "
        "Lenin party debate policy abroad isolation capitalist collective state wanted "
        "believed argued because the and of to in a that was would Trotsky's Stalin's "
        'party\'s "permanent" "one-country" it\'s didn\'t',
    )
)
ENGINE = ReportOptions(
    engine=EngineInfo(
        name="static-centred",
        version="1",
        embeddings="minilm-static-256-argkp",
        decision="covered when score >= 0.5",
        review_band=0.15,
        checks=("negation", "attribution"),
    )
)
# Timed inside the page: the load when this runs (after the page's own script), then
# the per-point view for the first key point.
PROBE = """
var loaded = performance.now();
var choice = document.getElementById("point-choice");
var started = performance.now();
choice.value = choice.options[1].value;
choice.dispatchEvent(new Event("change"));
var built = performance.now() - started;
document.body.setAttribute("data-probe", JSON.stringify({
  loaded: loaded, view: built,
  cards: document.querySelectorAll("#by-point-grid article.evidence-card").length
}));
"""
PARTS = (
    ("style and script", r"<style>.*?</style>|<script>.*?</script>"),
    ("heatmap", r'<table class="heatmap">.*?</table>'),
    ("students table", r'<table class="students".*?</table>'),
    ("essay panels", r'<section id="essays".*?</section>\n</main>'),
)


def synthetic_class(essays: int, seed: int = SEED) -> tuple[list[EssayResult], Rubric]:
    """A class of ``essays`` pseudo-essays (about 2,600 characters each) and its rubric."""
    rng = random.Random(seed)
    rubric = Rubric(
        "Benchmark class",
        tuple(
            KeyPoint(
                f"point-{index:02d}",
                f"Key point {index}: " + " ".join(rng.choice(WORDS) for _ in range(14)) + ".",
                hint=f"Hint {index}: " + " ".join(rng.choice(WORDS) for _ in range(10)) + "?",
                required=index % 5 == 0,
            )
            for index in range(POINTS)
        ),
    )
    results = []
    for number in range(essays):
        name = f"Student {number}_{1000 + number}_assignsubmission_file_/essay.docx"
        if number % 50 == 49:
            results.append(EssayResult(name, error=f"{name} is not a readable Word document."))
            continue
        text = "\n\n".join(
            " ".join(
                " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 22))).capitalize() + "."
                for _ in range(5)
            )
            for _ in range(5)
        )
        spans = [(m.start(), m.end()) for m in re.finditer(r"[^.\n]+\.", text)]
        points = []
        for key in rubric:
            score = rng.random()
            covered, review = score >= 0.5, abs(score - 0.5) < 0.15
            evidence = None
            if covered or review:
                first = rng.randrange(len(spans) - 1)
                start, end = spans[first][0], spans[first + rng.randint(0, 1)][1]
                evidence = Evidence(text[start:end], start, end)
            points.append(
                PointResult(
                    point=key,
                    is_covered=covered,
                    score=score,
                    needs_review=review,
                    evidence=evidence,
                )
            )
        results.append(EssayResult(name, tuple(points), text=text, student=f"Student {number}"))
    return results, rubric


def measure_render(essays: int, repeats: int) -> dict[str, object]:
    """Render one class ``repeats`` times; return the timings and the page's sizes."""
    results, rubric = synthetic_class(essays)
    render_class_html(results[:2], rubric, ENGINE)  # the templates compile once per process
    times = []
    html = ""
    for _ in range(repeats):
        started = time.perf_counter()
        html = render_class_html(results, rubric, ENGINE)
        times.append(time.perf_counter() - started)
    data = html.encode("utf-8")
    parts = {
        label: sum(len(found.encode("utf-8")) for found in re.findall(pattern, html, re.S))
        for label, pattern in PARTS
    }
    return {
        "essays": essays,
        "text_bytes": sum(len(r.text.encode("utf-8")) for r in results),
        "bytes": len(data),
        "gzip_bytes": len(gzip.compress(data, mtime=0)),
        "render_s": statistics.median(times),
        "parts": parts,
        "html": html,
        "evidence": sum(
            p.point.id == rubric.points[0].id and p.evidence is not None
            for r in results
            for p in r.points
        ),
    }


def probed(html: str) -> str:
    """The page with the timing probe added, allowed by its own Content Security Policy."""
    digest = base64.b64encode(hashlib.sha256(PROBE.encode("utf-8")).digest()).decode()
    html, allowed = re.subn(r"script-src ", f"script-src &#39;sha256-{digest}&#39; ", html)
    if allowed != 1:
        raise SystemExit("the report's Content Security Policy has changed: update PROBE")
    return html.replace("</body>", f"<script>{PROBE}</script>\n</body>")


def measure_chromium(html: str, repeats: int, folder: Path) -> dict[str, float] | None:
    """Median page load and per-point view times in headless Chromium, or None without it."""
    found = str(CHROMIUM) if CHROMIUM.is_file() else shutil.which("chromium")
    if found is None:
        return None
    page = folder / "report.html"
    page.write_text(probed(html), "utf-8")
    loads, views, walls = [], [], []
    cards = 0.0
    for run in range(repeats):
        started = time.perf_counter()
        completed = subprocess.run(
            [
                found,
                *FLAGS,
                f"--user-data-dir={folder / f'profile-{run}'}",
                "--dump-dom",
                "--window-size=1280,2000",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        walls.append(time.perf_counter() - started)
        probe = re.search(r'data-probe="([^"]*)"', completed.stdout)
        if probe is None:
            raise SystemExit("the page's script did not run in Chromium")
        numbers = json.loads(probe[1].replace("&quot;", '"'))
        loads.append(numbers["loaded"])
        views.append(numbers["view"])
        cards = numbers["cards"]
    return {
        "load_ms": statistics.median(loads),
        "view_ms": statistics.median(views),
        "wall_s": statistics.median(walls),
        "cards": cards,
        "version": subprocess.run(
            [found, "--version"], capture_output=True, text=True, check=False
        ).stdout.strip(),
    }


def kb(size: object) -> str:
    """Bytes as kB (1,000 bytes), for the table."""
    assert isinstance(size, int)
    return f"{size / 1000:,.0f} kB"


def report(sizes: list[dict[str, object]], browser: dict[str, float] | None, command: str) -> str:
    """The Markdown report."""
    lines = [
        "# The class report at scale",
        "",
        "`mark` writes `OUT/report.html`, one self-contained page: no network, no CDN, a",
        "Content Security Policy that lets only its own style sheet and script run, every",
        "value from an essay escaped. What keeps a class of 300 small and usable:",
        "",
        "- each essay is a `<details>` panel, closed in the class report (it opens on a",
        "  click, without script; a link to an essay opens it, and printing opens them all);",
        "- a panel names its key points by id (the claims are in the table of key points)",
        "  and its essay text is escaped for element content, where quotation marks stay;",
        "- the heatmap carries each row's scores in one attribute, shown when the pointer",
        "  is on a cell;",
        "- the per-point view (every student's evidence for one key point, side by side)",
        "  is built by the page's script from the panels' highlights, with `textContent`,",
        "  so the evidence is not in the page twice;",
        "- on a phone the coverage bars take the screen's width, each drawn to its value.",
        "",
        "tests/reports/test_browser.py checks this in headless Chromium (`--dump-dom`,",
        "`--screenshot`): at 390 px wide a 50% bar and an 88% bar measure 50% and 87.5%",
        "of their track, and the page does not scroll sideways.",
        "",
        f"Measured with `{command}` on {cpu_name()}, Python {platform.python_version()}, "
        f"essaycheck {version('essaycheck')}, Jinja2 {version('jinja2')}.",
        "",
        f"Each class: pseudo-essays of about 450 words, {POINTS} key points, evidence for "
        "about two points in three, one essay in fifty unreadable (seed 0). The target is "
        f"a 300-essay report under {LIMIT_BYTES / 1e6:g} MB.",
        "",
        "| essays | essay text | report.html | gzipped | under 2 MB | render (median) |",
        "|---:|---:|---:|---:|:---:|---:|",
    ]
    for size in sizes:
        met = "yes" if isinstance(size["bytes"], int) and size["bytes"] < LIMIT_BYTES else "no"
        if size["essays"] != TARGET_ESSAYS:
            met = "(target: 300)"
        render = size["render_s"]
        assert isinstance(render, float)
        lines.append(
            f"| {size['essays']} | {kb(size['text_bytes'])} | {kb(size['bytes'])} | "
            f"{kb(size['gzip_bytes'])} | {met} | {render:.2f} s |"
        )
    first = sizes[0]
    parts = first["parts"]
    assert isinstance(parts, dict)
    lines += ["", f"Where the bytes of the {first['essays']}-essay report go:", ""]
    lines += ["| part | size |", "|---|---:|"]
    lines += [f"| {label} | {kb(size)} |" for label, size in parts.items()]
    lines += [f"| the whole page | {kb(first['bytes'])} |", ""]
    if browser is None:
        lines.append("Headless Chromium is not installed here: no browser figures.")
    else:
        lines += [
            f"In headless Chromium ({browser['version']}), the {first['essays']}-essay "
            "report opened from disk:",
            "",
            "| measure | median |",
            "|---|---:|",
            f"| page loaded, its script run (`performance.now()`) | {browser['load_ms']:.0f} ms |",
            f"| per-point view: one key point's evidence from every essay "
            f"({browser['cards']:.0f} cards) | {browser['view_ms']:.0f} ms |",
            f"| whole `chromium --headless --dump-dom` command | {browser['wall_s']:.1f} s |",
        ]
    text, page = first["text_bytes"], first["bytes"]
    assert isinstance(text, int) and isinstance(page, int)
    lines += [
        "",
        "## Limits",
        "",
        f"- The page is about {page / text:.1f} times the essays' own text: every essay is in",
        "  it, with its highlights. Longer essays, more key points or a larger class make it",
        "  larger (the 1,000-essay class above is over 2 MB); it still opens and works.",
        "- The per-point view and the pointer's scores need the page's own script; without",
        "  it the page says so, and the heatmap and the panels show the same decisions and",
        "  evidence.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Measure, print the report, and write it where ``--write`` says."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--essays", default="300,1000", help="class sizes, comma-separated (default 300,1000)"
    )
    parser.add_argument("--repeats", type=int, default=5, help="runs per figure (default 5)")
    parser.add_argument("--write", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)
    sizes = []
    for essays in (int(n) for n in args.essays.split(",")):
        progress(f"rendering a class of {essays}")
        sizes.append(measure_render(essays, args.repeats))
    progress("opening the first class's report in headless Chromium")
    with tempfile.TemporaryDirectory() as folder:
        html = sizes[0]["html"]
        assert isinstance(html, str)
        browser = measure_chromium(html, args.repeats, Path(folder))
    if browser is not None and browser["cards"] != sizes[0]["evidence"]:
        raise SystemExit("the per-point view did not show every essay's evidence")
    command = "python benchmarks/benchmark_report.py" + "".join(
        f" {arg}" for arg in (argv if argv is not None else sys.argv[1:])
    )
    emit(report(sizes, browser, command), args.write)


if __name__ == "__main__":
    main()
