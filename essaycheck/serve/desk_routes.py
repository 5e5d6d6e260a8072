"""The review desk's pages and its two writes: decide (accept or overturn), and clear (undo)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from essaycheck.batch.overrides import apply_overrides
from essaycheck.reports.html import highlight_segments
from essaycheck.serve.desk import FILTERS, MAX_LISTED, Desk
from essaycheck.serve.pages import BadRequestError, problem, read_json, render, text_field


def _desk(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


async def queue_page(request: Request) -> Response:
    """The queue: the close calls first, or whatever the teacher filters for."""
    desk = _desk(request)
    show = request.query_params.get("show", next(iter(FILTERS)))
    if show not in FILTERS:
        show = next(iter(FILTERS))
    cells = desk.queue(show)
    return render(
        request,
        "desk_queue.html",
        desk=desk,
        filters=FILTERS,
        show=show,
        cells=cells[:MAX_LISTED],
        count=len(cells),
        progress=desk.progress(),
    )


async def points_page(request: Request) -> Response:
    """Every key point, with how much of the class covers it and its close calls."""
    desk = _desk(request)
    overrides = desk.overrides()
    rows = []
    marked = max(len(desk.marked), 1)
    for point in desk.rubric:
        cells = list(desk.cells(point_id=point.id, overrides=overrides))
        covered = sum(cell.is_covered for cell in cells)
        rows.append(
            {
                "point": point,
                "share": f"{covered / marked:.0%}",
                "close_calls": sum(cell.is_close_call for cell in cells),
                "decided": sum(cell.override is not None for cell in cells),
            }
        )
    return render(
        request, "desk_points.html", desk=desk, rows=rows, progress=desk.progress(overrides)
    )


async def point_page(request: Request) -> Response:
    """One key point across the class: every essay's evidence for it, side by side."""
    desk = _desk(request)
    point = desk.point(request.path_params["point_id"])
    if point is None:
        return render(request, "not_found.html", 404, desk=desk, what="key point")
    cells = list(desk.cells(point_id=point.id))
    cells.sort(key=lambda cell: (not cell.is_close_call, -cell.engine.score))
    return render(
        request, "desk_point.html", desk=desk, point=point, cells=cells, progress=desk.progress()
    )


async def essay_page(request: Request) -> Response:
    """One essay with its evidence highlighted and every decision on it."""
    desk = _desk(request)
    index = request.path_params["index"]
    result = desk.essay(index)
    if result is None:
        return render(request, "not_found.html", 404, desk=desk, what="essay")
    overrides = desk.overrides()
    shown = apply_overrides(result, overrides)
    return render(
        request,
        "desk_essay.html",
        desk=desk,
        result=result,
        index=index,
        previous=index - 1 if index > 1 else None,
        next=index + 1 if index < len(desk.results) else None,
        segments=highlight_segments(shown) if not result.is_failed else (),
        cells=list(desk.cells(essay=result, overrides=overrides)),
        score=f"{shown.score:.0%}",
        grade=desk.rubric.grade(shown.score),
        progress=desk.progress(overrides),
    )


def _cells(data: dict[str, Any]) -> list[tuple[str, str]]:
    cells = data.get("cells")
    if not isinstance(cells, list) or not cells:
        raise BadRequestError("the request names no decisions: reload the page")
    found = []
    for cell in cells:
        if (
            not isinstance(cell, list)
            or len(cell) != 2
            or not all(isinstance(part, str) for part in cell)
        ):
            raise BadRequestError("the request names a decision wrongly: reload the page")
        found.append((cell[0], cell[1]))
    return found


def _answer(desk: Desk, cells: list[tuple[str, str]], previous: list[Any]) -> JSONResponse:
    return JSONResponse(
        {
            "cells": desk.states(cells),
            "previous": previous,
            "progress": desk.progress().to_dict(),
            "pending": desk.writer.is_pending,
        }
    )


async def decide(request: Request) -> Response:
    """Record the teacher's decision (covered or missing, with a comment) on some cells."""
    desk = _desk(request)
    data = await read_json(request)
    cells = _cells(data)
    covered = data.get("covered")
    if not isinstance(covered, bool):
        raise BadRequestError("the request says neither covered nor missing: reload the page")
    comment = text_field(data, "comment", optional=True)
    if comment is not None and len(comment) > 2000:
        return problem("the comment is longer than 2,000 characters: shorten it")
    previous = await run_in_threadpool(desk.decide, cells, covered, comment)
    return _answer(desk, cells, previous)


async def clear(request: Request) -> Response:
    """Remove the teacher's decision on some cells (undo): the engine's stands again."""
    desk = _desk(request)
    cells = _cells(await read_json(request))
    previous = await run_in_threadpool(desk.clear, cells)
    return _answer(desk, cells, previous)


async def status(request: Request) -> Response:
    """Whether the reports reflect every change yet, and the progress."""
    desk = _desk(request)
    return JSONResponse(
        {
            "pending": desk.writer.is_pending,
            "error": desk.writer.error,
            "progress": desk.progress().to_dict(),
        }
    )


ROUTES: list[BaseRoute] = [
    Route("/desk", queue_page),
    Route("/desk/points", points_page),
    Route("/desk/point/{point_id:str}", point_page),
    Route("/desk/essay/{index:int}", essay_page),
    Route("/api/desk/decide", decide, methods=["POST"]),
    Route("/api/desk/clear", clear, methods=["POST"]),
    Route("/api/desk/status", status),
]
