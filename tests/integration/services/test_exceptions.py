"""The exception queue on a real store (SQLite and PostgreSQL): each kind raised from
recorded events or by the sweep with an injected clock, raised once, closed by itself
when its cause goes away, and resolved once by a dispatcher with a note."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import cast

import pytest

from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.domain.events import DomainEvent, StopWindow, delay_predicted, order_created
from doorstep.domain.exceptions import (
    DispatchException,
    ExceptionKind,
    ExceptionState,
    Resolution,
    key_of,
)
from doorstep.domain.model import GeoPoint, Role
from doorstep.domain.pings import Ping
from doorstep.domain.route import Position
from doorstep.domain.scan import ScanKind, ScanTarget
from doorstep.services import exceptions, routes
from doorstep.services.errors import PermissionDenied
from doorstep.services.ports import Conflict, PlanRecord, PlanStatus, UnitOfWork
from doorstep.services.relay import relay_pending
from doorstep.services.routes.courier_actions import ActionKind, CourierActionIn
from doorstep.services.scans import RecordScan, record_hub_scan
from doorstep.store.outbox import SqlOutbox
from tests import factories
from tests.courier_day import SYSTEM, CourierDay, dispatched_day
from tests.unit.fakes import FakeClock

Factory = Callable[[Principal], UnitOfWork]
T0 = factories.MORNING  # the plan's route leaves the hub at T0
DISPATCHER = Principal.user("usr_DISPATCHER00000000", Role.DISPATCHER)
SIGNATURE = hashlib.sha256(b"signature").hexdigest()
FAR = Position(GeoPoint(51.5560, -0.1800), 8.0)  # a few km from every door


def relay(factory: Factory, clock: FakeClock) -> int:
    return relay_pending(factory, clock, [exceptions.exception_handler(clock)])


def queue(factory: Factory, state: str = "all") -> list[DispatchException]:
    return exceptions.list_exceptions(factory(SYSTEM), state)  # type: ignore[arg-type]


def of_kind(factory: Factory, kind: ExceptionKind) -> list[DispatchException]:
    return [found for found in queue(factory) if found.kind is kind]


def act(
    day: CourierDay,
    kind: ActionKind,
    stop: int | None = None,
    minutes: int = 0,
    position: Position | None = None,
    **data: object,
) -> CourierActionIn:
    return CourierActionIn(
        client_event_id=f"{kind.value}-{stop}-{minutes}",
        device_time=T0 + timedelta(minutes=minutes),
        kind=kind,
        route_id=day.route_id,
        stop_id=None if stop is None else day.stop_ids[stop],
        position=position or Position(GeoPoint(51.5391, -0.1427), 8.0),
        data=data,
    )


def deliver(day: CourierDay, stop: int, minutes: int) -> CourierActionIn:
    return act(
        day,
        ActionKind.COMPLETE,
        stop,
        minutes=minutes,
        method="recipient",
        recipient_name="Ada",
        signature=SIGNATURE,
        scanned_barcodes=day.barcodes[stop],
    )


def sync(factory: Factory, day: CourierDay, *actions: CourierActionIn) -> None:
    results = routes.sync_actions(
        factory,
        day.courier_principal,
        list(actions),
        clock=FakeClock(T0 + timedelta(hours=3)),
        blob_exists=lambda sha: True,
    )
    assert all(r.status.value == "applied" for r in results), results


def record(factory: Factory, *events: DomainEvent) -> None:
    """Events as the outbox holds them, written the way the unit of work writes them."""
    with factory(SYSTEM) as uow:
        for event in events:
            cast(SqlOutbox, uow.outbox).add(event)
        uow.commit()


def late_event(day: CourierDay, stop: int, clock: FakeClock) -> DomainEvent:
    window = StopWindow(
        route_id=day.route_id,
        stop_id=day.stop_ids[stop],
        order_ids=[day.order_ids[stop]],
        window_start=T0 + timedelta(minutes=30),
        window_end=T0 + timedelta(minutes=90),
        predicted_arrival=T0 + timedelta(minutes=110),
    )
    return delay_predicted(window, lateness_s=1200, at=clock.now())


def test_predicted_late_is_raised_once_and_closes_when_delivered_in_time(
    uow_factory: Factory,
) -> None:
    day = dispatched_day(uow_factory, stops=2)
    clock = FakeClock(T0 + timedelta(minutes=5))
    sync(uow_factory, day, act(day, ActionKind.START_ROUTE))
    record(uow_factory, late_event(day, 0, clock), late_event(day, 0, clock))
    relay(uow_factory, clock)

    [late] = of_kind(uow_factory, ExceptionKind.PREDICTED_LATE)
    assert late.state is ExceptionState.OPEN
    assert late.stop_id == day.stop_ids[0] and late.route_id == day.route_id
    assert late.order_ids == (day.order_ids[0],)
    assert "20 min late" in late.details and "10 Example Road" in late.details

    sync(
        uow_factory,
        day,
        act(day, ActionKind.ARRIVE, 0, minutes=40),
        deliver(day, 0, minutes=45),
    )
    clock.advance(minutes=45)
    relay(uow_factory, clock)
    [closed] = of_kind(uow_factory, ExceptionKind.PREDICTED_LATE)
    assert closed.state is ExceptionState.RESOLVED
    assert closed.resolution is Resolution.CAUSE_GONE
    assert closed.resolved_by == "system:exceptions"


def test_a_delay_for_a_stop_already_done_raises_nothing(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=1)
    clock = FakeClock(T0 + timedelta(minutes=50))
    sync(
        uow_factory,
        day,
        act(day, ActionKind.START_ROUTE),
        act(day, ActionKind.ARRIVE, 0, minutes=40),
        deliver(day, 0, minutes=45),
    )
    record(uow_factory, late_event(day, 0, clock))
    relay(uow_factory, clock)
    assert of_kind(uow_factory, ExceptionKind.PREDICTED_LATE) == []


def test_a_failed_attempt_is_raised_once_for_the_stop_and_its_parcels(
    uow_factory: Factory,
) -> None:
    day = dispatched_day(uow_factory, stops=2)
    clock = FakeClock(T0 + timedelta(minutes=30))
    sync(
        uow_factory,
        day,
        act(day, ActionKind.START_ROUTE),
        act(day, ActionKind.ARRIVE, 1, minutes=20),
        act(day, ActionKind.FAIL, 1, minutes=25, reason="recipient_not_home"),
    )
    relay(uow_factory, clock)
    [failed] = of_kind(uow_factory, ExceptionKind.ATTEMPT_FAILED)
    assert failed.stop_id == day.stop_ids[1]
    assert "recipient not home" in failed.details
    assert failed.order_ids == (day.order_ids[1],)
    assert len(failed.parcel_ids) == len(day.barcodes[1])

    done = exceptions.resolve(
        uow_factory(DISPATCHER), failed.id, "Called the recipient: Saturday.", clock=clock
    )
    assert done.resolution is Resolution.BY_DISPATCHER
    assert done.resolved_by == DISPATCHER.actor
    with uow_factory(SYSTEM) as uow:
        [entry] = uow.audit.list_for(failed.id)
    assert entry.action == "exception.resolved" and entry.actor == DISPATCHER.actor
    with pytest.raises(Conflict):
        exceptions.resolve(uow_factory(DISPATCHER), failed.id, "again", clock=clock)


def test_an_arrival_far_from_the_address_is_a_geofence_mismatch(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=1)
    clock = FakeClock(T0 + timedelta(minutes=30))
    sync(
        uow_factory,
        day,
        act(day, ActionKind.START_ROUTE),
        act(day, ActionKind.ARRIVE, 0, minutes=20, position=FAR),
    )
    relay(uow_factory, clock)
    [far] = of_kind(uow_factory, ExceptionKind.GEOFENCE_MISMATCH)
    assert far.stop_id == day.stop_ids[0]
    assert " m away from the address" in far.details


def test_an_unknown_barcode_is_raised_once_and_closes_when_its_order_arrives(
    uow_factory: Factory,
) -> None:
    day = dispatched_day(uow_factory, stops=1)
    clock = FakeClock(T0)
    for n in (1, 2):  # the hub scans the stray parcel twice
        record_hub_scan(
            uow_factory(SYSTEM),
            RecordScan(day.hub_id, f"scan-{n}", "STRAY-0001", ScanKind.RECEIVE, T0),
            clock=clock,
        )
    relay(uow_factory, clock)
    [stray] = of_kind(uow_factory, ExceptionKind.UNKNOWN_BARCODE)
    assert "STRAY-0001" in stray.details

    created = order_created(
        order_id=ids.new_id("ord"),
        brand_id=day.brand_id,
        reference="late-order",
        at=clock.now(),
        parcels=[(ids.new_id("par"), "STRAY-0001")],
    )
    record(uow_factory, created)
    relay(uow_factory, clock)
    [closed] = of_kind(uow_factory, ExceptionKind.UNKNOWN_BARCODE)
    assert closed.resolution is Resolution.CAUSE_GONE


def test_a_load_onto_the_wrong_van_is_a_mis_sort_found_by_the_sweep(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=1, loaded_stops=0)
    other = dispatched_day(uow_factory, stops=1, hub_id=day.hub_id, vehicle_name="LK72 XYZ")
    clock = FakeClock(T0 - timedelta(minutes=30))
    barcode = day.barcodes[0][0]
    record_hub_scan(
        uow_factory(SYSTEM),
        RecordScan(day.hub_id, "sort-1", barcode, ScanKind.SORT, clock.now()),
        clock=clock,
    )
    wrong = record_hub_scan(
        uow_factory(SYSTEM),
        RecordScan(
            day.hub_id,
            "load-1",
            barcode,
            ScanKind.LOAD,
            clock.now(),
            factories_target(other.vehicle_id),
        ),
        clock=clock,
    )
    assert wrong.scan.outcome.value == "refused"
    assert exceptions.sweep_exceptions(uow_factory, clock) == 1
    assert exceptions.sweep_exceptions(uow_factory, clock) == 0  # raised once
    [mis] = of_kind(uow_factory, ExceptionKind.MIS_SORT)
    assert mis.parcel_ids and mis.order_ids == (day.order_ids[0],)

    record_hub_scan(
        uow_factory(SYSTEM),
        RecordScan(
            day.hub_id,
            "load-2",
            barcode,
            ScanKind.LOAD,
            clock.now(),
            factories_target(day.vehicle_id),
        ),
        clock=clock,
    )
    relay(uow_factory, clock)
    [closed] = of_kind(uow_factory, ExceptionKind.MIS_SORT)
    assert closed.resolution is Resolution.CAUSE_GONE


def factories_target(vehicle_id: str) -> ScanTarget:
    return ScanTarget(vehicle_id=vehicle_id)


def test_parcels_not_loaded_and_a_route_not_started_are_raised_by_time_and_close_on_start(
    uow_factory: Factory,
) -> None:
    day = dispatched_day(uow_factory, stops=2, loaded_stops=1)
    clock = FakeClock(T0 - timedelta(minutes=1))
    assert exceptions.sweep_exceptions(uow_factory, clock) == 0  # not due yet

    clock.advance(minutes=2)
    assert exceptions.sweep_exceptions(uow_factory, clock) == 1
    [missing] = of_kind(uow_factory, ExceptionKind.NOT_LOADED)
    assert day.barcodes[1][0] in missing.details
    assert of_kind(uow_factory, ExceptionKind.ROUTE_NOT_STARTED) == []

    clock.advance(minutes=15)
    assert exceptions.sweep_exceptions(uow_factory, clock) == 1
    [waiting] = of_kind(uow_factory, ExceptionKind.ROUTE_NOT_STARTED)
    assert "not started 16 min later" in waiting.details

    assert missing.stop_id is None  # route-wide: the dispatcher takes the stop off
    routes.edits.remove_stop(
        uow_factory(DISPATCHER),
        routes.edits.RemoveStop(day.route_id, day.stop_ids[1], "parcel missing"),
        clock=clock,
    )
    sync(uow_factory, day, act(day, ActionKind.START_ROUTE, minutes=17))
    relay(uow_factory, clock)
    states = {f.kind: f.resolution for f in queue(uow_factory)}
    assert states == {
        ExceptionKind.NOT_LOADED: Resolution.CAUSE_GONE,
        ExceptionKind.ROUTE_NOT_STARTED: Resolution.CAUSE_GONE,
    }


def pings_at(factory: Factory, day: CourierDay, point: GeoPoint, *moments: datetime) -> None:
    with factory(SYSTEM) as uow:
        uow.pings.add_many(
            day.courier_id,
            [Ping(at=m, lat=point.lat, lon=point.lon, accuracy_m=5.0) for m in moments],
            received_at=moments[-1],
        )
        uow.commit()


def test_a_courier_standing_away_from_the_next_stop_is_raised_and_closes_when_moving(
    uow_factory: Factory,
) -> None:
    day = dispatched_day(uow_factory, stops=2)
    sync(uow_factory, day, act(day, ActionKind.START_ROUTE))
    clock = FakeClock(T0 + timedelta(minutes=20))
    stand = FAR.point
    pings_at(uow_factory, day, stand, *(T0 + timedelta(minutes=m) for m in range(0, 21, 2)))
    assert exceptions.sweep_exceptions(uow_factory, clock) == 1
    assert exceptions.sweep_exceptions(uow_factory, clock) == 0
    [still] = of_kind(uow_factory, ExceptionKind.COURIER_STATIONARY)
    assert still.stop_id == day.stop_ids[0]
    assert "has not moved since" in still.details

    clock.advance(minutes=2)
    pings_at(uow_factory, day, GeoPoint(51.5400, -0.1440), clock.now())
    exceptions.sweep_exceptions(uow_factory, clock)
    [moved] = of_kind(uow_factory, ExceptionKind.COURIER_STATIONARY)
    assert moved.resolution is Resolution.CAUSE_GONE


def test_a_courier_standing_at_the_next_door_is_not_an_exception(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=1)
    sync(uow_factory, day, act(day, ActionKind.START_ROUTE))
    door = GeoPoint(51.5390, -0.1426)
    pings_at(uow_factory, day, door, *(T0 + timedelta(minutes=m) for m in range(0, 21, 2)))
    assert exceptions.sweep_exceptions(uow_factory, FakeClock(T0 + timedelta(minutes=20))) == 0


def test_unroutable_addresses_of_a_finished_plan_are_raised_and_close_on_dispatch(
    uow_factory: Factory,
) -> None:
    day = dispatched_day(uow_factory, stops=1, dispatch=False)
    with uow_factory(SYSTEM) as uow:
        order = uow.orders.get(day.order_ids[0])
        assert order is not None
        parcel_ids = [p.id for p in order.parcels]
        plan = PlanRecord(
            id=ids.new_id("pln"),
            hub_id=day.hub_id,
            plan_date=T0.date(),
            status=PlanStatus.SUCCEEDED,
            request={},
            budget_s=1,
            network="straight_line",
            created_at=T0 - timedelta(hours=3),
            created_by="system:tests",
            finished_at=T0 - timedelta(hours=2),
            result={
                "routes": [],
                "unassigned": [
                    {
                        "stop_id": "s1",
                        "parcel_ids": parcel_ids,
                        "reason": "unroutable_address",
                        "detail": "unknown postcode ZZ1 1ZZ",
                    }
                ],
            },
        )
        uow.plans.add(plan)
        uow.commit()
    clock = FakeClock(T0 - timedelta(hours=1))
    assert exceptions.sweep_exceptions(uow_factory, clock) == 1
    [lost] = of_kind(uow_factory, ExceptionKind.ADDRESS_UNROUTABLE)
    assert "ZZ1 1ZZ" in lost.details and lost.order_ids == (day.order_ids[0],)

    routes.dispatch_plan(
        uow_factory(SYSTEM),
        routes.DispatchPlan(day.plan_id, [routes.RouteAssignment(0, day.courier_id)]),
        clock=clock,
    )
    relay(uow_factory, clock)
    [closed] = of_kind(uow_factory, ExceptionKind.ADDRESS_UNROUTABLE)
    assert closed.resolution is Resolution.CAUSE_GONE


def test_the_same_occurrence_raised_by_two_racing_transactions_is_stored_once(
    uow_factory: Factory,
) -> None:
    now = T0
    first_wrote = threading.Event()
    results: dict[str, object] = {}

    def raise_in(name: str, wait: threading.Event | None) -> None:
        if wait is not None:
            wait.wait(5)
        with uow_factory(SYSTEM) as uow:
            found = exceptions.raise_exception(
                uow, ExceptionKind.ROUTE_NOT_STARTED, key_of("rte_RACE"), at=now, details="x"
            )
            if wait is None:
                first_wrote.set()
                threading.Event().wait(0.3)  # hold the transaction open while the other tries
            uow.commit()
        results[name] = found

    threads = [
        threading.Thread(target=raise_in, args=("a", None)),
        threading.Thread(target=raise_in, args=("b", first_wrote)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(1 for found in results.values() if found is not None) == 1
    assert len(of_kind(uow_factory, ExceptionKind.ROUTE_NOT_STARTED)) == 1


def test_only_operators_reach_the_queue_and_a_note_is_required(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=1)
    with uow_factory(SYSTEM) as uow:
        found = exceptions.raise_exception(
            uow, ExceptionKind.ROUTE_NOT_STARTED, key_of(day.route_id), at=T0, details="late"
        )
        uow.commit()
    assert found is not None
    clock = FakeClock(T0)
    for outsider in (day.courier_principal, Principal.brand(day.brand_id, "key_X")):
        with pytest.raises(PermissionDenied):
            exceptions.list_exceptions(uow_factory(outsider))
        with pytest.raises(PermissionDenied):
            exceptions.resolve(uow_factory(outsider), found.id, "mine", clock=clock)
    for bad in ("", "   ", "bell\x07", "x" * 1001):
        with pytest.raises(InvalidValue):
            exceptions.resolve(uow_factory(DISPATCHER), found.id, bad, clock=clock)
    assert [f.id for f in exceptions.list_exceptions(uow_factory(DISPATCHER))] == [found.id]
