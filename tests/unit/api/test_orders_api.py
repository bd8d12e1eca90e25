from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import order_payload
from tests.unit.fakes import FakeDatabase

Auth = tuple[str, dict[str, str]]


def test_creates_an_order_and_hides_the_access_code(client: TestClient, brand: Auth) -> None:
    brand_id, headers = brand
    answer = client.post("/v1/orders", json=order_payload(reference="SHOP-1001"), headers=headers)

    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["id"].startswith("ord_") and body["brand_id"] == brand_id
    assert body["status"] == "created"
    assert body["tracking_url"].startswith("http://testserver/t/")
    assert "access_code" not in body["address"]
    assert body["address"]["access_notes"] == "Ring twice"
    [parcel] = body["parcels"]
    assert parcel["barcode"].startswith("DS") and parcel["state"] == "created"
    assert parcel["label_url"] == f"/v1/parcels/{parcel['id']}/label"
    assert client.get(f"/v1/orders/{body['id']}", headers=headers).json() == body


def test_normalises_the_postcode(client: TestClient, brand: Auth) -> None:
    payload = order_payload()
    payload["address"]["postcode"] = " wc2a3hp "
    answer = client.post("/v1/orders", json=payload, headers=brand[1])
    assert answer.json()["address"]["postcode"] == "WC2A 3HP"


def test_another_brand_gets_404_for_every_id(
    client: TestClient, brand: Auth, other_brand: Auth
) -> None:
    made = client.post("/v1/orders", json=order_payload(), headers=brand[1]).json()
    parcel_id = made["parcels"][0]["id"]
    for method, path in [
        ("GET", f"/v1/orders/{made['id']}"),
        ("POST", f"/v1/orders/{made['id']}/cancel"),
        ("GET", f"/v1/parcels/{parcel_id}"),
        ("GET", f"/v1/parcels/{parcel_id}/events"),
        ("GET", f"/v1/parcels/{parcel_id}/label"),
    ]:
        answer = client.request(method, path, headers=other_brand[1])
        assert answer.status_code == 404, (method, path, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert made["id"] not in answer.text and parcel_id not in answer.text
    listed = client.get("/v1/orders", headers=other_brand[1]).json()
    assert listed == {"items": [], "next_cursor": None}


def test_cancels_an_order_and_lists_it_by_state(client: TestClient, brand: Auth) -> None:
    made = client.post("/v1/orders", json=order_payload(), headers=brand[1]).json()

    cancelled = client.post(f"/v1/orders/{made['id']}/cancel", headers=brand[1])

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    listed = client.get("/v1/orders?state=cancelled", headers=brand[1]).json()
    assert [o["id"] for o in listed["items"]] == [made["id"]]
    events = client.get(f"/v1/parcels/{made['parcels'][0]['id']}/events", headers=brand[1])
    assert [e["to_state"] for e in events.json()["items"]] == ["cancelled"]


def test_list_pages_with_a_cursor_and_refuses_a_forged_one(client: TestClient, brand: Auth) -> None:
    for _ in range(3):
        client.post("/v1/orders", json=order_payload(), headers=brand[1])
    first = client.get("/v1/orders?limit=2", headers=brand[1]).json()
    second = client.get(f"/v1/orders?limit=2&cursor={first['next_cursor']}", headers=brand[1])
    assert len(first["items"]) == 2 and len(second.json()["items"]) == 1

    forged = client.get("/v1/orders?cursor=not-a-cursor", headers=brand[1])
    assert forged.status_code == 422
    assert forged.json()["errors"] == [
        {"field": "cursor", "reason": "is not a cursor this list gave out"}
    ]


def test_batch_creates_the_valid_orders_and_explains_the_others(
    client: TestClient, brand: Auth, db: FakeDatabase
) -> None:
    bad_postcode = order_payload()
    bad_postcode["address"]["postcode"] = "NOT A CODE"
    batch = {"orders": [order_payload(reference="A"), bad_postcode, order_payload(reference="A")]}

    answer = client.post("/v1/orders/batch", json=batch, headers=brand[1])

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["created"], body["failed"]) == (1, 2)
    results = body["results"]
    assert [r["status"] for r in results] == [201, 422, 409]
    assert results[1]["errors"] == [
        {
            "field": "address.postcode",
            "reason": "'NOT A CODE' is not a UK postcode (5 to 7 letters and digits)",
        }
    ]
    assert [o.reference for o in db.orders.values()] == ["A"]


def test_the_same_idempotency_key_replays_and_a_different_body_is_refused(
    client: TestClient, brand: Auth, db: FakeDatabase
) -> None:
    headers = brand[1] | {"Idempotency-Key": "order-1"}
    payload = order_payload()
    first = client.post("/v1/orders", json=payload, headers=headers)
    again = client.post("/v1/orders", json=payload, headers=headers)

    assert again.status_code == 201 and again.content == first.content
    assert len(db.orders) == 1
    other = client.post("/v1/orders", json=order_payload(), headers=headers)
    assert other.status_code == 422
    assert other.json()["type"].endswith("/idempotency_key_reused")


def test_cancel_once_out_for_delivery_is_409_with_the_reason(
    client: TestClient, brand: Auth, db: FakeDatabase
) -> None:
    from datetime import UTC, datetime

    from doorstep.domain.parcel import ParcelAction

    made = client.post("/v1/orders", json=order_payload(), headers=brand[1]).json()
    parcel = db.orders[made["id"]].parcels[0]
    at = datetime(2026, 11, 26, 6, tzinfo=UTC)
    for action in (ParcelAction.RECEIVE, ParcelAction.SORT):
        parcel.apply(action, actor="t", at=at)
    parcel.apply(ParcelAction.LOAD, actor="t", at=at, vehicle_id="veh_1")
    parcel.apply(ParcelAction.DEPART, actor="t", at=at)

    answer = client.post(f"/v1/orders/{made['id']}/cancel", headers=brand[1])

    assert answer.status_code == 409
    body = answer.json()
    assert body["current_state"] == "out_for_delivery"
    assert "cannot cancel" in body["detail"]
    assert body["allowed_actions"] == ["deliver", "fail_attempt"]


def test_operators_must_name_the_brand(
    client: TestClient, admin: dict[str, str], brand: Auth
) -> None:
    missing = client.post("/v1/orders", json=order_payload(), headers=admin)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "brand_id"
    named = client.post("/v1/orders", json=order_payload(brand_id=brand[0]), headers=admin)
    assert named.status_code == 201
