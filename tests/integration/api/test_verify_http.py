"""``GET /v1/orders/{order_id}/verify`` over real HTTP, on SQLite and PostgreSQL: the brand
sees its untouched order ok, then the edit made with SQL, named; other brands see 404."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.domain.model import Role
from doorstep.store.uow import SqlUnitOfWork
from tests.integration.live_server import LiveApi
from tests.integration.tamper import delivered_order, keep_proof_files, update_event


def test_the_brand_sees_its_order_verified_then_the_tampering_named(
    live_api: LiveApi, engine: Engine, uow_factory: Callable[[Principal], SqlUnitOfWork]
) -> None:
    brand_id, key = live_api.create_brand()
    order = delivered_order(uow_factory, brand_id)
    keep_proof_files(live_api.container.blobs)
    parcel = order.parcels[0]
    brand = live_api.client(key)

    clean = brand.get(f"/v1/orders/{order.id}/verify")
    assert clean.status_code == 200, clean.text
    assert clean.json() == {
        "order_id": order.id,
        "ok": True,
        "problems": [],
        "notes": [],
    }

    update_event(engine, parcel.id, 3, details='{"vehicle_id": "veh_elsewhere"}')
    tampered = live_api.client(live_api.create_operator(Role.DISPATCHER)).get(
        f"/v1/orders/{order.id}/verify"
    )

    assert tampered.status_code == 200, tampered.text
    assert tampered.json()["ok"] is False
    assert tampered.json()["problems"] == [
        f"parcel {parcel.barcode} event 3 (loaded) was changed after it was written"
    ]


def test_another_brand_gets_404_like_a_missing_order(
    live_api: LiveApi, uow_factory: Callable[[Principal], SqlUnitOfWork]
) -> None:
    brand_id, _ = live_api.create_brand()
    order = delivered_order(uow_factory, brand_id)
    _, other_key = live_api.create_brand("Peckham Plants")
    other = live_api.client(other_key)
    answer = other.get(f"/v1/orders/{order.id}/verify")
    missing = other.get(f"/v1/orders/{ids.new_id('ord')}/verify")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.content == missing.content
