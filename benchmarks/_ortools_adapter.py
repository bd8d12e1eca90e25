"""The same day as an OR-Tools routing model (guided local search), stop sequences out.

Mirrors Doorstep's model: per-profile travel matrices as C++-side transit matrices, door
time added to the leaving arc, one capacity dimension per unit (parcels, grams,
millilitres), shifts as start/end cumul ranges, the lunch break as a break interval,
cost = fixed + per-metre arc cost + per-second span cost, and a disjunction per stop
whose penalty is the benchmark's price of leaving it unserved (next-day parcels at the
deferral penalty, promised ones ten times that), in millionths of the currency.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from benchmarks._london_instance import horizon_s
from benchmarks._retime import DEFERRAL_PENALTY, MISSED_PROMISE_PENALTY
from doorstep.domain.model import VehicleType
from doorstep.geo.provider import TravelMatrix
from doorstep.planning import PlanningProblem, PlanningStop, PlanningVehicle

MONEY = 1_000_000  # millionths of a pound per unit, as Doorstep's PyVRP model uses


@dataclass(frozen=True, slots=True)
class SolverRun:
    sequences: dict[str, list[int]]
    note: str


def demands(stop: PlanningStop) -> list[int]:
    """Parcels, grams and millilitres, rounded up so rounding never overloads a vehicle."""
    return [
        stop.parcel_count,
        math.ceil(stop.weight_kg * 1000 - 1e-6),
        math.ceil(stop.volume_litres * 1000 - 1e-6),
    ]


def capacities(vehicle: PlanningVehicle) -> list[int]:
    c = vehicle.capacity
    return [c.parcels, math.floor(c.weight_kg * 1000 + 1e-6), math.floor(c.volume_litres * 1000)]


def seconds_after(problem: PlanningProblem, moment: datetime) -> int:
    return max(0, int((moment - problem.departure).total_seconds()))


def penalty(stop: PlanningStop) -> int:
    per_parcel = MISSED_PROMISE_PENALTY if stop.must_serve else DEFERRAL_PENALTY
    return round(per_parcel * stop.parcel_count * MONEY)


class _Model:
    """Builds the routing model; kept apart from solving so each step stays short."""

    def __init__(
        self,
        problem: PlanningProblem,
        matrices: Mapping[VehicleType, TravelMatrix],
        service: Sequence[int],
    ) -> None:
        self.problem = problem
        self.hubs = len(problem.hubs)
        starts = [problem.hub_index(v.start_hub) for v in problem.vehicles]
        ends = [problem.hub_index(v.end_hub) for v in problem.vehicles]
        if set(range(self.hubs)) - set(starts) - set(ends):
            raise ValueError("every hub must start or end some vehicle's route")
        size = self.hubs + len(problem.stops)
        self.manager = pywrapcp.RoutingIndexManager(size, len(problem.vehicles), starts, ends)
        self.routing = pywrapcp.RoutingModel(self.manager)
        self.node_service = np.array([0] * self.hubs + list(service), dtype=np.int64)
        self._costs(matrices)
        self._time(matrices)
        self._loads()
        for i, stop in enumerate(problem.stops):
            index = self.manager.NodeToIndex(self.hubs + i)
            self.routing.AddDisjunction([index], penalty(stop))

    def _costs(self, matrices: Mapping[VehicleType, TravelMatrix]) -> None:
        callbacks: dict[tuple[VehicleType, int], int] = {}
        for k, v in enumerate(self.problem.vehicles):
            per_metre = round(v.cost_per_km * MONEY / 1000)
            key = (v.vehicle_type, per_metre)
            if key not in callbacks:
                cost = matrices[v.vehicle_type].distances_m * per_metre
                callbacks[key] = self.routing.RegisterTransitMatrix(cost.tolist())
            self.routing.SetArcCostEvaluatorOfVehicle(callbacks[key], k)
            self.routing.SetFixedCostOfVehicle(round(v.fixed_cost * MONEY), k)

    def _time(self, matrices: Mapping[VehicleType, TravelMatrix]) -> None:
        by_profile = {
            p: self.routing.RegisterTransitMatrix(
                (m.durations_s + self.node_service[:, None]).tolist()
            )
            for p, m in matrices.items()
        }
        transits = [by_profile[v.vehicle_type] for v in self.problem.vehicles]
        horizon = horizon_s(self.problem)
        self.routing.AddDimensionWithVehicleTransits(transits, horizon, horizon, False, "time")
        dim = self.routing.GetDimensionOrDie("time")
        for i, stop in enumerate(self.problem.stops):
            if stop.windows:
                cumul = dim.CumulVar(self.manager.NodeToIndex(self.hubs + i))
                spans = sorted(
                    (seconds_after(self.problem, w.start), seconds_after(self.problem, w.end))
                    for w in stop.windows
                )
                cumul.SetRange(spans[0][0], spans[-1][1])
                for (_, gap_start), (gap_end, _) in itertools.pairwise(spans):
                    if gap_end > gap_start + 1:
                        cumul.RemoveInterval(gap_start + 1, gap_end - 1)
        self._shifts(dim)

    def _shifts(self, dim: pywrapcp.RoutingDimension) -> None:
        """Shift as start/end ranges, span cost per second, the break as an interval."""
        visit = [
            int(self.node_service[self.manager.IndexToNode(i)]) for i in range(self.routing.Size())
        ]
        solver = self.routing.solver()
        for k, v in enumerate(self.problem.vehicles):
            shift = (
                seconds_after(self.problem, v.shift_start),
                seconds_after(self.problem, v.shift_end),
            )
            dim.CumulVar(self.routing.Start(k)).SetRange(*shift)
            dim.CumulVar(self.routing.End(k)).SetRange(*shift)
            dim.SetSpanCostCoefficientForVehicle(round(v.cost_per_hour * MONEY / 3600), k)
            if v.break_ is not None:
                b = v.break_
                interval = solver.FixedDurationIntervalVar(
                    seconds_after(self.problem, b.earliest_start),
                    seconds_after(self.problem, b.latest_start),
                    b.duration_s,
                    False,
                    f"break {v.id}",
                )
                dim.SetBreakIntervalsOfVehicle([interval], k, visit)

    def _loads(self) -> None:
        per_node = [[0, 0, 0]] * self.hubs + [demands(s) for s in self.problem.stops]
        caps = [capacities(v) for v in self.problem.vehicles]
        for unit, name in enumerate(("parcels", "grams", "millilitres")):
            callback = self.routing.RegisterUnaryTransitVector([d[unit] for d in per_node])
            self.routing.AddDimensionWithVehicleCapacity(
                callback, 0, [c[unit] for c in caps], True, name
            )

    def sequences(self, solution: pywrapcp.Assignment) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for k, v in enumerate(self.problem.vehicles):
            index = solution.Value(self.routing.NextVar(self.routing.Start(k)))
            visits = []
            while not self.routing.IsEnd(index):
                visits.append(self.manager.IndexToNode(index) - self.hubs)
                index = solution.Value(self.routing.NextVar(index))
            out[v.id] = visits
        return out


def solve_ortools(
    problem: PlanningProblem,
    matrices: Mapping[VehicleType, TravelMatrix],
    service: Sequence[int],
    budget_s: float,
) -> SolverRun:
    """GLS from PATH_CHEAPEST_ARC within ``budget_s`` of wall time, model building included."""
    started = time.monotonic()
    model = _Model(problem, matrices, service)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    left = max(0.1, budget_s - (time.monotonic() - started))
    params.time_limit.FromMilliseconds(int(left * 1000))
    solution = model.routing.SolveWithParameters(params)
    status = model.routing.status()
    if solution is None:
        return SolverRun({}, f"no solution (routing status {status})")
    note = f"routing status {status}, model built in {budget_s - left:.1f} s"
    return SolverRun(model.sequences(solution), note)
