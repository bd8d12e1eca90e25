from __future__ import annotations

from datetime import timedelta

import pytest

from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import GeoPoint, Hub, Order, Vehicle
from doorstep.domain.parcel import ParcelState
from doorstep.domain.route import Route, RouteStop
from doorstep.domain.scan import ScanKind, ScanOutcome, ScanTarget
from doorstep.services import orders
from doorstep.services.errors import NotFound, PermissionDenied
from doorstep.services.scans import RecordScan, list_exceptions, record_hub_scan
from tests import factories
from tests.unit.fakes import FakeClock, FakeDatabase
from tests.unit.services.conftest import UowFor


@pytest.fixture
def order(uow_for: UowFor, as_brand: Principal, clock: FakeClock) -> Order:
    return orders.create_order(uow_for(as_brand), factories.create_order_command(), clock=clock)


def scan(
    hub: Hub, barcode: str, kind: ScanKind, clock: FakeClock, event: str, **target: str
) -> RecordScan:
    return RecordScan(
        hub_id=hub.id,
        client_event_id=event,
        barcode=barcode,
        kind=kind,
        scanned_at=clock.now(),
        target=ScanTarget(**target),
    )


def test_receive_scan_moves_the_parcel_to_the_hub(
    uow_for: UowFor,
    dispatcher: Principal,
    hub: Hub,
    order: Order,
    clock: FakeClock,
    db: FakeDatabase,
) -> None:
    barcode = order.parcels[0].barcode

    result = record_hub_scan(
        uow_for(dispatcher), scan(hub, barcode, ScanKind.RECEIVE, clock, "s-1"), clock=clock
    )

    assert result.scan.outcome is ScanOutcome.ACCEPTED
    assert result.scan.parcel_state == "at_hub"
    assert db.orders[order.id].parcels[0].state is ParcelState.AT_HUB
    assert [e.payload["place"] for e in db.events("parcel.at_hub")] == [hub.id]


def test_the_same_scanner_event_twice_returns_the_stored_scan_and_moves_nothing(
    uow_for: UowFor,
    dispatcher: Principal,
    hub: Hub,
    order: Order,
    clock: FakeClock,
    db: FakeDatabase,
) -> None:
    cmd = scan(hub, order.parcels[0].barcode, ScanKind.RECEIVE, clock, "s-1")
    first = record_hub_scan(uow_for(dispatcher), cmd, clock=clock)
    clock.advance(seconds=30)

    again = record_hub_scan(uow_for(dispatcher), cmd, clock=clock)

    assert again.replayed and again.scan == first.scan
    assert len(db.orders[order.id].parcels[0].events) == 1
    assert len(db.scans) == 1


def test_a_refused_scan_is_stored_with_the_state_machine_message(
    uow_for: UowFor,
    dispatcher: Principal,
    hub: Hub,
    order: Order,
    van: Vehicle,
    clock: FakeClock,
    db: FakeDatabase,
) -> None:
    barcode = order.parcels[0].barcode
    cmd = scan(hub, barcode, ScanKind.LOAD, clock, "s-9", vehicle_id=van.id)

    result = record_hub_scan(uow_for(dispatcher), cmd, clock=clock)

    assert result.scan.outcome is ScanOutcome.REFUSED
    assert result.scan.message.startswith(f"Parcel {barcode} is created: cannot load.")
    assert result.allowed_actions == ["cancel", "receive"]
    assert db.scans[(hub.id, "s-9")].outcome is ScanOutcome.REFUSED
    assert db.orders[order.id].parcels[0].state is ParcelState.CREATED
    assert [s.client_event_id for s in list_exceptions(uow_for(dispatcher), hub.id)] == ["s-9"]


def test_loading_onto_another_vehicle_than_sorted_for_is_refused(
    uow_for: UowFor,
    dispatcher: Principal,
    hub: Hub,
    order: Order,
    van: Vehicle,
    clock: FakeClock,
    db: FakeDatabase,
) -> None:
    other = factories.vehicle(name="Van 2")
    db.vehicles[other.id] = other
    barcode = order.parcels[0].barcode
    for event, kind, target in [
        ("1", ScanKind.RECEIVE, {}),
        ("2", ScanKind.SORT, {"bay": "B12", "vehicle_id": van.id}),
        ("3", ScanKind.LOAD, {"vehicle_id": other.id}),
    ]:
        result = record_hub_scan(
            uow_for(dispatcher), scan(hub, barcode, kind, clock, event, **target), clock=clock
        )

    assert result.scan.outcome is ScanOutcome.REFUSED
    assert result.scan.message.startswith("Wrong vehicle")
    parcel = db.orders[order.id].parcels[0]
    assert (parcel.state, parcel.bay, parcel.vehicle_id) == (ParcelState.SORTED, "B12", van.id)


def test_an_unknown_barcode_becomes_a_hub_exception_and_an_event(
    uow_for: UowFor, dispatcher: Principal, hub: Hub, clock: FakeClock, db: FakeDatabase
) -> None:
    result = record_hub_scan(
        uow_for(dispatcher), scan(hub, "DSNOSUCHPARCEL", ScanKind.RECEIVE, clock, "x"), clock=clock
    )

    assert result.scan.outcome is ScanOutcome.UNKNOWN_BARCODE
    assert result.scan.parcel_id is None
    [event] = db.events("scan.unknown_barcode")
    assert event.payload["barcode"] == "DSNOSUCHPARCEL"
    assert event.payload["hub_id"] == hub.id
    assert list_exceptions(uow_for(dispatcher), hub.id)[0].id == result.scan.id


def test_a_load_scan_needs_an_existing_vehicle(
    uow_for: UowFor, dispatcher: Principal, hub: Hub, order: Order, clock: FakeClock
) -> None:
    barcode = order.parcels[0].barcode
    with pytest.raises(InvalidValue) as missing:
        record_hub_scan(
            uow_for(dispatcher), scan(hub, barcode, ScanKind.LOAD, clock, "a"), clock=clock
        )
    assert missing.value.field == "target.vehicle_id"
    with pytest.raises(InvalidValue, match="no such vehicle"):
        record_hub_scan(
            uow_for(dispatcher),
            scan(hub, barcode, ScanKind.LOAD, clock, "b", vehicle_id="veh_0000000000000000"),
            clock=clock,
        )


def test_a_scan_from_the_future_is_refused(
    uow_for: UowFor, dispatcher: Principal, hub: Hub, order: Order, clock: FakeClock
) -> None:
    cmd = scan(hub, order.parcels[0].barcode, ScanKind.RECEIVE, clock, "f")
    clock.advance(hours=-1)
    with pytest.raises(InvalidValue, match="scanner's clock"):
        record_hub_scan(uow_for(dispatcher), cmd, clock=clock)


def test_brands_may_not_scan_and_unknown_hubs_are_not_found(
    uow_for: UowFor,
    dispatcher: Principal,
    as_brand: Principal,
    hub: Hub,
    order: Order,
    clock: FakeClock,
) -> None:
    cmd = scan(hub, order.parcels[0].barcode, ScanKind.RECEIVE, clock, "b")
    with pytest.raises(PermissionDenied):
        record_hub_scan(uow_for(as_brand), cmd, clock=clock)
    elsewhere = scan(factories.hub(), order.parcels[0].barcode, ScanKind.RECEIVE, clock, "b")
    with pytest.raises(NotFound):
        record_hub_scan(uow_for(dispatcher), elsewhere, clock=clock)


def test_scan_time_is_the_scanners_and_the_record_time_is_the_clocks(
    uow_for: UowFor, dispatcher: Principal, hub: Hub, order: Order, clock: FakeClock
) -> None:
    cmd = scan(hub, order.parcels[0].barcode, ScanKind.RECEIVE, clock, "t")
    clock.advance(minutes=10)
    result = record_hub_scan(uow_for(dispatcher), cmd, clock=clock)
    assert result.scan.recorded_at - result.scan.scanned_at == timedelta(minutes=10)


def test_a_parcel_on_a_dispatched_route_is_sorted_onto_its_van_with_a_load_position(
    uow_for: UowFor,
    dispatcher: Principal,
    hub: Hub,
    van: Vehicle,
    order: Order,
    clock: FakeClock,
    db: FakeDatabase,
) -> None:
    parcel = order.parcels[0]
    stops = [
        RouteStop(
            id=f"stp_{n}",
            sequence=n,
            point=GeoPoint(51.54, -0.14),
            postcode="NW1 7AA",
            address_lines=("1 Example Road",),
            recipient_first_name="Ana",
            parcel_ids=(parcel.id,) if n == 1 else (f"par_other{n}",),
            planned_arrival=clock.now(),
        )
        for n in (1, 2)
    ]
    route = Route.dispatch(
        id="rte_1",
        plan_id=None,
        hub_id=hub.id,
        route_date=clock.now().date(),
        courier_id="cou_1",
        vehicle_id=van.id,
        stops=stops,
        actor="usr_disp",
        at=clock.now(),
    )
    db.routes[route.id] = route
    record_hub_scan(
        uow_for(dispatcher), scan(hub, parcel.barcode, ScanKind.RECEIVE, clock, "s-1"), clock=clock
    )

    result = record_hub_scan(
        uow_for(dispatcher),
        scan(hub, parcel.barcode, ScanKind.SORT, clock, "s-2", bay="B1"),
        clock=clock,
    )

    assert result.route is not None
    assert (result.route.route_id, result.route.vehicle_id) == ("rte_1", van.id)
    assert (result.route.load_position, result.route.load_count) == (2, 2)
    assert db.orders[order.id].parcels[0].vehicle_id == van.id
