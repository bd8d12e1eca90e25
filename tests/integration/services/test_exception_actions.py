"""What a dispatcher does about an exception, on a real store (SQLite and PostgreSQL):
move the stop, return it to the hub, cancel the order, re-plan the rest of the route (or
of the whole day); each does the work through the route's or order's own use case and
then resolves the exception once, with a note saying what was done."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import cast

import pytest

from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue, RouteRefused
from doorstep.domain.exceptions import DispatchException, ExceptionKind, ExceptionState, Resolution
from doorstep.domain.model import GeoPoint, Role
from doorstep.domain.parcel import ParcelState
from doorstep.domain.route import Route, RouteState, StopState
from doorstep.geo.geometry import haversine_m
from doorstep.geo.provider import TravelTimeProvider
from doorstep.geo.straight_line import StraightLineProvider
from doorstep.geo.traffic import LONDON
from doorstep.planning.reoptimise import REOPTIMISE_PARAMS
from doorstep.services import exceptions, routes
from doorstep.services.errors import NotFound, PermissionDenied
from doorstep.services.ports import Routing, UnitOfWork
from doorstep.services.routes.courier_actions import ActionKind
from tests.courier_day import SYSTEM, CourierDay, dispatched_day
from tests.integration.services.test_exceptions import (
    DISPATCHER,
    T0,
    act,
    deliver,
    late_event,
    of_kind,
    pings_at,
    record,
    relay,
    sync,
)
from tests.unit.fakes import FakeClock

Factory = Callable[[Principal], UnitOfWork]
FAST = replace(REOPTIMISE_PARAMS, max_iterations=300, workers=1)
HUB = GeoPoint(51.5502, -0.1405)  # tests.factories.hub()


def routing(network: str) -> Routing:
    return Routing(cast(TravelTimeProvider, StraightLineProvider(traffic=LONDON)), LONDON)


def late(factory: Factory, day: CourierDay, stop: int, clock: FakeClock) -> DispatchException:
    """A predicted-late exception for ``stop``, raised through the relay as in service."""
    record(factory, late_event(day, stop, clock))
    relay(factory, clock)
    return next(
        e for e in of_kind(factory, ExceptionKind.PREDICTED_LATE) if e.stop_id == day.stop_ids[stop]
    )


def route_of(factory: Factory, route_id: str) -> Route:
    with factory(SYSTEM) as uow:
        found = uow.routes.get(route_id)
    assert found is not None
    return found


def audited(factory: Factory, target: str) -> list[str]:
    with factory(SYSTEM) as uow:
        return [e.action for e in uow.audit.list_for(target)]


def tour_m(start: GeoPoint, route: Route, order: list[str]) -> float:
    points = [start, *(route.stop(s).point for s in order), HUB]
    return sum(
        float(haversine_m(a.lat, a.lon, b.lat, b.lon)) for a, b in itertools.pairwise(points)
    )


# -- move, return to hub, cancel ----------------------------------------------------------


def test_move_stop_moves_it_to_another_route_and_resolves(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=3)
    other = dispatched_day(uow_factory, stops=1, hub_id=day.hub_id, vehicle_name="LK71 XYZ")
    clock = FakeClock(T0 - timedelta(minutes=20))
    found = late(uow_factory, day, 1, clock)

    done = exceptions.move_stop(
        uow_factory(DISPATCHER), found.id, other.route_id, clock=clock, note="Nearer to Sam."
    )
    assert "moved from route" in done.message and "Unload" in done.message
    assert done.exception.state is ExceptionState.RESOLVED
    assert done.exception.resolution is Resolution.BY_DISPATCHER
    assert done.exception.note == f"Moved the stop to route {other.route_id}. Nearer to Sam."
    moved_from = route_of(uow_factory, day.route_id)
    assert moved_from.stop(day.stop_ids[1]).state is StopState.REMOVED
    target = route_of(uow_factory, other.route_id)
    assert [len(s.parcel_ids) for s in target.active_stops] == [1, 1]
    assert "exception.resolved" in audited(uow_factory, found.id)
    assert "route.stop_moved" in audited(uow_factory, day.stop_ids[1])


def test_move_stop_refused_by_the_route_leaves_the_exception_open(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=2)
    other = dispatched_day(uow_factory, stops=1, hub_id=day.hub_id, vehicle_name="LK71 XYZ")
    clock = FakeClock(T0 + timedelta(minutes=5))
    sync(uow_factory, day, act(day, ActionKind.START_ROUTE))
    found = late(uow_factory, day, 1, clock)
    with pytest.raises(RouteRefused, match="has not started"):
        exceptions.move_stop(uow_factory(DISPATCHER), found.id, other.route_id, clock=clock)
    with pytest.raises(InvalidValue):
        exceptions.move_stop(uow_factory(DISPATCHER), found.id, day.route_id, clock=clock)
    assert exceptions.get_exception(uow_factory(DISPATCHER), found.id).is_open
    assert route_of(uow_factory, day.route_id).stop(day.stop_ids[1]).state is StopState.PENDING


def test_return_to_hub_takes_the_stop_off_and_resolves(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=2)
    clock = FakeClock(T0 - timedelta(minutes=20))
    found = late(uow_factory, day, 0, clock)
    done = exceptions.return_to_hub(uow_factory(DISPATCHER), found.id, clock=clock)
    assert f"Unload {day.barcodes[0][0]}" in done.message
    assert done.exception.note == "Returned to the hub: back to the hub (predicted late)"
    stop = route_of(uow_factory, day.route_id).stop(day.stop_ids[0])
    assert stop.state is StopState.REMOVED and stop.note == "back to the hub (predicted late)"


def test_cancel_orders_cancels_what_the_exception_concerns(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=2, loaded_stops=0)
    clock = FakeClock(T0 - timedelta(minutes=20))
    found = late(uow_factory, day, 1, clock)
    done = exceptions.cancel_orders(
        uow_factory(DISPATCHER), found.id, clock=clock, note="The brand asked."
    )
    assert done.message == f"Cancelled {day.order_ids[1]}."
    assert done.exception.note == f"Cancelled {day.order_ids[1]}. The brand asked."
    with uow_factory(SYSTEM) as uow:
        order = uow.orders.get(day.order_ids[1])
        untouched = uow.orders.get(day.order_ids[0])
    assert order is not None and {p.state for p in order.parcels} == {ParcelState.CANCELLED}
    assert untouched is not None
    assert ParcelState.CANCELLED not in {p.state for p in untouched.parcels}


def test_actions_on_an_exception_without_a_stop_or_order_say_so(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=2, loaded_stops=1)
    clock = FakeClock(T0 + timedelta(minutes=1))
    exceptions.sweep_exceptions(uow_factory, clock)
    [missing] = of_kind(uow_factory, ExceptionKind.NOT_LOADED)  # route-wide
    dispatcher = uow_factory(DISPATCHER)
    with pytest.raises(InvalidValue, match="no stop"):
        exceptions.return_to_hub(dispatcher, missing.id, clock=clock)
    with pytest.raises(InvalidValue, match="no stop"):
        exceptions.move_stop(dispatcher, missing.id, day.route_id, clock=clock)
    with pytest.raises(NotFound):
        exceptions.return_to_hub(dispatcher, "exc_" + "0" * 16, clock=clock)
    with pytest.raises(NotFound):
        exceptions.return_to_hub(dispatcher, "not an id", clock=clock)


def test_an_action_after_someone_else_resolved_keeps_their_resolution(
    uow_factory: Factory,
) -> None:
    day = dispatched_day(uow_factory, stops=2)
    clock = FakeClock(T0 - timedelta(minutes=20))
    found = late(uow_factory, day, 0, clock)
    exceptions.resolve(uow_factory(DISPATCHER), found.id, "Phoned: leave with No 12.", clock=clock)
    done = exceptions.return_to_hub(uow_factory(DISPATCHER), found.id, clock=clock)
    assert "off route" in done.message  # the work is done ...
    assert done.exception.note == "Phoned: leave with No 12."  # ... the first note stands
    assert route_of(uow_factory, day.route_id).stop(day.stop_ids[0]).state is StopState.REMOVED


@pytest.mark.parametrize(
    "principal",
    [
        Principal.user("usr_COURIER0000000000", Role.COURIER, "cou_00000000000000000000000000"),
        Principal.brand("brd_00000000000000000000000000", "key_00000000000000000000000000"),
    ],
    ids=["courier", "brand"],
)
def test_couriers_and_brands_may_not_act(uow_factory: Factory, principal: Principal) -> None:
    day = dispatched_day(uow_factory, stops=2)
    clock = FakeClock(T0 - timedelta(minutes=20))
    found = late(uow_factory, day, 0, clock)
    uow = uow_factory(principal)
    for attempt in (
        lambda: exceptions.return_to_hub(uow, found.id, clock=clock),
        lambda: exceptions.move_stop(uow, found.id, day.route_id, clock=clock),
        lambda: exceptions.cancel_orders(uow, found.id, clock=clock),
        lambda: exceptions.replan(uow, found.id, clock=clock, routing_for=routing, params=FAST),
        lambda: exceptions.replan_route(uow, day.route_id, clock=clock, routing_for=routing),
        lambda: exceptions.replan_day(uow, clock=clock, routing_for=routing),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert exceptions.get_exception(uow_factory(DISPATCHER), found.id).is_open


# -- re-plan the rest --------------------------------------------------------------------


def zigzag(factory: Factory, day: CourierDay, order: list[int], clock: FakeClock) -> None:
    """The dispatcher puts the open stops in a poor order (as a bad manual edit would)."""
    routes.edits.reorder_stops(
        factory(DISPATCHER),
        routes.edits.ReorderStops(day.route_id, [day.stop_ids[n] for n in order]),
        clock=clock,
    )


def test_replan_keeps_done_stops_and_resequences_the_rest_from_the_courier(
    uow_factory: Factory,
) -> None:
    day = dispatched_day(uow_factory, stops=5)
    clock = FakeClock(T0 + timedelta(minutes=30))
    sync(
        uow_factory,
        day,
        act(day, ActionKind.START_ROUTE),
        act(day, ActionKind.ARRIVE, 0, minutes=10),
        deliver(day, 0, minutes=12),
    )
    bad = [4, 1, 3, 2]
    zigzag(uow_factory, day, bad, clock)
    courier_at = GeoPoint(51.5391, -0.1427)  # at the door of stop 0
    pings_at(uow_factory, day, courier_at, clock.now() - timedelta(minutes=1))
    before = route_of(uow_factory, day.route_id)
    done = exceptions.replan_route(
        uow_factory(DISPATCHER), day.route_id, clock=clock, routing_for=routing, params=FAST
    )
    after = route_of(uow_factory, day.route_id)
    assert done.changed and not done.unplaced and "re-planned" in done.message
    assert after.active_stops[0].id == day.stop_ids[0]  # done stays first
    assert after.stop(day.stop_ids[0]).state is StopState.COMPLETED
    assert after.stop(day.stop_ids[0]).sequence == before.stop(day.stop_ids[0]).sequence
    new = [s.id for s in after.active_stops if not s.state.done]
    assert tuple(new) == done.order and sorted(new) == sorted(day.stop_ids[1:])
    assert tour_m(courier_at, after, new) < tour_m(
        courier_at, after, [day.stop_ids[n] for n in bad]
    )
    assert audited(uow_factory, day.route_id).count("route.stops_reordered") == 2

    again = exceptions.replan_route(
        uow_factory(DISPATCHER), day.route_id, clock=clock, routing_for=routing, params=FAST
    )
    assert not again.changed and "already" in again.message  # nothing to change: no event
    assert audited(uow_factory, day.route_id).count("route.stops_reordered") == 2


def test_replan_leaves_the_stop_the_courier_stands_at_first(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=5)
    clock = FakeClock(T0 + timedelta(minutes=30))
    sync(
        uow_factory,
        day,
        act(day, ActionKind.START_ROUTE),
        act(day, ActionKind.ARRIVE, 3, minutes=20),
    )
    done = exceptions.replan_route(
        uow_factory(DISPATCHER), day.route_id, clock=clock, routing_for=routing, params=FAST
    )
    assert done.order[0] == day.stop_ids[3]
    after = route_of(uow_factory, day.route_id)
    assert after.active_stops[0].id == day.stop_ids[3]
    assert after.stop(day.stop_ids[3]).state is StopState.ARRIVED


def test_replan_of_an_exception_resolves_it_with_a_note(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=4)
    clock = FakeClock(T0 + timedelta(minutes=5))
    sync(uow_factory, day, act(day, ActionKind.START_ROUTE))
    zigzag(uow_factory, day, [3, 0, 2, 1], clock)
    found = late(uow_factory, day, 1, clock)
    done = exceptions.replan(
        uow_factory(DISPATCHER),
        found.id,
        clock=clock,
        routing_for=routing,
        params=FAST,
        note="Courier told.",
    )
    assert done.exception.state is ExceptionState.RESOLVED
    assert done.exception.note == f"Re-planned the rest of route {day.route_id}. Courier told."
    assert "re-planned" in done.message


def test_replan_of_a_finished_or_unknown_route_is_refused(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=1)
    clock = FakeClock(T0 + timedelta(minutes=30))
    sync(
        uow_factory,
        day,
        act(day, ActionKind.START_ROUTE),
        act(day, ActionKind.ARRIVE, 0, minutes=10),
        deliver(day, 0, minutes=12),
        act(day, ActionKind.FINISH_ROUTE, minutes=20),
    )
    assert route_of(uow_factory, day.route_id).state is RouteState.FINISHED
    dispatcher = uow_factory(DISPATCHER)
    with pytest.raises(InvalidValue, match="finished"):
        exceptions.replan_route(dispatcher, day.route_id, clock=clock, routing_for=routing)
    with pytest.raises(NotFound):
        exceptions.replan_route(dispatcher, "rte_" + "0" * 16, clock=clock, routing_for=routing)


def test_replan_day_replans_every_open_route_of_the_day(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=4)
    other = dispatched_day(uow_factory, stops=3, hub_id=day.hub_id, vehicle_name="LK71 XYZ")
    clock = FakeClock(T0 - timedelta(minutes=30))  # before either leaves: from the hub
    zigzag(uow_factory, day, [3, 0, 2, 1], clock)
    done = exceptions.replan_day(
        uow_factory(DISPATCHER),
        clock=clock,
        routing_for=routing,
        day=T0.date(),
        params=FAST,
    )
    by_route = {r.route_id: r for r in done}
    assert set(by_route) == {day.route_id, other.route_id}
    assert by_route[day.route_id].changed
    assert not any(r.refused for r in done)
    assert sorted(by_route[other.route_id].order) == sorted(other.stop_ids)
    assert (
        exceptions.replan_day(
            uow_factory(DISPATCHER), clock=clock, routing_for=routing, day=T0.date() + timedelta(1)
        )
        == []
    )


def test_a_stop_that_cannot_keep_its_window_goes_last_and_is_named(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=3)
    clock = FakeClock(T0 + timedelta(minutes=5))
    sync(uow_factory, day, act(day, ActionKind.START_ROUTE))
    # Stop 0's window closes in two minutes: the courier cannot be there by then.
    with uow_factory(SYSTEM) as uow:
        route = uow.routes.get(day.route_id)
        assert route is not None
        stop = route.stop(day.stop_ids[0])
        assert stop.window is not None
        stop.window = replace(stop.window, start=T0, end=clock.now() + timedelta(minutes=2))
        uow.routes.save(route)
        uow.commit()
    pings_at(uow_factory, day, GeoPoint(51.5560, -0.1800), clock.now() - timedelta(minutes=1))
    done = exceptions.replan_route(
        uow_factory(DISPATCHER), day.route_id, clock=clock, routing_for=routing, params=FAST
    )
    assert done.unplaced == (day.stop_ids[0],)
    assert done.order[-1] == day.stop_ids[0]
    assert day.stop_ids[0] in done.message and "windows" in done.message
