"""The student's page: a draft checked in student wording; the rubric's answers kept back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from documents import docx_bytes, odt_bytes, pdf_bytes
from served import RUBRIC, client
from starlette.applications import Starlette

from essaycheck.engine.checker import Checker
from essaycheck.errors import EssayReadError
from essaycheck.results import EssayResult, Evidence, Objection, PointResult
from essaycheck.rubric import load_rubric, parse_rubric
from essaycheck.serve import Assignment, StudentPage, create_app, student
from essaycheck.serve.student import (
    CLOSE_CALL_ADVICE,
    assignment_key,
    for_student,
    read_upload,
    student_view,
)

DRAFT = (
    "Trotsky believed in permanent revolution. He said Russia should help the workers of "
    "other countries to have their own communist revolutions."
)
BANNED = ("needs_review", "needs review", "teacher should", "threshold", "score", "engine")


def _app(checker: Checker, *rubrics: Path) -> Starlette:
    assignments = []
    for path in rubrics or (RUBRIC,):
        key = assignment_key(path, [a.key for a in assignments])
        assignments.append(Assignment(key, load_rubric(path)))
    return create_app(student=StudentPage(checker, assignments))


def _check(app: Starlette, text: str, key: str = "rubric") -> dict[str, object]:
    answer = client(app).post("/api/check", json={"assignment": key, "text": text})
    assert answer.status_code == 200, answer.text
    data: dict[str, object] = answer.json()
    return data


def _points(view: dict[str, object]) -> dict[str, dict[str, object]]:
    points = view["points"]
    assert isinstance(points, list)
    return {point["id"]: point for point in points}


def test_a_draft_shows_what_it_covers_with_its_evidence(checker: Checker) -> None:
    view = _check(_app(checker), DRAFT)

    point = _points(view)["permanent-revolution"]
    assert point["status"] == "covered"
    assert point["evidence"] == "Trotsky believed in permanent revolution."
    assert point["claim"] == load_rubric(RUBRIC).points[0].text
    segments = view["segments"]
    assert isinstance(segments, list)
    assert "".join(segment["text"] for segment in segments) == DRAFT
    marked = [segment for segment in segments if segment["points"]]
    assert any("permanent-revolution" in segment["points"] for segment in marked)
    assert view["share_text"] == f"{view['share']:.0%}"
    assert view["summary"] == f"{view['covered']} of 11 key points covered"


def test_with_hints_a_missing_point_never_sends_its_claim(checker: Checker) -> None:
    rubric = load_rubric(RUBRIC)
    view = _check(_app(checker), DRAFT)
    sent = json.dumps(view)

    missing = [p for p in _points(view).values() if p["status"] in ("missing", "almost")]
    assert missing
    for point in missing:
        assert point["claim"] is None
        claim = next(p.text for p in rubric if p.id == point["id"])
        assert claim not in sent
        hint = next(p.hint for p in rubric if p.id == point["id"])
        assert f"Hint: {hint}" in point["advice"]
    for word in BANNED:
        assert word not in sent.lower()


def test_with_claims_a_missing_point_shows_its_claim(checker: Checker, tmp_path: Path) -> None:
    data = json.loads(RUBRIC.read_text("utf-8"))
    data["student_view"] = "claims"
    (tmp_path / "claims.json").write_text(json.dumps(data), "utf-8")
    app = _app(checker, tmp_path / "claims.json")

    view = _check(app, DRAFT, "claims")

    missing = [p for p in _points(view).values() if p["status"] == "missing"]
    assert missing and all(p["claim"] for p in missing)


def _rubric(view: str = "hints") -> tuple[EssayResult, object]:
    rubric = parse_rubric(
        json.dumps(
            {
                "title": "T",
                "student_view": view,
                "bands": [{"min": 0.5, "label": "B"}, {"min": 0, "label": "C"}],
                "points": [
                    {"id": "close", "text": "The close claim."},
                    {"id": "almost", "text": "The almost claim.", "hint": "Think about it."},
                    {"id": "denied", "text": "The denied claim."},
                ],
            }
        ),
        "t.json",
    )
    text = "One sentence here. Another one there."
    close, almost, denied = rubric.points
    result = EssayResult(
        "draft",
        (
            PointResult(close, True, 0.55, True, Evidence("One sentence here.", 0, 18)),
            PointResult(almost, False, 0.45, True, Evidence("Another one there.", 19, 37)),
            PointResult(
                denied,
                False,
                0.2,
                False,
                Evidence("Another one there.", 19, 37),
                Objection("negated", "your essay says the opposite: “Another one there.”"),
            ),
        ),
        text=text,
    )
    return result, rubric


def test_a_close_call_reads_as_maybe_in_student_wording() -> None:
    result, rubric = _rubric()
    view = student_view(result, rubric)  # type: ignore[arg-type]
    points = _points(view)
    sent = json.dumps(view)

    assert points["close"]["status"] == "maybe"
    assert points["close"]["label"] == "maybe covered"
    assert CLOSE_CALL_ADVICE.capitalize() in points["close"]["advice"]
    assert points["almost"]["status"] == "almost"
    assert points["almost"]["advice"] == [CLOSE_CALL_ADVICE.capitalize(), "Hint: Think about it."]
    assert points["denied"]["status"] == "not-counted"
    assert points["denied"]["advice"][0].startswith("Not counted: Your essay says the opposite")
    assert "ask your teacher for a hint" in points["denied"]["advice"][1]
    assert "The almost claim." not in sent and "The denied claim." not in sent
    assert view["grade"] == "C" and view["share_text"] == "33%"
    for word in BANNED:
        assert word not in sent.lower()


def test_an_empty_draft_is_every_point_missing_without_checking(checker: Checker) -> None:
    view = _check(_app(checker), "   \n")
    assert view["covered"] == 0
    assert {p["status"] for p in _points(view).values()} == {"missing"}
    assert view["segments"] == [{"text": "   \n", "points": [], "status": "", "labels": []}]


def test_the_page_names_no_claim_and_offers_each_assignment(
    checker: Checker, tmp_path: Path
) -> None:
    shutil.copy(RUBRIC, tmp_path / "Trotsky Stalin.json")
    (tmp_path / "water.json").write_text(
        json.dumps({"title": "The <b>water</b> cycle", "points": [{"id": "a", "text": "Rain."}]})
    )
    files = student.rubric_files(tmp_path)
    app = _app(checker, *files)

    page = client(app).get("/check?assignment=water")

    soup = BeautifulSoup(page.text, "lxml")
    options = {str(o["value"]): o.get_text() for o in soup.select("#assignment option")}
    assert options == {
        "trotsky-stalin": load_rubric(RUBRIC).title,
        "water": "The <b>water</b> cycle",
    }
    assert soup.select_one("#page")["data-assignment"] == "water"  # type: ignore[index]
    assert soup.find("b") is None
    for point in load_rubric(RUBRIC):
        assert point.text not in page.text
    assert _check(app, "Rain.", "water")["covered"] == 1
    unknown = client(app).post("/api/check", json={"assignment": "nope", "text": "x"})
    assert unknown.status_code == 400 and "reload the page" in unknown.json()["error"]


def test_nothing_a_student_sends_is_stored(checker: Checker, tmp_path: Path) -> None:
    shutil.copy(RUBRIC, tmp_path / "rubric.json")
    before = sorted(tmp_path.rglob("*"))
    app = _app(checker, tmp_path / "rubric.json")
    _check(app, DRAFT)
    client(app).post("/api/read", files={"file": ("a.txt", DRAFT.encode(), "text/plain")})
    assert sorted(tmp_path.rglob("*")) == before


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("draft.docx", docx_bytes(["My essay", DRAFT])),
        ("draft.odt", odt_bytes("My essay", [DRAFT])),
        ("draft.pdf", pdf_bytes(["Trotsky believed in permanent revolution."])),
        ("draft.md", f"# My essay\n\n{DRAFT}\n".encode()),
        ("draft.txt", DRAFT.encode("utf-16")),
    ],
)
def test_a_dropped_file_is_read_as_text(checker: Checker, name: str, data: bytes) -> None:
    answer = client(_app(checker)).post(
        "/api/read", files={"file": (name, data, "application/octet-stream")}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["name"] == name
    assert "Trotsky believed in permanent revolution." in answer.json()["text"]


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("essay.exe", b"MZ\x90\x00", ["essay.exe", ".txt, .md, .docx, .odt, .pdf", "paste"]),
        ("essay.html", b"<p>Hi</p>", ["essay.html", "this page reads"]),
        ("broken.docx", b"not a zip", ["broken.docx", "Save it again, then drop it here"]),
        ("empty.txt", b"   ", ["empty.txt"]),
        ("../../etc/passwd.txt", b"x", ["passwd.txt"]),
    ],
)
def test_a_bad_file_is_a_clear_message(
    checker: Checker, name: str, data: bytes, words: list[str]
) -> None:
    answer = client(_app(checker)).post("/api/read", files={"file": (name, data, "text/plain")})
    if name.startswith(".."):  # the name is cut to its last part; nothing is read from disk
        assert answer.status_code == 200 and answer.json()["name"] == "passwd.txt"
        return
    assert answer.status_code == 400
    for word in words:
        assert word in answer.json()["error"]
    assert "the student" not in answer.json()["error"]


@pytest.mark.parametrize(
    ("teachers", "students"),
    [
        (
            "a.docx: corrupt. Ask the student to save it again and resubmit it.",
            "a.docx: corrupt. Save it again, then drop it here again.",
        ),
        (
            "a.pdf: the PDF is password-protected: ask the student for an unprotected copy.",
            "a.pdf: the PDF is password-protected: drop an unprotected copy here instead.",
        ),
        ("a.txt: is empty.", "a.txt: is empty."),
    ],
)
def test_a_readers_message_is_said_to_the_student(teachers: str, students: str) -> None:
    assert for_student(teachers) == students


def test_a_file_over_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(student, "MAX_UPLOAD_BYTES", 100)
    with pytest.raises(EssayReadError, match="larger than 1 KB"):
        read_upload("big.txt", b"x" * 101)


def test_a_request_that_is_not_the_pages_is_a_clear_error(checker: Checker) -> None:
    http = client(_app(checker))
    for body in (b"not json", b"[1, 2]", b'{"assignment": "rubric"}'):
        answer = http.post("/api/check", content=body, headers={"Content-Type": "application/json"})
        assert answer.status_code == 400
        assert "reload the page" in answer.json()["error"]
    plain = http.post("/api/read", content=b"x", headers={"Content-Type": "text/plain"})
    assert plain.status_code == 400 and "form upload" in plain.json()["error"]
    too_long = http.post("/api/check", json={"assignment": "rubric", "text": "word " * 70_000})
    assert too_long.status_code == 400 and "check it in parts" in too_long.json()["error"]


def test_an_assignment_key_comes_from_the_file_name() -> None:
    assert assignment_key(Path("Water Cycle (Y9).yaml")) == "water-cycle-y9"
    assert assignment_key(Path("a.json"), ["a"]) == "a-2"
    assert assignment_key(Path("!!!.json")) == "rubric"
