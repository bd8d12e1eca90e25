"""Stops no vehicle can serve, found before solving and reported with a reason.

The solver would drop them anyway, but it could only say "not routed". A dispatcher needs
to know which problem to fix: a parcel too heavy for the fleet, a window already past, or
one no shift can reach. The reachability test is optimistic (free-flow times, a vehicle
leaving as early as it may), so it never rejects a stop that some plan could serve.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from doorstep.domain.model import VehicleType
from doorstep.geo.provider import TravelMatrix
from doorstep.planning.model import (
    PlanningProblem,
    PlanningStop,
    PlanningVehicle,
    Unassigned,
    UnassignedReason,
)
from doorstep.planning.service_area import outside_service_area


def precheck(
    problem: PlanningProblem,
    matrices: Mapping[VehicleType, TravelMatrix],
    service_s: Sequence[int],
) -> tuple[list[int], list[Unassigned]]:
    """Indices of the stops worth solving for, and the rest with their reasons."""
    kept: list[int] = []
    rejected: list[Unassigned] = []
    shifts = _distinct_shifts(problem.vehicles)
    hubs = [h.point for h in problem.hubs]
    for index, stop in enumerate(problem.stops):
        far = outside_service_area(stop.point, hubs)
        if far is not None:
            outside = UnassignedReason.OUTSIDE_SERVICE_AREA
            rejected.append(Unassigned(stop.id, stop.parcel_ids, outside, far))
            continue
        reason = _reason(problem, index, stop, shifts, matrices, service_s[index])
        if reason is None:
            kept.append(index)
        else:
            rejected.append(Unassigned(stop.id, stop.parcel_ids, reason))
    return kept, rejected


def _distinct_shifts(vehicles: Sequence[PlanningVehicle]) -> list[PlanningVehicle]:
    """One representative per (profile, capacity, hubs, shift, break): same answer for all."""
    seen: dict[tuple[object, ...], PlanningVehicle] = {}
    for v in vehicles:
        key = (
            v.vehicle_type, v.capacity, v.start_hub, v.end_hub, v.shift_start,
            v.shift_end, v.break_, v.max_route_duration_s, v.max_parcel_kg,
        )  # fmt: skip
        seen.setdefault(key, v)
    return list(seen.values())


def _reason(
    problem: PlanningProblem,
    index: int,
    stop: PlanningStop,
    vehicles: Sequence[PlanningVehicle],
    matrices: Mapping[VehicleType, TravelMatrix],
    service: int,
) -> UnassignedReason | None:
    if stop.windows and all(w.end < problem.departure for w in stop.windows):
        return UnassignedReason.WINDOW_IN_PAST
    capacity_reason = _capacity_reason(stop, vehicles)
    if capacity_reason is not None:
        return capacity_reason
    fits = [v for v in vehicles if v.carries(stop)]
    if not any(_reachable(problem, index, stop, v, matrices, service) for v in fits):
        return UnassignedReason.WINDOW_UNREACHABLE
    return None


def _capacity_reason(
    stop: PlanningStop, vehicles: Sequence[PlanningVehicle]
) -> UnassignedReason | None:
    if all(stop.weight_kg > v.capacity.weight_kg for v in vehicles):
        return UnassignedReason.TOO_HEAVY_FOR_EVERY_VEHICLE
    if all(stop.volume_litres > v.capacity.volume_litres for v in vehicles):
        return UnassignedReason.TOO_LARGE_FOR_EVERY_VEHICLE
    if all(stop.parcel_count > v.capacity.parcels for v in vehicles):
        return UnassignedReason.TOO_MANY_PARCELS_FOR_EVERY_VEHICLE
    if not any(v.handles(stop) for v in vehicles):
        return UnassignedReason.TOO_HEAVY_FOR_EVERY_VEHICLE  # for any crew to lift
    if not any(v.carries(stop) for v in vehicles):
        # Each limit is met by some vehicle, but no single vehicle meets all of them.
        return UnassignedReason.TOO_LARGE_FOR_EVERY_VEHICLE
    return None


def _reachable(
    problem: PlanningProblem,
    index: int,
    stop: PlanningStop,
    v: PlanningVehicle,
    matrices: Mapping[VehicleType, TravelMatrix],
    service: int,
) -> bool:
    """Out from the start hub, serve, back to the end hub, inside shift and duration."""
    durations = matrices[v.vehicle_type].durations_s
    node = len(problem.hubs) + index
    out = int(durations[problem.hub_index(v.start_hub), node])
    back = int(durations[node, problem.hub_index(v.end_hub)])
    reserved = v.break_.duration_s if v.break_ else 0
    leave = max(v.shift_start, problem.departure)
    arrival = leave + timedelta(seconds=out)
    latest_home = v.shift_end - timedelta(seconds=reserved)
    windows = [(w.start, w.end) for w in stop.windows] or [(arrival, latest_home)]
    # Leaving later avoids waiting, so the shortest possible route is out, serve, back.
    limit = v.max_route_duration_s
    if limit is not None and out + service + back > limit - reserved:
        return False
    for start, end in windows:
        home = max(arrival, start) + timedelta(seconds=service + back)
        if arrival <= end and home <= latest_home:
            return True
    return False
