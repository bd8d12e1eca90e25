"""Rendering console pages: one Jinja2 environment, the page frame, and the headers.

Every page extends ``console/_base.html`` and runs only this server's files: no inline
script or style (the content security policy says so, and the tests check it). Times are
shown in London time through the filters ``|time``, ``|day`` and ``|datetime``, the same
ones the tracking page uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from doorstep.domain.access import Principal
from doorstep.domain.model import Role
from doorstep.web.console.session import ConsoleRefusal, csrf_token, set_pre_cookie
from doorstep.web.tracking import london_day, london_time

STATIC: Final = "/static/console"
VENDOR_LEAFLET: Final = "/static/vendor/leaflet-1.9.4"
VENDOR_HTMX: Final = "/static/vendor/htmx.org-2.0.11/htmx.min.js"
VENDOR_HTMX_SSE: Final = "/static/vendor/htmx-ext-sse-2.2.4/sse.min.js"
BASEMAP: Final = "/console/basemap.json"  # web/console/basemap.py
POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:{tiles}; "
    "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)


@dataclass(frozen=True, slots=True)
class ConsoleConfig:
    """What every page may need that is not in the container: set by ``make_router``."""

    tile_url: str | None = None
    tile_source: str | None = None  # the tile server's origin, for the policy


def headers(request: Request) -> dict[str, str]:
    """The console's security headers (the policy names the tile server, if any)."""
    source = config_of(request).tile_source
    return {
        "Content-Security-Policy": POLICY.format(tiles=f" {source}" if source else ""),
        "Cache-Control": "no-store",
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Robots-Tag": "noindex, nofollow",
    }


def config_of(request: Request) -> ConsoleConfig:
    found = getattr(request.state, "console_config", None)
    return found if isinstance(found, ConsoleConfig) else ConsoleConfig()


def london_datetime(moment: datetime | None) -> str:
    """``Tuesday 4 June 10:40`` in London time; empty for None."""
    return "" if moment is None else f"{london_day(moment)} {london_time(moment)}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("doorstep.web", "templates"),
        autoescape=select_autoescape(default=True),
        auto_reload=False,
    )
    env.filters["time"] = london_time
    env.filters["day"] = london_day
    env.filters["datetime"] = london_datetime
    return env


def _common(request: Request) -> dict[str, Any]:
    tile_url = config_of(request).tile_url
    return {
        "csrf": csrf_token(request),
        "static": STATIC,
        "vendor_leaflet": VENDOR_LEAFLET,
        "vendor_htmx": VENDOR_HTMX,
        "vendor_htmx_sse": VENDOR_HTMX_SSE,
        "basemap": BASEMAP,
        "tile_url": tile_url or "",
        "path": request.url.path,
    }


def _answer(request: Request, body: str, status_code: int) -> HTMLResponse:
    response = HTMLResponse(body, status_code=status_code, headers=headers(request))
    set_pre_cookie(request, response)
    return response


def page(
    request: Request,
    template: str,
    *,
    user: Principal | None,
    section: str,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A whole page: ``template`` extends ``console/_base.html``. ``user`` None is the
    login page (no navigation)."""
    body = (
        environment()
        .get_template(template)
        .render(
            **_common(request),
            user=user,
            is_admin=user is not None and user.role is Role.ADMIN,
            section=section,
            **context,
        )
    )
    return _answer(request, body, status_code)


def fragment(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A part of a page, for htmx to swap in."""
    body = environment().get_template(template).render(**_common(request), **context)
    return _answer(request, body, status_code)


def refusal_response(request: Request, refusal: Exception) -> Response:
    """The answer to a :class:`ConsoleRefusal`: a redirect, an htmx fragment or a page."""
    assert isinstance(refusal, ConsoleRefusal)
    if refusal.location is not None:
        return RedirectResponse(refusal.location, status_code=303, headers=headers(request))
    if request.headers.get("HX-Request") == "true":
        return fragment(
            request,
            "console/_refusal.html",
            status_code=refusal.status,
            message=refusal.message,
            status=refusal.status,
        )
    return page(
        request,
        "console/refused.html",
        user=None,
        section="",
        status_code=refusal.status,
        message=refusal.message,
        status=refusal.status,
    )
