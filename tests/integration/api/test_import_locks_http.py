"""A large atomic import must not lock other brands out (SQLite's one write lock).

While one brand's 10,000-row all-or-nothing import runs, another brand keeps reading and
writing through the real HTTP server. Reads never wait for the import; a write may wait
for its short final INSERTs, and if it cannot get the lock in time it is told to come back
(503 with Retry-After). No request may fail with 500.
"""

from __future__ import annotations

import threading

import httpx
import pytest

from tests import factories
from tests.integration.live_server import LiveApi

ROWS = 10_000
HEADER = (
    "reference,recipient_name,address_line1,postcode,service_level,"
    "window_start,window_end,weight_kg\n"
)


def big_atomic_file() -> bytes:
    rows = (f"BULK-{i},Ada Lovelace,12 Gate Street,WC2A 3HP,next_day,,,1.2\n" for i in range(ROWS))
    return (HEADER + "".join(rows)).encode()


def busy_or_ok(answer: httpx.Response) -> bool:
    if answer.status_code == 503:
        return int(answer.headers.get("Retry-After", "0")) >= 1
    return 200 <= answer.status_code < 300


@pytest.mark.slow
def test_another_brand_reads_and_writes_during_a_10000_row_atomic_import(
    live_api: LiveApi, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL has no database-wide write lock; the import is tested elsewhere")
    _, importer_key = live_api.create_brand("Big Importer")
    _, other_key = live_api.create_brand("Corner Shop")
    importer = live_api.client(importer_key)
    importer.timeout = httpx.Timeout(1800)
    other = live_api.client(other_key)
    reads: list[httpx.Response] = []
    writes: list[httpx.Response] = []
    done = threading.Event()

    def keep_busy() -> None:
        while not done.is_set():
            writes.append(other.post("/v1/orders", json=factories.order_payload()))
            reads.append(other.get("/v1/orders", params={"limit": 5}))
            done.wait(0.5)

    shop = threading.Thread(target=keep_busy)
    shop.start()
    try:
        answer = importer.post(
            "/v1/orders/import",
            content=big_atomic_file(),
            headers={"Content-Type": "text/csv"},
            params={"atomic": "true"},
        )
    finally:
        done.set()
        shop.join()

    assert answer.status_code == 200, answer.text[:500]
    assert (answer.json()["created"], answer.json()["rejected"]) == (ROWS, 0)
    assert len(reads) >= 3 and len(writes) >= 3
    assert [r.status_code for r in reads] == [200] * len(reads), [r.text for r in reads]
    assert all(busy_or_ok(w) for w in writes), [(w.status_code, w.text) for w in writes]
    stored = {w.json()["id"] for w in writes if w.status_code == 201}
    assert all_order_ids(other) == stored  # a 503 stored nothing
    busy = sum(1 for w in writes if w.status_code == 503)
    print(f"\nduring the import: {len(reads)} reads, {len(writes)} writes, {busy} answered 503")


def all_order_ids(http: httpx.Client) -> set[str]:
    found: set[str] = set()
    params: dict[str, str | int] = {"limit": 200}
    while True:
        page = http.get("/v1/orders", params=params).json()
        found |= {order["id"] for order in page["items"]}
        if not page.get("next_cursor"):
            return found
        params["cursor"] = page["next_cursor"]
