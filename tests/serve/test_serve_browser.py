"""`essaycheck serve` in a real browser: Playwright driving Debian's Chromium.

The server runs in a thread on a free loopback port; one browser is shared by
every test. Skipped when Chromium or Playwright is not installed (.ci/run
installs Debian's chromium package; never ``playwright install``).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from documents import docx_bytes
from served import ATTACK, ESSAYS, HOSTILE_NAME, PWNED, RUBRIC, gradebook, mark_class
from served import override_rows as rows

from essaycheck.engine.checker import Checker
from essaycheck.rubric import load_rubric
from essaycheck.serve import Assignment, Desk, StudentPage, create_app
from essaycheck.serve.server import running

CHROMIUM = Path("/usr/bin/chromium")
FOUND = str(CHROMIUM) if CHROMIUM.is_file() else shutil.which("chromium")
playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed: pip install playwright"
)
pytestmark = pytest.mark.skipif(
    FOUND is None,
    reason="headless Chromium is not installed (/usr/bin/chromium): "
    "apt-get install chromium, as .ci/run does, to run the browser tests",
)
WAIT_MS = 15_000
POINT = "permanent-revolution"
TYPED = "Trotsky believed in permanent revolution."


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=FOUND, args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, checker: Checker
) -> Iterator[tuple[str, Desk]]:
    """The desk for a small marked class (with a hostile essay) and the student's page."""
    folder = tmp_path_factory.mktemp("browser")
    out = mark_class(folder, checker)
    desk = Desk(out)
    page = StudentPage(checker, [Assignment("trotsky", load_rubric(RUBRIC))])
    with running(create_app(desk=desk, student=page)) as base:
        yield base, desk
    desk.writer.flush(60)


@pytest.fixture
def errors() -> list[str]:
    """What the page's console said was an error (a refused request, a blocked script)."""
    return []


@pytest.fixture
def page(browser: Any, errors: list[str]) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(WAIT_MS)
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    yield opened
    context.close()
    assert errors == [], errors  # no script error, and nothing the policy had to block


def _eventually(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.1)


def test_a_student_types_a_draft_and_sees_a_point_turn_covered(
    server: tuple[str, Desk], page: Any, tmp_path: Path
) -> None:
    base, _ = server
    page.goto(f"{base}/check")
    point = page.locator(f'li.student-point[data-point="{POINT}"]')
    point.wait_for()
    assert point.get_attribute("data-status") == "missing"
    assert page.locator("#share").inner_text() == "0%"

    page.locator("#draft").press_sequentially(TYPED)

    page.wait_for_selector(f'li.student-point[data-point="{POINT}"][data-status="covered"]')
    assert TYPED in point.locator("blockquote.evidence").inner_text()
    assert page.locator(f'#preview mark[data-points~="{POINT}"]').count() == 1
    assert page.locator("#share").inner_text() != "0%"
    missing = page.locator('li.student-point[data-status="missing"]').first
    assert missing.locator("p.claim").count() == 0  # hints: no claim of a missing point
    assert "Hint:" in missing.inner_text()
    saved = page.evaluate("Object.keys(window.localStorage)")
    assert saved == ["essaycheck-drafts:trotsky"]
    page.screenshot(path=str(tmp_path / "student-typed.png"), full_page=True)
    assert (tmp_path / "student-typed.png").stat().st_size > 10_000


DROP = """([bytes, name]) => {
  const data = new DataTransfer();
  data.items.add(new File([new Uint8Array(bytes)], name));
  return data;
}"""


@pytest.mark.parametrize("how", ["chosen", "dropped"])
def test_a_student_uploads_a_docx(
    server: tuple[str, Desk], page: Any, tmp_path: Path, how: str
) -> None:
    base, _ = server
    draft = tmp_path / "my draft.docx"
    draft.write_bytes(docx_bytes(["My essay", TYPED, "Stalin wanted socialism in one country."]))
    page.goto(f"{base}/check")
    page.locator("li.student-point").first.wait_for()

    if how == "chosen":
        page.locator("#file").set_input_files(str(draft))
    else:
        transfer = page.evaluate_handle(DROP, [list(draft.read_bytes()), draft.name])
        page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})

    page.wait_for_selector(f'li.student-point[data-point="{POINT}"][data-status="covered"]')
    assert TYPED in page.locator("#draft").input_value()
    assert "Read my draft.docx" in page.locator("#message").inner_text()
    page.screenshot(path=str(tmp_path / f"student-docx-{how}.png"))


def test_a_wrong_file_type_is_a_clear_message(
    server: tuple[str, Desk], page: Any, tmp_path: Path, errors: list[str]
) -> None:
    base, _ = server
    bad = tmp_path / "essay.exe"
    bad.write_bytes(b"MZ\x90\x00")
    page.goto(f"{base}/check")
    page.locator("li.student-point").first.wait_for()

    page.locator("#file").set_input_files(str(bad))

    page.wait_for_selector("#message.error")
    assert "this page reads .txt, .md, .docx, .odt, .pdf" in page.locator("#message").inner_text()
    assert errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    errors.clear()


def test_a_teacher_overturns_a_decision_with_the_keyboard(
    server: tuple[str, Desk], page: Any, tmp_path: Path
) -> None:
    base, desk = server
    out = desk.out_dir
    page.goto(f"{base}/desk")
    first = page.locator("article.cell").first
    first.wait_for()
    essay, point = first.get_attribute("data-essay"), first.get_attribute("data-point")
    was = first.get_attribute("data-status")
    before = gradebook(out)[essay][point]
    assert page.evaluate("document.activeElement.dataset.essay") == essay

    page.keyboard.press("x")

    page.wait_for_selector('#toast:has-text("gradebook and feedback are up to date")')
    now = "missing" if was == "covered" else "covered"
    cell = page.locator(f'article.cell[data-essay="{essay}"][data-point="{point}"]')
    assert cell.get_attribute("data-status") == now
    assert cell.locator('[data-role="who"]').inner_text() == "your decision"
    assert gradebook(out)[essay][point] == ("1" if now == "covered" else "0") != before
    assert "1 of" in page.locator('header [data-role="progress"]').inner_text()
    page.screenshot(path=str(tmp_path / "desk-overturned.png"))

    page.keyboard.press("u")  # undo: the override is removed

    _eventually(lambda: rows(out) == [] and not desk.writer.is_pending)
    _eventually(lambda: gradebook(out)[essay][point] == before)
    page.wait_for_selector(f'article.cell[data-essay="{essay}"][data-status="{was}"]')


def test_a_comment_written_with_the_keyboard_goes_into_the_feedback(
    server: tuple[str, Desk], page: Any
) -> None:
    base, desk = server
    out = desk.out_dir
    page.goto(f"{base}/desk")
    first = page.locator("article.cell").first
    first.wait_for()
    essay = first.get_attribute("data-essay")

    page.keyboard.press("c")
    page.keyboard.type("Well argued, but name the year.")
    page.keyboard.press("Enter")

    page.wait_for_selector('#toast:has-text("up to date")')
    assert [(r["essay"], r["comment"]) for r in rows(out)] == [
        (essay, "Well argued, but name the year.")
    ]
    assert page.evaluate("document.activeElement.dataset.essay") == essay
    feedback = (out / "feedback" / f"{Path(essay).stem}.md").read_text("utf-8")
    assert "Well argued, but name the year." in feedback
    page.keyboard.press("u")
    _eventually(lambda: rows(out) == [] and not desk.writer.is_pending)


def test_one_point_is_reviewed_across_the_class(
    server: tuple[str, Desk], page: Any, tmp_path: Path
) -> None:
    base, desk = server
    out = desk.out_dir
    page.goto(f"{base}/desk/point/{POINT}")
    cells = page.locator("article.cell")
    cells.first.wait_for()
    assert cells.count() == len(ESSAYS) + 1
    assert page.locator("article.cell blockquote.evidence").count() >= 2
    cells.first.focus()

    page.keyboard.press(" ")
    page.keyboard.press("j")
    page.keyboard.press(" ")
    assert page.locator('[data-role="picked"]').inner_text() == "2 selected"
    page.keyboard.press("Shift+M")

    page.wait_for_selector('#toast:has-text("up to date")')
    chosen = [cells.nth(i).get_attribute("data-essay") for i in range(2)]
    assert sorted((r["essay"], r["covered"]) for r in rows(out)) == sorted(
        (essay, "0") for essay in chosen
    )
    assert [gradebook(out)[essay][POINT] for essay in chosen] == ["0", "0"]
    page.screenshot(path=str(tmp_path / "desk-point.png"), full_page=True)
    page.keyboard.press("u")
    _eventually(lambda: rows(out) == [] and not desk.writer.is_pending)


def test_a_hostile_essays_markup_never_runs(
    server: tuple[str, Desk], page: Any, tmp_path: Path
) -> None:
    base, desk = server
    index = desk.index_of(HOSTILE_NAME)
    page.goto(f"{base}/desk/essay/{index}")
    page.locator("section.essay-text").wait_for()
    assert page.title() != "pwned" and "pwned" not in page.title()
    assert page.locator("img").count() == 0
    assert ATTACK in page.locator("section.essay-text").inner_text()
    assert HOSTILE_NAME in page.locator("h1").inner_text()

    page.goto(f"{base}/check")
    page.locator("#draft").fill(f"{ATTACK}\n\n{TYPED}")
    page.locator("#draft").dispatch_event("input")
    page.wait_for_selector(f'li.student-point[data-point="{POINT}"][data-status="covered"]')
    assert ATTACK in page.locator("#preview").inner_text()
    assert page.locator("img").count() == 0 and page.locator("#preview script").count() == 0
    assert "pwned" not in page.title()
    assert PWNED in page.locator("#preview").inner_text()
    page.screenshot(path=str(tmp_path / "hostile.png"))


@pytest.mark.parametrize("path", ["/check", "/desk", f"/desk/point/{POINT}", "/desk/essay/1"])
def test_a_phone_sees_every_page_without_sideways_scrolling(
    server: tuple[str, Desk], browser: Any, tmp_path: Path, path: str
) -> None:
    base, _ = server
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    phone.set_default_timeout(WAIT_MS)
    try:
        phone.goto(base + path)
        phone.wait_for_load_state("networkidle")
        if path == "/check":
            phone.locator("#draft").fill(TYPED)
            phone.locator("#draft").dispatch_event("input")
            phone.wait_for_selector(f'li[data-point="{POINT}"][data-status="covered"]')
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide on a 390 px phone"
        name = path.strip("/").replace("/", "-") or "home"
        phone.screenshot(path=str(tmp_path / f"phone-{name}.png"))
        assert (tmp_path / f"phone-{name}.png").stat().st_size > 5_000
    finally:
        context.close()
