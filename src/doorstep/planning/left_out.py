"""Why a stop the search left out is not on any route: no room, or not worth it.

A dispatcher acts differently on the two: "the fleet is full" asks for another van,
"cheaper tomorrow" asks whether the deferral price is right. So a left-out stop is
called capacity-short only when no vehicle that can carry it had both the load room and
the shift time to add it; if one had, the search chose to leave it, and says so.

The test is optimistic (the cheapest insertion of travel and door time, windows ignored),
so "capacity short" is never said of a stop some vehicle could still have taken.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import numpy.typing as npt

from doorstep.domain.model import VehicleType
from doorstep.geo.provider import TravelMatrix
from doorstep.planning.model import (
    PlanningProblem,
    PlanningStop,
    PlanningVehicle,
    Route,
    UnassignedReason,
)


@dataclass(frozen=True, slots=True)
class Verdict:
    reason: UnassignedReason
    detail: str


class LeftOut:
    """The day's routes, read once, to judge every stop the search left out."""

    def __init__(
        self,
        problem: PlanningProblem,
        matrices: Mapping[VehicleType, TravelMatrix],
        service_s: Sequence[int],
        routes: Sequence[Route],
    ) -> None:
        self.problem, self.matrices, self.service_s = problem, matrices, service_s
        self.routes = {r.vehicle_id: r for r in routes}
        index = {s.id: len(problem.hubs) + i for i, s in enumerate(problem.stops)}
        self.paths: dict[str, npt.NDArray[np.intp]] = {}
        for v in problem.vehicles:
            route = self.routes.get(v.id)
            visits = [index[s.stop_id] for s in route.stops] if route else []
            ends = (problem.hub_index(v.start_hub), problem.hub_index(v.end_hub))
            self.paths[v.id] = np.array([ends[0], *visits, ends[1]], dtype=np.intp)

    def verdict(self, stop_index: int) -> Verdict:
        stop = self.problem.stops[stop_index]
        room = self._vehicle_with_room(stop_index)
        if stop.must_serve:
            if room is None:
                why = "every vehicle that can carry it is full or out of shift time"
            else:
                why = f"{room} had room, but no place on a route kept its window and the others"
            return Verdict(UnassignedReason.NO_FEASIBLE_ROUTE, why)
        if room is None:
            why = "every vehicle that can carry it is full or out of shift time"
            return Verdict(UnassignedReason.DEFERRED_CAPACITY_SHORT, why)
        why = f"{room} had room; serving it today cost more than the deferral price"
        return Verdict(UnassignedReason.DEFERRED_BY_COST, why)

    def _vehicle_with_room(self, stop_index: int) -> str | None:
        stop = self.problem.stops[stop_index]
        for v in self.problem.vehicles:
            route = self.routes.get(v.id)
            if _carries(v, stop, route) and self._has_time(v, stop_index, route):
                return v.id
        return None

    def _has_time(self, vehicle: PlanningVehicle, stop_index: int, route: Route | None) -> bool:
        durations = self.matrices[vehicle.vehicle_type].durations_s
        node = len(self.problem.hubs) + stop_index
        path = self.paths[vehicle.id]
        before, after = path[:-1], path[1:]
        detours = durations[before, node] + durations[node, after] - durations[before, after]
        extra = timedelta(seconds=int(detours.min()) + self.service_s[stop_index])
        if route is not None:
            return route.end + extra <= vehicle.shift_end
        start = max(vehicle.shift_start, self.problem.departure)
        reserved = timedelta(seconds=vehicle.break_.duration_s if vehicle.break_ else 0)
        return start + extra + reserved <= vehicle.shift_end


def _carries(vehicle: PlanningVehicle, stop: PlanningStop, route: Route | None) -> bool:
    """Room left in the vehicle for this stop's load, in every dimension."""
    if not vehicle.handles(stop):
        return False
    c = vehicle.capacity
    used_parcels, used_kg, used_litres = (
        (route.load.parcels, route.load.weight_kg, route.load.volume_litres) if route else (0, 0, 0)
    )
    return (
        used_parcels + stop.parcel_count <= c.parcels
        and used_kg + stop.weight_kg <= c.weight_kg + 1e-9
        and used_litres + stop.volume_litres <= c.volume_litres + 1e-9
    )
