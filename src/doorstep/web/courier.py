"""The courier app's own addresses: the app shell, its service worker, manifest and base map.

The app itself is plain ES modules under ``/static/courier/`` that talk to the JSON API;
this module only serves what must live under ``/courier/``. The service worker is served
from here, not from ``/static``, because a worker controls only the pages under its own
folder: from ``/courier/sw.js`` its scope would be ``/courier/``, and with
``Service-Worker-Allowed: /courier`` it is registered for ``/courier`` so that it also
answers the shell's own address (``/courier``, which ``/courier/`` does not cover) when
there is no network. Nothing else of the server starts with that path.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from doorstep import __version__
from doorstep.geo.basemap import basemap
from doorstep.geo.road_network import load_network

APP_PATH: Final = "/courier"
STATIC: Final = "/static/courier"
LEAFLET: Final = "/static/vendor/leaflet-1.9.4"
BASEMAP_NETWORK: Final = "camden"
# The shell, scripts and styles the worker keeps for a reload with no network. Vendored
# libraries are named by version, so a new version is a new address and a new cache.
SHELL_FILES: Final = (
    "app.js",
    "api.js",
    "queue.js",
    "route.js",
    "screens.js",
    "proof.js",
    "location.js",
    "map.js",
    "ui.js",
    "styles.css",
    "icon-192.png",
    "icon-512.png",
)
VENDOR_FILES: Final = (
    f"{LEAFLET}/leaflet.js",
    f"{LEAFLET}/leaflet.css",
    "/static/vendor/signature_pad-5.1.4/signature_pad.min.js",
    "/static/vendor/idb-keyval-6.3.0/index.js",
)


def courier_static_dir() -> Path:
    return Path(str(resources.files("doorstep.web").joinpath("static", "courier")))


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("doorstep.web", "templates"),
        autoescape=select_autoescape(default=True),
        auto_reload=False,
    )


@cache
def basemap_bytes() -> tuple[bytes, bytes]:
    """The base map as JSON and gzip, built once per process (about two seconds)."""
    body = json.dumps(basemap(load_network(BASEMAP_NETWORK)), separators=(",", ":")).encode()
    return body, gzip.compress(body, compresslevel=6, mtime=0)


@cache
def shell_digest(tile_url: str | None = None) -> str:
    """A digest of the shell's files and the tile URL it is rendered with: a change to any
    of them is a new worker, which keeps the new shell (the old cache is dropped)."""
    digest = hashlib.sha256(f"{__version__}|{tile_url or ''}".encode())
    folder = courier_static_dir()
    for name in (*SHELL_FILES, "sw.js"):
        digest.update((folder / name).read_bytes())
    template = resources.files("doorstep.web").joinpath("templates", "courier", "app.html")
    digest.update(template.read_bytes())
    return digest.hexdigest()[:16]


def render_shell(tile_url: str | None = None) -> str:
    """The app shell's HTML; the tile URL (or nothing) rides along for the map script."""
    template = _templates().get_template("courier/app.html")
    return template.render(
        static=STATIC, leaflet=LEAFLET, version=__version__, tile_url=tile_url or ""
    )


def service_worker_source(tile_url: str | None = None) -> str:
    """The worker's script. The shell's digest names its cache, so a changed shell installs
    afresh and the old cache is dropped; the list is what it keeps for offline use."""
    source = (courier_static_dir() / "sw.js").read_text(encoding="utf-8")
    return source.replace("__VERSION__", shell_digest(tile_url)).replace(
        "__PRECACHE__", json.dumps(precache_list())
    )


def precache_list() -> list[str]:
    """Every address the service worker stores at install, the shell first."""
    return [
        APP_PATH,
        f"{APP_PATH}/manifest.webmanifest",
        f"{APP_PATH}/basemap.json",
        *(f"{STATIC}/{name}" for name in SHELL_FILES),
        *VENDOR_FILES,
    ]


def manifest() -> dict[str, object]:
    return {
        "name": "Doorstep courier",
        "short_name": "Courier",
        "description": "Today's route, deliveries and proof, with or without a network.",
        "id": APP_PATH,
        "start_url": APP_PATH,
        "scope": APP_PATH,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#000000",
        "theme_color": "#ffd400",
        "icons": [
            {
                "src": f"{STATIC}/icon-{size}.png",
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],
    }


def make_router(tile_url: str | None = None) -> APIRouter:
    """The routes of the app; ``tile_url`` (``settings.tile_url``) adds raster tiles to the map."""
    router = APIRouter(include_in_schema=False)

    @router.get(APP_PATH)
    def shell() -> HTMLResponse:
        return HTMLResponse(render_shell(tile_url), headers={"Cache-Control": "no-cache"})

    @router.get(f"{APP_PATH}/sw.js")
    def service_worker() -> Response:
        headers = {"Cache-Control": "no-cache", "Service-Worker-Allowed": APP_PATH}
        body = service_worker_source(tile_url)
        return Response(body, media_type="text/javascript", headers=headers)

    @router.get(f"{APP_PATH}/manifest.webmanifest")
    def web_manifest() -> Response:
        return Response(
            json.dumps(manifest()),
            media_type="application/manifest+json",
            headers={"Cache-Control": "no-cache"},
        )

    @router.get(f"{APP_PATH}/basemap.json")
    def base_map(request: Request) -> Response:
        body, packed = basemap_bytes()
        headers = {"Cache-Control": "public, max-age=86400", "Vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return Response(packed, media_type="application/geo+json", headers=headers)
        return Response(body, media_type="application/geo+json", headers=headers)

    return router
