"""Copying in report.html: figures in the table and panel, passages highlighted and linked."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from essaycheck.reports import ReportOptions
from essaycheck.reports.html import render_class_html, render_essays_html
from essaycheck.results import Copying, EngineInfo, EssayResult, PointResult, SharedPassage
from essaycheck.rubric import KeyPoint, Rubric

OPTIONS = ReportOptions(
    engine=EngineInfo(
        name="test", version="1", embeddings="none", decision="never", review_band=None
    )
)
RUBRIC = Rubric("Printing", (KeyPoint("press", "The press made books cheap."),))
HOSTILE = "<script>alert(1)</script>.txt"
SHARED = "the harbour town grew rich on the herring trade"
ANA = f"My own start. {SHARED}. From the source: books were copied by hand."
BEN = f"Another start. {SHARED}, and an end."


def _result(name: str, text: str, copying: Copying | None) -> EssayResult:
    points = tuple(PointResult(point, False, 0.1, False) for point in RUBRIC)
    return EssayResult(name, points, text=text, copying=copying)


def _class() -> list[EssayResult]:
    ana_shared = ANA.index(SHARED)
    source = ANA.index("books were")
    ben_shared = BEN.index(SHARED)
    return [
        _result(
            "ana.txt",
            ANA,
            Copying(
                source=0.3,
                class_share=0.5,
                passages=(
                    SharedPassage(ana_shared, ana_shared + len(SHARED), HOSTILE),
                    SharedPassage(source, len(ANA) - 1, "source"),
                ),
            ),
        ),
        _result(
            HOSTILE,
            BEN,
            Copying(
                source=0.0,
                class_share=0.6,
                passages=(SharedPassage(ben_shared, ben_shared + len(SHARED), "ana.txt"),),
            ),
        ),
        _result("cat.txt", "Nothing shared at all here.", Copying(source=0.0, class_share=0.0)),
    ]


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser", preserve_whitespace_tags={"div", "mark"})


def _panel(page: BeautifulSoup, name: str) -> Tag:
    for panel in page.select("article.essay"):
        heading = panel.find("h3")
        if heading is not None and heading.get_text() == name:
            return panel
    raise AssertionError(f"no panel for {name}")


def test_the_students_table_shows_the_figures_and_flags() -> None:
    page = _soup(render_class_html(_class(), RUBRIC, OPTIONS))

    headers = [th.get_text().strip() for th in page.select("#students-table thead th")]
    assert headers[-2] == "Copied"
    cells = [row.select("td")[-2] for row in page.select("#students-table tbody tr")]
    assert [cell["data-sort"] for cell in cells] == ["0.5000", "0.6000", "0.0000"]
    assert " ".join(cells[0].get_text().split()) == "source 30%, class 50% copied"
    assert " ".join(cells[2].get_text().split()) == "source 0%, class 0%"


def test_passages_are_highlighted_and_linked_to_the_other_essay() -> None:
    html = render_class_html(_class(), RUBRIC, OPTIONS)
    page = _soup(html)

    ana = _panel(page, "ana.txt")
    assert "Copied: source 30%, class 50% copied" in " ".join(ana.get_text().split())
    copied = [span.get_text() for span in ana.select(".essay-text .copied")]
    assert copied == [SHARED, "books were copied by hand"]
    link = ana.select_one("a.copy-tag")
    assert link is not None and link.get_text() == f"shared with {HOSTILE}"
    assert _panel(page, HOSTILE).get("id") == str(link["href"]).lstrip("#")
    assert [tag.get_text() for tag in ana.select("span.copy-tag")] == ["from the source"]
    back = _panel(page, HOSTILE).select_one("a.copy-tag")
    assert back is not None and str(back["href"]) == f"#{ana['id']}"
    # The other essay's name is text, never markup.
    assert "<script>alert" not in html
    assert not page.select("main script")


def test_the_text_is_unchanged_around_the_highlights() -> None:
    page = _soup(render_class_html(_class(), RUBRIC, OPTIONS))

    for name, text in (("ana.txt", ANA), (HOSTILE, BEN)):
        body = _panel(page, name).select_one(".essay-text")
        assert body is not None
        for tag in body.select(".copy-tag"):
            tag.decompose()
        assert body.get_text() == text


def test_without_copying_the_report_has_no_copied_column() -> None:
    plain = [_result("ana.txt", ANA, None)]

    page = _soup(render_class_html(plain, RUBRIC, OPTIONS))

    assert "Copied" not in [th.get_text().strip() for th in page.select("#students-table th")]
    assert not page.select(".copied, .copy-tag")


def test_a_students_page_never_shows_copying() -> None:
    html = render_essays_html(_class()[:1], RUBRIC, OPTIONS)
    page = _soup(html)

    assert not page.select(".copied, .copy-tag")
    assert "Copied" not in page.get_text() and "shared with" not in page.get_text()
    assert html == render_essays_html([_result("ana.txt", ANA, None)], RUBRIC, OPTIONS)
