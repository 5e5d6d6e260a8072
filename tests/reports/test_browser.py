"""The class report in a real browser: headless Chromium, opened from disk.

--dump-dom gives the page as a person sees it after the page's own script ran;
--screenshot saves what it looks like. Skipped when Chromium is not installed
(.ci/run installs Debian's chromium package first).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from test_html import ENGINE, hostile_results, synthetic_class

from essaycheck.reports.html import render_class_html
from essaycheck.results import EssayResult, PointResult
from essaycheck.rubric import KeyPoint, Rubric

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
# Where to keep a copy of every screenshot, to look at them (ESSAYCHECK_SCREENSHOTS=folder).
SCREENSHOTS = (
    Path(os.environ["ESSAYCHECK_SCREENSHOTS"]) if "ESSAYCHECK_SCREENSHOTS" in os.environ else None
)
# The hostile essay tries to change the page title if any of its markup ran.
PWNED = "document.title='pwned'"

pytestmark = pytest.mark.skipif(
    FOUND is None,
    reason="headless Chromium is not installed (/usr/bin/chromium): "
    "apt-get install chromium, as .ci/run does, to run the browser tests",
)


def chromium(page: Path, tmp_path: Path, *args: str, fragment: str = "") -> str:
    """Open ``page`` (at ``#fragment``) from disk in a fresh headless Chromium; return stdout."""
    assert FOUND is not None
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    url = page.as_uri() + (f"#{fragment}" if fragment else "")
    completed = subprocess.run(
        [FOUND, *FLAGS, f"--user-data-dir={profile}", *args, url],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout


def dump_dom(
    page: Path, tmp_path: Path, window: str = "1280,2000", *args: str, fragment: str = ""
) -> BeautifulSoup:
    dom = chromium(
        page, tmp_path, "--dump-dom", f"--window-size={window}", *args, fragment=fragment
    )
    assert "</html>" in dom, dom[-500:]
    return BeautifulSoup(dom, "lxml")


def screenshot(page: Path, tmp_path: Path, window: str = "1280,2000") -> Path:
    """Save what the top of the page looks like in a window of this size.

    (Headless Chromium paints a blank screenshot when a #fragment scrolls the page,
    so a part further down is shown with a taller window.)
    """
    png = tmp_path / f"{page.stem}-{window.replace(',', 'x')}.png"
    chromium(page, tmp_path, f"--screenshot={png}", f"--window-size={window}")
    if SCREENSHOTS is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(png, SCREENSHOTS / f"{tmp_path.name}-{png.name}")
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
    assert len(page.select("#coverage svg.meter")) == len(results[0].points)
    assert len(page.select("#scores svg g")) == 10
    # Every essay is a closed <details>: the class opens one at a time.
    panels = page.select("article.essay > details")
    assert len(panels) == len(results) and not any(d.has_attr("open") for d in panels)


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

    page = dump_dom(with_test_script(report, CHOOSE_A_POINT), tmp_path)
    png = screenshot(report, tmp_path)

    check_what_a_person_sees(page, results)
    first = rubric.points[0].id
    with_evidence = sum(
        point.point.id == first and point.evidence is not None
        for result in results
        for point in result.points
    )
    assert len(page.select("#by-point-grid article.evidence-card")) == with_evidence
    assert report.stat().st_size < 2_000_000
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


# --- the phone layout, the per-point view, the panels ---------------------------------------

MEASURE_BARS = """
Array.prototype.forEach.call(document.querySelectorAll("#coverage li"), function (row) {
  var bar = row.querySelector("rect.bar").getBoundingClientRect();
  var track = row.querySelector("rect.track").getBoundingClientRect();
  row.setAttribute("data-bar", String(bar.width));
  row.setAttribute("data-track", String(track.width));
});
document.body.setAttribute("data-page-overflows",
  String(document.documentElement.scrollWidth > window.innerWidth));
"""


def covering(shares: dict[str, int], essays: int) -> tuple[list[EssayResult], Rubric]:
    """A class of ``essays`` where point ``id`` is covered by the first ``shares[id]`` essays."""
    rubric = Rubric("Bars", tuple(KeyPoint(key, f"Claim {key}.") for key in shares))
    results = [
        EssayResult(
            f"essay-{number}.txt",
            tuple(
                PointResult(
                    point=key,
                    is_covered=number < shares[key.id],
                    score=0.9 if number < shares[key.id] else 0.1,
                    needs_review=False,
                )
                for key in rubric
            ),
            text="An essay.",
        )
        for number in range(essays)
    ]
    return results, rubric


def test_a_phone_shows_coverage_bars_true_to_their_values(tmp_path: Path) -> None:
    results, rubric = covering({"half": 4, "most": 7, "none": 0, "all": 8}, essays=8)
    report = write_report(tmp_path, results, rubric)

    page = dump_dom(with_test_script(report, MEASURE_BARS), tmp_path, "390,844")
    png = screenshot(report, tmp_path, "390,1900")  # tall enough to show the coverage bars

    rows = {
        row.select_one(".bar-label").get_text(): (float(row["data-bar"]), float(row["data-track"]))  # type: ignore[union-attr]
        for row in page.select("#coverage li")
    }
    assert [row.select_one(".bar-value").get_text() for row in page.select("#coverage li")] == [  # type: ignore[union-attr]
        "50% (4 of 8)",
        "88% (7 of 8)",
        "0% (0 of 8)",
        "100% (8 of 8)",
    ]
    track = rows["half"][1]
    assert track > 300, "on a phone the bar takes the width of the screen"
    assert all(width == pytest.approx(track, abs=1) for _, width in rows.values())
    for label, share in (("half", 0.5), ("most", 0.875), ("none", 0.0), ("all", 1.0)):
        assert rows[label][0] == pytest.approx(share * track, abs=1.5), label
    assert rows["most"][0] - rows["half"][0] > 100, "a 50% and an 88% bar look different"
    body = page.body
    assert body is not None and body["data-page-overflows"] == "false"
    assert png_size(png) == (390, 1900)
    assert png.stat().st_size > 20_000


CHOOSE_A_POINT = """
var choice = document.getElementById("point-choice");
choice.value = choice.options[1].value;
choice.dispatchEvent(new Event("change"));
"""


def test_the_per_point_view_shows_every_students_evidence_side_by_side(tmp_path: Path) -> None:
    results, rubric = hostile_class()
    first = rubric.points[0].id
    report = with_test_script(write_report(tmp_path, results, rubric), CHOOSE_A_POINT)

    page = dump_dom(report, tmp_path, "1280,2000")
    png = screenshot(report, tmp_path, "1280,4000")  # down to the per-point view

    cards = page.select("#by-point-grid article.evidence-card")
    expected = [
        (result, point)
        for result in results
        for point in result.points
        if point.point.id == first and point.evidence is not None
    ]
    assert len(cards) == len(expected)
    order = {"covered": 0, "review": 1, "missing": 2}
    statuses = [next(c for c in card["class"] if c.startswith("c-"))[2:] for card in cards]
    assert statuses == sorted(statuses, key=order.__getitem__)
    quotes = sorted(card.select_one("blockquote").get_text() for card in cards)  # type: ignore[union-attr]
    assert quotes == sorted(point.evidence.text for _, point in expected if point.evidence)
    for card in cards:
        link = card.select_one("h3 a")
        assert link is not None and page.select_one(str(link["href"])) is not None
    hostile = results[0]
    assert any(hostile.student == card.select_one("h3").get_text() for card in cards)  # type: ignore[union-attr]
    assert page.find("img") is None
    assert page.title is not None and "pwned" not in page.title.get_text()
    summary = page.select_one("#by-point-summary")
    assert summary is not None and summary.get_text().startswith(f"{first}: ")
    assert png_size(png) == (1280, 4000)
    assert png.stat().st_size > 20_000


def test_a_link_to_an_essay_opens_its_panel(tmp_path: Path) -> None:
    results, rubric = synthetic_class(12, points=5)
    report = write_report(tmp_path, results, rubric)

    page = dump_dom(report, tmp_path, fragment="essay-3")

    opened = [
        panel["id"] for panel in page.select("article.essay") if panel.details.has_attr("open")
    ]  # type: ignore[union-attr]
    assert opened == ["essay-3"]


def test_without_its_script_the_page_keeps_its_panels_and_says_what_is_off(
    tmp_path: Path,
) -> None:
    results, rubric = synthetic_class(12, points=5)
    report = write_report(tmp_path, results, rubric)
    html = report.read_text("utf-8")
    bare = report.with_name("bare.html")
    bare.write_text(re.sub(r"<script>.*?</script>", "", html, flags=re.S), "utf-8")

    page = dump_dom(bare, tmp_path, "1280,2000")

    assert page.html is not None and "js" not in page.html.get("class", [])
    assert len(page.select("article.essay > details > summary h3")) == len(results)
    noscript = page.select_one("#by-point noscript")
    assert noscript is not None and "script, which is off" in noscript.get_text()


HOVER_A_CELL = """
var row = document.querySelector("table.heatmap tbody tr[data-scores]");
row.cells[2].dispatchEvent(new MouseEvent("mouseover", { bubbles: true }));
row.setAttribute("data-hovered", row.cells[2].getAttribute("title"));
"""


def test_pointing_at_a_heatmap_cell_shows_its_score(tmp_path: Path) -> None:
    results, rubric = synthetic_class(6, points=4)
    report = with_test_script(write_report(tmp_path, results, rubric), HOVER_A_CELL)

    page = dump_dom(report, tmp_path)

    row = page.select_one("table.heatmap tbody tr[data-hovered]")
    assert row is not None
    assert row["data-hovered"] == f"point-01: score {results[0].points[1].score:.2f}"
