"""Re-plan the rest of a dispatched route (or of every route of the day) from where its
courier is now, and apply the new order through the route's own edit.

The re-optimiser (:func:`doorstep.planning.reoptimise`) does the solving: it is handed a
one-vehicle problem of the route's open stops, with the courier's state (where they are,
the stop they are standing at). Done stops (delivered, failed, skipped, removed) are not
in the problem and keep their places; a stop the courier has arrived at stays first.
The order found is applied with :func:`doorstep.services.routes.edits.reorder_stops`, so
the courier's app, the van's load order, the audit log and the outbox events follow it
exactly as after a dispatcher's manual reorder.

Stops stay on their route: moving parcels between vans is a physical hand-over, the
dispatcher's decision (``move_stop``), never a side effect of a re-plan. A stop the
solver cannot place in its window any more keeps its relative order after the others,
and the answer names it so the dispatcher can move it or take it back to the hub.

The solver runs outside any transaction (it takes up to the re-optimiser's budget); the
reorder then checks, in its own transaction, that the open stops are still those solved
for. A stop done meanwhile is answered by solving once more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from doorstep.domain.errors import DomainError, InvalidValue
from doorstep.domain.model import Capacity, GeoPoint, ServiceLevel, TimeWindow, VehicleType
from doorstep.domain.route import Route, RouteState, RouteStop, StopState
from doorstep.geo.straight_line import STRAIGHT_LINE
from doorstep.planning.model import (
    ParcelLoad,
    PlanningHub,
    PlanningProblem,
    PlanningStop,
    PlanningVehicle,
)
from doorstep.planning.params import PlannerParams
from doorstep.planning.reoptimise import REOPTIMISE_PARAMS, CourierState, reoptimise
from doorstep.services.access import require_hub_operator, require_id
from doorstep.services.errors import NotFound, ServiceError
from doorstep.services.exceptions.words import LONDON
from doorstep.services.plans.problem import area_of
from doorstep.services.plans.run import traffic_leg_factor
from doorstep.services.ports import (
    Clock,
    Conflict,
    Routing,
    RoutingFor,
    StaleObject,
    UnitOfWork,
)
from doorstep.services.routes import edits

POSITION_FRESH = timedelta(minutes=10)
"""A courier's last position is where they are when no older than this (as the exception
sweep judges a silent phone); else the last stop done, else the hub."""
HORIZON = timedelta(hours=14)
"""How long the rest of a route may take in the problem: longer than any shift, so the
courier's shift never leaves a stop out (the route is theirs to finish)."""
ATTEMPTS = 2


@dataclass(frozen=True, slots=True)
class Replanned:
    """One route's re-plan: the open stops in their new order and what to tell."""

    route_id: str
    message: str
    order: tuple[str, ...] = ()
    changed: bool = False
    unplaced: tuple[str, ...] = ()  # stops no longer reachable in their window
    refused: bool = False  # the route could not be re-planned (``message`` says why)


@dataclass(frozen=True, slots=True)
class _Where:
    hub: GeoPoint  # where the route ends
    courier: GeoPoint  # where the rest of it starts


@dataclass(frozen=True, slots=True)
class _Solved:
    order: tuple[str, ...]
    unplaced: tuple[str, ...]


def replan_route(
    uow: UnitOfWork,
    route_id: str,
    *,
    clock: Clock,
    routing_for: RoutingFor,
    params: PlannerParams = REOPTIMISE_PARAMS,
) -> Replanned:
    """Re-sequence the route's open stops from where its courier is; apply if changed."""
    require_hub_operator(uow.principal)
    require_id(route_id, "rte", "route")
    for attempt in range(ATTEMPTS):
        now = clock.now()
        with uow.read_only():
            route = uow.routes.get(route_id)
            if route is None:
                raise NotFound("route", route_id)
            if route.state is RouteState.FINISHED:
                raise InvalidValue("route_id", f"route {route_id} is finished: nothing to re-plan")
            where = _Where(_hub_point(uow, route), _courier_position(uow, route, now))
            profile = _profile(uow, route)
            network = _network(uow, route)
        current = tuple(s.id for s in _open(route))
        solved = _solve(route, where, profile, now, routing_for(network), params)
        if solved.order == current:
            return Replanned(
                route_id,
                f"Route {route_id} already visits its open stops in the best order.",
                solved.order,
                unplaced=solved.unplaced,
            )
        try:
            edits.reorder_stops(uow, edits.ReorderStops(route_id, solved.order), clock=clock)
        except (InvalidValue, StaleObject):
            if attempt + 1 < ATTEMPTS:
                continue  # a stop was done meanwhile: solve again for what is left
            raise
        return Replanned(
            route_id, _words(route_id, solved), solved.order, changed=True, unplaced=solved.unplaced
        )
    raise Conflict(f"Route {route_id} kept changing; re-plan it again.")  # pragma: no cover


def replan_day(
    uow: UnitOfWork,
    *,
    clock: Clock,
    routing_for: RoutingFor,
    day: date | None = None,
    params: PlannerParams = REOPTIMISE_PARAMS,
) -> list[Replanned]:
    """Re-plan every route of ``day`` (London's today) not yet finished, each on its own:
    one route refused (finished meanwhile, changed twice) does not stop the others."""
    require_hub_operator(uow.principal)
    day = day or clock.now().astimezone(LONDON).date()
    with uow.read_only():
        routes = uow.routes.find(route_date=day)
    found = [r.id for r in routes if r.state is not RouteState.FINISHED]
    done: list[Replanned] = []
    for route_id in found:
        try:
            done.append(
                replan_route(uow, route_id, clock=clock, routing_for=routing_for, params=params)
            )
        except (DomainError, ServiceError, Conflict) as refusal:
            reason = getattr(refusal, "message", None) or str(refusal)
            done.append(Replanned(route_id, f"Route {route_id}: {reason}", refused=True))
    return done


def _open(route: Route) -> list[RouteStop]:
    """The stops still to do, in the route's order (an arrived stop is among them)."""
    return [s for s in route.active_stops if not s.state.done]


def _solve(
    route: Route,
    where: _Where,
    profile: VehicleType,
    now: datetime,
    routing: Routing,
    params: PlannerParams,
) -> _Solved:
    open_stops = _open(route)
    arrived = next((s for s in open_stops if s.state is StopState.ARRIVED), None)
    pending = [s for s in open_stops if s is not arrived]
    head = (arrived.id,) if arrived is not None else ()
    if len(pending) < 2:
        return _Solved(head + tuple(s.id for s in pending), ())
    problem = _problem(route, open_stops, where.hub, profile, now)
    state = CourierState(route.vehicle_id, where.courier, in_progress=head[0] if head else None)
    legs = traffic_leg_factor(routing.traffic, now, [profile])
    plan = reoptimise(
        problem, {route.vehicle_id: state}, now, routing.provider, params, leg_factor=legs
    )
    routed = tuple(plan.routed_stop_ids)
    placed = set(routed)
    unplaced = tuple(s.id for s in pending if s.id not in placed)
    return _Solved(head + routed + unplaced, unplaced)


def _problem(
    route: Route,
    stops: Sequence[RouteStop],
    hub: GeoPoint,
    profile: VehicleType,
    now: datetime,
) -> PlanningProblem:
    """The route as a one-vehicle problem from and back to its hub (the re-optimiser
    starts it where the courier is). The parcels are on the van already, so load does not
    constrain the order (weights 0); every stop must be served today."""
    home = PlanningHub(route.hub_id, hub)
    planning_stops = tuple(
        PlanningStop(
            id=stop.id,
            point=stop.point,
            parcels=tuple(ParcelLoad(p, 0.0) for p in stop.parcel_ids),
            windows=_windows(stop, now),
            service_level=ServiceLevel.SAME_DAY,
            area=area_of(stop.postcode),
            postcode=stop.postcode,
        )
        for stop in stops
    )
    parcels = sum(len(s.parcel_ids) for s in stops)
    vehicle = PlanningVehicle(
        id=route.vehicle_id,
        vehicle_type=profile,
        capacity=Capacity(parcels, 1.0, 1.0),
        shift_start=now,
        shift_end=now + HORIZON,
        start_hub=home.id,
        end_hub=home.id,
    )
    return PlanningProblem(route.route_date, now, (home,), planning_stops, (vehicle,))


def _windows(stop: RouteStop, now: datetime) -> tuple[TimeWindow, ...]:
    """The stop's promise while it can still be kept; a window already over is no
    constraint any more (the stop is late whatever the order: it is served, not dropped)."""
    if stop.window is None or stop.window.end <= now:
        return ()
    return (stop.window,)


def _hub_point(uow: UnitOfWork, route: Route) -> GeoPoint:
    hub = uow.hubs.get(route.hub_id)
    return hub.point if hub is not None else route.stops[0].point


def _courier_position(uow: UnitOfWork, route: Route, now: datetime) -> GeoPoint:
    """Where the courier is: their last fresh position, else the door of the last stop
    done, else the hub (a route not started leaves from there)."""
    if route.state is RouteState.STARTED:
        since, until = now - POSITION_FRESH, now + timedelta(seconds=1)
        pings = uow.pings.list_for(route.courier_id, since, until)
        if pings:
            return GeoPoint(pings[-1].lat, pings[-1].lon)
        visited = [s for s in route.active_stops if s.state.done and s.done_at is not None]
        if visited:
            return max(visited, key=lambda s: s.done_at or now).point
    return _hub_point(uow, route)


def _profile(uow: UnitOfWork, route: Route) -> VehicleType:
    vehicle = uow.vehicles.get(route.vehicle_id)
    return vehicle.vehicle_type if vehicle is not None else VehicleType.VAN


def _network(uow: UnitOfWork, route: Route) -> str:
    plan = uow.plans.get(route.plan_id) if route.plan_id else None
    return plan.network if plan is not None else STRAIGHT_LINE


def _words(route_id: str, solved: _Solved) -> str:
    message = f"Route {route_id} re-planned: {len(solved.order)} open stops in a new order."
    if solved.unplaced:
        message += (
            f" {', '.join(solved.unplaced)} can no longer keep their windows and go last: "
            "move them to another route or take them back to the hub."
        )
    return message
