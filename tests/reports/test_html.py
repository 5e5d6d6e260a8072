"""HTML reports: escaping, highlights, the class overview, determinism, size and speed.

Results are built directly from EssayResult, PointResult and Evidence: no engine runs.
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
import time
from dataclasses import replace
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from click.testing import CliRunner
from conftest import EXAMPLES_DIR

from essaycheck.reports import ReportOptions
from essaycheck.reports.html import (
    highlight_segments,
    render_class_html,
    render_essays_html,
    text_node,
)
from essaycheck.results import EngineInfo, EssayResult, Evidence, Objection, PointResult
from essaycheck.rubric import Band, KeyPoint, Rubric

INFO = EngineInfo(
    name="static-centred",
    version="1",
    embeddings="minilm-static-256-argkp",
    decision="covered when score >= 0.5",
    review_band=0.15,
    checks=("negation", "attribution"),
)
ENGINE = ReportOptions(engine=INFO)
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
HOSTILE = f"{SCRIPT}{IMG}"
VOCABULARY = (
    "Trotsky Stalin revolution peasants farms industry socialism country workers army "
    "Lenin party debate policy abroad isolation capitalist collective state wanted "
    "believed argued because the and of to in a that was would"
)
WORDS = VOCABULARY.split()


# --- building results ------------------------------------------------------------------


def point(
    key: KeyPoint,
    text: str,
    quote: str | None,
    *,
    covered: bool = True,
    score: float = 0.9,
    review: bool = False,
    objection: Objection | None = None,
    occurrence: int = 0,
) -> PointResult:
    """A result for ``key`` whose evidence is ``quote`` (its nth occurrence in ``text``)."""
    evidence = None
    if quote is not None:
        start = -1
        for _ in range(occurrence + 1):
            start = text.index(quote, start + 1)
        evidence = Evidence(quote, start, start + len(quote))
    return PointResult(
        point=key,
        is_covered=covered,
        score=score,
        needs_review=review,
        evidence=evidence,
        objection=objection,
    )


def sentence_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^.\n]+\.", text)]


def synthetic_class(
    essays: int, points: int = 22, seed: int = 0
) -> tuple[list[EssayResult], Rubric]:
    """A class of realistic size: ~2,500-character essays, one failed essay in fifty."""
    rng = random.Random(seed)
    rubric = Rubric(
        "Synthetic class",
        tuple(
            KeyPoint(
                f"point-{index:02d}",
                f"Key point {index}: " + " ".join(rng.choice(WORDS) for _ in range(14)) + ".",
                hint=f"Hint {index}: " + " ".join(rng.choice(WORDS) for _ in range(10)) + "?",
                required=index % 5 == 0,
            )
            for index in range(points)
        ),
    )
    results = []
    for number in range(essays):
        name = f"class/essay-{number:03d}.txt"
        if number % 50 == 49:
            results.append(EssayResult(name, error=f"{name} is empty. There is nothing to mark."))
            continue
        paragraphs = [
            " ".join(
                " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 22))).capitalize() + "."
                for _ in range(5)
            )
            for _ in range(5)
        ]
        text = "\n\n".join(paragraphs)
        spans = sentence_spans(text)
        point_results = []
        for key in rubric:
            score = rng.random()
            covered = score >= 0.5
            review = abs(score - 0.5) < 0.15
            evidence = None
            if covered or review:
                first = rng.randrange(len(spans) - 1)
                start, end = spans[first][0], spans[first + rng.randint(0, 1)][1]
                evidence = Evidence(text[start:end], start, end)
            point_results.append(PointResult(key, covered, score, review, evidence))
        warnings = ("this does not look like English",) if number % 37 == 0 else ()
        results.append(
            EssayResult(
                name,
                tuple(point_results),
                text=text,
                student=f"Student {number}",
                warnings=warnings,
            )
        )
    return results, rubric


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return Rubric(
        "Trotsky and Stalin",
        (
            KeyPoint(
                "permanent-revolution",
                "Trotsky argued for permanent revolution.",
                weight=2,
                hint="What did Trotsky want abroad?",
                required=True,
            ),
            KeyPoint("collective-farming", "Trotsky wanted collective farms.", hint="Farming?"),
            KeyPoint("socialism-in-one-country", "Stalin built socialism in one country."),
        ),
    )


ESSAY_TEXT = (
    "Trotsky believed in permanent revolution. He wanted collective farms too.\n\n"
    "Stalin did not want socialism in one country."
)


@pytest.fixture(scope="module")
def essay(rubric: Rubric) -> EssayResult:
    p1, p2, p3 = rubric.points
    return EssayResult(
        "essays/ana.txt",
        (
            point(p1, ESSAY_TEXT, "Trotsky believed in permanent revolution."),
            point(p2, ESSAY_TEXT, "He wanted collective farms too.", score=0.55, review=True),
            point(
                p3,
                ESSAY_TEXT,
                "Stalin did not want socialism in one country.",
                covered=False,
                score=0.25,
                objection=Objection("negated", "your essay says the opposite: “Stalin did not…”"),
            ),
        ),
        text=ESSAY_TEXT,
        student="Ana Díaz",
        warnings=("no sentence punctuation: evidence may start or stop mid-sentence",),
    )


@pytest.fixture(scope="module")
def failed() -> EssayResult:
    return EssayResult(
        "essays/broken.docx",
        error="essays/broken.docx is not a readable Word document. Ask the student again.",
        student="Ben",
    )


@pytest.fixture(scope="module")
def class_html(essay: EssayResult, failed: EssayResult, rubric: Rubric) -> str:
    return render_class_html([essay, failed], rubric, ENGINE)


def soup(html: str) -> BeautifulSoup:
    # bs4 collapses whitespace-only text (the blank line between two paragraphs)
    # unless told to keep it; the essay text is in <div>s and <mark>s.
    return BeautifulSoup(html, "html.parser", preserve_whitespace_tags={"div", "mark"})


def marks_for(panel: Tag, point_id: str) -> list[Tag]:
    return [
        mark
        for mark in panel.find_all("mark")
        if point_id in str(mark.get("data-point", "")).split()
    ]


def panel_of(page: BeautifulSoup, name: str) -> Tag:
    for panel in page.select("article.essay"):
        heading = panel.find("h3")
        if heading is not None and heading.get_text() == name:
            return panel
    raise AssertionError(f"no panel for {name}")


# --- escaping ----------------------------------------------------------------------------


def hostile_results() -> tuple[list[EssayResult], Rubric]:
    key = KeyPoint(
        f"p{SCRIPT}",
        f"Point text {HOSTILE}",
        hint=f"Hint {HOSTILE}",
    )
    other = KeyPoint("other", f"Other {HOSTILE}", hint=f"Other hint {HOSTILE}")
    rubric = Rubric(f"Rubric {HOSTILE}", (key, other), description=HOSTILE)
    text = f"Intro {HOSTILE} and more.\n{SCRIPT} is here. {IMG} there."
    marked = EssayResult(
        f"essays/{IMG}.txt",
        (
            point(key, text, f"Intro {HOSTILE} and more."),
            point(
                other,
                text,
                f"{IMG} there.",
                covered=False,
                score=0.2,
                objection=Objection("negated", f"your essay says the opposite: {HOSTILE}"),
            ),
        ),
        text=text,
        student=f"Student {SCRIPT}",
        warnings=(f"warning {HOSTILE}",),
    )
    broken = EssayResult(f"{SCRIPT}.docx", error=f"error {HOSTILE}", student=IMG)
    return [marked, broken], rubric


@pytest.mark.parametrize("render", [render_class_html, render_essays_html])
def test_markup_in_essays_names_and_rubric_is_shown_as_text(render: object) -> None:
    results, rubric = hostile_results()
    engine = ReportOptions(engine=replace(INFO, name=HOSTILE))
    assert callable(render)

    html = render(results, rubric, engine)

    assert "<img" not in html.lower()
    assert "alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    page = soup(html)
    assert page.find("img") is None
    own_scripts = page.find_all("script")
    assert all("alert" not in script.get_text() for script in own_scripts)
    for element in page.find_all(True):
        assert not any(attribute.startswith("on") for attribute in element.attrs), element.name


def test_hostile_text_is_still_highlighted_as_text() -> None:
    results, _ = hostile_results()
    html = render_essays_html(results[:1], hostile_results()[1], ENGINE)

    panel = soup(html).select_one("article.essay")

    assert panel is not None
    (mark,) = marks_for(panel, f"p{SCRIPT}")
    assert mark.get_text() == f"Intro {HOSTILE} and more."


def test_a_content_security_policy_allows_only_the_pages_own_style_and_script(
    class_html: str,
) -> None:
    page = soup(class_html)
    policy = page.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert isinstance(policy, Tag)
    content = str(policy["content"])
    style = page.find("style")
    script = page.find("script")
    assert style is not None and script is not None

    def sha(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()

    assert "default-src 'none'" in content
    assert f"'sha256-{sha(style.get_text())}'" in content
    assert f"script-src 'sha256-{sha(script.get_text())}'" in content


def test_the_essays_page_runs_no_script(essay: EssayResult, rubric: Rubric) -> None:
    html = render_essays_html([essay], rubric, ENGINE)

    policy = soup(html).find("meta", attrs={"http-equiv": "Content-Security-Policy"})

    assert "<script" not in html
    assert isinstance(policy, Tag)
    assert "script-src 'none'" in str(policy["content"])


# --- highlights -----------------------------------------------------------------------------


def test_essay_text_is_escaped_for_element_content_and_keeps_its_quotes() -> None:
    assert text_node("a<b & 'c' \"d\">") == "a&lt;b &amp; 'c' \"d\"&gt;"
    key = KeyPoint("a", "A.")
    text = 'It\'s "quoted" & <b>bold</b>.'
    result = EssayResult("e.txt", (point(key, text, "It's"),), text=text)

    html = render_class_html([result], Rubric("R", (key,)), ENGINE)
    panel = soup(html).select_one(".essay-text")

    assert 'It\'s "quoted" &amp; &lt;b&gt;bold&lt;/b&gt;.' in html.replace("</mark>", "")
    assert panel is not None and panel.get_text().endswith(text[4:])


def test_each_highlight_quotes_its_evidence(class_html: str, essay: EssayResult) -> None:
    panel = panel_of(soup(class_html), essay.name)

    for result in essay.points:
        assert result.evidence is not None
        marks = marks_for(panel, result.point.id)
        assert "".join(mark.get_text() for mark in marks) == result.evidence.text
        assert result.evidence.text == essay.text[result.evidence.start : result.evidence.end]


def test_highlights_keep_the_essay_text_unchanged(class_html: str, essay: EssayResult) -> None:
    text = panel_of(soup(class_html), essay.name).select_one(".essay-text")
    assert text is not None

    for tag in text.select(".tag"):
        tag.decompose()

    assert text.get_text() == essay.text


def test_each_highlight_has_a_visible_label_naming_its_point(
    class_html: str, essay: EssayResult
) -> None:
    panel = panel_of(soup(class_html), essay.name)

    labels = [tag.get_text() for tag in panel.select(".essay-text .tag")]

    assert labels == [
        "✓ permanent-revolution",
        "? collective-farming",
        "✗ socialism-in-one-country",
    ]
    first = panel.select_one(".essay-text .tag")
    assert first is not None
    assert first.find_next_sibling("mark") is not None


def test_highlight_status_follows_the_decision(class_html: str, essay: EssayResult) -> None:
    panel = panel_of(soup(class_html), essay.name)

    classes = {
        str(mark["data-point"]): mark["class"]
        for mark in panel.find_all("mark", attrs={"data-point": True})
    }

    assert classes == {
        "permanent-revolution": ["s-covered"],
        "collective-farming": ["s-review"],
        "socialism-in-one-country": ["s-missing"],
    }


def test_overlapping_evidence_is_split_into_segments_naming_every_point() -> None:
    keys = tuple(KeyPoint(name, f"{name} text") for name in ("a", "b", "c"))
    text = "One two three. Four five six. Seven eight nine."
    #       a: "One two three. Four five six."  b: "Four five six. Seven eight nine."
    #       c: "five" (inside both)
    result = EssayResult(
        "essays/overlap.txt",
        (
            point(keys[0], text, "One two three. Four five six."),
            point(
                keys[1],
                text,
                "Four five six. Seven eight nine.",
                covered=False,
                score=0.55,
                review=True,
            ),
            point(keys[2], text, "five"),
        ),
        text=text,
    )
    rubric = Rubric("Overlaps", keys)

    segments = highlight_segments(result)
    panel = soup(render_essays_html([result], rubric, ENGINE)).select_one("article.essay")

    assert "".join(segment.text for segment in segments) == text
    assert [(s.text, s.point_ids) for s in segments if s.point_ids] == [
        ("One two three. ", ("a",)),
        ("Four ", ("a", "b")),
        ("five", ("a", "b", "c")),
        (" six.", ("a", "b")),
        (" Seven eight nine.", ("b",)),
    ]
    assert [[label.point_id for label in s.labels] for s in segments if s.labels] == [
        ["a"],
        ["b"],
        ["c"],
    ]
    assert panel is not None
    for result_point in result.points:
        assert result_point.evidence is not None
        marks = marks_for(panel, result_point.point.id)
        assert "".join(mark.get_text() for mark in marks) == result_point.evidence.text
    shared = [mark for mark in panel.find_all("mark") if mark.get_text() == "five"]
    assert shared[0]["data-point"] == "a b c"
    assert "overlap" in shared[0]["class"]


def test_identical_evidence_for_two_points_is_one_highlight_with_two_labels() -> None:
    keys = (KeyPoint("a", "A."), KeyPoint("b", "B."))
    text = "Only one sentence here."
    result = EssayResult(
        "e.txt", (point(keys[0], text, text), point(keys[1], text, text)), text=text
    )

    page = soup(render_essays_html([result], Rubric("R", keys), ENGINE))

    marks = page.find_all("mark", attrs={"data-point": True})
    assert [(m.get_text(), m["data-point"]) for m in marks] == [(text, "a b")]
    assert [t.get_text() for t in page.select(".essay-text .tag")] == ["✓ a", "✓ b"]


def test_evidence_outside_the_text_is_clamped_not_a_crash() -> None:
    key = KeyPoint("a", "A.")
    text = "Short."
    result = EssayResult(
        "e.txt",
        (PointResult(key, True, 0.9, False, Evidence("Short. And more", 0, 99)),),
        text=text,
    )

    segments = highlight_segments(result)

    assert [(s.text, s.point_ids) for s in segments] == [("Short.", ("a",))]


# --- panels -------------------------------------------------------------------------------------


def test_class_panel_names_points_by_id_with_their_notes(
    class_html: str, essay: EssayResult
) -> None:
    panel = panel_of(soup(class_html), essay.name)
    text = " ".join(panel.get_text().split())

    assert (
        "Missing (1) socialism-in-one-country (not counted: Your essay says the opposite: "
        "“Stalin did not…”)" in text
    )
    assert "Covered (2) permanent-revolution, collective-farming (close call)" in text
    assert "Hint:" not in text  # the claims and hints are in the table of key points
    assert "Note: no sentence punctuation" in text
    assert "Student: Ana Díaz Score: 75%" in text


def test_students_panel_lists_missing_points_with_hints_and_notes(
    essay: EssayResult, rubric: Rubric
) -> None:
    page = soup(render_essays_html([essay], rubric, ENGINE))
    text = " ".join(panel_of(page, essay.name).get_text().split())

    assert "Missing (1)" in text
    assert "Hint: What did Trotsky want abroad?" not in text  # covered: no hint needed
    assert "Not counted: Your essay says the opposite: “Stalin did not…”" in text
    assert "Covered (2)" in text
    assert "collective-farming close call" in text
    assert "Note: no sentence punctuation" in text
    assert "Student: Ana Díaz Score: 75%" in text


def test_panels_are_details_closed_in_the_class_report_and_open_for_a_student(
    class_html: str, essay: EssayResult, rubric: Rubric
) -> None:
    in_class = panel_of(soup(class_html), essay.name)
    standalone = panel_of(soup(render_essays_html([essay], rubric, ENGINE)), essay.name)

    opened = []
    for panel in (in_class, standalone):
        details = panel.find("details", recursive=False)
        assert isinstance(details, Tag)
        summary = details.find("summary", recursive=False)
        assert isinstance(summary, Tag)
        heading = summary.find("h3")
        assert heading is not None and heading.get_text() == essay.name
        assert "Score: 75%" in " ".join(summary.get_text().split())
        opened.append(details.has_attr("open"))
    assert opened == [False, True]


def test_missing_point_shows_its_hint(rubric: Rubric) -> None:
    missing = EssayResult(
        "e.txt",
        tuple(PointResult(key, False, 0.1, False, None) for key in rubric),
        text="Nothing relevant.",
    )

    text = soup(render_essays_html([missing], rubric, ENGINE)).get_text()

    assert "Hint: What did Trotsky want abroad?" in text
    assert "Hint: Farming?" in text
    assert "Missing (3)" in text


def test_failed_essay_is_shown_with_its_error(class_html: str, failed: EssayResult) -> None:
    page = soup(class_html)
    panel = panel_of(page, failed.name)

    assert "This essay could not be marked: " + str(failed.error) in " ".join(
        panel.get_text().split()
    )
    assert panel.find("mark") is None
    row = page.select("table.heatmap tbody tr")[1]
    assert row.select("td.s-failed")
    table_row = page.select("#students-table tbody tr")[1]
    assert "Not marked: essays/broken.docx" in table_row.get_text()


def test_essays_page_shows_the_same_essay_and_highlights(
    essay: EssayResult, rubric: Rubric, class_html: str
) -> None:
    """The student's page and the class report show the same summary and highlighted text."""
    page = soup(render_essays_html([essay], replace(rubric, student_view="claims"), ENGINE))

    assert page.title is not None and page.title.get_text() == "Feedback: essays/ana.txt"
    standalone = page.select_one("article.essay")
    in_class = panel_of(soup(class_html), essay.name)
    assert standalone is not None
    for part in ("summary", ".essay-text"):
        assert str(standalone.select_one(part)) == str(in_class.select_one(part)), part


# --- class overview ------------------------------------------------------------------------


def test_heatmap_has_a_row_per_essay_and_a_column_per_point() -> None:
    results, rubric = synthetic_class(60, points=7)

    page = soup(render_class_html(results, rubric, ENGINE))
    heatmap = page.select_one("table.heatmap")

    assert heatmap is not None
    assert heatmap.find("caption") is not None
    columns = heatmap.select("thead th.point")
    assert [th.get_text() for th in columns] == [key.id for key in rubric]
    assert all(th.get("scope") == "col" for th in columns)
    rows = heatmap.select("tbody tr")
    assert len(rows) == len(results)
    for row, result in zip(rows, results, strict=True):
        header = row.find("th", attrs={"scope": "row"})
        assert header is not None
        link = header.find("a")
        assert link is not None and page.find(id=str(link["href"]).lstrip("#")) is not None
        if result.is_failed:
            (cell,) = row.find_all("td")
            assert cell["colspan"] == str(len(rubric))
            continue
        cells = row.find_all("td")
        assert len(cells) == len(rubric)
        for cell, point_result in zip(cells, result.points, strict=True):
            expected = (
                "review"
                if point_result.needs_review
                else "covered"
                if point_result.is_covered
                else "missing"
            )
            assert cell["class"] == [f"s-{expected}"]
            assert cell.get_text() == {"covered": "✓", "review": "?", "missing": "✗"}[expected]


def test_heatmap_rows_carry_every_score_and_cells_only_their_notes(
    essay: EssayResult, failed: EssayResult, rubric: Rubric
) -> None:
    page = soup(render_class_html([essay, failed], rubric, ENGINE))
    marked, broken = page.select("table.heatmap tbody tr")

    assert marked["data-scores"] == "0.90 0.55 0.25"
    assert not broken.has_attr("data-scores")
    assert [cell.get("title") for cell in marked.find_all("td")] == [
        None,
        None,
        "socialism-in-one-country: not counted",
    ]


def test_coverage_chart_gives_each_points_share_in_rubric_order(
    essay: EssayResult, failed: EssayResult, rubric: Rubric
) -> None:
    none_covered = EssayResult(
        "essays/zed.txt",
        tuple(PointResult(key, False, 0.1, False, None) for key in rubric),
        text="Nothing.",
    )

    page = soup(render_class_html([essay, none_covered, failed], rubric, ENGINE))
    rows = page.select("#coverage ol.coverage li")

    labels = [row.select_one(".bar-label").get_text() for row in rows]  # type: ignore[union-attr]
    shares = [row.select_one(".bar-value").get_text() for row in rows]  # type: ignore[union-attr]
    widths = [row.select_one("svg.meter rect.bar")["width"] for row in rows]  # type: ignore[index]
    assert labels == [key.id for key in rubric]
    assert shares == ["50% (1 of 2)", "50% (1 of 2)", "0% (0 of 2)"]
    assert widths == ["50.0", "50.0", "0.0"]
    for row in rows:  # html.parser lower-cases attribute names
        meter = row.select_one("svg.meter")
        assert meter is not None
        assert (meter["viewbox"], meter["preserveaspectratio"]) == ("0 0 100 10", "none")


def test_the_per_point_view_offers_every_point_and_says_when_script_is_off(
    class_html: str, rubric: Rubric
) -> None:
    page = soup(class_html)
    section = page.select_one("#by-point")

    assert section is not None
    options = [option["value"] for option in section.select("#point-choice option")]
    assert options == ["", *(key.id for key in rubric)]
    assert section.select_one("#by-point-grid") is not None
    assert section.find("noscript") is not None
    links = page.select("#key-points a.show-point")
    assert [link["data-point"] for link in links] == [key.id for key in rubric]
    assert all(link["href"] == "#by-point" for link in links)


def test_score_histogram_has_ten_bins_counting_every_marked_essay() -> None:
    results, rubric = synthetic_class(120, points=10)
    marked = [r for r in results if not r.is_failed]

    page = soup(render_class_html(results, rubric, ENGINE))
    bars = page.select("#scores svg g")

    assert len(bars) == 10
    counts = [int(bar.find_all("text")[0].get_text()) for bar in bars]
    assert sum(counts) == len(marked)
    assert counts[9] == sum(r.score >= 0.9 for r in marked)
    assert counts[0] == sum(r.score < 0.1 for r in marked)


def test_a_full_score_lands_in_the_top_bin(rubric: Rubric) -> None:
    full = EssayResult(
        "e.txt", tuple(PointResult(key, True, 0.9, False, None) for key in rubric), text="x"
    )

    bars = soup(render_class_html([full], rubric, ENGINE)).select("#scores svg g")

    assert [bar.find_all("text")[0].get_text() for bar in bars] == ["0"] * 9 + ["1"]


def test_students_table_is_sortable_by_buttons_and_links_to_panels(class_html: str) -> None:
    page = soup(class_html)
    table = page.select_one("#students-table")

    assert table is not None and table.find("caption") is not None
    headers = table.select("thead th")
    assert [th.get_text().strip() for th in headers] == [
        "File",
        "Student",
        "Score",
        "Covered",
        "Close calls",
        "Warnings and errors",
    ]
    assert all(th.find("button", attrs={"type": "button"}) for th in headers)
    assert all(th["scope"] == "col" and th["aria-sort"] == "none" for th in headers)
    rows = table.select("tbody tr")
    assert [row.find("th").get_text() for row in rows] == ["essays/ana.txt", "essays/broken.docx"]
    assert [row.select("td")[1]["data-sort"] for row in rows] == ["0.7500", ""]
    for row in rows:
        href = str(row.find("a")["href"])
        assert page.find("article", id=href.lstrip("#")) is not None


def test_grade_bands_appear_when_the_rubric_has_them(
    essay: EssayResult, failed: EssayResult, rubric: Rubric
) -> None:
    banded = Rubric(
        rubric.title, rubric.points, bands=(Band(0.6, "B"), Band(0.0, "C"), Band(0.8, "A"))
    )

    page = soup(render_class_html([essay, failed], banded, ENGINE))

    headers = [th.get_text().strip() for th in page.select("#students-table thead th")]
    assert "Grade" in headers
    assert "Grade: B" in " ".join(panel_of(page, essay.name).get_text().split())


def test_page_structure_is_semantic_and_titled(class_html: str) -> None:
    page = soup(class_html)

    assert page.html is not None and page.html["lang"] == "en"
    assert page.title is not None and page.title.get_text() == "Class report: Trotsky and Stalin"
    assert page.find("main") is not None
    assert len(page.select("main section")) >= 5
    assert page.find("meta", attrs={"name": "viewport"}) is not None
    ids = [element["id"] for element in page.find_all(id=True)]
    assert len(ids) == len(set(ids))
    for link in page.select('a[href^="#"]'):
        assert page.find(id=str(link["href"])[1:]) is not None, link


def test_styles_cover_print_and_small_screens(class_html: str) -> None:
    assert "@media print" in class_html
    assert "break-before: page" in class_html
    assert "@media (max-width" in class_html
    assert "overflow: auto" in class_html


# --- determinism, self-containment, size ------------------------------------------------------


def test_reports_are_byte_identical_for_the_same_input() -> None:
    first_results, first_rubric = synthetic_class(40)
    again_results, again_rubric = synthetic_class(40)

    assert render_class_html(first_results, first_rubric, ENGINE) == render_class_html(
        again_results, again_rubric, ReportOptions(engine=replace(INFO))
    )
    assert render_essays_html(first_results, first_rubric, ENGINE) == render_essays_html(
        again_results, again_rubric, ENGINE
    )


@pytest.mark.parametrize("render", [render_class_html, render_essays_html])
def test_reports_are_self_contained(render: object) -> None:
    results, rubric = synthetic_class(10)
    assert callable(render)

    html = render(results, rubric, ENGINE)

    assert "http://" not in html
    assert "https://" not in html
    assert "//" not in re.sub(r"<style>.*?</style>|<script>.*?</script>", "", html, flags=re.S)
    for forbidden in ("<link", "<iframe", "src=", "@import", "url(", "@font-face"):
        assert forbidden not in html, forbidden


def test_a_class_of_300_renders_quickly_and_stays_small() -> None:
    results, rubric = synthetic_class(300)
    render_class_html(results[:2], rubric, ENGINE)  # templates compiled once, as in a real run

    started = time.perf_counter()
    html = render_class_html(results, rubric, ENGINE)
    elapsed = time.perf_counter() - started

    assert elapsed < 1.0, f"{elapsed:.2f} s"
    assert len(html.encode("utf-8")) < 2_000_000
    page = soup(html)
    assert len(page.select("table.heatmap tbody tr")) == 300
    assert len(page.select("article.essay")) == 300


def test_mark_writes_the_class_report_and_check_the_student_page(
    tmp_path: Path, runner: CliRunner
) -> None:
    from essaycheck.cli import cli

    examples = EXAMPLES_DIR
    out = tmp_path / "out"
    marked = runner.invoke(
        cli, ["mark", str(examples / "essays"), "-r", str(examples / "rubric.json"), "-o", str(out)]
    )
    page = runner.invoke(
        cli,
        [
            "check",
            str(examples / "essays" / "04-partial-priya.txt"),
            "-r",
            str(examples / "rubric.json"),
            "-f",
            "html",
        ],
    )

    assert marked.exit_code == 0, marked.output
    report = (out / "report.html").read_text("utf-8")
    assert report.count("01-strong-amira.txt") >= 2
    assert page.exit_code == 0, page.output
    assert page.stdout.startswith("<!DOCTYPE html>")
    assert "04-partial-priya.txt" in page.stdout
