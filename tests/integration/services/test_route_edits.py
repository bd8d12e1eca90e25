"""The dispatcher's edits of a dispatched route on a real store (SQLite and PostgreSQL):
remove, reorder, move a stop between routes, reassign the route; each audited, each an
outbox event, and the courier's app refused on a stop taken away from it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue, RouteRefused
from doorstep.domain.model import GeoPoint
from doorstep.domain.parcel import ParcelState
from doorstep.domain.route import Position, RouteState, StopState
from doorstep.services import routes
from doorstep.services.ports import Conflict, UnitOfWork
from doorstep.services.routes import edits
from doorstep.services.routes.courier_actions import ActionKind, CourierActionIn, Outcome
from doorstep.services.scans import route_leg
from doorstep.store.tables import OutboxRow
from tests import factories
from tests.courier_day import SYSTEM, CourierDay, dispatched_day
from tests.unit.fakes import FakeClock

Factory = Callable[[Principal], UnitOfWork]
T0 = factories.MORNING
CLOCK = FakeClock(T0 - timedelta(minutes=20))


def act(
    kind: ActionKind, day: CourierDay, stop_id: str | None = None, minutes: int = 0
) -> CourierActionIn:
    return CourierActionIn(
        client_event_id=f"{kind.value}-{stop_id}-{minutes}",
        device_time=T0 + timedelta(minutes=minutes),
        kind=kind,
        route_id=day.route_id,
        stop_id=stop_id,
        position=Position(GeoPoint(51.5391, -0.1427), 8.0),
        data={},
    )


def sync(
    factory: Factory, principal: Principal, *actions: CourierActionIn
) -> list[routes.ActionResult]:
    return routes.sync_actions(
        factory,
        principal,
        list(actions),
        clock=FakeClock(T0 + timedelta(hours=3)),
        blob_exists=lambda sha: True,
    )


def outbox(engine: Engine) -> list[tuple[str, dict[str, object]]]:
    with engine.connect() as connection:
        rows = connection.execute(select(OutboxRow.name, OutboxRow.payload).order_by(OutboxRow.id))
        return [(name, dict(payload)) for name, payload in rows]


def audit(factory: Factory, target: str) -> list[str]:
    with factory(SYSTEM) as uow:
        return [a.action for a in uow.audit.list_for(target)]


def second_route(factory: Factory, day: CourierDay) -> CourierDay:
    """Another courier's route from the same hub on the same day, loaded."""
    return dispatched_day(factory, stops=1, hub_id=day.hub_id, vehicle_name="LK72 XYZ")


def test_removing_a_loaded_stop_sends_its_parcels_back_and_says_unload(
    uow_factory: Factory, engine: Engine
) -> None:
    day = dispatched_day(uow_factory, stops=3)
    stop_id = day.stop_ids[1]

    result = edits.remove_stop(
        uow_factory(SYSTEM),
        edits.RemoveStop(day.route_id, stop_id, "recipient asked for Saturday"),
        clock=CLOCK,
    )

    assert result.unload == day.barcodes[1]
    assert f"Unload {day.barcodes[1][0]} from the van" in result.message
    with uow_factory(SYSTEM) as uow:
        route = uow.routes.get(day.route_id)
        assert route is not None
        assert route.stop(stop_id).state is StopState.REMOVED
        assert route.stop(stop_id).note == "recipient asked for Saturday"
        parcel = uow.parcels.get_by_barcode(day.barcodes[1][0])
        assert parcel is not None
        # Back in the queue: no open route holds it any more.
        assert uow.routes.open_for_parcel(parcel.id) is None
    assert ("route.stop_removed", stop_id) in [(n, p.get("stop_id")) for n, p in outbox(engine)]
    assert audit(uow_factory, stop_id) == ["route.stop_removed"]


def test_removing_the_unloaded_stop_lets_the_route_start(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=2, loaded_stops=1)
    refused = sync(uow_factory, day.courier_principal, act(ActionKind.START_ROUTE, day))[0]
    assert refused.status is Outcome.REFUSED
    assert day.barcodes[1][0] in (refused.message or "")

    result = edits.remove_stop(
        uow_factory(SYSTEM),
        edits.RemoveStop(day.route_id, day.stop_ids[1], "parcel missing at the hub"),
        clock=CLOCK,
    )
    assert result.unload == []  # it never got on the van

    again = CourierActionIn(
        client_event_id="start-again",
        device_time=T0,
        kind=ActionKind.START_ROUTE,
        route_id=day.route_id,
        stop_id=None,
        position=None,
        data={},
    )
    started = sync(uow_factory, day.courier_principal, again)[0]
    assert started.status is Outcome.APPLIED, started.message
    with uow_factory(SYSTEM) as uow:
        left_behind = uow.parcels.get_by_barcode(day.barcodes[1][0])
        went = uow.parcels.get_by_barcode(day.barcodes[0][0])
    assert left_behind is not None and left_behind.state is ParcelState.AT_HUB
    assert went is not None and went.state is ParcelState.OUT_FOR_DELIVERY


def test_a_stop_removed_from_a_started_route_comes_back_when_it_finishes(
    uow_factory: Factory,
) -> None:
    day = dispatched_day(uow_factory, stops=2)
    sync(uow_factory, day.courier_principal, act(ActionKind.START_ROUTE, day))
    result = edits.remove_stop(
        uow_factory(SYSTEM),
        edits.RemoveStop(day.route_id, day.stop_ids[1], "road closed"),
        clock=CLOCK,
    )
    assert "out for delivery" in result.message
    finished = sync(
        uow_factory, day.courier_principal, act(ActionKind.FINISH_ROUTE, day, minutes=30)
    )
    assert finished[0].status is Outcome.APPLIED, finished[0].message
    with uow_factory(SYSTEM) as uow:
        parcel = uow.parcels.get_by_barcode(day.barcodes[1][0])
    assert parcel is not None and parcel.state is ParcelState.AT_HUB


def test_reorder_changes_the_visit_and_the_load_order(uow_factory: Factory, engine: Engine) -> None:
    day = dispatched_day(uow_factory, stops=3)
    new_order = [day.stop_ids[2], day.stop_ids[0], day.stop_ids[1]]

    result = edits.reorder_stops(
        uow_factory(SYSTEM), edits.ReorderStops(day.route_id, new_order), clock=CLOCK
    )

    assert [s.id for s in result.route.stops] == new_order
    with uow_factory(SYSTEM) as uow:
        route = uow.routes.get(day.route_id)
        assert route is not None
        assert [s.id for s in route.stops] == new_order
        first = uow.parcels.get_by_barcode(day.barcodes[2][0])
        assert first is not None
        leg = route_leg(uow, first.id)
    # Now visited first, so loaded last.
    assert leg is not None and leg.load_position == 3
    assert "route.stops_reordered" in [n for n, _ in outbox(engine)]
    assert audit(uow_factory, day.route_id) == ["route.stops_reordered"]
    with pytest.raises(InvalidValue):
        edits.reorder_stops(
            uow_factory(SYSTEM), edits.ReorderStops(day.route_id, new_order[:2]), clock=CLOCK
        )


def test_moving_a_stop_before_the_vans_leave(uow_factory: Factory, engine: Engine) -> None:
    day = dispatched_day(uow_factory, stops=2)
    other = second_route(uow_factory, day)
    stop_id = day.stop_ids[0]

    result = edits.move_stop(
        uow_factory(SYSTEM), edits.MoveStop(day.route_id, stop_id, other.route_id), clock=CLOCK
    )

    assert result.new_stop_id is not None and result.new_stop_id != stop_id
    assert result.unload == day.barcodes[0]
    assert "sort them onto the other route's van" in result.message
    with uow_factory(SYSTEM) as uow:
        old = uow.routes.get(day.route_id)
        new = uow.routes.get(other.route_id)
        assert old is not None and new is not None
        assert old.stop(stop_id).state is StopState.REMOVED
        assert old.stop(stop_id).note == f"moved to {other.route_id}"
        added = new.stop(result.new_stop_id)
        assert added.parcel_ids == old.stop(stop_id).parcel_ids
        assert [s.id for s in new.stops][-1] == added.id
        parcel = uow.parcels.get_by_barcode(day.barcodes[0][0])
        assert parcel is not None
        leg = route_leg(uow, parcel.id)
    # The hub now sorts it onto the other van.
    assert leg is not None and (leg.route_id, leg.vehicle_name) == (other.route_id, "LK72 XYZ")
    names = [(n, p.get("route_id")) for n, p in outbox(engine)]
    assert ("route.stop_removed", day.route_id) in names
    assert ("route.stop_added", other.route_id) in names
    assert audit(uow_factory, stop_id) == ["route.stop_moved"]
    # The other courier sees the stop at the next sync; the first no longer does.
    with uow_factory(other.courier_principal) as uow:
        mine = uow.routes.get(other.route_id)
        assert mine is not None and result.new_stop_id in [s.id for s in mine.stops]


def test_the_courier_app_is_refused_on_a_stop_moved_away_meanwhile(
    uow_factory: Factory,
) -> None:
    day = dispatched_day(uow_factory, stops=2)
    other = second_route(uow_factory, day)
    sync(uow_factory, day.courier_principal, act(ActionKind.START_ROUTE, day))
    other_start = act(ActionKind.START_ROUTE, other)
    assert sync(uow_factory, other.courier_principal, other_start)[0].status is Outcome.APPLIED
    stop_id = day.stop_ids[1]

    moved = edits.move_stop(
        uow_factory(SYSTEM), edits.MoveStop(day.route_id, stop_id, other.route_id), clock=CLOCK
    )
    assert moved.unload == []  # on the road: the couriers hand the parcels over

    # The first courier's phone was offline and queued an arrival at the old stop.
    late = sync(uow_factory, day.courier_principal, act(ActionKind.ARRIVE, day, stop_id, 5))[0]
    assert late.status is Outcome.REFUSED
    assert "taken off this route by the dispatcher" in (late.message or "")
    assert moved.new_stop_id is not None
    arrive_there = CourierActionIn(
        client_event_id="arrive-moved",
        device_time=T0 + timedelta(minutes=6),
        kind=ActionKind.ARRIVE,
        route_id=other.route_id,
        stop_id=moved.new_stop_id,
        position=None,
        data={},
    )
    assert sync(uow_factory, other.courier_principal, arrive_there)[0].status is Outcome.APPLIED
    # The first route finishing does not pull back the parcels the other route carries.
    sync(uow_factory, day.courier_principal, act(ActionKind.FINISH_ROUTE, day, minutes=40))
    with uow_factory(SYSTEM) as uow:
        parcel = uow.parcels.get_by_barcode(day.barcodes[1][0])
    assert parcel is not None and parcel.state is ParcelState.OUT_FOR_DELIVERY


def test_a_move_the_parcels_cannot_follow_is_refused(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=2)
    other = second_route(uow_factory, day)
    sync(uow_factory, other.courier_principal, act(ActionKind.START_ROUTE, other))
    with pytest.raises(RouteRefused, match="has left the hub"):
        edits.move_stop(
            uow_factory(SYSTEM),
            edits.MoveStop(day.route_id, day.stop_ids[0], other.route_id),
            clock=CLOCK,
        )
    with pytest.raises(InvalidValue, match="own route"):
        edits.move_stop(
            uow_factory(SYSTEM),
            edits.MoveStop(day.route_id, day.stop_ids[0], day.route_id),
            clock=CLOCK,
        )
    elsewhere = dispatched_day(uow_factory, stops=1)
    with pytest.raises(InvalidValue, match="same hub and day"):
        edits.move_stop(
            uow_factory(SYSTEM),
            edits.MoveStop(day.route_id, day.stop_ids[0], elsewhere.route_id),
            clock=CLOCK,
        )
    # Nothing changed on the refused attempts.
    with uow_factory(SYSTEM) as uow:
        route = uow.routes.get(day.route_id)
        assert route is not None and route.stop(day.stop_ids[0]).state is StopState.PENDING


def test_reassign_hands_the_route_to_a_free_courier_only(
    uow_factory: Factory, engine: Engine
) -> None:
    day = dispatched_day(uow_factory, stops=2)
    busy = second_route(uow_factory, day)
    free = factories.courier(name="Robin Free")
    with uow_factory(SYSTEM) as uow:
        uow.couriers.add(free)
        uow.commit()

    with pytest.raises(Conflict, match="already on"):
        edits.reassign_route(
            uow_factory(SYSTEM), edits.ReassignRoute(day.route_id, busy.courier_id), clock=CLOCK
        )
    with pytest.raises(InvalidValue, match="no such courier"):
        edits.reassign_route(
            uow_factory(SYSTEM), edits.ReassignRoute(day.route_id, "cou_NOPE"), clock=CLOCK
        )
    result = edits.reassign_route(
        uow_factory(SYSTEM), edits.ReassignRoute(day.route_id, free.id), clock=CLOCK
    )

    assert result.route.courier_id == free.id
    with uow_factory(SYSTEM) as uow:
        route = uow.routes.get(day.route_id)
        assert route is not None
        assert (route.courier_id, [s.id for s in route.stops]) == (free.id, day.stop_ids)
        assert route.state is RouteState.ASSIGNED
    with uow_factory(day.courier_principal) as uow:
        assert uow.routes.get(day.route_id) is None
    late = sync(uow_factory, day.courier_principal, act(ActionKind.START_ROUTE, day))[0]
    assert late.status is Outcome.REFUSED
    reassigned = [p for n, p in outbox(engine) if n == "route.reassigned"]
    assert reassigned == [
        {
            "route_id": day.route_id,
            "actor": "system:tests",
            "from_courier_id": day.courier_id,
            "to_courier_id": free.id,
        }
    ]
    assert audit(uow_factory, day.route_id) == ["route.reassigned"]


def test_edits_are_for_office_staff_only(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=1)
    from doorstep.services.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        edits.remove_stop(
            uow_factory(day.courier_principal),
            edits.RemoveStop(day.route_id, day.stop_ids[0], "no"),
            clock=CLOCK,
        )
