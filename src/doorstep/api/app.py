"""The FastAPI application factory. Nothing is built at import time: bootstrap calls this."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from doorstep import __version__
from doorstep.api import home, problems
from doorstep.api.guard import RequestLimits, SecurityHeaders
from doorstep.api.limits import DEFAULT_MAX_BODY, IMPORT_MAX_BODY, BodySizeLimit
from doorstep.api.query import DropEmptyQueryValues
from doorstep.api.routers import (
    auth,
    brands,
    fleet,
    hubs,
    imports,
    orders,
    parcels,
    plans,
    routes,
    verify,
)
from doorstep.services.container import Container

API_PREFIX = "/v1"


def create_app(
    container: Container,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY,
    max_import_bytes: int = IMPORT_MAX_BODY,
) -> FastAPI:
    """The HTTP API under ``/v1``, wired to ``container``; OpenAPI at ``/v1/openapi.json``.

    Bodies are capped at ``max_body_bytes``, except the streamed CSV import, which has its
    own cap (``max_import_bytes``) and is never held in memory.
    """
    app = FastAPI(
        title="Doorstep API",
        version=__version__,
        summary="Last-mile delivery: orders, parcels, hub scans, fleet, plans.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served by api.home from the package, not from a CDN
        redoc_url=None,
    )
    app.state.container = container
    v1 = APIRouter(prefix=API_PREFIX)
    for module in (auth, imports, orders, verify, parcels, hubs, fleet, brands, plans, routes):
        v1.include_router(module.router)
    app.include_router(v1)
    problems.install(app)
    home.install(app, f"{API_PREFIX}/openapi.json", container)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=max_body_bytes,
        streamed={f"{API_PREFIX}{imports.IMPORT_PATH}": max_import_bytes},
    )
    app.add_middleware(DropEmptyQueryValues)  # ?state= means "any state", not 422
    # The last added runs first: headers go on every answer, 429s included, and a
    # refused request is refused before its body is read.
    app.add_middleware(RequestLimits, container=container)
    app.add_middleware(SecurityHeaders, strict_transport=container.strict_transport)
    return app
