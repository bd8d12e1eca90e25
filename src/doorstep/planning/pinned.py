"""Plan a day around stops a dispatcher pinned: this vehicle, these stops, in this order.

PyVRP cannot fix a client to one vehicle at one position, so Doorstep pins a *prefix*:
a pinned vehicle visits its pinned stops first, in the order given, then whatever the
solver gives it. Locking a route's fifth stop therefore pins its first five (the stops
before it stay too, or the fifth would not stay fifth), and a stop moved to another
vehicle joins that vehicle's pinned stops at their end.

The solver sees only the rest of the day: each pinned vehicle starts at its last pinned
stop's door when its schedule leaves it (as the re-optimiser restarts a courier
mid-route), with what the pinned stops already take of its capacity and duration. Every
full route is then timed again on the whole problem (traffic, the break, windows); a
pinned stop that cannot keep its window or fit the vehicle is reported unassigned with
the reason, never quietly moved elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Capacity, VehicleType
from doorstep.geo.provider import TravelMatrix, TravelTimeProvider
from doorstep.planning.model import (
    Plan,
    PlanningHub,
    PlanningProblem,
    PlanningVehicle,
    Route,
    Unassigned,
    UnassignedReason,
)
from doorstep.planning.params import LegFactor, PlannerParams, free_flow
from doorstep.planning.plan_day import routable_matrices
from doorstep.planning.solve import solve, timed_route

Pins = Mapping[str, Sequence[str]]
"""Vehicle id -> the stop ids it visits first, in order."""


@dataclass(frozen=True, slots=True)
class _Head:
    """A pinned vehicle's first part: its pinned stops (indices) and where it ends."""

    vehicle: PlanningVehicle
    sequence: list[int]
    route: Route | None


def check_pins(problem: PlanningProblem, pins: Pins) -> None:
    """Raises InvalidValue for an unknown vehicle or stop, or a stop pinned twice."""
    vehicles = {v.id for v in problem.vehicles}
    stops = {s.id for s in problem.stops}
    seen: set[str] = set()
    for vehicle_id, stop_ids in pins.items():
        if vehicle_id not in vehicles:
            raise InvalidValue(f"pins[{vehicle_id}]", "no such vehicle in the problem")
        for sid in stop_ids:
            if sid not in stops:
                raise InvalidValue(f"pins[{vehicle_id}]", f"unknown stop {sid!r}")
            if sid in seen:
                raise InvalidValue(f"pins[{vehicle_id}]", f"stop {sid!r} is pinned twice")
            seen.add(sid)


def plan_pinned(
    problem: PlanningProblem,
    pins: Pins,
    provider: TravelTimeProvider,
    params: PlannerParams | None = None,
    *,
    leg_factor: LegFactor = free_flow,
) -> Plan:
    """Routes for the day with every pinned stop first on its vehicle, in order."""
    params = params or PlannerParams()
    check_pins(problem, pins)
    problem, matrices, unassigned = routable_matrices(problem, provider)
    index = {s.id: i for i, s in enumerate(problem.stops)}
    heads: dict[str, _Head] = {}
    for vehicle in problem.vehicles:
        sequence = [index[sid] for sid in pins.get(vehicle.id, ()) if sid in index]
        if not sequence:
            continue
        start = max(vehicle.shift_start, problem.departure)
        route, lost = timed_route(
            problem, matrices, vehicle, sequence, start, params, leg_factor=leg_factor
        )
        unassigned += [_lost(problem, i, vehicle.id) for i in lost]
        kept = [i for i in sequence if i not in lost]
        heads[vehicle.id] = _Head(vehicle, kept, route)
    pinned = {i for head in heads.values() for i in head.sequence}
    pinned |= {index[sid] for ids in pins.values() for sid in ids if sid in index}
    tail, rows = _tail_problem(problem, heads, pinned)
    tail_plan = solve(tail, _select(matrices, rows), params, leg_factor=leg_factor)
    unassigned += list(tail_plan.unassigned)
    return _merge(problem, matrices, heads, tail_plan, params, leg_factor, unassigned)


def _lost(problem: PlanningProblem, i: int, vehicle_id: str) -> Unassigned:
    stop = problem.stops[i]
    detail = f"pinned to {vehicle_id}: it no longer fits that vehicle's day there"
    return Unassigned(stop.id, stop.parcel_ids, UnassignedReason.NO_FEASIBLE_ROUTE, detail)


def _tail_problem(
    problem: PlanningProblem, heads: Mapping[str, _Head], pinned: set[int]
) -> tuple[PlanningProblem, list[int]]:
    """The rest of the day, and each of its points' row in the whole problem's matrices."""
    n_hubs = len(problem.hubs)
    hubs = list(problem.hubs)
    rows = list(range(n_hubs))
    fleet: list[PlanningVehicle] = []
    for vehicle in problem.vehicles:
        head = heads.get(vehicle.id)
        if head is None:
            fleet.append(vehicle)
            continue
        if head.route is None or not head.sequence:
            fleet.append(vehicle)  # every pinned stop was lost: the vehicle is free
            continue
        last = head.sequence[-1]
        hub = PlanningHub(f"pin_{vehicle.id}", problem.stops[last].point)
        hubs.append(hub)
        rows.append(n_hubs + last)
        restarted = _restart(vehicle, head.route, hub.id)
        if restarted is not None:
            fleet.append(restarted)
    stops = [(i, s) for i, s in enumerate(problem.stops) if i not in pinned]
    rows += [n_hubs + i for i, _ in stops]
    tail = PlanningProblem(
        problem.date, problem.departure, tuple(hubs), tuple(s for _, s in stops), tuple(fleet)
    )
    return tail, rows


def _restart(vehicle: PlanningVehicle, head: Route, hub: str) -> PlanningVehicle | None:
    """The vehicle after its pinned stops: from the last one's door, with what is left."""
    leaves = head.stops[-1].departure
    if leaves >= vehicle.shift_end:
        return None
    cap, load = vehicle.capacity, head.load
    left = Capacity(
        max(0, cap.parcels - load.parcels),
        max(0.0, cap.weight_kg - load.weight_kg),
        max(0.0, cap.volume_litres - load.volume_litres),
    )
    limit = vehicle.max_route_duration_s
    used = (leaves - head.start).total_seconds()
    return replace(
        vehicle,
        capacity=left,
        start_hub=hub,
        shift_start=leaves,
        break_=None if head.break_ is not None else vehicle.break_,
        max_route_duration_s=None if limit is None else max(1, int(limit - used)),
    )


def _select(
    matrices: Mapping[VehicleType, TravelMatrix], rows: list[int]
) -> dict[VehicleType, TravelMatrix]:
    keep = np.array(rows, dtype=np.intp)
    return {
        profile: TravelMatrix(
            durations_s=np.ascontiguousarray(m.durations_s[np.ix_(keep, keep)]),
            distances_m=np.ascontiguousarray(m.distances_m[np.ix_(keep, keep)]),
        )
        for profile, m in matrices.items()
    }


def _merge(
    problem: PlanningProblem,
    matrices: Mapping[VehicleType, TravelMatrix],
    heads: Mapping[str, _Head],
    tail_plan: Plan,
    params: PlannerParams,
    leg_factor: LegFactor,
    unassigned: list[Unassigned],
) -> Plan:
    """Each vehicle's pinned stops then its solved ones, timed again as one route."""
    index = {s.id: i for i, s in enumerate(problem.stops)}
    solved = {r.vehicle_id: r for r in tail_plan.routes}
    routes: list[Route] = []
    for vehicle in problem.vehicles:
        head = heads.get(vehicle.id)
        rest = solved.get(vehicle.id)
        sequence = list(head.sequence) if head else []
        sequence += [index[s.stop_id] for s in rest.stops] if rest else []
        if not sequence:
            continue
        start: datetime
        if head is not None and head.route is not None and head.sequence:
            start = head.route.start
        else:
            assert rest is not None
            start = rest.start
        route, lost = timed_route(
            problem, matrices, vehicle, sequence, start, params, leg_factor=leg_factor
        )
        unassigned += [_lost(problem, i, vehicle.id) for i in lost]
        if route is not None:
            routes.append(route)
    return Plan(tuple(routes), tuple(unassigned))
