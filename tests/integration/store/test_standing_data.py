"""Brands, hubs, vehicles, couriers, users, API keys, idempotency records and the outbox."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.domain.model import Courier, Role
from doorstep.services.ports import ApiKey, Conflict, IdempotencyRecord, User
from tests import factories
from tests.integration.store.conftest import SYSTEM, Seeded, UowFactory

T0 = factories.MORNING


def test_fleet_round_trips(uow_factory: UowFactory) -> None:
    hub = factories.hub()
    vehicle = factories.vehicle(hub_id=hub.id)
    courier = Courier(
        id=ids.new_id("cou"), name="Sam", phone="+447700900789", vehicle_id=vehicle.id
    )
    with uow_factory(SYSTEM) as uow:
        uow.hubs.add(hub)
        uow.vehicles.add(vehicle)
        uow.couriers.add(courier)
        uow.commit()

    with uow_factory(SYSTEM) as uow:
        stored_hub, stored_vehicle = uow.hubs.get(hub.id), uow.vehicles.get(vehicle.id)
        stored_courier = uow.couriers.get(courier.id)
        listed = ([h.id for h in uow.hubs.list()], [v.id for v in uow.vehicles.list()])
        couriers = [c.id for c in uow.couriers.list()]

    assert stored_hub is not None and stored_vehicle is not None and stored_courier is not None
    assert (stored_hub.point, stored_hub.opening_hours, stored_hub.address) == (
        hub.point,
        hub.opening_hours,
        hub.address,
    )
    assert (stored_vehicle.capacity, stored_vehicle.vehicle_type, stored_vehicle.hub_id) == (
        vehicle.capacity,
        vehicle.vehicle_type,
        hub.id,
    )
    assert (stored_courier.phone, stored_courier.vehicle_id) == (courier.phone, vehicle.id)
    assert listed == ([hub.id], [vehicle.id]) and couriers == [courier.id]


def test_brand_sees_only_itself_among_brands(uow_factory: UowFactory, seeded: Seeded) -> None:
    with uow_factory(seeded.brand_principal) as uow:
        assert [b.id for b in uow.brands.list()] == [seeded.brand.id]
        assert uow.brands.get(seeded.other_brand.id) is None
    with uow_factory(SYSTEM) as uow:
        assert {b.id for b in uow.brands.list()} == {seeded.brand.id, seeded.other_brand.id}


def test_user_round_trips_and_is_found_by_email_in_any_case(uow_factory: UowFactory) -> None:
    courier = Courier(id=ids.new_id("cou"), name="Sam")
    user = User(
        id=ids.new_id("usr"),
        email="Sam.Courier@Example.org",
        name="Sam",
        role=Role.COURIER,
        password_hash="$argon2id$v=19$stub",
        courier_id=courier.id,
    )
    with uow_factory(SYSTEM) as uow:
        uow.couriers.add(courier)
        uow.users.add(user)
        uow.commit()
    with uow_factory(SYSTEM) as uow:
        by_id, by_email = uow.users.get(user.id), uow.users.get_by_email("sam.courier@EXAMPLE.org")
        with pytest.raises(Conflict, match="email"):
            uow.users.add(
                User(ids.new_id("usr"), "sam.courier@example.org", "Twin", Role.ADMIN, "h")
            )
    assert by_id is not None and by_id == by_email
    assert (by_id.email, by_id.role, by_id.courier_id) == (
        "sam.courier@example.org",
        Role.COURIER,
        courier.id,
    )


def _key(brand_id: str, prefix: str) -> ApiKey:
    return ApiKey(
        id=ids.new_id("key"), brand_id=brand_id, prefix=prefix, secret_hash="h", created_at=T0
    )


def test_api_keys_are_found_by_prefix_and_scoped_to_their_brand(
    uow_factory: UowFactory, seeded: Seeded
) -> None:
    own, foreign = (
        _key(seeded.brand.id, "ds_live_aaaa"),
        _key(seeded.other_brand.id, "ds_live_bbbb"),
    )
    with uow_factory(SYSTEM) as uow:
        uow.api_keys.add(own)
        uow.api_keys.add(foreign)
        uow.commit()

    with uow_factory(SYSTEM) as uow:
        assert uow.api_keys.get_by_prefix("ds_live_bbbb") == foreign
        with pytest.raises(Conflict, match="prefix"):
            uow.api_keys.add(_key(seeded.brand.id, "ds_live_aaaa"))
    with uow_factory(seeded.brand_principal) as uow:
        assert uow.api_keys.list_for_brand(seeded.brand.id) == [own]
        assert uow.api_keys.list_for_brand(seeded.other_brand.id) == []
        assert uow.api_keys.get_by_prefix("ds_live_bbbb") is None


def _record(key: str) -> IdempotencyRecord:
    return IdempotencyRecord(
        owner="key_abc",
        key=key,
        request_hash="sha256:1234",
        status_code=201,
        body=b'{"id": "ord_1"}\x00\xff',
        content_type="application/json",
        created_at=T0,
        headers={"Location": "/v1/orders/ord_1"},
    )


def test_idempotency_record_round_trips_within_its_lifetime(uow_factory: UowFactory) -> None:
    record = _record("k-1")
    with uow_factory(SYSTEM) as uow:
        uow.idempotency.add(record)
        uow.commit()
    with uow_factory(SYSTEM) as uow:
        fresh = uow.idempotency.get("key_abc", "k-1", not_before=T0 - timedelta(hours=24))
        expired = uow.idempotency.get("key_abc", "k-1", not_before=T0 + timedelta(seconds=1))
        other_owner = uow.idempotency.get("key_xyz", "k-1", not_before=T0 - timedelta(days=1))
    assert fresh == record
    assert expired is None and other_owner is None


def test_reused_idempotency_key_is_a_conflict_even_across_transactions(
    uow_factory: UowFactory,
) -> None:
    with uow_factory(SYSTEM) as uow:
        uow.idempotency.add(_record("k-2"))
        uow.commit()
    with uow_factory(SYSTEM) as uow, pytest.raises(Conflict, match="idempotency key"):
        uow.idempotency.add(_record("k-2"))


def test_outbox_hands_out_pending_events_in_order_until_marked_sent(
    uow_factory: UowFactory,
) -> None:
    brand = factories.brand()
    orders = [factories.order(brand_id=brand.id) for _ in range(3)]
    with uow_factory(SYSTEM) as uow:
        uow.brands.add(brand)
        for order in orders:
            uow.orders.add(order)
        uow.commit()
    with uow_factory(SYSTEM) as uow:
        pending = uow.outbox.pending()
        uow.outbox.mark_sent([pending[0][0]], at=T0 + timedelta(minutes=1))
        uow.commit()
    with uow_factory(SYSTEM) as uow:
        left = uow.outbox.pending()

    assert [event.aggregate_id for _, event in pending] == [order.id for order in orders]
    assert [event.aggregate_id for _, event in left] == [order.id for order in orders[1:]]


def test_timestamps_read_back_timezone_aware_in_utc(uow_factory: UowFactory) -> None:
    brand = factories.brand()
    from zoneinfo import ZoneInfo

    london_summer = T0.replace(month=7).astimezone(ZoneInfo("Europe/London"))
    order = factories.order(brand_id=brand.id, created_at=london_summer)
    with uow_factory(SYSTEM) as uow:
        uow.brands.add(brand)
        uow.orders.add(order)
        uow.commit()
    with uow_factory(Principal.brand(brand.id, "key_t")) as uow:
        stored = uow.orders.get(order.id)
    assert stored is not None and stored.window is not None
    for moment in (stored.created_at, stored.window.start, stored.window.end):
        assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)
        assert moment.tzinfo == UTC
    assert stored.created_at == london_summer
