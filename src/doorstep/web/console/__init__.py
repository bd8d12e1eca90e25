"""The dispatcher's console under ``/console``: server-rendered pages for admins and dispatchers.

Each page module defines ``router = APIRouter()`` with paths starting ``/console/``; this
module includes them all (one import and one include line per page module). Sessions,
roles and CSRF are in ``session.py``, the page frame and headers in ``render.py``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from doorstep.services.container import Container
from doorstep.web.console import (
    audit_pages,
    basemap,
    brands_pages,
    events,
    exceptions_page,
    fleet_pages,
    hub_page,
    login,
    orders_page,
    plan_page,
    policies_page,
    returns_page,
    settings_pages,
    today_page,
    users_pages,
    webhooks_pages,
)
from doorstep.web.console.render import ConsoleConfig, refusal_response
from doorstep.web.console.session import ConsoleRefusal

__all__ = ["ConsoleRefusal", "make_router", "refusal_response"]


def make_router(
    container: Container, tile_url: str | None, *, tile_source: str | None = None
) -> APIRouter:
    """Every console page; ``tile_url`` adds raster tiles to maps, and ``tile_source`` (its
    origin) a place in the pages' content security policy. The app registers
    ``refusal_response`` for :class:`ConsoleRefusal` (``api/app.py``)."""
    config = ConsoleConfig(tile_url=tile_url, tile_source=tile_source if tile_url else None)

    def configure(request: Request) -> None:
        request.state.console_config = config

    router = APIRouter(include_in_schema=False, dependencies=[Depends(configure)])
    router.include_router(login.router)
    router.include_router(events.router)
    router.include_router(basemap.router)
    router.include_router(fleet_pages.router)
    router.include_router(brands_pages.router)
    router.include_router(users_pages.router)
    router.include_router(webhooks_pages.router)
    router.include_router(settings_pages.router)
    router.include_router(audit_pages.router)
    router.include_router(plan_page.router)
    router.include_router(today_page.router)
    router.include_router(orders_page.router)
    router.include_router(hub_page.router)
    router.include_router(returns_page.router)
    router.include_router(policies_page.router)
    router.include_router(exceptions_page.router)
    return router
