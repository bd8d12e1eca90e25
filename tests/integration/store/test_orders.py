"""Orders: round trip, brand scoping, uniqueness and keyset pagination."""

from __future__ import annotations

from datetime import timedelta

import pytest

from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Address, AddressType, GeoPoint, Priority, Recipient
from doorstep.domain.parcel import Dimensions, ParcelAction, ParcelState
from doorstep.services.ports import Conflict, OrderQuery
from tests import factories
from tests.integration.store.conftest import SYSTEM, Seeded, UowFactory


def test_order_round_trips_with_every_field(uow_factory: UowFactory) -> None:
    brand, hub = factories.brand(), factories.hub()
    order = factories.order(
        brand_id=brand.id,
        parcels=2,
        hub_id=hub.id,
        priority=Priority.HIGH,
        recipient=Recipient(name="Grace Hopper", phone="+447700900456", email="g@example.org"),
        address=Address(
            lines=("Flat 3", "7 Mare Street"),
            postcode="E8 4RP",
            point=GeoPoint(51.5454, -0.0553),
            address_type=AddressType.FLAT,
            access_notes="Leave with concierge",
            access_code="4821#",
        ),
    )
    order.parcels[0].dimensions = Dimensions(30.0, 20.0, 10.5)
    with uow_factory(SYSTEM) as uow:
        uow.brands.add(brand)
        uow.hubs.add(hub)
        uow.orders.add(order)
        uow.commit()

    with uow_factory(SYSTEM) as uow:
        stored = uow.orders.get(order.id)

    assert stored is not None
    assert (stored.brand_id, stored.reference, stored.hub_id) == (brand.id, order.reference, hub.id)
    assert stored.recipient == order.recipient
    assert stored.address == order.address
    assert stored.window == order.window
    assert stored.created_at == order.created_at
    assert (stored.service_level, stored.priority) == (order.service_level, Priority.HIGH)
    assert stored.tracking_token == order.tracking_token
    assert [p.barcode for p in stored.parcels] == [p.barcode for p in order.parcels]
    assert stored.parcels[0].dimensions == Dimensions(30.0, 20.0, 10.5)
    assert all(p.state is ParcelState.CREATED and p.version == 1 for p in stored.parcels)


def test_adding_an_order_writes_order_created_to_the_outbox(
    uow_factory: UowFactory, seeded: Seeded
) -> None:
    with uow_factory(SYSTEM) as uow:
        events = [event for _, event in uow.outbox.pending()]

    created = [e for e in events if e.aggregate_id == seeded.order.id]
    assert [e.name for e in created] == ["order.created"]
    assert created[0].brand_id == seeded.brand.id
    assert created[0].payload["reference"] == seeded.order.reference
    assert {p["barcode"] for p in created[0].payload["parcels"]} == {
        p.barcode for p in seeded.order.parcels
    }


def test_brand_cannot_fetch_another_brands_order(uow_factory: UowFactory, seeded: Seeded) -> None:
    with uow_factory(seeded.brand_principal) as uow:
        assert uow.orders.get(seeded.other_order.id) is None
        other = seeded.other_order
        assert uow.orders.get_by_reference(other.brand_id, other.reference) is None
        assert uow.orders.get(seeded.order.id) is not None


def test_brand_lists_only_its_own_orders_even_when_asking_for_another(
    uow_factory: UowFactory, seeded: Seeded
) -> None:
    with uow_factory(seeded.brand_principal) as uow:
        own = uow.orders.list(OrderQuery())
        asked_for_other = uow.orders.list(OrderQuery(brand_id=seeded.other_brand.id))

    assert [o.id for o in own.items] == [seeded.order.id]
    assert [o.id for o in asked_for_other.items] == [seeded.order.id]


def test_operator_sees_every_brand_and_may_narrow_to_one(
    uow_factory: UowFactory, seeded: Seeded
) -> None:
    with uow_factory(SYSTEM) as uow:
        everything = uow.orders.list(OrderQuery())
        narrowed = uow.orders.list(OrderQuery(brand_id=seeded.other_brand.id))

    assert {o.id for o in everything.items} == {seeded.order.id, seeded.other_order.id}
    assert [o.id for o in narrowed.items] == [seeded.other_order.id]


def test_brand_cannot_add_an_order_for_another_brand(
    uow_factory: UowFactory, seeded: Seeded
) -> None:
    intruder = factories.order(brand_id=seeded.other_brand.id)
    with uow_factory(seeded.brand_principal) as uow, pytest.raises(InvalidValue) as refused:
        uow.orders.add(intruder)
    assert refused.value.field == "brand_id"


def test_duplicate_reference_for_the_same_brand_is_a_conflict(
    uow_factory: UowFactory, seeded: Seeded
) -> None:
    again = factories.order(brand_id=seeded.brand.id, reference=seeded.order.reference)
    with uow_factory(SYSTEM) as uow:
        with pytest.raises(Conflict, match="reference"):
            uow.orders.add(again)
        # The unit of work stays usable: the same reference is fine for another brand.
        uow.orders.add(factories.order(brand_id=seeded.other_brand.id, reference=again.reference))
        uow.commit()


def test_duplicate_barcode_is_a_conflict(uow_factory: UowFactory, seeded: Seeded) -> None:
    again = factories.order(brand_id=seeded.brand.id)
    again.parcels[0].barcode = seeded.order.parcels[0].barcode
    with uow_factory(SYSTEM) as uow, pytest.raises(Conflict, match="barcode"):
        uow.orders.add(again)


def test_pagination_returns_every_order_exactly_once(uow_factory: UowFactory) -> None:
    brand = factories.brand()
    start = factories.MORNING
    # Several orders share a created_at, so the id must break ties.
    orders = [
        factories.order(brand_id=brand.id, created_at=start + timedelta(minutes=i // 3))
        for i in range(17)
    ]
    with uow_factory(SYSTEM) as uow:
        uow.brands.add(brand)
        for order in orders:
            uow.orders.add(order)
        uow.commit()

    seen: list[str] = []
    cursor: str | None = None
    with uow_factory(Principal.brand(brand.id, "key_test")) as uow:
        while True:
            page = uow.orders.list(OrderQuery(limit=4, cursor=cursor))
            seen.extend(order.id for order in page.items)
            cursor = page.next_cursor
            if cursor is None:
                break

    assert sorted(seen) == sorted(o.id for o in orders)
    assert len(seen) == len(set(seen))
    stamps = [next(o.created_at for o in orders if o.id == i) for i in seen]
    assert stamps == sorted(stamps, reverse=True)


def test_list_filters_by_parcel_state_reference_and_time(
    uow_factory: UowFactory, seeded: Seeded
) -> None:
    later = factories.order(
        brand_id=seeded.brand.id, created_at=factories.MORNING + timedelta(hours=2)
    )
    later.parcels[0].apply(ParcelAction.RECEIVE, actor="usr_x", at=factories.MORNING)
    with uow_factory(SYSTEM) as uow:
        uow.orders.add(later)
        uow.commit()

    with uow_factory(SYSTEM) as uow:
        at_hub = uow.orders.list(OrderQuery(state=ParcelState.AT_HUB))
        by_reference = uow.orders.list(OrderQuery(reference=seeded.order.reference))
        recent = uow.orders.list(OrderQuery(created_from=factories.MORNING + timedelta(hours=1)))
        early = uow.orders.list(OrderQuery(created_to=factories.MORNING + timedelta(hours=1)))

    assert [o.id for o in at_hub.items] == [later.id]
    assert [o.id for o in by_reference.items] == [seeded.order.id]
    assert [o.id for o in recent.items] == [later.id]
    assert {o.id for o in early.items} == {seeded.order.id, seeded.other_order.id}


def test_a_forged_cursor_is_refused_naming_the_field(uow_factory: UowFactory) -> None:
    with uow_factory(SYSTEM) as uow, pytest.raises(InvalidValue) as refused:
        uow.orders.list(OrderQuery(cursor="not-a-cursor"))
    assert refused.value.field == "cursor"


def test_add_all_stores_many_orders_as_add_does(uow_factory: UowFactory, seeded: Seeded) -> None:
    hub = factories.hub()
    many = [factories.order(brand_id=seeded.brand.id, parcels=2, hub_id=hub.id) for _ in range(3)]
    many.append(factories.order(brand_id=seeded.other_brand.id))
    with uow_factory(SYSTEM) as uow:
        uow.hubs.add(hub)
        uow.orders.add_all(many)
        uow.commit()

    with uow_factory(SYSTEM) as uow:
        stored = [uow.orders.get(order.id) for order in many]
        events = [event for _, event in uow.outbox.pending()]
    for order, found in zip(many, stored, strict=True):
        assert found is not None
        assert (found.brand_id, found.reference, found.hub_id) == (
            order.brand_id,
            order.reference,
            order.hub_id,
        )
        assert (found.recipient, found.address, found.window) == (
            order.recipient,
            order.address,
            order.window,
        )
        assert [p.barcode for p in found.parcels] == [p.barcode for p in order.parcels]
        assert all(p.state is ParcelState.CREATED and p.version == 1 for p in found.parcels)
    created = {e.aggregate_id for e in events if e.name == "order.created"}
    assert {order.id for order in many} <= created


def test_add_all_with_a_stored_reference_is_a_conflict_and_stores_none(
    uow_factory: UowFactory, seeded: Seeded
) -> None:
    fresh = factories.order(brand_id=seeded.brand.id)
    again = factories.order(brand_id=seeded.brand.id, reference=seeded.order.reference)
    with uow_factory(SYSTEM) as uow, pytest.raises(Conflict, match="reference"):
        uow.orders.add_all([fresh, again])
        uow.commit()

    with uow_factory(SYSTEM) as uow:
        assert uow.orders.get(fresh.id) is None


def test_a_brand_cannot_add_all_for_another_brand(uow_factory: UowFactory, seeded: Seeded) -> None:
    intruder = factories.order(brand_id=seeded.other_brand.id)
    with uow_factory(seeded.brand_principal) as uow, pytest.raises(InvalidValue) as refused:
        uow.orders.add_all([intruder])
    assert refused.value.field == "brand_id"


def test_an_order_is_found_by_its_own_tracking_token_only(
    uow_factory: UowFactory, seeded: Seeded
) -> None:
    with uow_factory(SYSTEM) as uow:
        found = uow.orders.get_by_tracking_token(seeded.order.tracking_token)
        other = uow.orders.get_by_tracking_token(seeded.other_order.tracking_token)
        prefix = uow.orders.get_by_tracking_token(seeded.order.tracking_token[:-1])
        upper = uow.orders.get_by_tracking_token(seeded.order.tracking_token.upper())

    assert found is not None and found.id == seeded.order.id
    assert other is not None and other.id == seeded.other_order.id
    assert prefix is None
    assert upper is None or upper.tracking_token == seeded.order.tracking_token.upper()
