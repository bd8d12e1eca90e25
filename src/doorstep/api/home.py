"""The pages a person meets first: ``/`` and the API docs at ``/docs``, working offline.

Swagger UI is served from the package (vendored from npm into ``web/static/vendor``), not
from a CDN: a self-hosted install is often behind a firewall, and a blank ``/docs`` page
is the first thing a new user would see there.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Final

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from doorstep import __version__
from doorstep.domain.access import Principal
from doorstep.services.container import Container
from doorstep.services.health import check_health

SWAGGER_UI: Final = "swagger-ui-dist-5.35.0"
STATIC_PATH: Final = "/static"
_VENDOR: Final = f"{STATIC_PATH}/vendor/{SWAGGER_UI}"
_HEALTH: Final = Principal.system("health")

_HOME: Final = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Doorstep</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>Doorstep</h1>
<p>Last-mile delivery, self-hosted. This server speaks the Doorstep HTTP API.</p>
<ul>
<li><a href="/console">Dispatcher's console</a> (log in as an admin or dispatcher)</li>
<li><a href="/docs">API documentation</a> (try every operation in the browser)</li>
<li><a href="{openapi_url}">OpenAPI description</a> (JSON, for client generators)</li>
<li><a href="/health">Health</a> (is the server up, and can it reach its database?)</li>
</ul>
</body>
</html>
"""


def static_dir() -> Path:
    """The package's static files (``doorstep/web/static``), installed as package data."""
    return Path(str(resources.files("doorstep.web").joinpath("static")))


def install(app: FastAPI, openapi_url: str, container: Container) -> None:
    """``/``, ``/docs``, ``/health`` and ``/static``; create the app with ``docs_url=None``."""
    app.mount(STATIC_PATH, StaticFiles(directory=static_dir()), name="static")

    @app.get("/", include_in_schema=False)
    def home() -> HTMLResponse:
        return HTMLResponse(_HOME.format(openapi_url=openapi_url))

    @app.get("/health", include_in_schema=False)
    def health() -> JSONResponse:
        """For load balancers and people: 200 when the database answers, else 503."""
        found = check_health(container.uow_factory(_HEALTH), __version__)
        return JSONResponse(found.as_dict(), status_code=200 if found.ok else 503)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - docs",
            swagger_js_url=f"{_VENDOR}/swagger-ui-bundle.js",
            swagger_css_url=f"{_VENDOR}/swagger-ui.css",
            swagger_favicon_url=f"{_VENDOR}/favicon-32x32.png",
        )
