"""The FastAPI application factory. Nothing is built at import time: bootstrap calls this."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from doorstep import __version__
from doorstep.api import home, problems
from doorstep.api.guard import RequestLimits, SecurityHeaders, tile_source
from doorstep.api.limits import DEFAULT_MAX_BODY, IMPORT_MAX_BODY, BodySizeLimit
from doorstep.api.query import DropEmptyQueryValues
from doorstep.api.routers import (
    auth,
    blobs,
    brand_appearance,
    brands,
    courier,
    exceptions,
    fleet,
    hubs,
    imports,
    notifications,
    orders,
    parcels,
    plans,
    proofs,
    returns,
    routes,
    verify,
    webhooks,
)
from doorstep.services.blobs import MAX_UPLOAD_BYTES
from doorstep.services.container import Container
from doorstep.web import console, tracking_actions
from doorstep.web import courier as courier_app
from doorstep.web import tracking as tracking_page

API_PREFIX = "/v1"


def create_app(
    container: Container,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY,
    max_import_bytes: int = IMPORT_MAX_BODY,
    tile_url: str | None = None,
    tracking_cache_seconds: float = 60.0,
) -> FastAPI:
    """The HTTP API under ``/v1``, wired to ``container``; OpenAPI at ``/v1/openapi.json``.

    Bodies are capped at ``max_body_bytes``, except the streamed CSV import, which has its
    own cap (``max_import_bytes``) and is never held in memory, and image uploads (15 MB).
    ``tile_url`` (``settings.tile_url``) gives the courier app's map raster tiles, and its
    origin a place in that page's content security policy. The tracking page keeps each
    rendered page until its order changes, and at most ``tracking_cache_seconds`` (tests of
    what the page says pass 0).
    """
    app = FastAPI(
        title="Doorstep API",
        version=__version__,
        summary="Last-mile delivery: orders, parcels, hub scans, fleet, plans, couriers.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served by api.home from the package, not from a CDN
        redoc_url=None,
    )
    app.state.container = container
    # Routes are matched in order: the recipients' tracking page, the busiest by far, first.
    app.include_router(
        tracking_page.make_router(
            container,
            tile_url,
            tile_source=tile_source(tile_url),
            cache_seconds=tracking_cache_seconds,
        )
    )
    v1 = APIRouter(prefix=API_PREFIX)
    for module in (
        auth,
        imports,
        orders,
        verify,
        proofs,
        parcels,
        hubs,
        fleet,
        brands,
        notifications,
        brand_appearance,
        plans,
        routes,
        courier,
        blobs,
        webhooks,
        exceptions,
        returns,
    ):
        v1.include_router(module.router)
    v1.include_router(notifications.sms_router)
    app.include_router(v1)
    app.include_router(courier_app.make_router(tile_url))
    app.include_router(tracking_actions.make_router())
    app.include_router(console.make_router(container, tile_url, tile_source=tile_source(tile_url)))
    problems.install(app)
    app.add_exception_handler(console.ConsoleRefusal, console.refusal_response)
    home.install(app, f"{API_PREFIX}/openapi.json", container)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=max_body_bytes,
        streamed={
            f"{API_PREFIX}{imports.IMPORT_PATH}": max_import_bytes,
            f"{API_PREFIX}{blobs.PREFIX}/": MAX_UPLOAD_BYTES,  # images, counted as read
        },
    )
    app.add_middleware(DropEmptyQueryValues)  # ?state= means "any state", not 422
    # The last added runs first: headers go on every answer, 429s included, and a
    # refused request is refused before its body is read.
    app.add_middleware(RequestLimits, container=container)
    app.add_middleware(
        SecurityHeaders, strict_transport=container.strict_transport, tile_url=tile_url
    )
    return app
