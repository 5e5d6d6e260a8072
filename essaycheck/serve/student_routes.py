"""The student's page and its two calls: check a draft, and read a dropped file's text."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from essaycheck.serve.pages import BadRequestError, problem, read_json, render, text_field
from essaycheck.serve.student import MAX_UPLOAD_BYTES, UPLOAD_FORMATS, StudentPage


def _page(request: Request) -> StudentPage:
    page: StudentPage = request.app.state.student
    return page


async def student_page(request: Request) -> Response:
    """The page: pick the assignment, paste or drop a draft, see what it covers."""
    page = _page(request)
    key = request.query_params.get("assignment", "")
    assignment = page.assignments.get(key) or next(iter(page.assignments.values()))
    return render(
        request,
        "student.html",
        assignments=list(page.assignments.values()),
        assignment=assignment,
        formats=", ".join(f".{fmt}" for fmt in UPLOAD_FORMATS),
        accept=",".join(f".{fmt}" for fmt in UPLOAD_FORMATS),
    )


async def check(request: Request) -> Response:
    """Check a draft: ``{"assignment": KEY, "text": DRAFT}``; nothing is kept."""
    data = await read_json(request)
    key = text_field(data, "assignment")
    text = text_field(data, "text")
    assert key is not None and text is not None
    view = await run_in_threadpool(_page(request).check, key, text)
    return JSONResponse(view)


async def read_file(request: Request) -> Response:
    """Read a dropped or chosen file (``multipart/form-data``, field ``file``); return its text."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise BadRequestError("send the file as a form upload: reload the page")
    async with request.form(max_files=1, max_fields=1, max_part_size=MAX_UPLOAD_BYTES) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            return problem("choose a file to read first")
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        name = upload.filename or "draft"
    view = await run_in_threadpool(_read, name, data)
    return JSONResponse(view)


def _read(name: str, data: bytes) -> dict[str, object]:
    from essaycheck.serve.student import read_upload

    return read_upload(name, data)


ROUTES: list[BaseRoute] = [
    Route("/check", student_page),
    Route("/api/check", check, methods=["POST"]),
    Route("/api/read", read_file, methods=["POST"]),
]
