"""The courier page's content security policy: strict, naming at most the tile server."""

from __future__ import annotations

import pytest

from doorstep.api.guard import API_POLICY, PAGE_POLICY, SecurityHeaders, courier_policy, tile_source


@pytest.mark.parametrize(
    ("tile_url", "source"),
    [
        (None, None),
        ("", None),
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
        ("https://tiles.example.net:8443/osm/{z}/{x}/{y}.png", "https://tiles.example.net:8443"),
        ("http://127.0.0.1:8080/{z}/{x}/{y}.png", "http://127.0.0.1:8080"),
        ("javascript:alert(1)", None),
        ("https://a.{s}.example.org/{z}/{x}/{y}.png", None),  # a wildcard only leftmost
        ("https://example.org;script-src */{z}/{x}/{y}.png", None),  # no policy injection
        ("//example.org/{z}/{x}/{y}.png", None),
    ],
)
def test_tile_source_is_the_origin_of_the_template_or_nothing(
    tile_url: str | None, source: str | None
) -> None:
    assert tile_source(tile_url) == source


def test_courier_policy_names_no_origin_without_tiles() -> None:
    policy = courier_policy(None)
    assert "http" not in policy and "'unsafe-inline'" not in policy
    assert "img-src 'self' blob: data:;" in policy and "worker-src 'self'" in policy


def test_courier_policy_lets_tiles_in_as_images_only() -> None:
    policy = courier_policy("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png")
    assert policy.count("tile.openstreetmap.org") == 1
    assert "img-src 'self' blob: data: https://*.tile.openstreetmap.org;" in policy


def test_each_path_gets_its_own_policy() -> None:
    async def app(scope: object, receive: object, send: object) -> None:
        raise AssertionError("not called")

    guard = SecurityHeaders(app, strict_transport=False, tile_url=None)
    assert guard.policy("/courier") == courier_policy(None)
    assert guard.policy("/courier/sw.js") == courier_policy(None)
    assert guard.policy("/docs") == PAGE_POLICY
    assert guard.policy("/courier/basemap.json") == API_POLICY
    assert guard.policy("/v1/routes") == API_POLICY
