"""``/console/today``: every route of the day on one map, with each route's progress.

The page is drawn from the read model (:mod:`doorstep.services.console.today`): the map's
data rides in the page as JSON (read by ``static/console/today.js``, drawn by
``static/console/map.js``), the table is plain HTML. Live: the script listens to
``/console/events``; a ``courier.position`` notice moves a marker, a route's or a stop's
event makes it fetch that route's row (``/row``, HTML) and stops (``/map``, JSON) again.
A stop's details are an htmx fragment.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse

from doorstep.domain import ids
from doorstep.domain.errors import DomainError
from doorstep.domain.preferences import london_day
from doorstep.services.console.today import (
    TodayView,
    map_data,
    route_view,
    stop_details,
    today_view,
)
from doorstep.services.errors import ServiceError
from doorstep.web.console.render import fragment, headers, page
from doorstep.web.console.session import ConsoleUser, container_of

router = APIRouter()
MAX_INDEX = 10_000


def _day(request: Request, text: str | None) -> date:
    """The day asked for (``?day=YYYY-MM-DD``), else today in London."""
    if text:
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    return london_day(container_of(request).clock.now())


def _json_for_page(data: dict[str, Any]) -> str:
    """JSON safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(data, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@router.get("/console/today", response_class=HTMLResponse)
async def today(
    request: Request,
    user: ConsoleUser,
    day: Annotated[str | None, Query(max_length=20)] = None,
    hub: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    """The day's routes (``?day=`` another day, ``?hub=`` one hub)."""
    container = container_of(request)
    chosen = _day(request, day)
    error = None
    if day and chosen.isoformat() != day:
        error = "That is not a date (YYYY-MM-DD): showing today."
    hub_id = hub if hub and ids.has_prefix(hub, "hub") else None
    view = await run_in_threadpool(today_view, container.uow_factory(user), chosen, hub_id=hub_id)
    return page(
        request,
        "console/today.html",
        user=user,
        section="today",
        view=view,
        map_json=_json_for_page(map_data(view)),
        error=error,
    )


@router.get("/console/today/routes/{route_id}/row", response_class=HTMLResponse)
async def route_row(
    request: Request,
    user: ConsoleUser,
    route_id: str,
    day: Annotated[str | None, Query(max_length=20)] = None,
    index: Annotated[int, Query(ge=0, le=MAX_INDEX)] = 0,
) -> HTMLResponse:
    """One route's row of the table, read again after its event."""
    container = container_of(request)
    try:
        route = await run_in_threadpool(
            route_view, container.uow_factory(user), _day(request, day), route_id, index=index
        )
    except (ServiceError, DomainError):
        return fragment(request, "console/today_gone.html", status_code=404, route_id=route_id)
    return fragment(request, "console/today_row.html", route=route)


@router.get("/console/today/routes/{route_id}/map")
async def route_map(
    request: Request,
    user: ConsoleUser,
    route_id: str,
    day: Annotated[str | None, Query(max_length=20)] = None,
    index: Annotated[int, Query(ge=0, le=MAX_INDEX)] = 0,
) -> JSONResponse:
    """One route as map.js draws it (the ``routes[i]`` of the page's structure)."""
    container = container_of(request)
    try:
        route = await run_in_threadpool(
            route_view, container.uow_factory(user), _day(request, day), route_id, index=index
        )
    except (ServiceError, DomainError):
        return JSONResponse({"error": "no such route today"}, 404, headers=headers(request))
    [data] = map_data(TodayView(day=_day(request, day), hub_id=None, routes=(route,)))["routes"]
    return JSONResponse(data, headers=headers(request))


@router.get("/console/today/stops/{stop_id}", response_class=HTMLResponse)
async def stop(request: Request, user: ConsoleUser, stop_id: str) -> HTMLResponse:
    """A stop's parcels, window, prediction and history (an htmx fragment)."""
    container = container_of(request)
    if not ids.has_prefix(stop_id, "stp"):
        return fragment(request, "console/today_stop.html", status_code=404, details=None)
    try:
        details = await run_in_threadpool(stop_details, container.uow_factory(user), stop_id)
    except (ServiceError, DomainError):
        return fragment(request, "console/today_stop.html", status_code=404, details=None)
    return fragment(request, "console/today_stop.html", details=details)
