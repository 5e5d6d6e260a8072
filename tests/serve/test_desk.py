"""The review desk: the queue, a point across the class, an essay; decisions saved at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import EXAMPLES_DIR
from served import ESSAYS, HOSTILE_NAME, app_for, client, copy_class, gradebook, mark_class
from served import override_rows as rows

from essaycheck.engine.checker import Checker
from essaycheck.serve import Desk

POINT = "permanent-revolution"


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory, checker: Checker) -> Path:
    return mark_class(tmp_path_factory.mktemp("desk"), checker)


@pytest.fixture
def out(marked: Path, tmp_path: Path) -> Path:
    return copy_class(marked, tmp_path)


def _engine(out: Path, essay: str, point_id: str) -> dict[str, object]:
    report = json.loads((out / "results.json").read_text("utf-8"))
    item = next(item for item in report["essays"] if item["path"] == essay)
    point: dict[str, object] = next(p for p in item["points"] if p["id"] == point_id)
    return point


def test_the_queue_lists_close_calls_nearest_the_line_first(out: Path) -> None:
    desk = Desk(out)
    queue = desk.queue("review")
    close_calls = [cell for cell in desk.cells() if cell.is_close_call]

    assert queue and len(queue) == len(close_calls)
    assert [cell.closeness for cell in queue] == sorted(cell.closeness for cell in queue)
    assert desk.progress().text == f"0 of {len(close_calls)} close calls checked"
    page = client(app_for(out)[0]).get("/desk")
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "lxml")
    assert len(soup.select("article.cell")) == len(queue)
    assert f"0 of {len(close_calls)} close calls checked" in soup.get_text()


@pytest.mark.parametrize("show", ["covered", "missing", "not-counted", "teacher", "all"])
def test_every_filter_shows_what_it_names(out: Path, show: str) -> None:
    desk = Desk(out)
    shown = desk.queue(show)
    every = list(desk.cells())
    assert len(every) == (len(ESSAYS) + 1) * len(desk.rubric)
    if show in ("covered", "missing"):
        assert shown and all(cell.status == show for cell in shown)
    elif show == "teacher":
        assert shown == []
    elif show == "all":
        assert len(shown) == len(every)
    page = client(app_for(out)[0]).get(f"/desk?show={show}")
    assert page.status_code == 200
    assert len(BeautifulSoup(page.text, "lxml").select("article.cell")) == len(shown)


def test_overturning_writes_overrides_at_once_and_the_gradebook_follows(out: Path) -> None:
    app, desk = app_for(out)
    assert desk is not None
    essay = ESSAYS[1]
    was = _engine(out, essay, POINT)["status"]
    before = gradebook(out)[essay][POINT]

    answer = client(app).post(
        "/api/desk/decide",
        json={"cells": [[essay, POINT]], "covered": was != "covered", "comment": "Paragraph 2."},
    )

    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["cells"][0]["is_teachers"] is True
    assert data["cells"][0]["status"] != was
    assert data["previous"] == [{"is_teachers": False}]
    assert [(r["essay"], r["point_id"], r["comment"]) for r in rows(out)] == [
        (essay, POINT, "Paragraph 2.")
    ]  # written before the answer came back
    assert desk.writer.flush(60)
    assert gradebook(out)[essay][POINT] != before
    feedback = (out / "feedback" / f"{Path(essay).stem}.md").read_text("utf-8")
    assert "your teacher's decision: Paragraph 2." in feedback
    status = client(app).get("/api/desk/status").json()
    assert status["pending"] is False and status["error"] is None


def test_undo_removes_the_override_and_the_engine_decision_comes_back(out: Path) -> None:
    app, desk = app_for(out)
    assert desk is not None
    essay = ESSAYS[0]
    before = gradebook(out)[essay][POINT]
    was = _engine(out, essay, POINT)["status"] == "covered"
    http = client(app)
    assert http.post("/api/desk/decide", json={"cells": [[essay, POINT]], "covered": not was})
    assert desk.writer.flush(60) and gradebook(out)[essay][POINT] != before

    answer = http.post("/api/desk/clear", json={"cells": [[essay, POINT]]})

    assert answer.status_code == 200
    assert answer.json()["previous"][0] == {
        "is_teachers": True,
        "covered": not was,
        "comment": None,
    }
    assert answer.json()["cells"][0]["is_teachers"] is False
    assert rows(out) == []
    assert desk.writer.flush(60)
    assert gradebook(out)[essay][POINT] == before


def test_accepting_keeps_the_decision_and_counts_as_checked(out: Path) -> None:
    app, desk = app_for(out)
    assert desk is not None
    first = desk.queue("review")[0]
    total = desk.progress().close_calls

    answer = client(app).post(
        "/api/desk/decide",
        json={"cells": [[first.essay, first.point.id]], "covered": first.is_covered},
    )

    assert answer.json()["progress"]["text"] == f"1 of {total} close calls checked"
    assert answer.json()["cells"][0]["status"] == first.status
    assert desk.progress().overturned == 0
    desk.writer.flush(60)


def test_a_comment_is_kept_when_the_decision_changes_later(out: Path) -> None:
    app, desk = app_for(out)
    assert desk is not None
    http = client(app)
    cell = [ESSAYS[2], POINT]
    http.post("/api/desk/decide", json={"cells": [cell], "covered": True, "comment": "Yes."})

    http.post("/api/desk/decide", json={"cells": [cell], "covered": False})

    assert [(r["covered"], r["comment"]) for r in rows(out)] == [("0", "Yes.")]
    desk.writer.flush(60)


def test_one_point_across_the_class_overturns_several_at_once(out: Path) -> None:
    app, desk = app_for(out)
    assert desk is not None
    http = client(app)
    page = BeautifulSoup(http.get(f"/desk/point/{POINT}").text, "lxml")
    cells = page.select("article.cell")
    assert sorted(str(cell["data-essay"]) for cell in cells) == sorted((*ESSAYS, HOSTILE_NAME))
    assert all(cell.select_one("blockquote.evidence, p.no-evidence") for cell in cells)
    assert all(cell.select_one("input.pick") for cell in cells)

    chosen = [[essay, POINT] for essay in ESSAYS]
    answer = http.post("/api/desk/decide", json={"cells": chosen, "covered": False})

    assert [cell["status"] for cell in answer.json()["cells"]] == ["missing"] * len(ESSAYS)
    assert len(rows(out)) == len(ESSAYS)
    assert desk.writer.flush(60)
    assert [gradebook(out)[essay][POINT] for essay in ESSAYS] == ["0"] * len(ESSAYS)


def test_an_essay_page_highlights_its_evidence(out: Path) -> None:
    app, desk = app_for(out)
    assert desk is not None
    index = desk.index_of(ESSAYS[0])
    page = client(app).get(f"/desk/essay/{index}")
    soup = BeautifulSoup(page.text, "lxml")
    text = soup.select_one("section.essay-text")
    assert text is not None
    marks = text.select("mark.hl")
    assert marks and all(mark["data-points"] for mark in marks)
    original = (EXAMPLES_DIR / "essays" / ESSAYS[0]).read_text("utf-8")
    shown = "".join(
        child.get_text()
        if child.name != "mark"
        else "".join(
            part.get_text() for part in child.children if getattr(part, "name", None) != "span"
        )
        for child in text.children
    )
    assert " ".join(shown.split()) == " ".join(original.split())
    assert len(soup.select("article.cell")) == len(desk.rubric)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"cells": [["nobody.txt", POINT]], "covered": True}, ["nobody.txt", "reload"]),
        ({"cells": [[ESSAYS[0], "no-such-point"]], "covered": True}, ["no-such-point"]),
        ({"cells": [[ESSAYS[0], POINT]]}, ["neither covered nor missing"]),
        ({"cells": []}, ["names no decisions"]),
        ({"cells": [[ESSAYS[0], POINT]], "covered": True, "comment": "x" * 2001}, ["2,000"]),
    ],
)
def test_a_bad_decision_is_a_clear_error_and_nothing_is_written(
    out: Path, body: dict[str, object], words: list[str]
) -> None:
    answer = client(app_for(out)[0]).post("/api/desk/decide", json=body)
    assert answer.status_code == 400
    for word in words:
        assert word in answer.json()["error"]
    assert rows(out) == []


def test_a_folder_that_is_not_a_marked_class_is_a_clear_error(tmp_path: Path) -> None:
    from essaycheck.errors import OutputError

    with pytest.raises(OutputError, match="essaycheck mark"):
        Desk(tmp_path)


def test_stopping_the_server_waits_until_the_reports_hold_every_change(out: Path) -> None:
    app, desk = app_for(out)
    assert desk is not None
    essay = ESSAYS[1]
    before = gradebook(out)[essay][POINT]

    with client(app) as http:  # the app's lifespan: started, then stopped on leaving
        covered = before == "0"
        http.post("/api/desk/decide", json={"cells": [[essay, POINT]], "covered": covered})

    assert not desk.writer.is_pending
    assert gradebook(out)[essay][POINT] == ("1" if covered else "0")
