"""An order's proof fields over real HTTP (SQLite and PostgreSQL): a PIN goes in, is kept
only as its hash and never comes back; minimum age and safe place are shown as given."""

from __future__ import annotations

from sqlalchemy import Engine, select

from doorstep.domain.access import Principal
from doorstep.domain.proof import hash_pin
from doorstep.store.tables import OrderRow
from tests.factories import order_payload
from tests.integration.live_server import LiveApi

PIN = "73915"
PROBLEM = "application/problem+json"


def test_a_pin_is_stored_as_its_hash_sealed_and_never_echoed(
    live_api: LiveApi, engine: Engine
) -> None:
    _, key = live_api.create_brand()
    http = live_api.client(key)
    body = order_payload(delivery_pin=PIN, minimum_age=18, safe_place="behind the bins")

    created = http.post("/v1/orders", json=body)

    assert created.status_code == 201, created.text
    order = created.json()
    assert (order["pin_required"], order["minimum_age"], order["safe_place"]) == (
        True,
        18,
        "behind the bins",
    )
    assert "delivery_pin" not in order and "delivery_pin_hash" not in order
    read = http.get(f"/v1/orders/{order['id']}")
    listed = http.get("/v1/orders", params={"reference": body["reference"]})
    for answer in (created, read, listed):
        assert PIN not in answer.text
    assert read.json() == order
    with engine.connect() as connection:
        stored = connection.scalar(
            select(OrderRow.delivery_pin_hash).where(OrderRow.public_id == order["id"])
        )
    # Sealed at rest: the database alone gives neither the PIN nor a hash to brute-force.
    assert stored is not None and hash_pin(PIN, order["id"]) not in stored
    uow = live_api.container.uow_factory(Principal.system("tests"))
    with uow.read_only():
        kept = uow.orders.get(order["id"])
    assert kept is not None
    assert kept.delivery_pin_hash == hash_pin(PIN, order["id"]) != hash_pin(PIN, "ord_another")
    assert stored not in created.text


def test_an_order_without_proof_fields_needs_none(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    order = live_api.client(key).post("/v1/orders", json=order_payload()).json()
    assert (order["pin_required"], order["minimum_age"], order["safe_place"]) == (
        False,
        None,
        None,
    )


def test_bad_proof_fields_are_422_naming_the_field_without_the_pin(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    http = live_api.client(key)
    for field, value in (
        ("delivery_pin", "98x7"),
        ("delivery_pin", "123"),
        ("minimum_age", 0),
        ("minimum_age", 100),
        ("safe_place", "x" * 201),
    ):
        answer = http.post("/v1/orders", json=order_payload(**{field: value}))
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == PROBLEM
        assert field in [e["field"] for e in answer.json()["errors"]]
        if field == "delivery_pin":
            assert str(value) not in answer.text


def test_the_csv_import_takes_the_proof_columns(live_api: LiveApi) -> None:
    _, key = live_api.create_brand()
    http = live_api.client(key)
    csv = (
        "reference,recipient_name,address_line1,postcode,service_level,weight_kg,"
        "delivery_pin,minimum_age,safe_place\n"
        "CSV-PIN-1,Ada Lovelace,12 Gate Street,WC2A 3HP,next_day,1.2,0427,18,front porch\n"
        "CSV-PIN-2,Ada Lovelace,12 Gate Street,WC2A 3HP,next_day,1.2,,,\n"
    )
    report = http.post("/v1/orders/import", content=csv, headers={"Content-Type": "text/csv"})
    assert report.status_code == 200, report.text
    assert "0427" not in report.text
    found = {
        o["reference"]: (o["pin_required"], o["minimum_age"], o["safe_place"])
        for o in http.get("/v1/orders").json()["items"]
    }
    assert found == {"CSV-PIN-1": (True, 18, "front porch"), "CSV-PIN-2": (False, None, None)}
