"""The first pages a person opens: ``/`` and ``/docs``, whose assets come from the server."""

from __future__ import annotations

from tests.integration.live_server import LiveApi


def test_home_links_the_api_docs_and_the_openapi_description(live_api: LiveApi) -> None:
    home = live_api.client().get("/")
    assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
    assert 'href="/docs"' in home.text and 'href="/v1/openapi.json"' in home.text


def test_docs_load_swagger_ui_from_this_server_not_a_cdn(live_api: LiveApi) -> None:
    http = live_api.client()
    page = http.get("/docs")
    assert page.status_code == 200
    assert "cdn.jsdelivr.net" not in page.text and "/v1/openapi.json" in page.text
    vendor = "/static/vendor/swagger-ui-dist-5.35.0"
    for asset, kind in (
        ("swagger-ui-bundle.js", "javascript"),
        ("swagger-ui.css", "text/css"),
        ("favicon-32x32.png", "image/png"),
    ):
        assert f"{vendor}/{asset}" in page.text, asset
        answer = http.get(f"{vendor}/{asset}")
        assert answer.status_code == 200 and kind in answer.headers["content-type"], asset
    assert "Apache License" in http.get(f"{vendor}/LICENSE").text
