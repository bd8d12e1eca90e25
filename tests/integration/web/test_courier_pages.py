"""The courier app's addresses over real HTTP: the shell, its worker, manifest and base map.

What a phone needs before any JavaScript runs is checked here: that every file the
service worker keeps is served, that the worker may control ``/courier``, that the page's
policy lets it draw photos and run its worker but names no other origin (unless a tile
server is configured), and that the base map is GeoJSON of the packaged streets.
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from doorstep.store.migrate import upgrade
from tests.integration.live_server import LiveApi, serve

TILES = "https://{s}.tile.example.org/{z}/{x}/{y}.png"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('courier') / 'doorstep.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture(scope="module")
def live(database: str) -> Iterator[LiveApi]:
    with serve(database) as api:
        yield api


@pytest.fixture(scope="module")
def live_with_tiles(database: str) -> Iterator[LiveApi]:
    with serve(database, tile_url=TILES) as api:
        yield api


def _policy(answer: httpx.Response) -> dict[str, list[str]]:
    directives = [part.split() for part in answer.headers["content-security-policy"].split(";")]
    return {words[0]: words[1:] for words in directives if words}


def _precache(worker: str) -> list[str]:
    found = re.search(r"const PRECACHE = (\[.*?\]);", worker, re.DOTALL)
    assert found, "the worker names no files to keep"
    listed: list[str] = json.loads(found[1])
    return listed


def _png_size(body: bytes) -> tuple[int, int]:
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", body[16:24])
    return width, height


def test_shell_is_html_that_loads_only_this_servers_files(live: LiveApi) -> None:
    page = live.client().get("/courier")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<link rel="manifest" href="/courier/manifest.webmanifest">' in page.text
    assert 'type="module" src="/static/courier/app.js"' in page.text
    assert "/static/vendor/leaflet-1.9.4/leaflet.js" in page.text
    assert re.findall(r"(?:src|href)=\"(https?:)?//", page.text) == []
    assert 'data-tile-url=""' in page.text
    assert "<script>" not in page.text  # no inline script: the policy allows none


def test_shell_policy_allows_photos_and_the_worker_but_no_other_origin(live: LiveApi) -> None:
    policy = _policy(live.client().get("/courier"))
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "blob:", "data:"]
    assert policy["worker-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["default-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_configured_tile_server_is_the_one_origin_the_shell_names(live_with_tiles: LiveApi) -> None:
    http = live_with_tiles.client()
    page = http.get("/courier")
    assert f'data-tile-url="{TILES}"' in page.text
    assert _policy(page)["img-src"] == ["'self'", "blob:", "data:", "https://*.tile.example.org"]
    assert _policy(page)["connect-src"] == ["'self'"]
    # Other answers keep their own strict policies.
    assert _policy(http.get("/v1/openapi.json"))["default-src"] == ["'none'"]
    assert "tile.example.org" not in http.get("/docs").headers["content-security-policy"]


def test_service_worker_may_control_the_app_and_reach_this_server(live: LiveApi) -> None:
    worker = live.client().get("/courier/sw.js")
    assert worker.status_code == 200
    assert "javascript" in worker.headers["content-type"]
    assert worker.headers["service-worker-allowed"] == "/courier"
    assert worker.headers["cache-control"] == "no-cache"
    # A worker's own fetches obey the policy sent with its script.
    assert _policy(worker)["connect-src"] == ["'self'"]
    assert "__VERSION__" not in worker.text and "__PRECACHE__" not in worker.text
    assert re.search(r'const VERSION = "[0-9a-f]{16}";', worker.text)


def test_a_tile_server_change_is_a_new_worker_and_cache(
    live: LiveApi, live_with_tiles: LiveApi
) -> None:
    # The shell is served from the worker's cache first, so a new tile URL in the shell
    # must come with a new worker, or phones would keep the old one.
    plain = live.client().get("/courier/sw.js").text
    tiled = live_with_tiles.client().get("/courier/sw.js").text
    version = re.compile(r'const VERSION = "([0-9a-f]{16})";')
    first, second = version.search(plain), version.search(tiled)
    assert first and second and first[1] != second[1]


def test_every_file_the_worker_keeps_is_served(live: LiveApi) -> None:
    http = live.client()
    worker = http.get("/courier/sw.js").text
    listed = _precache(worker)
    assert "/courier" in listed and "/courier/basemap.json" in listed
    assert "/static/courier/app.js" in listed and "/static/courier/styles.css" in listed
    for path in listed:
        answer = http.get(path)
        assert answer.status_code == 200, path
    scripts = [p for p in listed if p.endswith(".js")]
    for path in scripts:
        assert "javascript" in http.get(path).headers["content-type"], path


def test_every_module_the_app_imports_is_in_the_worker_cache(live: LiveApi) -> None:
    http = live.client()
    listed = set(_precache(http.get("/courier/sw.js").text))
    static = Path(__file__).parents[3] / "src" / "doorstep" / "web" / "static" / "courier"
    for module in static.glob("*.js"):
        if module.name == "sw.js":
            continue
        assert f"/static/courier/{module.name}" in listed, module.name
        for imported in re.findall(r'from "([^"]+)"', module.read_text(encoding="utf-8")):
            absolute = imported if imported.startswith("/") else f"/static/courier/{imported[2:]}"
            assert absolute in listed, (module.name, imported)


def test_manifest_is_valid_json_with_both_icons(live: LiveApi) -> None:
    http = live.client()
    answer = http.get("/courier/manifest.webmanifest")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/manifest+json")
    manifest = answer.json()
    assert (
        manifest["start_url"].startswith(manifest["scope"]) and manifest["display"] == "standalone"
    )
    sizes = {}
    for icon in manifest["icons"]:
        image = http.get(icon["src"])
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        sizes[icon["sizes"]] = _png_size(image.content)
    assert sizes == {"192x192": (192, 192), "512x512": (512, 512)}


def test_basemap_is_geojson_lines_of_the_packaged_streets(live: LiveApi) -> None:
    answer = live.client().get("/courier/basemap.json", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/geo+json"
    assert answer.headers["content-encoding"] == "gzip"  # about a tenth of the size
    assert "public" in answer.headers["cache-control"]
    streets = answer.json()  # httpx undoes the gzip
    assert streets["type"] == "FeatureCollection"
    assert (
        "OpenStreetMap contributors" in streets["attribution"] and "ODbL" in streets["attribution"]
    )
    west, south, east, north = streets["bbox"]
    assert len(streets["features"]) > 1000
    for feature in streets["features"][:: len(streets["features"]) // 50]:
        assert feature["geometry"]["type"] == "LineString"
        points = feature["geometry"]["coordinates"]
        assert len(points) >= 2
        for lon, lat in points:
            assert west <= lon <= east and south <= lat <= north
    assert 51.4 < south < north < 51.7 and -0.3 < west < east < 0.0  # Camden


def test_basemap_without_gzip_is_the_same_document(live: LiveApi) -> None:
    http = live.client()
    plain = http.get("/courier/basemap.json", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.json() == http.get("/courier/basemap.json").json()


def test_vendored_libraries_are_served_with_their_licences(live: LiveApi) -> None:
    http = live.client()
    for folder, words in (
        ("leaflet-1.9.4", "BSD 2-Clause"),
        ("signature_pad-5.1.4", "MIT License"),
        ("idb-keyval-6.3.0", "Apache License"),
    ):
        licence = http.get(f"/static/vendor/{folder}/LICENSE")
        assert licence.status_code == 200 and words in licence.text, folder
    readme = (
        Path(__file__).parents[3] / "src" / "doorstep" / "web" / "static" / "vendor" / "README.md"
    )
    text = readme.read_text(encoding="utf-8")
    for name, version in (
        ("leaflet", "1.9.4"),
        ("signature_pad", "5.1.4"),
        ("idb-keyval", "6.3.0"),
    ):
        assert re.search(rf"\| {re.escape(name)} \| {re.escape(version)} \|", text), name
