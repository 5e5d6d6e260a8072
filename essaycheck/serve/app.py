"""The web app behind ``essaycheck serve``: the review desk, the student's page, or both."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from essaycheck.errors import EssaycheckError
from essaycheck.serve import desk_routes, student_routes
from essaycheck.serve.desk import Desk
from essaycheck.serve.pages import problem, render
from essaycheck.serve.security import BodyTooLargeError, Guard, GuardMiddleware
from essaycheck.serve.student import MAX_UPLOAD_BYTES, StudentPage

FLUSH_SECONDS = 120
"""How long stopping the server waits for the reports to take in the last change."""


def static_dir() -> Path:
    """The package's own scripts and style sheet, the only ones a page may load."""
    return Path(str(resources.files("essaycheck.serve").joinpath("static")))


def create_app(
    *,
    desk: Desk | None = None,
    student: StudentPage | None = None,
    guard: Guard | None = None,
) -> Starlette:
    """Build the app: the desk at /desk when ``desk`` is given, the page at /check for ``student``.

    ``guard`` holds the process's tokens and limits (default: loopback only).
    """
    if desk is None and student is None:
        raise ValueError("create_app needs a desk, a student page, or both")
    guard = guard or Guard.for_host("127.0.0.1", MAX_UPLOAD_BYTES + 64 * 1024)
    routes: list[BaseRoute] = [Route("/", home)]
    if desk is not None:
        routes += desk_routes.ROUTES
    if student is not None:
        routes += student_routes.ROUTES
    routes.append(Mount("/static", StaticFiles(directory=static_dir()), name="static"))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if desk is not None:  # the last change reaches the reports before the server ends
            desk.writer.flush(FLUSH_SECONDS)

    app = Starlette(
        routes=routes,
        middleware=[Middleware(GuardMiddleware, guard=guard)],
        exception_handlers={
            EssaycheckError: _essaycheck_error,
            BodyTooLargeError: _too_large,
            HTTPException: _http_error,
        },
        lifespan=lifespan,
    )
    app.state.guard = guard
    app.state.desk = desk
    app.state.student = student
    return app


async def home(request: Request) -> Response:
    """Send the browser to the desk, or to the student's page when there is no desk."""
    return RedirectResponse("/desk" if request.app.state.desk is not None else "/check", 303)


async def _essaycheck_error(request: Request, exc: Exception) -> Response:
    return problem(str(exc))


async def _too_large(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BodyTooLargeError)
    megabytes = exc.limit // (1024 * 1024)
    return problem(
        f"the upload is larger than {megabytes} MB, the most this page takes: save a "
        "smaller file (the essay's text alone is enough)",
        413,
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith("/api/"):
        return problem(str(exc.detail), exc.status_code)
    what = "page" if exc.status_code == 404 else str(exc.detail)
    desk = request.app.state.desk
    return render(request, "not_found.html", exc.status_code, desk=desk, what=what)
