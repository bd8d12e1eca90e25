"""The recipient's tracking page ``/t/{token}``: no login, server-rendered, live over SSE.

The page is complete without script: status, window, courier, timeline and proof are in
the HTML. ``/static/tracking/tracking.js`` then opens ``/t/{token}/events`` and swaps in the
parts that change, and draws the map when there is a courier to show. Every answer says
``noindex``, sends no referrer, and runs only this server's files (no inline script or
style; the brand's colour is a small stylesheet of its own, cached for good).

Unknown and malformed tokens get the same plain 404 page, expired ones a 410 page. The
rendered page is kept per token until a live notice says its order, parcels or route
changed, and at most ``cache_seconds`` (:mod:`doorstep.web.page_cache`): a whole route's
recipients opening their link at once read the database once per token, and the live
updates read it fresh. The courier's position is never in the page itself, only in the
live events, read fresh for each: a kept page cannot show a position after its stop is done.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from functools import cache
from typing import Any, Final
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from sse_starlette.sse import EventSourceResponse

from doorstep.domain.brand import DEFAULT_COLOUR, check_colour, text_colour_on
from doorstep.domain.errors import InvalidValue
from doorstep.services.container import Container
from doorstep.services.errors import NotFound
from doorstep.services.tracking import appearance
from doorstep.services.tracking.view import TrackingExpired, TrackingView, tracking_view
from doorstep.web import csrf
from doorstep.web.page_cache import PageCache
from doorstep.web.tracking_actions import ACTIONS as DONE

PATH: Final = "/t"
STATIC: Final = "/static/tracking"
LEAFLET: Final = "/static/vendor/leaflet-1.9.4"
BASEMAP: Final = "/courier/basemap.json"
LONDON: Final = ZoneInfo("Europe/London")
REFRESH_S: Final = 30.0  # a live page near the courier looks again this often (positions step)
QUIET_REFRESH_S: Final = 300.0  # any other live page, in case a notice was lost
POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:{tiles}; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def policy(tile_source: str | None) -> str:
    """The page's content security policy; ``tile_source`` the tile server's origin."""
    return POLICY.format(tiles=f" {tile_source}" if tile_source else "")


def page_headers(tile_source: str | None) -> dict[str, str]:
    return {
        "Content-Security-Policy": policy(tile_source),
        "X-Robots-Tag": "noindex, nofollow, noarchive",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }


def london_time(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(LONDON).strftime("%H:%M")


def london_day(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(LONDON)
    return f"{local:%A} {local.day} {local:%B}"


@cache
def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("doorstep.web", "templates"),
        autoescape=select_autoescape(default=True),
        auto_reload=False,
    )
    env.filters["time"] = london_time
    env.filters["day"] = london_day
    return env


def render(name: str, **context: Any) -> str:
    return _templates().get_template(f"tracking/{name}").render(static=STATIC, **context)


def fragments(view: TrackingView) -> dict[str, Any]:
    """The parts of the page a live update replaces, by their ``data-live`` name, and the
    courier's position for the map (sent over the live events only, never in the page)."""
    position = None
    if view.position is not None:
        position = {"lat": view.position.point.lat, "lon": view.position.point.lon}
    return {
        "status": render("_status.html", view=view).strip(),
        "timeline": render("_timeline.html", view=view).strip(),
        "proof": render("_proof.html", view=view).strip(),  # empty: the box is hidden
        "position": position,
        "live": view.live,
    }


def make_router(
    container: Container,
    tile_url: str | None = None,
    *,
    tile_source: str | None = None,
    cache_seconds: float = 60.0,
) -> APIRouter:
    """The page, its live events and the brand colour's stylesheet. ``tile_url`` adds
    raster tiles to the map, and ``tile_source`` (its origin) a place in the policy."""
    router = APIRouter(include_in_schema=False)
    headers = page_headers(tile_source if tile_url else None)
    pages = PageCache(cache_seconds)

    def view_of(token: str) -> TrackingView:
        return tracking_view(
            container.uow_factory,
            container.clock,
            token,
            links=container.blob_links,
            snap=container.snap_to_road,
        )

    def page(token: str, done: str | None = None) -> tuple[int, str]:
        # After a recipient's change (``?done=...``, web/tracking_actions.py) the page is
        # read afresh, with the confirmation, and not kept.
        cached = None if done else pages.get(token)
        if cached is not None:
            return cached
        mark = pages.mark()
        channels: tuple[str, ...] = ()
        try:
            view = view_of(token)
        except NotFound:
            return 404, render("not_found.html")  # never cached: nothing to save
        except TrackingExpired:
            answer = 410, render("expired.html")
        else:
            channels = view.channels
            theme = view.brand_colour or DEFAULT_COLOUR
            body = render(
                "page.html",
                view=view,
                token=token,
                csrf=csrf.issue(container.secret_key, token),
                parts=fragments(view),
                theme=theme.lstrip("#"),
                leaflet=LEAFLET,
                basemap=BASEMAP,
                tile_url=tile_url or "",
                done=done,
            )
            answer = 200, body
        if not done:
            pages.put(token, *answer, channels=channels, mark=mark)
        return answer

    refreshing: set[asyncio.Task[None]] = set()
    listening: list[bool] = []  # the cache hears notices once the first page is asked for

    async def refresh(token: str) -> None:
        try:
            await run_in_threadpool(page, token)
        finally:
            pages.release(token)

    @router.api_route(PATH + "/{token}", methods=["GET", "HEAD"])
    async def tracking_page(token: str, done: str | None = None) -> HTMLResponse:
        # A page kept from a moment ago is answered on the event loop; only a page to
        # read and render goes to a worker thread. After a recipient's change
        # (``?done=...``, web/tracking_actions.py) it is read afresh, with the confirmation.
        if not listening and cache_seconds > 0:  # on the event loop, as listen() asks
            container.broadcaster.listen(pages.changed)
            listening.append(True)
        if done in DONE:
            status, body = await run_in_threadpool(page, token, done)
            return HTMLResponse(body, status_code=status, headers=headers)
        found = pages.lookup(token)
        if found is None:
            status, body = await run_in_threadpool(page, token)
        else:
            status, body, fresh = found
            if not fresh and pages.claim(token):
                task = asyncio.create_task(refresh(token))
                refreshing.add(task)
                task.add_done_callback(refreshing.discard)
        return HTMLResponse(body, status_code=status, headers=headers)

    @router.get(PATH + "/{token}/events")
    async def live_events(token: str, request: Request) -> Response:
        try:
            view = await run_in_threadpool(view_of, token)
        except NotFound:
            return HTMLResponse(render("not_found.html"), status_code=404, headers=headers)
        except TrackingExpired:
            return HTMLResponse(render("expired.html"), status_code=410, headers=headers)
        stream = _updates(container, view, lambda: view_of(token), request)
        sse_headers = {k: v for k, v in headers.items() if k != "Cache-Control"}
        return EventSourceResponse(stream, headers=sse_headers, ping=15)

    @router.get(PATH + "/_logo/{brand_id}/{sha256}")
    def brand_logo(brand_id: str, sha256: str) -> Response:
        try:
            logo = appearance.logo_image(container.uow_factory, container.blobs, brand_id, sha256)
        except NotFound:
            return Response(b"", status_code=404)
        cache_headers = {
            "Cache-Control": "public, max-age=86400",
            "X-Content-Type-Options": "nosniff",
        }
        return Response(logo.data, media_type=logo.content_type, headers=cache_headers)

    @router.get(PATH + "/_brand/{colour}.css")
    def brand_css(colour: str) -> Response:
        try:
            hex_colour = check_colour("#" + colour)
        except InvalidValue:
            return Response("", status_code=404, media_type="text/css")
        body = f":root{{--brand:{hex_colour};--on-brand:{text_colour_on(hex_colour)}}}\n"
        cache_headers = {"Cache-Control": "public, max-age=31536000, immutable"}
        return Response(body, media_type="text/css", headers=cache_headers)

    return router


async def _updates(
    container: Container,
    first: TrackingView,
    read: Callable[[], TrackingView],
    request: Request,
) -> AsyncIterator[dict[str, str]]:
    """Each change of the page's parts, as it happens (a notice), and the courier's
    position every 30 s while the courier is near.

    Everything but the position changes only with an event, and every event sends a
    notice; so a page far from the courier reads again on a notice, or every 5 minutes in
    case one was lost. Reading 500 open pages every 30 s cost the tracking page's p99."""
    view, last = first, fragments(first)
    subscription = container.broadcaster.subscribe(view.channels)
    read_at = time.monotonic()
    try:
        yield {"event": "ready", "data": "{}"}
        if last["position"] is not None:  # the page itself never holds a position
            yield {"event": "update", "data": json.dumps({"position": last["position"]})}
        while view.live:
            # Between half and all of 30 s: pages opened together (a message to a whole
            # route) do not all read at once; positions still step at 30 s marks.
            notice = await subscription.receive(REFRESH_S * (0.5 + random.random() / 2))
            if await request.is_disconnected():
                return
            quiet = notice is None and not view.courier_near
            if quiet and time.monotonic() - read_at < QUIET_REFRESH_S:
                continue
            read_at = time.monotonic()
            try:
                view = await run_in_threadpool(read)
            except (NotFound, TrackingExpired):
                yield {"event": "gone", "data": "{}"}
                return
            if view.channels != first.channels:  # moved to another route: listen there
                subscription.close()
                subscription = container.broadcaster.subscribe(view.channels)
                first = view
            parts = fragments(view)
            changed = {name: part for name, part in parts.items() if last.get(name) != part}
            last = parts
            if changed:
                yield {"event": "update", "data": json.dumps(changed)}
    except asyncio.CancelledError:
        raise
    finally:
        subscription.close()
