from __future__ import annotations

from datetime import timedelta

import pytest

from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidTransition, InvalidValue
from doorstep.domain.model import Brand, Hub
from doorstep.domain.parcel import ParcelAction, ParcelState
from doorstep.geo.postcodes import PostcodeLookup
from doorstep.services import orders
from doorstep.services.errors import NotFound, PermissionDenied
from doorstep.services.orders.use_cases import ParcelSpec
from doorstep.services.ports import Conflict, OrderQuery
from tests import factories
from tests.unit.fakes import FakeClock, FakeDatabase
from tests.unit.services.conftest import UowFor

POSTCODES = PostcodeLookup()


def test_creates_order_with_barcodes_tracking_token_and_event(
    uow_for: UowFor, as_brand: Principal, brand: Brand, clock: FakeClock, db: FakeDatabase
) -> None:
    cmd = factories.create_order_command(
        parcels=(ParcelSpec(weight_kg=1.0), ParcelSpec(weight_kg=2.5))
    )

    order = orders.create_order(uow_for(as_brand), cmd, clock=clock)

    stored = db.orders[order.id]
    assert stored.brand_id == brand.id
    assert stored.created_at == clock.now()
    assert [p.state for p in stored.parcels] == [ParcelState.CREATED] * 2
    assert all(p.barcode.startswith("DS") for p in stored.parcels)
    assert len({p.barcode for p in stored.parcels}) == 2
    assert len(stored.tracking_token) >= 22
    assert [e.aggregate_id for e in db.events("order.created")] == [order.id]


def test_brand_cannot_create_an_order_for_another_brand(
    uow_for: UowFor, as_brand: Principal, other_brand: Brand, clock: FakeClock
) -> None:
    cmd = factories.create_order_command(brand_id=other_brand.id)

    with pytest.raises(InvalidValue) as refused:
        orders.create_order(uow_for(as_brand), cmd, clock=clock)
    assert refused.value.field == "brand_id"


def test_operator_must_name_an_existing_brand(
    uow_for: UowFor, admin: Principal, brand: Brand, clock: FakeClock, db: FakeDatabase
) -> None:
    with pytest.raises(InvalidValue, match="brand"):
        orders.create_order(uow_for(admin), factories.create_order_command(), clock=clock)
    with pytest.raises(InvalidValue, match="no such brand"):
        orders.create_order(
            uow_for(admin),
            factories.create_order_command(brand_id="brd_0000000000000000"),
            clock=clock,
        )
    made = orders.create_order(
        uow_for(admin), factories.create_order_command(brand_id=brand.id), clock=clock
    )
    assert db.orders[made.id].brand_id == brand.id


def test_refuses_an_unknown_hub(uow_for: UowFor, as_brand: Principal, clock: FakeClock) -> None:
    cmd = factories.create_order_command(hub_id="hub_0000000000000000")
    with pytest.raises(InvalidValue, match="no such hub"):
        orders.create_order(uow_for(as_brand), cmd, clock=clock)


def test_refuses_a_second_order_with_the_same_reference(
    uow_for: UowFor, as_brand: Principal, clock: FakeClock, db: FakeDatabase
) -> None:
    cmd = factories.create_order_command(reference="SHOP-1")
    orders.create_order(uow_for(as_brand), cmd, clock=clock)

    with pytest.raises(Conflict, match="SHOP-1"):
        orders.create_order(uow_for(as_brand), cmd, clock=clock)
    assert len(db.orders) == 1


def test_courier_may_not_create_orders(uow_for: UowFor, brand: Brand, clock: FakeClock) -> None:
    from doorstep.domain.model import Role

    courier = Principal.user("usr_0000000000000000", Role.COURIER, courier_id="cou_x")
    with pytest.raises(PermissionDenied):
        orders.create_order(
            uow_for(courier), factories.create_order_command(brand_id=brand.id), clock=clock
        )


def test_batch_creates_the_valid_orders_and_reports_each_refused_one(
    uow_for: UowFor, as_brand: Principal, clock: FakeClock, db: FakeDatabase
) -> None:
    good = factories.create_order_command(reference="A")
    repeated = factories.create_order_command(reference="A")
    bad_hub = factories.create_order_command(reference="B", hub_id="hub_0000000000000000")
    parsed_badly = InvalidValue("address.postcode", "not a UK postcode")
    also_good = factories.create_order_command(reference="C")

    results = orders.create_orders_batch(
        uow_for(as_brand), [good, repeated, bad_hub, parsed_badly, also_good], clock=clock
    )

    assert [r.status for r in results] == [201, 409, 422, 422, 201]
    assert results[2].field == "hub_id"
    assert results[3].field == "address.postcode"
    assert {o.reference for o in db.orders.values()} == {"A", "C"}


def test_cancel_cancels_every_parcel_and_records_the_events(
    uow_for: UowFor, as_brand: Principal, clock: FakeClock, db: FakeDatabase
) -> None:
    cmd = factories.create_order_command(parcels=(ParcelSpec(1.0), ParcelSpec(2.0)))
    order = orders.create_order(uow_for(as_brand), cmd, clock=clock)
    clock.advance(minutes=5)

    cancelled = orders.cancel_order(uow_for(as_brand), order.id, clock=clock)

    assert orders.order_status(cancelled) == "cancelled"
    assert {p.state for p in db.orders[order.id].parcels} == {ParcelState.CANCELLED}
    assert len(db.events("parcel.cancelled")) == 2
    assert [e.aggregate_id for e in db.events("order.cancelled")] == [order.id]


def test_cancel_is_refused_with_the_reason_once_a_parcel_is_out_for_delivery(
    uow_for: UowFor, as_brand: Principal, clock: FakeClock, db: FakeDatabase
) -> None:
    order = orders.create_order(uow_for(as_brand), factories.create_order_command(), clock=clock)
    parcel = db.orders[order.id].parcels[0]
    at = clock.now()
    parcel.apply(ParcelAction.RECEIVE, actor="t", at=at)
    parcel.apply(ParcelAction.SORT, actor="t", at=at)
    parcel.apply(ParcelAction.LOAD, actor="t", at=at, vehicle_id="veh_1")
    parcel.apply(ParcelAction.DEPART, actor="t", at=at)

    with pytest.raises(InvalidTransition) as refused:
        orders.cancel_order(uow_for(as_brand), order.id, clock=clock)

    assert refused.value.current == "out_for_delivery"
    assert "out for delivery" in refused.value.message
    assert db.events("order.cancelled") == []


def test_another_brands_order_and_parcel_look_missing(
    uow_for: UowFor, as_brand: Principal, as_other_brand: Principal, clock: FakeClock
) -> None:
    order = orders.create_order(uow_for(as_brand), factories.create_order_command(), clock=clock)

    with pytest.raises(NotFound):
        orders.get_order(uow_for(as_other_brand), order.id)
    with pytest.raises(NotFound):
        orders.get_parcel(uow_for(as_other_brand), order.parcels[0].id)
    with pytest.raises(NotFound):
        orders.cancel_order(uow_for(as_other_brand), order.id, clock=clock)
    page = orders.list_orders(uow_for(as_other_brand), OrderQuery())
    assert page.items == []


def test_an_id_of_the_wrong_shape_is_not_found(uow_for: UowFor, as_brand: Principal) -> None:
    for bad in ("ord_", "par_0000000000000000", "ord_\x00" * 3, "x" * 500):
        with pytest.raises(NotFound):
            orders.get_order(uow_for(as_brand), bad)


def test_list_pages_through_orders_with_a_cursor(
    uow_for: UowFor, as_brand: Principal, clock: FakeClock
) -> None:
    made = []
    for _ in range(5):
        made.append(
            orders.create_order(uow_for(as_brand), factories.create_order_command(), clock=clock)
        )
        clock.advance(minutes=1)

    first = orders.list_orders(uow_for(as_brand), OrderQuery(limit=3))
    second = orders.list_orders(uow_for(as_brand), OrderQuery(limit=3, cursor=first.next_cursor))

    seen = [o.id for o in [*first.items, *second.items]]
    assert seen == [o.id for o in reversed(made)]
    assert second.next_cursor is None


def test_a_cursor_this_list_did_not_give_out_is_invalid(
    uow_for: UowFor, as_brand: Principal
) -> None:
    with pytest.raises(InvalidValue) as refused:
        orders.list_orders(uow_for(as_brand), OrderQuery(cursor="garbage"))
    assert refused.value.field == "cursor"


def test_list_filters_by_creation_time(
    uow_for: UowFor, as_brand: Principal, clock: FakeClock
) -> None:
    early = orders.create_order(uow_for(as_brand), factories.create_order_command(), clock=clock)
    clock.advance(hours=2)
    orders.create_order(uow_for(as_brand), factories.create_order_command(), clock=clock)

    page = orders.list_orders(
        uow_for(as_brand), OrderQuery(created_to=clock.now() - timedelta(hours=1))
    )
    assert [o.id for o in page.items] == [early.id]


def test_hub_on_an_order_must_exist_and_is_kept(
    uow_for: UowFor, as_brand: Principal, hub: Hub, clock: FakeClock, db: FakeDatabase
) -> None:
    order = orders.create_order(
        uow_for(as_brand), factories.create_order_command(hub_id=hub.id), clock=clock
    )
    assert db.orders[order.id].hub_id == hub.id


def test_an_address_without_coordinates_is_placed_at_its_postcode_at_intake(
    uow_for: UowFor, as_brand: Principal, clock: FakeClock, db: FakeDatabase
) -> None:
    given = factories.address(postcode="SW1A 1AA", point=None)
    cmd = factories.create_order_command(address=given)
    order = orders.create_order(uow_for(as_brand), cmd, clock=clock, postcodes=POSTCODES)
    point = db.orders[order.id].address.point
    assert point is not None and abs(point.lat - 51.50101) < 1e-4


def test_an_unknown_postcode_keeps_no_point_and_given_coordinates_are_kept(
    uow_for: UowFor, as_brand: Principal, clock: FakeClock, db: FakeDatabase
) -> None:
    unknown = factories.create_order_command(
        address=factories.address(postcode="ZZ9 9ZZ", point=None)
    )
    given = factories.create_order_command()
    made = [
        orders.create_order(uow_for(as_brand), cmd, clock=clock, postcodes=POSTCODES)
        for cmd in (unknown, given)
    ]
    assert db.orders[made[0].id].address.point is None
    assert db.orders[made[1].id].address.point == given.address.point
