"""Safety of `essaycheck serve`: host, access token, CSRF, CSP, sizes, paths, escaping."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from served import ATTACK, BASE, HOSTILE_NAME, PWNED, app_for, client, copy_class, mark_class
from served import override_rows as rows
from starlette.applications import Starlette
from starlette.testclient import TestClient

from essaycheck.engine.checker import Checker
from essaycheck.serve import Guard
from essaycheck.serve.security import CONTENT_SECURITY_POLICY, TOKEN_COOKIE

PAGES = (
    "/desk",
    "/desk?show=all",
    "/desk/points",
    "/desk/point/permanent-revolution",
    "/desk/essay/1",
    "/desk/essay/4",
    "/check",
    "/no-such-page",
)


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory, checker: Checker) -> Path:
    return mark_class(tmp_path_factory.mktemp("security"), checker)


@pytest.fixture
def out(marked: Path, tmp_path: Path) -> Path:
    return copy_class(marked, tmp_path)


@pytest.fixture
def app(out: Path, checker: Checker) -> Starlette:
    return app_for(out, checker)[0]


def _decide(out: Path) -> dict[str, object]:
    return {"cells": [["01-strong-amira.txt", "permanent-revolution"]], "covered": False}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_strict_policy_and_no_inline_script_or_style(
    app: Starlette, path: str
) -> None:
    answer = client(app).get(path)

    assert answer.status_code in (200, 404)
    policy = answer.headers["content-security-policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy and "frame-ancestors 'none'" in policy
    assert answer.headers["x-content-type-options"] == "nosniff"
    soup = BeautifulSoup(answer.text, "lxml")
    assert all(script.get("src", "").startswith("/static/") for script in soup.find_all("script"))
    assert soup.find("style") is None
    for tag in soup.find_all(True):
        assert "style" not in tag.attrs, tag
        assert not [name for name in tag.attrs if name.startswith("on")], tag
    for link in soup.find_all("link"):
        assert str(link["href"]).startswith("/static/")


def test_a_hostile_essay_is_text_on_every_desk_page(app: Starlette) -> None:
    http = client(app)
    index = app.state.desk.index_of(HOSTILE_NAME)
    for path in (
        "/desk?show=all",
        "/desk/points",
        f"/desk/essay/{index}",
        "/desk/point/permanent-revolution",
    ):
        html = http.get(path).text
        assert "<script>document" not in html and "<img src=x" not in html
        soup = BeautifulSoup(html, "lxml")
        assert soup.find("img") is None
        assert all(script.get("src") for script in soup.find_all("script"))
    essay = BeautifulSoup(http.get(f"/desk/essay/{index}").text, "lxml")
    assert ATTACK in essay.get_text()
    assert HOSTILE_NAME in essay.get_text()


def test_writes_need_the_page_token_and_the_same_origin(app: Starlette, out: Path) -> None:
    token = app.state.guard.csrf_token
    bare = TestClient(app, base_url=BASE)
    tries = [
        {},
        {"X-CSRF-Token": "not-the-token", "Origin": BASE},
        {"X-CSRF-Token": token},  # neither Origin nor Referer
        {"X-CSRF-Token": token, "Origin": "http://evil.example"},
        {"X-CSRF-Token": token, "Referer": "http://evil.example/page"},
        {"X-CSRF-Token": token, "Origin": "http://127.0.0.1:9"},
    ]
    for headers in tries:
        answer = bare.post("/api/desk/decide", json=_decide(out), headers=headers)
        assert answer.status_code == 403, headers
        assert "page" in answer.json()["error"] or "site" in answer.json()["error"]
    assert rows(out) == []

    same = bare.post(
        "/api/desk/decide", json=_decide(out), headers={"X-CSRF-Token": token, "Referer": BASE}
    )
    assert same.status_code == 200
    assert len(rows(out)) == 1
    app.state.desk.writer.flush(60)


def test_every_process_has_its_own_token(out: Path, checker: Checker) -> None:
    first, second = app_for(out)[0], app_for(out)[0]
    assert first.state.guard.csrf_token != second.state.guard.csrf_token
    page = BeautifulSoup(client(first).get("/desk").text, "lxml")
    meta = page.find("meta", attrs={"name": "csrf-token"})
    assert meta is not None and meta["content"] == first.state.guard.csrf_token


def test_another_host_name_is_refused(app: Starlette) -> None:
    answer = client(app).get("/desk", headers={"Host": "attacker.example:8765"})
    assert answer.status_code == 400
    assert "attacker.example" in answer.json()["error"]
    assert client(app).get("/desk", headers={"Host": "localhost:8765"}).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/static/../gradebook.csv",
        "/static/%2e%2e/%2e%2e/pyproject.toml",
        "/static/..%2f..%2f..%2fetc%2fpasswd",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/desk/essay/0",
        "/desk/essay/99",
        "/desk/essay/-1",
        "/desk/point/..%2f..%2fgradebook.csv",
        "/gradebook.csv",
        "/results.json",
        "/overrides.csv",
        "/feedback/01-strong-amira.md",
    ],
)
def test_no_path_reads_outside_the_served_files(app: Starlette, path: str) -> None:
    answer = client(app).get(path)
    assert answer.status_code == 404
    assert "root:" not in answer.text and "[project]" not in answer.text
    assert "permanent-revolution,end-isolation" not in answer.text


def test_the_static_files_are_served(app: Starlette) -> None:
    http = client(app)
    for name in ("desk.js", "student.js", "serve.css"):
        answer = http.get(f"/static/{name}")
        assert answer.status_code == 200 and len(answer.text) > 500


def test_a_body_over_the_limit_is_refused_before_it_is_read(out: Path, checker: Checker) -> None:
    guard = Guard(hosts=frozenset({"127.0.0.1"}), max_body=1000)
    app = app_for(out, checker, guard)[0]
    http = client(app)

    answer = http.post("/api/read", files={"file": ("big.txt", b"word " * 400, "text/plain")})

    assert answer.status_code == 413
    assert "larger than" in answer.json()["error"]
    assert "smaller file" in answer.json()["error"]


class TestAccessToken:
    """Off the loopback, every request needs the printed token (then a cookie)."""

    @pytest.fixture
    def guarded(self, out: Path) -> Starlette:
        guard = Guard.for_host("0.0.0.0", 1024 * 1024)
        assert guard.access_token is not None
        return app_for(out, guard=guard)[0]

    def test_without_the_token_nothing_is_served(self, guarded: Starlette) -> None:
        http = client(guarded)
        for path in ("/desk", "/static/desk.js", "/api/desk/status", "/desk?token=wrong"):
            answer = http.get(path)
            assert answer.status_code == 403
            assert "access link" in answer.json()["error"]

    def test_the_token_becomes_a_cookie_and_leaves_the_url(self, guarded: Starlette) -> None:
        http = client(guarded)
        token = guarded.state.guard.access_token

        first = http.get(f"/desk?show=all&token={token}", follow_redirects=False)

        assert first.status_code == 303
        assert first.headers["location"] == "/desk?show=all"
        cookie = first.headers["set-cookie"]
        assert cookie.startswith(f"{TOKEN_COOKIE}={token}")
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        again = http.get("/desk")  # the client sends the cookie back
        assert again.status_code == 200
        assert again.url.path == "/desk"

    def test_with_the_token_any_name_of_the_computer_works(self, guarded: Starlette) -> None:
        token = guarded.state.guard.access_token
        lan = TestClient(guarded, base_url="http://192.168.1.5:8765")
        assert lan.get("/desk").status_code == 403

        first = lan.get(f"/desk?token={token}", follow_redirects=False)

        assert first.status_code == 303
        assert lan.get("/desk").status_code == 200  # the cookie, on the computer's LAN name

    def test_a_wrong_or_broken_cookie_is_no_token(self, guarded: Starlette) -> None:
        http = client(guarded)
        for cookie in (f"{TOKEN_COOKIE}=wrong", f'{TOKEN_COOKIE}="unclosed; ;;=', "junk"):
            answer = http.get("/desk", headers={"Cookie": cookie})
            assert answer.status_code == 403, cookie

    def test_loopback_needs_no_token(self) -> None:
        assert Guard.for_host("127.0.0.1", 10).access_token is None
        assert Guard.for_host("0.0.0.0", 10).access_token is not None
        assert "10.0.0.5" in Guard.for_host("10.0.0.5", 10).hosts


def test_pages_carry_no_trace_of_the_engine_on_the_student_side(app: Starlette) -> None:
    page = client(app).get("/check").text
    assert PWNED not in page
    for word in ("needs_review", "teacher should check", "threshold"):
        assert word not in page
