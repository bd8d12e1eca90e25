"""Orders over real HTTP on SQLite and PostgreSQL: the brand's whole round trip."""

from __future__ import annotations

from tests.factories import order_payload
from tests.integration.live_server import LiveApi

PROBLEM = "application/problem+json"


def test_a_brand_creates_reads_lists_and_cancels_an_order(live_api: LiveApi) -> None:
    brand_id, key = live_api.create_brand()
    http = live_api.client(key)

    created = http.post("/v1/orders", json=order_payload(reference="SHOP-1001"))
    assert created.status_code == 201, created.text
    order = created.json()
    assert order["brand_id"] == brand_id and order["status"] == "created"
    assert "access_code" not in order["address"]
    assert http.get(f"/v1/orders/{order['id']}").json() == order

    listed = http.get("/v1/orders", params={"reference": "SHOP-1001"}).json()
    assert [o["id"] for o in listed["items"]] == [order["id"]]

    cancelled = http.post(f"/v1/orders/{order['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    events = http.get(f"/v1/parcels/{order['parcels'][0]['id']}/events").json()["items"]
    assert [e["to_state"] for e in events] == ["cancelled"]


def test_list_pages_through_orders_with_the_cursor(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    http = live_api.client(key)
    made = {http.post("/v1/orders", json=order_payload()).json()["id"] for _ in range(5)}

    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = http.get("/v1/orders", params=params).json()
        seen += [o["id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(made) and len(seen) == 5
    forged = http.get("/v1/orders", params={"cursor": "bm90LWEtY3Vyc29y"})
    assert forged.status_code == 422 and forged.headers["content-type"] == PROBLEM


def test_a_duplicate_reference_is_409(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    http = live_api.client(key)
    payload = order_payload()
    assert http.post("/v1/orders", json=payload).status_code == 201
    again = http.post("/v1/orders", json=payload)
    assert again.status_code == 409 and again.headers["content-type"] == PROBLEM


def test_batch_creates_valid_orders_and_reports_refused_ones(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    http = live_api.client(key)
    bad = order_payload()
    bad["parcels"] = [{"weight_kg": -1}]

    answer = http.post("/v1/orders/batch", json={"orders": [order_payload(), bad, order_payload()]})

    assert answer.status_code == 200, answer.text
    assert [r["status"] for r in answer.json()["results"]] == [201, 422, 201]
    assert len(http.get("/v1/orders").json()["items"]) == 2


def test_a_hub_morning_receive_sort_load_and_a_refusal(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    brand = live_api.client(key)
    ops = live_api.client(live_api.create_operator())
    order = brand.post("/v1/orders", json=order_payload()).json()
    barcode = order["parcels"][0]["barcode"]
    hub = ops.post(
        "/v1/hubs", json={"name": "Kentish Town", "address": "NW5 3EW", "lat": 51.55, "lon": -0.14}
    ).json()
    capacity = {"parcels": 100, "weight_kg": 800, "volume_litres": 5000}
    van = ops.post("/v1/vehicles", json={"name": "Van 1", "capacity": capacity}).json()
    path = f"/v1/hubs/{hub['id']}/scans"

    def scan(event: str, kind: str, **target: str) -> tuple[int, dict[str, object]]:
        body = {
            "client_event_id": event,
            "barcode": barcode,
            "kind": kind,
            "target": target or None,
            "scanned_at": "2026-01-01T06:00:00Z",
        }
        answer = ops.post(path, json=body)
        return answer.status_code, answer.json()

    assert scan("1", "receive")[0] == 201
    assert scan("2", "sort", bay="B12", vehicle_id=van["id"])[1]["parcel_state"] == "sorted"
    assert scan("3", "load", vehicle_id=van["id"])[1]["parcel_state"] == "loaded"
    assert scan("3", "load", vehicle_id=van["id"])[0] == 201  # a repeat replays
    status, refusal = scan("4", "receive")
    assert status == 409 and refusal["current_state"] == "loaded"
    assert "cancel" in refusal["allowed_actions"]  # type: ignore[operator]
    unknown = {
        "client_event_id": "5",
        "barcode": "DSNOTOURS",
        "kind": "receive",
        "scanned_at": "2026-01-01T06:00:00Z",
    }
    assert ops.post(path, json=unknown).status_code == 202
    exceptions = ops.get(f"/v1/hubs/{hub['id']}/exceptions").json()["items"]
    assert {e["client_event_id"] for e in exceptions} == {"4", "5"}
    parcel = brand.get(f"/v1/parcels/{order['parcels'][0]['id']}").json()
    assert (parcel["state"], parcel["bay"], parcel["vehicle_id"]) == ("loaded", "B12", van["id"])
    cancelled = brand.post(f"/v1/orders/{order['id']}/cancel")
    assert cancelled.status_code == 200  # a loaded parcel may still be taken off and cancelled


def test_a_shop_shut_for_lunch_keeps_its_closed_period(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    http = live_api.client(key)
    window = {"start": "2026-12-21T09:00:00Z", "end": "2026-12-21T17:00:00Z"}
    closed = {"start": "2026-12-21T13:00:00Z", "end": "2026-12-21T14:00:00Z"}
    created = http.post("/v1/orders", json=order_payload(window=window, closed=closed))
    assert created.status_code == 201, created.text
    order = created.json()
    assert order["closed"] == {"start": "2026-12-21T13:00:00Z", "end": "2026-12-21T14:00:00Z"}
    assert http.get(f"/v1/orders/{order['id']}").json()["closed"] == order["closed"]
    plain = http.post("/v1/orders", json=order_payload()).json()
    assert plain["closed"] is None


def test_a_closed_period_outside_its_window_is_a_problem_naming_the_field(
    live_api: LiveApi,
) -> None:
    _, key = live_api.create_brand()
    http = live_api.client(key)
    window = {"start": "2026-12-21T09:00:00Z", "end": "2026-12-21T17:00:00Z"}
    cases = [
        (None, {"start": "2026-12-21T13:00:00Z", "end": "2026-12-21T14:00:00Z"}, "closed.start"),
        (window, {"start": "2026-12-21T16:00:00Z", "end": "2026-12-21T18:00:00Z"}, "closed.end"),
        (window, {"start": "2026-12-21T13:00:00Z"}, "closed.end"),
    ]
    for given_window, closed, field in cases:
        payload = order_payload(window=given_window, closed=closed)
        refused = http.post("/v1/orders", json=payload)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == PROBLEM
        assert [e["field"] for e in refused.json()["errors"]] == [field]
