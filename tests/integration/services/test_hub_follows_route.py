"""The hub follows the dispatched route (SQLite and PostgreSQL): a sort scan answers the
route, van, bay and load position; a load scan onto another route's van is refused."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

from doorstep.domain.access import Principal
from doorstep.domain.parcel import ParcelState
from doorstep.domain.scan import ScanKind, ScanOutcome, ScanTarget
from doorstep.services.ports import UnitOfWork
from doorstep.services.routes import edits
from doorstep.services.scans import RecordScan, ScanResult, record_hub_scan
from tests import factories
from tests.courier_day import SYSTEM, CourierDay, dispatched_day
from tests.unit.fakes import FakeClock

Factory = Callable[[Principal], UnitOfWork]
T0 = factories.MORNING


def scan(
    factory: Factory,
    day: CourierDay,
    barcode: str,
    kind: ScanKind,
    target: ScanTarget | None = None,
    event_id: str | None = None,
) -> ScanResult:
    return record_hub_scan(
        factory(SYSTEM),
        RecordScan(
            hub_id=day.hub_id,
            client_event_id=event_id or uuid.uuid4().hex,
            barcode=barcode,
            kind=kind,
            scanned_at=T0 - timedelta(minutes=30),
            target=target or ScanTarget(),
        ),
        clock=FakeClock(T0),
    )


def test_a_sort_scan_answers_route_van_bay_and_load_position(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=3, loaded_stops=0)
    first_stop = day.barcodes[0][0]
    other = dispatched_day(
        uow_factory, stops=1, loaded_stops=0, hub_id=day.hub_id, vehicle_name="LK72 XYZ"
    )

    # The scanner names another van: the route decides.
    result = scan(
        uow_factory,
        day,
        first_stop,
        ScanKind.SORT,
        ScanTarget(bay="B3", vehicle_id=other.vehicle_id),
        event_id="sorter-1",
    )

    assert result.scan.outcome is ScanOutcome.ACCEPTED, result.scan.message
    leg = result.route
    assert leg is not None
    assert (leg.route_id, leg.vehicle_id, leg.vehicle_name) == (
        day.route_id,
        day.vehicle_id,
        "LK71 ABC",
    )
    # Three stops of one parcel each: the first stop's parcel goes in last.
    assert (leg.load_position, leg.load_count) == (3, 3)
    assert "bay B3, load position 3 of 3" in result.scan.message
    with uow_factory(SYSTEM) as uow:
        parcel = uow.parcels.get_by_barcode(first_stop)
    assert parcel is not None
    assert (parcel.state, parcel.bay, parcel.vehicle_id) == (
        ParcelState.SORTED,
        "B3",
        day.vehicle_id,
    )
    last = scan(uow_factory, day, day.barcodes[2][0], ScanKind.SORT, ScanTarget(bay="B3"))
    assert last.route is not None and last.route.load_position == 1
    # A repeat of the scan answers the route again.
    again = scan(
        uow_factory,
        day,
        first_stop,
        ScanKind.SORT,
        ScanTarget(bay="B3", vehicle_id=other.vehicle_id),
        event_id="sorter-1",
    )
    assert again.replayed and again.route == leg


def test_a_load_scan_onto_another_routes_van_is_refused_with_both_routes(
    uow_factory: Factory,
) -> None:
    day = dispatched_day(uow_factory, stops=2, loaded_stops=0)
    other = dispatched_day(
        uow_factory, stops=1, loaded_stops=0, hub_id=day.hub_id, vehicle_name="LK72 XYZ"
    )
    barcode = day.barcodes[0][0]
    scan(uow_factory, day, barcode, ScanKind.SORT, ScanTarget(bay="B3"))

    wrong = scan(uow_factory, day, barcode, ScanKind.LOAD, ScanTarget(vehicle_id=other.vehicle_id))

    assert wrong.scan.outcome is ScanOutcome.REFUSED
    assert wrong.scan.message.startswith(
        f"Parcel {barcode} belongs to route {day.route_id}, van LK71 ABC; "
        f"this is route {other.route_id}."
    )
    assert wrong.scan.parcel_state == "sorted"
    named = scan(
        uow_factory,
        day,
        barcode,
        ScanKind.LOAD,
        ScanTarget(vehicle_id=day.vehicle_id, route_id=other.route_id),
    )
    assert named.scan.outcome is ScanOutcome.REFUSED
    assert f"this is route {other.route_id}" in named.scan.message

    right = scan(uow_factory, day, barcode, ScanKind.LOAD, ScanTarget(vehicle_id=day.vehicle_id))
    assert right.scan.outcome is ScanOutcome.ACCEPTED, right.scan.message
    assert right.scan.parcel_state == "loaded"
    assert right.route is not None and right.route.load_position == 2


def test_a_parcel_on_no_route_keeps_the_scanners_van(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=1)
    order = factories.order()
    vehicle = factories.vehicle(name="LK73 OFF")
    with uow_factory(SYSTEM) as uow:
        brand = factories.brand()
        uow.brands.add(brand)
        uow.vehicles.add(vehicle)
        order = factories.order(brand_id=brand.id)
        uow.orders.add(order)
        uow.commit()
    barcode = order.parcels[0].barcode
    scan(uow_factory, day, barcode, ScanKind.RECEIVE)
    sorted_ = scan(
        uow_factory, day, barcode, ScanKind.SORT, ScanTarget(bay="C1", vehicle_id=vehicle.id)
    )
    assert sorted_.scan.outcome is ScanOutcome.ACCEPTED
    assert sorted_.route is None
    assert sorted_.scan.message == f"Parcel {barcode} is now sorted."
    # Loading it onto a van with a route is today's rule: the sorted van decides.
    wrong = scan(uow_factory, day, barcode, ScanKind.LOAD, ScanTarget(vehicle_id=day.vehicle_id))
    assert wrong.scan.outcome is ScanOutcome.REFUSED
    assert wrong.scan.message.startswith("Wrong vehicle")


def test_a_finished_route_no_longer_steers_the_hub(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=1)
    with uow_factory(SYSTEM) as uow:
        route = uow.routes.get(day.route_id)
        assert route is not None
        route.start(at=T0, actor="system:tests", unloaded_barcodes=[])
        route.finish(at=T0, actor="system:tests")
        uow.routes.save(route)
        uow.commit()
    barcode = day.barcodes[0][0]
    with uow_factory(SYSTEM) as uow:
        parcel = uow.parcels.get_by_barcode(barcode)
        assert parcel is not None
        assert uow.routes.open_for_parcel(parcel.id) is None
    receive = scan(uow_factory, day, barcode, ScanKind.UNLOAD)
    assert receive.route is None


def test_a_moved_stops_parcel_is_unloaded_and_sorted_onto_the_new_van(
    uow_factory: Factory,
) -> None:
    day = dispatched_day(uow_factory, stops=2)
    other = dispatched_day(uow_factory, stops=1, hub_id=day.hub_id, vehicle_name="LK72 XYZ")
    barcode = day.barcodes[0][0]
    moved = edits.move_stop(
        uow_factory(SYSTEM),
        edits.MoveStop(day.route_id, day.stop_ids[0], other.route_id),
        clock=FakeClock(T0 - timedelta(minutes=40)),
    )
    assert moved.unload == [barcode]

    assert scan(uow_factory, day, barcode, ScanKind.UNLOAD).scan.outcome is ScanOutcome.ACCEPTED
    resorted = scan(uow_factory, day, barcode, ScanKind.SORT, ScanTarget(bay="B7"))
    assert resorted.route is not None
    assert (resorted.route.route_id, resorted.route.vehicle_name) == (other.route_id, "LK72 XYZ")
    # The added stop is the other route's last: its parcel goes in first.
    assert resorted.route.load_position == 1
    old_van = scan(uow_factory, day, barcode, ScanKind.LOAD, ScanTarget(vehicle_id=day.vehicle_id))
    assert old_van.scan.outcome is ScanOutcome.REFUSED
    assert f"belongs to route {other.route_id}, van LK72 XYZ; this is route {day.route_id}" in (
        old_van.scan.message
    )
    new_van = scan(
        uow_factory, day, barcode, ScanKind.LOAD, ScanTarget(vehicle_id=other.vehicle_id)
    )
    assert new_van.scan.outcome is ScanOutcome.ACCEPTED, new_van.scan.message
