"""``solve``: a planning problem and its travel matrices in, a checked-shape Plan out.

Pure apart from the wall clock it is allowed to spend: no I/O, no globals, the seed is
explicit. Steps: door times, pre-check (reasoned rejections), PyVRP model, parallel
search, then the schedule on the clock with traffic and breaks, repairing any route that
traffic pushed past a window so every returned plan keeps its promises.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from doorstep.domain.model import Capacity, VehicleType
from doorstep.geo.provider import TravelMatrix
from doorstep.planning.door_time import door_time_s
from doorstep.planning.emissions import co2_kg
from doorstep.planning.left_out import LeftOut
from doorstep.planning.model import (
    Load,
    Plan,
    PlanningProblem,
    PlanningVehicle,
    Route,
    Unassigned,
    UnassignedReason,
)
from doorstep.planning.params import LegFactor, PhaseHook, PlannerParams, free_flow, quiet
from doorstep.planning.precheck import precheck
from doorstep.planning.pyvrp_model import Prizes, SolverModel, build_model, route_start_s
from doorstep.planning.schedule import RouteInputs, drop_keeping_trips, repair
from doorstep.planning.search import Found, SearchPlan, rounds_for, search

# Kept back from the budget for collecting results, reading the solution and scheduling
# routes; the share of the budget covers a busy machine descheduling the searches near
# the deadline (measured: up to 0.19 s past a 1 s budget at load average 13 without it).
_FINISH_RESERVE_S = 0.03
_FINISH_RESERVE_PER_STOP_S = 0.0003
_FINISH_RESERVE_SHARE = 0.03


def solve(
    problem: PlanningProblem,
    matrices: Mapping[VehicleType, TravelMatrix],
    params: PlannerParams | None = None,
    *,
    leg_factor: LegFactor = free_flow,
    on_phase: PhaseHook = quiet,
) -> Plan:
    """Routes for the problem; ``matrices`` cover ``problem.points()`` for each profile."""
    started = time.monotonic()
    on_phase("checking")
    params = params or PlannerParams()
    if not problem.vehicles:
        reason = UnassignedReason.NO_FEASIBLE_ROUTE
        return Plan((), tuple(Unassigned(s.id, s.parcel_ids, reason) for s in problem.stops))
    service = [door_time_s(s, params.door_time) for s in problem.stops]
    kept, unassigned = precheck(problem, matrices, service)
    if not kept:
        return Plan((), tuple(unassigned))
    factor = params.solver_traffic_factor or worst_factor(problem.vehicles, leg_factor)
    prizes = Prizes.of(problem, kept, params.deferral_penalty, params.promise_penalty)
    model = build_model(problem, kept, matrices, service, factor, prizes)
    reserve = (
        _FINISH_RESERVE_S
        + _FINISH_RESERVE_PER_STOP_S * len(kept)
        + _FINISH_RESERVE_SHARE * params.time_budget_s
    )
    deadline = started + params.time_budget_s - reserve
    iterations = params.max_iterations
    rounds = 1 if iterations else rounds_for(params.workers, deadline - time.monotonic(), len(kept))
    limit = None if iterations else deadline
    plan = SearchPlan(params.seed, params.workers, limit, iterations, rounds, model.penalties)
    on_phase("searching")
    found = search(model.data, plan)
    on_phase("scheduling")
    inputs = _Decoded(problem, matrices, service, leg_factor)
    return inputs.plan(model, found, kept, unassigned)


def timed_route(
    problem: PlanningProblem,
    matrices: Mapping[VehicleType, TravelMatrix],
    vehicle: PlanningVehicle,
    sequence: Sequence[int],
    start: datetime,
    params: PlannerParams,
    *,
    leg_factor: LegFactor = free_flow,
) -> tuple[Route | None, list[int]]:
    """One vehicle's route for a given order of stops (indices into ``problem.stops``),
    timed, costed and repaired as :func:`solve` does: the route (None when no stop is
    left) and the stops dropped because they no longer fit (capacity, window, shift)."""
    service = [door_time_s(s, params.door_time) for s in problem.stops]
    return _Decoded(problem, matrices, service, leg_factor).route(vehicle, list(sequence), start)


def worst_factor(vehicles: Sequence[PlanningVehicle], leg_factor: LegFactor) -> float:
    """The largest traffic factor over all shifts, sampled every 15 minutes."""
    worst = 1.0 if leg_factor is free_flow else 0.0
    for v in vehicles:
        moment = v.shift_start
        while moment <= v.shift_end:
            worst = max(worst, leg_factor(moment))
            moment += timedelta(minutes=15)
    return worst if worst > 0 else 1.0


class _Decoded:
    """Turns the solver's client sequences into timed, costed, repaired routes."""

    def __init__(
        self,
        problem: PlanningProblem,
        matrices: Mapping[VehicleType, TravelMatrix],
        service: Sequence[int],
        leg_factor: LegFactor,
    ) -> None:
        self.problem = problem
        self.matrices = matrices
        self.service = service
        self.leg_factor = leg_factor

    def plan(
        self, model: SolverModel, found: Found, kept: list[int], unassigned: list[Unassigned]
    ) -> Plan:
        vehicles = {v.id: v for v in self.problem.vehicles}
        routes: list[Route] = []
        routed: set[int] = set()
        dropped: list[int] = []
        used_per_type = [0] * len(model.type_vehicles)
        starts = _start_times(self.problem, model, found)
        for (vehicle_type, clients), start in zip(found.routes, starts, strict=True):
            vehicle_id = model.type_vehicles[vehicle_type][used_per_type[vehicle_type]]
            used_per_type[vehicle_type] += 1
            sequence, trips = _trips(model, clients)
            route, lost = self.route(vehicles[vehicle_id], sequence, start, trips)
            dropped.extend(lost)
            routed.update(i for i in sequence if i not in lost)
            if route is not None:
                routes.append(route)
        judge = LeftOut(self.problem, self.matrices, self.service, routes)
        for i in kept:
            if i in routed:
                continue
            stop = self.problem.stops[i]
            if i in dropped:
                late = "late once traffic and the break were timed on its route"
                unassigned.append(
                    Unassigned(stop.id, stop.parcel_ids, UnassignedReason.NO_FEASIBLE_ROUTE, late)
                )
                continue
            verdict = judge.verdict(i)
            unassigned.append(Unassigned(stop.id, stop.parcel_ids, verdict.reason, verdict.detail))
        return Plan(tuple(routes), tuple(unassigned))

    def route(
        self,
        vehicle: PlanningVehicle,
        sequence: list[int],
        start: datetime,
        reload_before: frozenset[int] = frozenset(),
    ) -> tuple[Route | None, list[int]]:
        trips = set(reload_before)
        sequence, lost = _fit_capacity(self.problem, vehicle, sequence, trips)
        durations = self.matrices[vehicle.vehicle_type].durations_s
        inputs = RouteInputs(
            self.problem, vehicle, sequence, durations, self.service, self.leg_factor,
            frozenset(trips),
        )  # fmt: skip
        start, timeline, late = repair(inputs, start)
        lost += late
        if not timeline.stops:
            return None, lost
        routed_ids = {s.stop_id for s in timeline.stops}
        sequence = [i for i in sequence if self.problem.stops[i].id in routed_ids]
        reloaded = {r.after_stop for r in timeline.reloads}
        n_hubs = len(self.problem.hubs)
        home = self.problem.hub_index(vehicle.start_hub)
        nodes = [home]
        for i in sequence:
            nodes.append(n_hubs + i)
            if self.problem.stops[i].id in reloaded:
                nodes.append(home)
        nodes.append(self.problem.hub_index(vehicle.end_hub))
        metres = self.matrices[vehicle.vehicle_type].distances_m
        distance = int(sum(int(metres[a, b]) for a, b in itertools.pairwise(nodes)))
        hours = (timeline.end - start).total_seconds() / 3600
        stops = [self.problem.stops[i] for i in sequence]
        load = Load(
            sum(s.parcel_count for s in stops),
            sum(s.weight_kg for s in stops),
            sum(s.volume_litres for s in stops),
        )
        route = Route(
            vehicle_id=vehicle.id,
            start_hub=vehicle.start_hub,
            end_hub=vehicle.end_hub,
            start=start,
            end=timeline.end,
            stops=timeline.stops,
            distance_m=distance,
            load=load,
            co2_kg=co2_kg(distance, vehicle.vehicle_type, vehicle.co2_kg_per_km),
            cost=vehicle.fixed_cost
            + vehicle.cost_per_km * distance / 1000
            + vehicle.cost_per_hour * hours,
            break_=timeline.break_,
            reloads=timeline.reloads,
        )
        return route, lost


def _start_times(problem: PlanningProblem, model: SolverModel, found: Found) -> list[datetime]:
    """Departure from the hub as PyVRP scheduled it (late enough to avoid idle waiting)."""
    return [
        problem.departure + timedelta(seconds=route_start_s(model, vehicle_type, clients))
        for vehicle_type, clients in found.routes
    ]


def _trips(model: SolverModel, visits: Sequence[int]) -> tuple[list[int], frozenset[int]]:
    """Stop indices in visiting order, and the stops that begin a trip after a reload."""
    sequence: list[int] = []
    reload_before: set[int] = set()
    reloading = False
    for visit in visits:
        if visit < 0:
            reloading = bool(sequence)
            continue
        stop = model.client_stop[visit]
        if reloading:
            reload_before.add(stop)
            reloading = False
        sequence.append(stop)
    return sequence, frozenset(reload_before)


def _fit_capacity(
    problem: PlanningProblem, vehicle: PlanningVehicle, sequence: list[int], trips: set[int]
) -> tuple[list[int], list[int]]:
    """Drop each trip's last stops while it is over capacity (only if the solver returned
    an overload); ``trips`` (the stops that begin a trip) is kept up to date."""
    kept = list(sequence)
    lost: list[int] = []
    cap = vehicle.capacity
    while True:
        over = _overloaded_trip_end(problem, kept, trips, cap)
        if over is None:
            return kept, lost
        lost.append(drop_keeping_trips(kept, trips, over))


def _overloaded_trip_end(
    problem: PlanningProblem, sequence: list[int], trips: set[int], cap: Capacity
) -> int | None:
    """The position of the last stop of the first trip over capacity, if any."""
    begin = 0
    for end in range(1, len(sequence) + 1):
        if end < len(sequence) and sequence[end] not in trips:
            continue
        stops = [problem.stops[i] for i in sequence[begin:end]]
        if (
            sum(s.parcel_count for s in stops) > cap.parcels
            or sum(s.weight_kg for s in stops) > cap.weight_kg + 1e-9
            or sum(s.volume_litres for s in stops) > cap.volume_litres + 1e-9
        ):
            return end - 1
        begin = end
    return None
