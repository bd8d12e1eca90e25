"""An independent check of a plan against the problem: its own arithmetic, no PyVRP.

Tests and benchmarks trust a plan only after this says so. It re-adds travel times from
the matrices (with the same traffic factor the planner was given), door times from the
door-time model, and loads from the parcels, and reports every broken promise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from doorstep.domain.model import Capacity, VehicleType
from doorstep.geo.provider import TravelMatrix
from doorstep.planning.door_time import DoorTimeParams, door_time_s
from doorstep.planning.model import (
    Plan,
    PlannedReload,
    PlannedStop,
    PlanningProblem,
    PlanningStop,
    PlanningVehicle,
    Route,
)
from doorstep.planning.params import LegFactor, free_flow
from doorstep.planning.schedule import travel_s

_TOLERANCE = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class Violation:
    kind: str  # e.g. "window", "capacity", "handling", "shift", "break", "reload", "hub"
    where: str  # vehicle id, stop id or parcel id
    detail: str


def check_plan(
    problem: PlanningProblem,
    plan: Plan,
    matrices: Mapping[VehicleType, TravelMatrix],
    *,
    door_time: DoorTimeParams | None = None,
    leg_factor: LegFactor = free_flow,
) -> list[Violation]:
    """Every violation found; an empty list means the plan keeps every constraint."""
    door_time = door_time or DoorTimeParams()
    vehicles = {v.id: v for v in problem.vehicles}
    found = check_coverage(problem, plan)
    for route in plan.routes:
        vehicle = vehicles.get(route.vehicle_id)
        if vehicle is None:
            found.append(Violation("vehicle", route.vehicle_id, "not in the fleet"))
            continue
        checker = _RouteCheck(problem, vehicle, route, matrices[vehicle.vehicle_type], leg_factor)
        found += checker.run(door_time)
    return found


def check_coverage(problem: PlanningProblem, plan: Plan) -> list[Violation]:
    """Every parcel routed exactly once or reported unassigned, and nothing else; no
    vehicle on two routes. The part of the check that needs no travel times."""
    expected = {p for s in problem.stops for p in s.parcel_ids}
    seen = Counter(p for r in plan.routes for s in r.stops for p in s.parcel_ids)
    seen.update(p for u in plan.unassigned for p in u.parcel_ids)
    found = [
        Violation("parcels", p, "neither routed nor unassigned") for p in expected - seen.keys()
    ]
    found += [Violation("parcels", p, f"appears {n} times") for p, n in seen.items() if n > 1]
    found += [Violation("parcels", p, "not in the problem") for p in seen.keys() - expected]
    for vehicle_id, count in Counter(r.vehicle_id for r in plan.routes).items():
        if count > 1:
            found.append(Violation("vehicle", vehicle_id, f"used by {count} routes"))
    return found


class _RouteCheck:
    def __init__(
        self,
        problem: PlanningProblem,
        vehicle: PlanningVehicle,
        route: Route,
        matrix: TravelMatrix,
        leg_factor: LegFactor,
    ) -> None:
        self.problem, self.vehicle, self.route = problem, vehicle, route
        self.matrix, self.leg_factor = matrix, leg_factor
        self.stops = {s.id: (i, s) for i, s in enumerate(problem.stops)}
        self.out: list[Violation] = []

    def flag(self, kind: str, detail: str, where: str | None = None) -> None:
        self.out.append(Violation(kind, where or self.vehicle.id, detail))

    def run(self, door_time: DoorTimeParams) -> list[Violation]:
        v, r = self.vehicle, self.route
        if (r.start_hub, r.end_hub) != (v.start_hub, v.end_hub):
            self.flag(
                "hub", f"runs {r.start_hub}->{r.end_hub}, vehicle is {v.start_hub}->{v.end_hub}"
            )
        if r.start < v.shift_start or r.start < self.problem.departure:
            self.flag("shift", f"leaves at {r.start:%H:%M:%S}, before the shift or departure")
        if r.end > v.shift_end:
            self.flag("shift", f"returns at {r.end:%H:%M:%S}, after shift end {v.shift_end:%H:%M}")
        if v.max_route_duration_s is not None and r.duration_s > v.max_route_duration_s:
            self.flag("duration", f"lasts {r.duration_s} s, limit {v.max_route_duration_s} s")
        self._check_loads()
        self._check_break()
        self._check_times(door_time)
        return self.out

    def _check_loads(self) -> None:
        """Each trip's load against the vehicle (one trip unless it reloads at the hub)."""
        cap, reloads = self.vehicle.capacity, self.route.reloads
        if len(reloads) > self.vehicle.max_reloads:
            self.flag("reload", f"{len(reloads)} reloads, limit {self.vehicle.max_reloads}")
        ends = {r.after_stop for r in reloads}
        trip: list[PlanningStop] = []
        for planned in self.route.stops:
            if planned.stop_id in self.stops:
                stop = self.stops[planned.stop_id][1]
                trip.append(stop)
                if not self.vehicle.handles(stop):
                    limit = f"{self.vehicle.max_parcel_kg:g} kg"
                    self.flag(
                        "handling", f"a {stop.heaviest_kg:g} kg parcel, limit {limit}", stop.id
                    )
            if planned.stop_id in ends or planned is self.route.stops[-1]:
                self._check_trip_load(trip, cap)
                trip = []

    def _check_trip_load(self, stops: list[PlanningStop], cap: Capacity) -> None:
        if sum(s.parcel_count for s in stops) > cap.parcels:
            self.flag("capacity", "more parcels than the vehicle holds")
        if sum(s.weight_kg for s in stops) > cap.weight_kg + 1e-9:
            self.flag("capacity", "heavier than the vehicle's payload")
        if sum(s.volume_litres for s in stops) > cap.volume_litres + 1e-9:
            self.flag("capacity", "more volume than the vehicle holds")

    def _check_break(self) -> None:
        brk, taken, r = self.vehicle.break_, self.route.break_, self.route
        if brk is None:
            if taken is not None:
                self.flag("break", "break taken but the vehicle has none")
            return
        if taken is None:
            if brk.due(r.start, r.end):
                self.flag("break", "no break on a route still running when it must start")
            return
        if not brk.earliest_start <= taken.start <= brk.latest_start:
            self.flag("break", f"starts at {taken.start:%H:%M}, outside its window")
        if taken.duration_s < brk.duration_s:
            self.flag("break", f"lasts {taken.duration_s} s, needs {brk.duration_s} s")

    def _check_times(self, door_time: DoorTimeParams) -> None:
        n_hubs = len(self.problem.hubs)
        here = self.problem.hub_index(self.vehicle.start_hub)
        clock = self.route.start
        after: str | None = None
        reloads = {r.after_stop: r for r in self.route.reloads}
        for planned in [*self.route.stops, None]:
            clock = self._after_break(clock, after)
            if after in reloads:
                here, clock = self._reload(reloads[after], here, clock)
            if planned is None:
                there = self.problem.hub_index(self.vehicle.end_hub)
                earliest = clock + self._leg(here, there, clock)
                if self.route.end + _TOLERANCE < earliest:
                    self.flag("travel", f"back at hub {self.route.end:%H:%M:%S}, too soon")
                return
            if planned.stop_id not in self.stops:
                self.flag("stop", "not in the problem", planned.stop_id)
                return
            index, stop = self.stops[planned.stop_id]
            there = n_hubs + index
            earliest = clock + self._leg(here, there, clock)
            self._check_visit(planned, earliest, door_time_s(stop, door_time))
            here, clock, after = there, planned.departure, planned.stop_id

    def _reload(self, reload: PlannedReload, here: int, clock: datetime) -> tuple[int, datetime]:
        """Back to the start hub, loading time there, and on from the hub."""
        hub = self.problem.hub_index(self.vehicle.start_hub)
        earliest = clock + self._leg(here, hub, clock)
        if reload.arrival + _TOLERANCE < earliest:
            self.flag("travel", f"back to reload at {reload.arrival:%H:%M:%S}, too soon")
        loading = timedelta(seconds=self.vehicle.reload_s)
        if reload.departure + _TOLERANCE < max(reload.arrival, earliest) + loading:
            self.flag("reload", f"leaves the hub at {reload.departure:%H:%M:%S}, still loading")
        return hub, reload.departure

    def _after_break(self, clock: datetime, after: str | None) -> datetime:
        taken = self.route.break_
        if taken is not None and taken.after_stop == after:
            if taken.start + _TOLERANCE < clock:
                self.flag("break", f"starts at {taken.start:%H:%M:%S} while still busy")
            return max(clock, taken.start + timedelta(seconds=taken.duration_s))
        return clock

    def _leg(self, here: int, there: int, at: datetime) -> timedelta:
        free = int(self.matrix.durations_s[here, there])
        return timedelta(seconds=travel_s(free, self.leg_factor(at)))

    def _check_visit(self, planned: PlannedStop, earliest: datetime, service_s: int) -> None:
        sid = planned.stop_id
        stop = self.stops[sid][1]
        if planned.arrival + _TOLERANCE < earliest:
            self.flag(
                "travel",
                f"arrives {planned.arrival:%H:%M:%S}, cannot before {earliest:%H:%M:%S}",
                sid,
            )
        if planned.service_start < planned.arrival:
            self.flag("travel", "service starts before arrival", sid)
        if planned.departure + _TOLERANCE < planned.service_start + timedelta(seconds=service_s):
            self.flag("service", f"leaves before {service_s} s of door time", sid)
        if stop.windows and not any(
            w.start <= planned.service_start and planned.arrival <= w.end for w in stop.windows
        ):
            self.flag(
                "window", f"served {planned.service_start:%H:%M:%S}, outside every window", sid
            )
