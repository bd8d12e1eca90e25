"""Idempotency-Key over real HTTP: replay, mismatch, and fifty identical requests at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.factories import order_payload
from tests.integration.live_server import LiveApi


def test_the_same_key_replays_and_another_body_is_refused(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    http = live_api.client(key)
    payload = order_payload()
    headers = {"Idempotency-Key": "checkout-42"}

    first = http.post("/v1/orders", json=payload, headers=headers)
    again = http.post("/v1/orders", json=payload, headers=headers)
    other = http.post("/v1/orders", json=order_payload(), headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert other.status_code == 422 and other.json()["type"].endswith("idempotency_key_reused")
    assert len(http.get("/v1/orders").json()["items"]) == 1


def test_fifty_concurrent_duplicates_create_exactly_one_order(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    payload = order_payload()
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "burst-1"}

    def send(_: int) -> httpx.Response:
        with httpx.Client(base_url=live_api.base_url, timeout=60.0) as http:
            return http.post("/v1/orders", json=payload, headers=headers)

    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(send, range(50)))

    assert [a.status_code for a in answers] == [201] * 50, {a.text for a in answers}
    assert len({a.content for a in answers}) == 1
    listed = live_api.client(key).get("/v1/orders").json()["items"]
    assert [o["id"] for o in listed] == [answers[0].json()["id"]]
