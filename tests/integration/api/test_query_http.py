"""A filter left blank (``?state=``) means "any", over real HTTP; a wrong one is still 422."""

from __future__ import annotations

from tests.factories import order_payload
from tests.integration.live_server import LiveApi


def test_blank_filters_are_ignored_and_wrong_ones_refused(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    http = live_api.client(key)
    created = http.post("/v1/orders", json=order_payload())
    assert created.status_code == 201, created.text

    blank = http.get("/v1/orders?state=&reference=&limit=5")

    assert blank.status_code == 200, blank.text
    assert [o["id"] for o in blank.json()["items"]] == [created.json()["id"]]
    wrong = http.get("/v1/orders?state=lost-in-space")
    assert wrong.status_code == 422 and "state" in wrong.text
