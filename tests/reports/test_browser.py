"""The class report in a real browser: headless Chromium, opened from disk.

--dump-dom gives the page as a person sees it after the page's own script ran;
--screenshot saves what it looks like. Skipped when Chromium is not installed
(.ci/run installs Debian's chromium package first).
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from test_html import ENGINE, hostile_results, synthetic_class

from essaycheck.reports.html import render_class_html
from essaycheck.results import EssayResult
from essaycheck.rubric import Rubric

CHROMIUM = Path("/usr/bin/chromium")
FOUND = str(CHROMIUM) if CHROMIUM.is_file() else shutil.which("chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
)
TIMEOUT = 60
# The hostile essay tries to change the page title if any of its markup ran.
PWNED = "document.title='pwned'"

pytestmark = pytest.mark.skipif(
    FOUND is None,
    reason="headless Chromium is not installed (/usr/bin/chromium): "
    "apt-get install chromium, as .ci/run does, to run the browser tests",
)


def chromium(page: Path, tmp_path: Path, *args: str) -> str:
    """Open ``page`` from disk in a fresh headless Chromium; return its stdout."""
    assert FOUND is not None
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    completed = subprocess.run(
        [FOUND, *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout


def dump_dom(page: Path, tmp_path: Path, window: str = "1280,2000") -> BeautifulSoup:
    dom = chromium(page, tmp_path, "--dump-dom", f"--window-size={window}")
    assert "</html>" in dom, dom[-500:]
    return BeautifulSoup(dom, "lxml")


def screenshot(page: Path, tmp_path: Path) -> Path:
    png = tmp_path / "report.png"
    chromium(page, tmp_path, f"--screenshot={png}", "--window-size=1280,2000")
    return png


def png_size(png: Path) -> tuple[int, int]:
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def hostile_class() -> tuple[list[EssayResult], Rubric]:
    """A small class: a few ordinary essays, one full of markup that tries to run, one failed."""
    results, rubric = synthetic_class(6, points=6)
    attack = f'<script>{PWNED}</script><img src=x onerror="{PWNED}">'
    marked = results[0]
    text = f"{attack} {marked.text}"
    shift = len(attack) + 1
    shifted = tuple(
        type(point)(
            point.point,
            point.is_covered,
            point.score,
            point.needs_review,
            type(point.evidence)(
                point.evidence.text, point.evidence.start + shift, point.evidence.end + shift
            )
            if point.evidence
            else None,
            point.objection,
        )
        for point in marked.points
    )
    hostile = EssayResult(f"essays/{attack}.txt", shifted, text=text, student=attack)
    broken = hostile_results()[0][1]
    return [hostile, *results[1:], broken], rubric


def write_report(tmp_path: Path, results: list[EssayResult], rubric: Rubric) -> Path:
    page = tmp_path / "class.html"
    page.write_text(render_class_html(results, rubric, ENGINE), "utf-8")
    return page


def check_what_a_person_sees(page: BeautifulSoup, results: list[EssayResult]) -> None:
    assert page.html is not None
    assert "js" in page.html.get("class", []), "the page's own script did not run"
    assert page.title is not None and page.title.get_text().startswith("Class report: ")
    assert len(page.select("#students-table tbody tr")) == len(results)
    assert len(page.select("table.heatmap tbody tr")) == len(results)
    assert len(page.select("article.essay")) == len(results)
    # Every evidence span is highlighted, and labelled once where it starts.
    evidence = [p.point.id for r in results for p in r.points if p.evidence is not None]
    labels = [tag.get_text().split(" ", 1)[1] for tag in page.select("article.essay .tag")]
    assert sorted(labels) == sorted(evidence)
    assert len(page.select("article.essay mark[data-point]")) > len(results) / 2
    assert page.select("#coverage svg g") and len(page.select("#scores svg g")) == 10


def test_small_class_in_a_browser(tmp_path: Path) -> None:
    results, rubric = hostile_class()
    report = write_report(tmp_path, results, rubric)

    page = dump_dom(report, tmp_path)
    png = screenshot(report, tmp_path)

    check_what_a_person_sees(page, results)
    assert page.title is not None and "pwned" not in page.title.get_text()
    assert page.find("img") is None
    assert f"<script>{PWNED}</script>" in page.select("article.essay .essay-text")[0].get_text()
    assert png.stat().st_size > 20_000
    assert png_size(png) == (1280, 2000)


def test_class_of_300_in_a_browser(tmp_path: Path) -> None:
    results, rubric = synthetic_class(300)
    report = write_report(tmp_path, results, rubric)

    page = dump_dom(report, tmp_path)
    png = screenshot(report, tmp_path)

    check_what_a_person_sees(page, results)
    assert png.stat().st_size > 20_000
    assert png_size(png) == (1280, 2000)


def with_test_script(report: Path, script: str) -> Path:
    """A copy of the report that also runs ``script``, allowed by the page's own policy."""
    html = report.read_text("utf-8")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    html, allowed = re.subn(r"script-src ", f"script-src &#39;sha256-{digest}&#39; ", html)
    assert allowed == 1
    html = html.replace("</body>", f"<script>{script}</script>\n</body>")
    page = report.with_name("scripted.html")
    page.write_text(html, "utf-8")
    return page


CLICK_SCORE_TWICE = """
var table = document.getElementById("students-table");
var score = table.tHead.rows[0].cells[2].querySelector("button");
function order() {
  return Array.prototype.map.call(table.tBodies[0].rows, function (row) {
    return row.cells[2].getAttribute("data-sort");
  }).join(",");
}
score.click();
table.setAttribute("data-ascending", order());
score.click();
table.setAttribute("data-descending", order());
var heatmap = document.querySelector(".heatmap-scroll");
document.body.setAttribute("data-page-overflows",
  String(document.documentElement.scrollWidth > window.innerWidth));
document.body.setAttribute("data-heatmap-scrolls",
  String(heatmap.scrollWidth > heatmap.clientWidth));
"""


def test_table_sorts_by_score_and_a_phone_scrolls_only_the_heatmap(tmp_path: Path) -> None:
    results, rubric = synthetic_class(60)
    report = with_test_script(write_report(tmp_path, results, rubric), CLICK_SCORE_TWICE)

    page = dump_dom(report, tmp_path, window="390,844")

    table = page.select_one("#students-table")
    assert table is not None
    ascending = str(table["data-ascending"]).split(",")
    descending = str(table["data-descending"]).split(",")
    scores = sorted(f"{r.score:.4f}" for r in results if not r.is_failed)
    failed = [""] * sum(r.is_failed for r in results)
    assert failed
    assert ascending == scores + failed
    assert descending == sorted(scores, reverse=True) + failed
    score_header = table.select("thead th")[2]
    assert score_header["aria-sort"] == "descending"
    body = page.body
    assert body is not None
    assert body["data-page-overflows"] == "false"
    assert body["data-heatmap-scrolls"] == "true"
