"""One clock for every solver: stop sequences in, Doorstep plans out, one cost function.

Solvers disagree on what a route costs (OR-Tools counts waiting, VROOM only driving,
PyVRP both), so the benchmark throws their times away and re-times each vehicle's stop
sequence itself with the shared matrices: service starts as early as the window allows,
the break goes in the gap that brings the courier home earliest, and the hub departure
is then pushed as late as possible without moving the return (no idle waiting is paid
for that a courier would not have). The result is a :class:`~doorstep.planning.Plan`,
so Doorstep's own checker can judge every solver alike, and :func:`plan_cost` prices it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from doorstep.domain.model import VehicleType
from doorstep.geo.provider import TravelMatrix
from doorstep.planning import (
    DoorTimeParams,
    Plan,
    PlannedStop,
    PlanningProblem,
    PlanningVehicle,
    Route,
    Unassigned,
    UnassignedReason,
)
from doorstep.planning.door_time import door_time_s
from doorstep.planning.emissions import co2_kg
from doorstep.planning.model import Load, PlannedBreak

Sequences = Mapping[str, Sequence[int]]
"""Vehicle id -> indices into ``problem.stops`` in visiting order."""

# A next-day parcel left for tomorrow costs what Doorstep's planner is told it costs
# (PlannerParams.deferral_penalty); a broken promise (a window or same-day parcel) ten times.
DEFERRAL_PENALTY = 50.0
MISSED_PROMISE_PENALTY = 500.0


def service_times(problem: PlanningProblem, params: DoorTimeParams | None = None) -> list[int]:
    """Door time of every stop from Doorstep's door-time model (the same for all solvers)."""
    params = params or DoorTimeParams()
    return [door_time_s(s, params) for s in problem.stops]


@dataclass(frozen=True, slots=True)
class _Walk:
    """One pass along a route in seconds after departure."""

    arrivals: list[int]
    starts: list[int]
    end: int
    break_start: int | None
    waits: list[int]  # per stop (and the break) in visiting order, for the slack
    late: bool


class _RouteClock:
    """Times one vehicle's sequence; all times in seconds after ``problem.departure``."""

    def __init__(
        self,
        problem: PlanningProblem,
        vehicle: PlanningVehicle,
        sequence: Sequence[int],
        matrix: TravelMatrix,
        service: Sequence[int],
    ) -> None:
        self.epoch = problem.departure
        hubs = len(problem.hubs)
        self.nodes = [
            problem.hub_index(vehicle.start_hub),
            *(hubs + i for i in sequence),
            problem.hub_index(vehicle.end_hub),
        ]
        self.durations = matrix.durations_s
        self.service = [service[i] for i in sequence]
        self.windows = [
            [(self._s(w.start), self._s(w.end)) for w in problem.stops[i].windows] for i in sequence
        ]
        brk = vehicle.break_
        self.brk = (
            (self._s(brk.earliest_start), self._s(brk.latest_start), brk.duration_s)
            if brk
            else None
        )
        self.shift = (max(0, self._s(vehicle.shift_start)), self._s(vehicle.shift_end))

    def _s(self, moment: datetime) -> int:
        return int((moment - self.epoch).total_seconds())

    def walk(self, start: int, gap: int | None) -> _Walk:
        clock, arrivals, starts, waits = start, [], [], []
        break_start, late = None, False
        for pos in range(len(self.service) + 1):
            if gap == pos and self.brk is not None:
                break_start = max(clock, self.brk[0])
                late |= break_start > self.brk[1]
                waits.append(break_start - clock)
                clock = break_start + self.brk[2]
            clock += int(self.durations[self.nodes[pos], self.nodes[pos + 1]])
            if pos == len(self.service):
                break
            arrivals.append(clock)
            open_ = [max(clock, a) for a, b in self.windows[pos] if clock <= b]
            begin = min(open_) if open_ else clock
            late |= bool(self.windows[pos]) and not open_
            waits.append(begin - clock)
            starts.append(begin)
            clock = begin + self.service[pos]
        late |= clock > self.shift[1]
        return _Walk(arrivals, starts, clock, break_start, waits, late)

    def best(self) -> tuple[int, _Walk, int | None]:
        """(start, walk, break gap) with the earliest return, then the latest departure."""
        start = self.shift[0]
        plain = self.walk(start, None)
        gap: int | None = None
        if self.brk is not None and start <= self.brk[1] < plain.end:  # Break.due
            options = [(g, self.walk(start, g)) for g in range(len(self.service) + 1)]
            gap, _ = min(options, key=lambda o: (o[1].late, o[1].end, o[0]))
        chosen = self._delayed(start, gap)
        if gap is not None and self.brk is not None:
            # A route that can leave after the break window closes needs no break at all.
            free = self._delayed(start, None)
            if (
                not free[1].late
                and free[0] > self.brk[1]
                and free[1].end - free[0] < (chosen[1].end - chosen[0])
            ):
                return free[0], free[1], None
        return chosen[0], chosen[1], gap

    def _delayed(self, start: int, gap: int | None) -> tuple[int, _Walk]:
        first = self.walk(start, gap)
        delayed = start + self._slack(first, gap)
        second = self.walk(delayed, gap)
        if second.end == first.end and not second.late:
            return delayed, second
        return start, first

    def _slack(self, walk: _Walk, gap: int | None) -> int:
        """How much later the hub departure can be without moving any later event."""
        latest: list[int] = []
        for pos in range(len(self.service)):
            if gap == pos and self.brk is not None and walk.break_start is not None:
                latest.append(self.brk[1] - walk.break_start)
            ends = [b for a, b in self.windows[pos] if a <= walk.starts[pos] <= b]
            latest.append(min(ends) - walk.starts[pos] if ends else 10**9)
        if gap == len(self.service) and self.brk is not None and walk.break_start is not None:
            latest.append(self.brk[1] - walk.break_start)
        slack, waited = sum(walk.waits), 0
        for wait, room in zip(walk.waits, latest, strict=False):
            waited += wait
            slack = min(slack, waited + room)
        return max(0, slack)


def _planned_stops(
    problem: PlanningProblem, sequence: Sequence[int], walk: _Walk, service: Sequence[int]
) -> list[PlannedStop]:
    def at(seconds: int) -> datetime:
        return problem.departure + timedelta(seconds=seconds)

    return [
        PlannedStop(
            problem.stops[i].id,
            problem.stops[i].parcel_ids,
            at(walk.arrivals[k]),
            at(walk.starts[k]),
            at(walk.starts[k] + service[i]),
        )
        for k, i in enumerate(sequence)
    ]


def timed_route(
    problem: PlanningProblem,
    vehicle: PlanningVehicle,
    sequence: Sequence[int],
    matrix: TravelMatrix,
    service: Sequence[int],
) -> Route:
    clock = _RouteClock(problem, vehicle, sequence, matrix, service)
    start, walk, gap = clock.best()
    moment = problem.departure
    stops = _planned_stops(problem, sequence, walk, service)
    taken = None
    if gap is not None and walk.break_start is not None and vehicle.break_ is not None:
        after = problem.stops[sequence[gap - 1]].id if gap > 0 else None
        taken = PlannedBreak(
            moment + timedelta(seconds=walk.break_start), vehicle.break_.duration_s, after
        )
    distance = sum(int(matrix.distances_m[a, b]) for a, b in itertools.pairwise(clock.nodes))
    served = [problem.stops[i] for i in sequence]
    hours = (walk.end - start) / 3600
    return Route(
        vehicle_id=vehicle.id,
        start_hub=vehicle.start_hub,
        end_hub=vehicle.end_hub,
        start=moment + timedelta(seconds=start),
        end=moment + timedelta(seconds=walk.end),
        stops=tuple(stops),
        distance_m=distance,
        load=Load(
            sum(s.parcel_count for s in served),
            sum(s.weight_kg for s in served),
            sum(s.volume_litres for s in served),
        ),
        co2_kg=co2_kg(distance, vehicle.vehicle_type, vehicle.co2_kg_per_km),
        cost=vehicle.fixed_cost
        + vehicle.cost_per_km * distance / 1000
        + vehicle.cost_per_hour * hours,
        break_=taken,
    )


def to_plan(
    problem: PlanningProblem,
    sequences: Sequences,
    matrices: Mapping[VehicleType, TravelMatrix],
    service: Sequence[int],
) -> Plan:
    """A Doorstep plan from a solver's sequences; stops on no route are unassigned."""
    vehicles = {v.id: v for v in problem.vehicles}
    routes = [
        timed_route(problem, vehicles[vid], seq, matrices[vehicles[vid].vehicle_type], service)
        for vid, seq in sequences.items()
        if seq
    ]
    routed = {i for seq in sequences.values() for i in seq}
    unassigned = [
        Unassigned(
            s.id,
            s.parcel_ids,
            UnassignedReason.NO_FEASIBLE_ROUTE
            if s.must_serve
            else UnassignedReason.DEFERRED_CAPACITY_SHORT,
        )
        for i, s in enumerate(problem.stops)
        if i not in routed
    ]
    return Plan(tuple(routes), tuple(unassigned))


def sequences_of(problem: PlanningProblem, plan: Plan) -> dict[str, list[int]]:
    """The stop order of each route of a plan (to re-time Doorstep's own plan)."""
    index = {s.id: i for i, s in enumerate(problem.stops)}
    return {r.vehicle_id: [index[s.stop_id] for s in r.stops] for r in plan.routes}


def unassigned_penalty(problem: PlanningProblem, plan: Plan) -> float:
    stops = {s.id: s for s in problem.stops}
    return sum(
        (MISSED_PROMISE_PENALTY if stops[u.stop_id].must_serve else DEFERRAL_PENALTY)
        * len(u.parcel_ids)
        for u in plan.unassigned
    )


def plan_cost(problem: PlanningProblem, plan: Plan) -> float:
    """Fixed + per-km + per-hour (hub to hub, breaks and waits included) + penalties."""
    return sum(r.cost for r in plan.routes) + unassigned_penalty(problem, plan)
