"""What the desk's and the student's routes share: the page templates and JSON answers.

Every page is a Jinja2 template with autoescaping on, so an essay's text, its
file name and the rubric's words reach the page as text, never as markup. The
pages carry no inline script or style: the Content-Security-Policy allows only
the package's own files under /static.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse

from essaycheck import __version__
from essaycheck.errors import EssaycheckError

if TYPE_CHECKING:
    from jinja2 import Environment

MAX_JSON_BYTES = 2 * 1024 * 1024
"""The largest JSON body a route reads (a draft of 300,000 characters fits)."""


class BadRequestError(EssaycheckError):
    """A request the page would never send: not JSON, or missing a field."""


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render one of the package's page templates, with what every page needs."""
    guard = request.app.state.guard
    html = (
        _environment()
        .get_template(name)
        .render(
            csrf_token=guard.csrf_token,
            version=__version__,
            has_desk=request.app.state.desk is not None,
            has_page=request.app.state.student is not None,
            **context,
        )
    )
    return HTMLResponse(html, status_code=status)


def problem(message: str, status: int = 400) -> JSONResponse:
    """A JSON answer saying what went wrong and what to do: ``{"error": "..."}``."""
    first = message.split(" ", 1)[0]
    is_name = "." in first.rstrip(".:") or "/" in first  # a file's name keeps its case
    text = message if is_name else message[:1].upper() + message[1:]
    return JSONResponse({"error": text if text.endswith(".") else text + "."}, status)


async def read_json(request: Request) -> dict[str, Any]:
    """The request's JSON object.

    Raises:
        BadRequestError: the body is not a JSON object.
    """
    body = await request.body()
    if len(body) > MAX_JSON_BYTES:
        raise BadRequestError("the request is too large: check the draft in parts")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        raise BadRequestError("the request is not JSON: reload the page") from err
    if not isinstance(data, dict):
        raise BadRequestError("the request is not a JSON object: reload the page")
    return data


def text_field(data: dict[str, Any], name: str, *, optional: bool = False) -> str | None:
    """A string field of a request, or None when it is optional and absent.

    Raises:
        BadRequestError: the field is missing or not a string.
    """
    value = data.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise BadRequestError(f"the request has no {name!r} text: reload the page")
    return value


@cache
def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("essaycheck.serve", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
