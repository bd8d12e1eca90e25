"""Cancelling is idempotent: copies of one cancel sent at once all succeed (SQLite, PostgreSQL).

On PostgreSQL the copies interleave: all read the order before any commits, and every
copy but the first finds the parcels changed when it writes. Each must then see the order
already cancelled and succeed, as a cancel sent afterwards does, not answer 409.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests import factories
from tests.integration.live_server import LiveApi

COPIES = 10


def test_copies_of_one_cancel_sent_at_once_all_succeed(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    brand = live_api.client(key)
    order = brand.post("/v1/orders", json=factories.order_payload()).json()
    start = threading.Barrier(COPIES)

    def cancel(_: int) -> httpx.Response:
        with httpx.Client(
            base_url=live_api.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=60
        ) as http:
            start.wait()
            return http.post(f"/v1/orders/{order['id']}/cancel")

    with ThreadPoolExecutor(max_workers=COPIES) as pool:
        answers = list(pool.map(cancel, range(COPIES)))

    assert [a.status_code for a in answers] == [200] * COPIES, [a.text for a in answers]
    assert all(a.json()["status"] == "cancelled" for a in answers)
    parcel = brand.get(f"/v1/parcels/{order['parcels'][0]['id']}").json()
    assert parcel["state"] == "cancelled"
