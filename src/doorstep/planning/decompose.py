"""A big day in parts: sectors around each depot, each solved with its share of the fleet.

One solve over 10,000 or 20,000 stops needs a dense matrix per vehicle profile over every
point (a 20,000-stop day is 3.2 GB per matrix) and a search that moves too slowly over so
many clients to improve much in minutes. Routes from a depot run outwards, so the day is
cut the way dispatchers cut it: stops go to the nearest main depot, each depot's stops are
swept by bearing into sectors of at most ``part_stops``, and each vehicle joins the sector
whose demand it can reach, in proportion (Sainte-Laguë) within its kind. Each part is then
an ordinary problem with matrices only over its own points. What a part could not place
is offered afterwards to the vehicles no part used (:func:`leftover_part`), so a sector
short of vans does not leave promises behind while another part's van stood idle.

Pure: no I/O; the caller routes and solves each part.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from doorstep.domain.model import VehicleType
from doorstep.geo.geometry import haversine_m
from doorstep.planning.model import (
    Plan,
    PlanningHub,
    PlanningProblem,
    PlanningStop,
    PlanningVehicle,
    UnassignedReason,
)

# A depot holding at least this share of the fleet's parcel room gets stops of its own;
# smaller hubs (a walkers' micro-hub) lend their vehicles to the sectors they can reach.
MAIN_HUB_SHARE = 0.25
# How far from its hub a vehicle kind works in a day: a sector's stops beyond this do not
# count towards the sector's claim on that kind (None: anywhere in the service area).
REACH_KM: dict[VehicleType, float | None] = {
    VehicleType.ON_FOOT: 3.0,
    VehicleType.E_CARGO_BIKE: 10.0,
    VehicleType.VAN: None,
}
# Left-out reasons another vehicle might still fix; the rest (too heavy for every vehicle,
# unreachable window, outside the area) no other part's van would change.
RETRYABLE = frozenset(
    {
        UnassignedReason.DEFERRED_BY_COST,
        UnassignedReason.DEFERRED_CAPACITY_SHORT,
        UnassignedReason.NO_FEASIBLE_ROUTE,
    }
)


def split_day(problem: PlanningProblem, part_stops: int) -> list[PlanningProblem]:
    """The day as parts of at most ``part_stops`` stops (one part when it already fits).

    Every stop is in exactly one part and every vehicle in exactly one; all hubs stay in
    every part so vehicle start and end hubs resolve. A depot with fewer vehicles than
    sectors gets fewer, bigger sectors, so that no part is left without a vehicle."""
    if len(problem.stops) <= part_stops or not problem.vehicles:
        return [problem]
    sectors: list[list[int]] = []
    owners: list[str] = []
    for hub, indices in _territories(problem).items():
        # No more sectors than the hub has vehicles: a sector without one is served by
        # no one (a fleet that small cannot serve a day that big anyway).
        own = sum(v.start_hub == hub.id for v in problem.vehicles)
        count = min(math.ceil(len(indices) / part_stops), max(own, 1))
        swept = _sweep(problem.stops, hub, indices, count)
        sectors += swept
        owners += [hub.id] * len(swept)
    shares = _share_fleet(problem, sectors, owners)
    return [
        PlanningProblem(
            problem.date,
            problem.departure,
            problem.hubs,
            tuple(problem.stops[i] for i in sector),
            tuple(vehicles),
        )
        for sector, vehicles in zip(sectors, shares, strict=True)
    ]


def leftover_part(
    problem: PlanningProblem, plans: Sequence[Plan], part_stops: int
) -> PlanningProblem | None:
    """The stops the parts left out for a reason another vehicle could fix, with the
    vehicles no part used; None when either is empty. Promised stops come first when
    there are more than ``part_stops``."""
    used = {r.vehicle_id for plan in plans for r in plan.routes}
    idle = tuple(v for v in problem.vehicles if v.id not in used)
    retry = {u.stop_id for plan in plans for u in plan.unassigned if u.reason in RETRYABLE}
    stops = [s for s in problem.stops if s.id in retry]
    if not idle or not stops:
        return None
    stops.sort(key=lambda s: (not s.must_serve, -s.parcel_count))
    return PlanningProblem(
        problem.date, problem.departure, problem.hubs, tuple(stops[:part_stops]), idle
    )


def merge(plans: Sequence[Plan], retried: Plan | None = None) -> Plan:
    """The parts' plans as one; a stop the leftover part ``retried`` takes its verdict
    (a route or a new reason) from there instead of from its own part."""
    routes = [r for plan in plans for r in plan.routes]
    unassigned = [u for plan in plans for u in plan.unassigned]
    if retried is not None:
        retried_ids = set(retried.routed_stop_ids) | {u.stop_id for u in retried.unassigned}
        unassigned = [u for u in unassigned if u.stop_id not in retried_ids]
        routes += retried.routes
        unassigned += retried.unassigned
    return Plan(tuple(routes), tuple(unassigned))


def _main_hubs(problem: PlanningProblem) -> list[PlanningHub]:
    room: dict[str, int] = defaultdict(int)
    for v in problem.vehicles:
        room[v.start_hub] += v.capacity.parcels
    total = sum(room.values())
    main = [h for h in problem.hubs if room.get(h.id, 0) >= MAIN_HUB_SHARE * total]
    return main or [max(problem.hubs, key=lambda h: room.get(h.id, 0))]


def _territories(problem: PlanningProblem) -> dict[PlanningHub, list[int]]:
    """Each stop's nearest main hub (by straight line: the parts are not routed yet)."""
    hubs = _main_hubs(problem)
    lat = np.array([s.point.lat for s in problem.stops])
    lon = np.array([s.point.lon for s in problem.stops])
    distances = np.stack([haversine_m(h.point.lat, h.point.lon, lat, lon) for h in hubs])
    nearest = np.argmin(distances, axis=0)
    return {h: np.flatnonzero(nearest == k).tolist() for k, h in enumerate(hubs)}


def _sweep(
    stops: Sequence[PlanningStop], hub: PlanningHub, indices: list[int], count: int
) -> list[list[int]]:
    """``count`` sectors of (nearly) equal size by bearing from the hub, starting at the
    widest empty bearing gap so no sector wraps around a street full of stops."""
    if count <= 1 or not indices:
        return [indices] if indices else []
    scale = math.cos(math.radians(hub.point.lat))
    bearings = np.array(
        [
            math.atan2(
                stops[i].point.lat - hub.point.lat, (stops[i].point.lon - hub.point.lon) * scale
            )
            for i in indices
        ]
    )
    order = np.argsort(bearings, kind="stable")
    ordered = bearings[order]
    gaps = np.diff(np.append(ordered, ordered[0] + 2 * math.pi))
    start = (int(np.argmax(gaps)) + 1) % len(order)
    swept = [indices[int(k)] for k in np.roll(order, -start)]
    bounds = np.linspace(0, len(swept), count + 1).round().astype(int)
    return [swept[int(a) : int(b)] for a, b in itertools.pairwise(bounds) if b > a]


def _share_fleet(
    problem: PlanningProblem, sectors: list[list[int]], owners: list[str]
) -> list[list[PlanningVehicle]]:
    """Each kind of vehicle (type and start hub) spread over the sectors in proportion to
    the parcels each sector has within that kind's reach of its hub (Sainte-Laguë, so
    small fleets round fairly). A main hub's vehicles stay in its own sectors; a kind
    that reaches no sector's stops is spread by all parcels."""
    hubs = {h.id: h for h in problem.hubs}
    kinds: dict[tuple[VehicleType, str], list[PlanningVehicle]] = defaultdict(list)
    for v in problem.vehicles:
        kinds[(v.vehicle_type, v.start_hub)].append(v)
    shares: list[list[PlanningVehicle]] = [[] for _ in sectors]
    everything = [sum(problem.stops[i].parcel_count for i in sector) for sector in sectors]
    for (vehicle_type, hub_id), vehicles in sorted(kinds.items()):
        reach = REACH_KM[vehicle_type]
        weights = _reachable_parcels(problem.stops, sectors, hubs[hub_id], reach)
        if hub_id in owners:  # a main hub's own vehicles: its own sectors only
            own = [hub == hub_id for hub in owners]
            weights = [w if mine else 0 for w, mine in zip(weights, own, strict=True)]
            if not any(weights):
                weights = [w if mine else 0 for w, mine in zip(everything, own, strict=True)]
        if not any(weights):
            weights = everything
        given = [0] * len(sectors)
        for vehicle in sorted(vehicles, key=lambda v: (-v.capacity.parcels, v.id)):
            k = max(range(len(sectors)), key=lambda k: weights[k] / (2 * given[k] + 1))
            given[k] += 1
            shares[k].append(vehicle)
    _no_sector_without_a_vehicle(shares)
    return shares


def _no_sector_without_a_vehicle(shares: list[list[PlanningVehicle]]) -> None:
    """Kinds are shared one by one, so two small kinds can land in the same sector and
    leave another with none; the best-supplied sector then lends its last vehicle."""
    for empty in [s for s in shares if not s]:
        richest = max(shares, key=len)
        if len(richest) < 2:
            return
        empty.append(richest.pop())


def _reachable_parcels(
    stops: Sequence[PlanningStop],
    sectors: list[list[int]],
    hub: PlanningHub,
    reach_km: float | None,
) -> list[int]:
    weights = []
    for sector in sectors:
        lat = np.array([stops[i].point.lat for i in sector])
        lon = np.array([stops[i].point.lon for i in sector])
        parcels = np.array([stops[i].parcel_count for i in sector])
        if reach_km is not None:
            near = haversine_m(hub.point.lat, hub.point.lon, lat, lon) <= reach_km * 1000
            parcels = parcels[near]
        weights.append(int(parcels.sum()))
    return weights
