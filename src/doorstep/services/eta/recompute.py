"""Recompute a started route's ETAs and announce the windows its stops are due.

:func:`recompute_route` runs inside a unit of work the caller commits: it reads the route,
where the courier is (the last ping, or the last stop done), the travel times and the
announcements so far, predicts each open stop's arrival (:mod:`doorstep.planning.eta`),
applies the window rules (:mod:`doorstep.domain.eta`) and stores the round: the new
announcements, their events, and the route's state (predictions, delays raised).

Where the courier is comes cheap: the travel matrix is over the hub and the route's own
stops only (the same points all day, so the matrix cache answers after the first time),
and the courier's progress along the current leg is the share of its straight-line
length still ahead. No ping position is ever routed, so pings add nothing to the cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from doorstep.domain.eta import AnnouncedWindow, EtaRound, kind_due, lateness, windows_due
from doorstep.domain.model import AddressType, GeoPoint, Order, TimeWindow, VehicleType
from doorstep.domain.route import Route, RouteState, RouteStop, StopState
from doorstep.geo.geometry import haversine_m
from doorstep.geo.straight_line import STRAIGHT_LINE
from doorstep.planning.door_time import DoorTimeParams, door_time_s
from doorstep.planning.eta import (
    Departure,
    ErrorModel,
    ErrorPrior,
    Observation,
    RemainingStop,
    error_model,
    predict_arrivals,
    remaining_fraction,
    window_centre,
)
from doorstep.planning.model import ParcelLoad, PlanningStop
from doorstep.services.plans.problem import area_of
from doorstep.services.ports import RouteEtaState, Routing, RoutingFor, UnitOfWork

PING_LOOKBACK = timedelta(minutes=5)  # an older position says less than the last stop done
# Spreads of the prediction a delay must exceed before it is raised. benchmarks/eta.py
# (30 routes of 60 stops) measured: 0.25 -> 46% of delays right and 87% of the arrivals
# late after their hour warned before; 0.5 -> 52% and 80%; 1.0 -> 74% and 64%. A delay
# message that proves wrong costs the customer's trust in every later window: 1.0.
DELAY_MARGIN = 1.0


@dataclass(frozen=True, slots=True)
class EtaParams:
    door_time: DoorTimeParams = field(default_factory=DoorTimeParams)
    prior: ErrorPrior = field(default_factory=ErrorPrior)


@dataclass(frozen=True, slots=True)
class _Leg:
    """Where the walk starts and the free-flow seconds to the first open stop."""

    departure: Departure
    first_leg_s: float


def recompute_route(
    uow: UnitOfWork,
    route_id: str,
    now: datetime,
    routing_for: RoutingFor,
    params: EtaParams | None = None,
) -> EtaRound | None:
    """Predict, announce and store; None (nothing stored) unless the route is started."""
    params = params or EtaParams()
    route = uow.routes.get(route_id)
    if route is None or route.state is not RouteState.STARTED or route.started_at is None:
        return None
    state = uow.eta.state(route_id)
    orders = _orders_by_stop(uow, route)
    pending = [s for s in route.active_stops if s.state is StopState.PENDING]
    arrivals = _predict(uow, route, pending, orders, now, routing_for, params)
    announced = uow.eta.list_for_route(route_id)
    model = error_model(_observations(route, announced), params.prior)
    round_ = EtaRound(route_id, now)
    delays = dict(state.delays_raised) if state is not None else {}
    latest = {w.stop_id: w for w in announced}
    for k, (stop, predicted) in enumerate(zip(pending, arrivals, strict=True)):
        _announce(round_, stop, k, predicted, orders[stop.id], latest, delays, model)
    uow.eta.record(round_)
    uow.eta.save_state(
        RouteEtaState(
            route_id=route_id,
            computed_at=now,
            predictions={
                s.id: window_centre(p, now, model) for s, p in zip(pending, arrivals, strict=True)
            },
            delays_raised=delays,
            version=state.version if state is not None else 0,
        )
    )
    return round_


def _predict(
    uow: UnitOfWork,
    route: Route,
    pending: Sequence[RouteStop],
    orders: dict[str, list[Order]],
    now: datetime,
    routing_for: RoutingFor,
    params: EtaParams,
) -> list[datetime]:
    """The predictor's arrival at each of ``pending``, from where the courier is."""
    profile = _profile(uow, route)
    routing = routing_for(_network(uow, route))
    hub = uow.hubs.get(route.hub_id)
    home = hub.point if hub is not None else route.stops[0].point
    legs = _free_flow(routing, route, home, profile)
    arrived = [s for s in route.active_stops if s.state is StopState.ARRIVED]
    door = {s.id: _door_time(s, orders[s.id], params.door_time) for s in route.active_stops}
    start = _start(uow, route, now, arrived, pending, legs, door, home)
    stops = [
        RemainingStop(
            stop_id=stop.id,
            leg_free_flow_s=start.first_leg_s if k == 0 else legs(pending[k - 1], stop),
            door_time_s=door[stop.id],
            opens_at=_promise_opens(orders[stop.id]),
        )
        for k, stop in enumerate(pending)
    ]
    return predict_arrivals(
        start.departure, stops, now=now, traffic=routing.traffic, profile=profile
    )


def _announce(
    round_: EtaRound,
    stop: RouteStop,
    stops_before: int,
    predicted: datetime,
    orders: Sequence[Order],
    latest: dict[str, AnnouncedWindow],
    delays: dict[str, datetime],
    model: ErrorModel,
) -> None:
    """The window rules for one stop; ``latest`` and ``delays`` are updated in place."""
    now = round_.at
    order_ids = [o.id for o in orders]
    centre = window_centre(predicted, now, model)
    held = latest.get(stop.id)
    due = windows_due(
        stop.id, held, kind_due(stops_before), centre=centre, predicted=predicted, now=now
    )
    # Late by more than half a spread: an expected lateness inside the noise of the
    # prediction is not yet known, and telling customers twice costs their trust.
    margin = timedelta(seconds=DELAY_MARGIN * model.spread_s((predicted - now).total_seconds()))
    late = _Late(centre, _promise(orders), margin)
    for window in [held] if held is not None else []:
        _check_delay(round_, window, order_ids, late, delays)
    for window in due:
        round_.announce(window, order_ids)
        latest[stop.id] = window
    _check_delay(round_, latest[stop.id], order_ids, late, delays)


@dataclass(frozen=True, slots=True)
class _Late:
    expected: datetime
    promise: TimeWindow | None
    margin: timedelta


def _check_delay(
    round_: EtaRound,
    window: AnnouncedWindow,
    order_ids: Sequence[str],
    late: _Late,
    delays: dict[str, datetime],
) -> None:
    """Raise the delay once per announced window (``delays``: stop -> window told)."""
    found = lateness(window, late.expected, late.promise, margin=late.margin)
    if found is not None and delays.get(window.stop_id) != window.announced_at:
        round_.raise_delay(window, order_ids, expected=late.expected, late=found)
        delays[window.stop_id] = window.announced_at


def _orders_by_stop(uow: UnitOfWork, route: Route) -> dict[str, list[Order]]:
    parcels = uow.parcels.get_many(route.parcel_ids)
    orders = uow.orders.get_many([p.order_id for p in parcels.values()])
    found: dict[str, list[Order]] = {}
    for stop in route.stops:
        ids = dict.fromkeys(parcels[p].order_id for p in stop.parcel_ids if p in parcels)
        found[stop.id] = [orders[o] for o in ids if o in orders]
    return found


def _promise(orders: Sequence[Order]) -> TimeWindow | None:
    """The tightest promise among the stop's orders (the earliest end)."""
    promised = [o.window for o in orders if o.window is not None]
    return min(promised, key=lambda w: w.end) if promised else None


def _promise_opens(orders: Sequence[Order]) -> datetime | None:
    opens = [o.window.start for o in orders if o.window is not None]
    return max(opens) if opens else None


def _profile(uow: UnitOfWork, route: Route) -> VehicleType:
    vehicle = uow.vehicles.get(route.vehicle_id)
    return vehicle.vehicle_type if vehicle is not None else VehicleType.VAN


def _network(uow: UnitOfWork, route: Route) -> str:
    plan = uow.plans.get(route.plan_id) if route.plan_id else None
    return plan.network if plan is not None else STRAIGHT_LINE


def _door_time(stop: RouteStop, orders: Sequence[Order], params: DoorTimeParams) -> float:
    """The planner's door-time model, for the address type of the stop's first order, with
    the extra time a recipient asked for ("I need longer to reach the door")."""
    planning = PlanningStop(
        id=stop.id,
        point=stop.point,
        parcels=tuple(ParcelLoad(p, 0.0) for p in stop.parcel_ids),
        address_type=orders[0].address.address_type if orders else AddressType.HOUSE,
        area=area_of(stop.postcode),
        needs_longer=any(order.needs_more_time for order in orders),
    )
    return float(door_time_s(planning, params))


class _Legs:
    """Free-flow seconds between the hub and the route's stops, from one matrix."""

    def __init__(self, seconds: dict[tuple[str, str], float]) -> None:
        self._seconds = seconds

    def __call__(self, origin: RouteStop | None, to: RouteStop) -> float:
        return self._seconds[(origin.id if origin is not None else "", to.id)]


def _free_flow(routing: Routing, route: Route, home: GeoPoint, profile: VehicleType) -> _Legs:
    """The provider's matrix is in the band of ``route.started_at``; undone to free flow,
    so each leg can be slowed by the band it starts in."""
    assert route.started_at is not None
    keys = ["", *(s.id for s in route.stops)]
    points = [home, *(s.point for s in route.stops)]
    matrix = routing.provider.matrix(points, profile, route.started_at)
    factor = routing.traffic.factor(route.started_at, profile)
    durations = matrix.durations_s
    return _Legs(
        {
            (a, b): float(durations[i, j]) * factor
            for i, a in enumerate(keys)
            for j, b in enumerate(keys)
        }
    )


def _start(
    uow: UnitOfWork,
    route: Route,
    now: datetime,
    arrived: Sequence[RouteStop],
    pending: Sequence[RouteStop],
    legs: _Legs,
    door: dict[str, float],
    home: GeoPoint,
) -> _Leg:
    """At a door (arrived): leave when its door time is spent. Otherwise from the last
    stop done (or the hub at the start), moved along the leg by the last ping if newer."""
    assert route.started_at is not None
    if arrived:
        at_door = arrived[-1]
        assert at_door.arrived_at is not None
        busy = at_door.arrived_at + timedelta(seconds=door[at_door.id])
        first = legs(at_door, pending[0]) if pending else 0.0
        return _Leg(Departure(at_door.arrived_at, busy_until=busy), first)
    visited = [
        s
        for s in route.active_stops
        if s.state in (StopState.COMPLETED, StopState.FAILED) and s.done_at is not None
    ]
    previous = max(visited, key=lambda s: s.done_at or now, default=None)
    since = previous.done_at if previous is not None else route.started_at
    assert since is not None
    if not pending:
        return _Leg(Departure(since), 0.0)
    leg = legs(previous, pending[0])
    pings = uow.pings.list_for(
        route.courier_id, max(since, now - PING_LOOKBACK), now + timedelta(seconds=1)
    )
    if not pings:
        return _Leg(Departure(since), leg)
    last = pings[-1]
    origin = previous.point if previous is not None else home
    target = pending[0].point
    ahead = remaining_fraction(
        float(haversine_m(last.lat, last.lon, target.lat, target.lon)),
        float(haversine_m(origin.lat, origin.lon, target.lat, target.lon)),
    )
    return _Leg(Departure(min(last.at, now)), leg * ahead)


def _observations(route: Route, announced: Sequence[AnnouncedWindow]) -> list[Observation]:
    """Each announcement of a stop reached since: how far ahead, and how far off."""
    actual: dict[str, datetime] = {}
    for stop in route.active_stops:
        if stop.state in (StopState.COMPLETED, StopState.FAILED, StopState.ARRIVED):
            reached = stop.arrived_at or stop.done_at
            if reached is not None:
                actual[stop.id] = reached
    found = []
    made = {(w.stop_id, w.announced_at): w for w in announced}  # one per prediction made
    for window in made.values():
        reached = actual.get(window.stop_id)
        if reached is None or reached <= window.announced_at:
            continue
        horizon = (window.predicted_arrival - window.announced_at).total_seconds()
        error = (reached - window.predicted_arrival).total_seconds()
        found.append(Observation(horizon_s=horizon, error_s=error))
    return found
