"""Idempotency-Key over real HTTP: replay, mismatch, and fifty identical requests at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import text

from doorstep.store.database import create_engine_for
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


def test_replaying_a_key_issuing_request_never_shows_the_key_again(live_api: LiveApi) -> None:
    brand_id, _ = live_api.create_brand()
    admin = live_api.client(live_api.create_operator())
    path = f"/v1/brands/{brand_id}/api-keys"
    headers = {"Idempotency-Key": "issue-1"}

    first = admin.post(path, json={"name": "shop"}, headers=headers)
    again = admin.post(path, json={"name": "shop"}, headers=headers)

    assert first.status_code == 201, first.text
    issued = first.json()
    assert again.status_code == 409, again.text
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["type"].endswith("api_key_already_issued")
    assert again.json()["key_id"] == issued["id"]
    assert issued["api_key"] not in again.text
    secret = issued["api_key"].split("_", 2)[2]
    assert secret not in again.text
    assert live_api.client(issued["api_key"]).get("/v1/orders").status_code == 200
    fresh = admin.post(path, json={"name": "shop"}, headers={"Idempotency-Key": "issue-2"})
    assert fresh.status_code == 201 and fresh.json()["api_key"] != issued["api_key"]


def test_saved_answers_hold_no_phone_note_code_or_key_in_plaintext(
    live_api: LiveApi, database_url: str
) -> None:
    brand_id, key = live_api.create_brand()
    admin = live_api.client(live_api.create_operator())
    order = order_payload()
    order["recipient"]["phone"] = "+447700900731"
    order["address"] |= {"access_notes": "Behind the green bin", "access_code": "8642#"}
    created = live_api.client(key).post("/v1/orders", json=order, headers={"Idempotency-Key": "o"})
    courier = admin.post(
        "/v1/couriers",
        json={"name": "Kit Courier", "phone": "+447700900732"},
        headers={"Idempotency-Key": "c"},
    )
    issued = admin.post(
        f"/v1/brands/{brand_id}/api-keys", json={}, headers={"Idempotency-Key": "k"}
    )
    assert (created.status_code, courier.status_code, issued.status_code) == (201, 201, 201)

    engine = create_engine_for(database_url)
    with engine.connect() as connection:
        stored = [
            bytes(body) for body in connection.scalars(text("SELECT body FROM idempotency_keys"))
        ]
    engine.dispose()
    assert len(stored) == 3
    secrets = [
        "+447700900731", "Behind the green bin", "8642#", "+447700900732",
        issued.json()["api_key"], issued.json()["api_key"].split("_", 2)[2],
    ]  # fmt: skip
    assert [s for s in secrets if any(s.encode() in body for body in stored)] == []
