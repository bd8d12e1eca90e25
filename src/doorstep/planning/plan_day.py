"""One call from parcels, fleet and a travel-time back-end to a plan, in parts when big."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from doorstep.domain.model import VehicleType
from doorstep.geo.provider import TravelMatrix, TravelTimeProvider, UnroutablePoint
from doorstep.planning.check import Violation, check_coverage, check_plan
from doorstep.planning.decompose import leftover_part, merge, split_day
from doorstep.planning.door_time import DoorTimeParams
from doorstep.planning.model import Plan, PlanningProblem, Unassigned, UnassignedReason
from doorstep.planning.params import (
    LegFactor,
    PhaseHook,
    PlannerParams,
    budget_left,
    free_flow,
    quiet,
)
from doorstep.planning.solve import solve

Matrices = dict[VehicleType, TravelMatrix]
Routed = tuple[PlanningProblem, Matrices, list[Unassigned]]
"""A part ready to solve: the part (less what cannot be routed), its matrices, and the
stops taken out as unroutable."""

# The share of a parted day's budget kept for offering what the parts left out to the
# vehicles no part used.
_LEFTOVER_SHARE = 0.1
_MIN_PART_BUDGET_S = 0.5


def travel_matrices(
    problem: PlanningProblem,
    provider: TravelTimeProvider,
    profiles: Sequence[VehicleType] | None = None,
) -> Matrices:
    """One matrix per vehicle profile in use (or per one of ``profiles``), over
    ``problem.points()``."""
    points = problem.points()
    wanted = problem.profiles() if profiles is None else profiles
    return {p: provider.matrix(points, p, problem.departure) for p in wanted}


def routable_matrices(problem: PlanningProblem, provider: TravelTimeProvider) -> Routed:
    """The matrices of the problem without the stops the back-end cannot place on its
    network (returned as ``unroutable_address``); an unroutable hub is a ValueError."""
    unroutable: list[Unassigned] = []
    while True:
        try:
            return problem, travel_matrices(problem, provider), unroutable
        except UnroutablePoint as error:
            off: set[str] = set()
            for point in error.every:
                index = point.index - len(problem.hubs)
                if index < 0:
                    hub = problem.hubs[point.index]
                    raise ValueError(f"hub {hub.id}: cannot be routed ({point.reason})") from error
                stop = problem.stops[index]
                off.add(stop.id)
                unroutable.append(
                    Unassigned(stop.id, stop.parcel_ids, UnassignedReason.UNROUTABLE_ADDRESS)
                )
            problem = problem.replace_stops(s for s in problem.stops if s.id not in off)


def plan_day(
    problem: PlanningProblem,
    provider: TravelTimeProvider,
    params: PlannerParams | None = None,
    *,
    leg_factor: LegFactor = free_flow,
    on_phase: PhaseHook = quiet,
) -> Plan:
    """Routes for the day. A stop the back-end cannot place on its network is reported
    ``unroutable_address`` and the rest is planned; an unroutable hub is an error. The
    budget covers the whole call, matrices included; a day of more than
    ``params.part_stops`` stops is planned in parts within it."""
    started = time.monotonic()
    params = params or PlannerParams()
    parts = split_day(problem, params.part_stops)
    if len(parts) > 1:
        return solve_in_parts(
            problem, parts, lambda part: routable_matrices(part, provider), params,
            leg_factor=leg_factor, on_phase=on_phase, started=started,
        )  # fmt: skip
    on_phase("routing")
    problem, matrices, unroutable = routable_matrices(problem, provider)
    params = budget_left(params, time.monotonic() - started)  # the budget covers routing
    plan = solve(problem, matrices, params, leg_factor=leg_factor, on_phase=on_phase)
    return replace(plan, unassigned=plan.unassigned + tuple(unroutable))


def solve_in_parts(
    problem: PlanningProblem,
    parts: Sequence[PlanningProblem],
    route: Callable[[PlanningProblem], Routed],
    params: PlannerParams,
    *,
    leg_factor: LegFactor = free_flow,
    on_phase: PhaseHook = quiet,
    started: float,
) -> Plan:
    """Each part routed and solved in turn with a budget in proportion to its stops (the
    routing counted in it), then what they left out offered to the vehicles no part used;
    one plan, within ``params.time_budget_s`` from ``started``. Only one part's matrices
    need be alive at a time, which is the point."""
    deadline = started + params.time_budget_s
    reserve = _LEFTOVER_SHARE * params.time_budget_s
    waiting = sum(len(p.stops) for p in parts)
    plans: list[Plan] = []
    for number, part in enumerate(parts, 1):
        share = (deadline - reserve - time.monotonic()) * len(part.stops) / max(waiting, 1)
        waiting -= len(part.stops)
        label = f"part {number}/{len(parts)}"
        plans.append(
            _solve_part(part, route, params, share, leg_factor, _labelled(on_phase, label))
        )
    extra = leftover_part(problem, plans, params.part_stops)
    retried = None
    if extra is not None:
        share = deadline - time.monotonic()
        label = f"left-out {len(extra.stops)} stops"
        retried = _solve_part(extra, route, params, share, leg_factor, _labelled(on_phase, label))
    return merge(plans, retried)


def _solve_part(
    part: PlanningProblem,
    route: Callable[[PlanningProblem], Routed],
    params: PlannerParams,
    budget_s: float,
    leg_factor: LegFactor,
    on_phase: PhaseHook,
) -> Plan:
    began = time.monotonic()
    on_phase("routing")
    routed, matrices, unroutable = route(part)
    own = budget_left(
        replace(params, time_budget_s=max(budget_s, _MIN_PART_BUDGET_S)),
        time.monotonic() - began,
    )
    plan = solve(routed, matrices, own, leg_factor=leg_factor, on_phase=on_phase)
    return replace(plan, unassigned=plan.unassigned + tuple(unroutable))


def _labelled(on_phase: PhaseHook, label: str) -> PhaseHook:
    return lambda phase: on_phase(f"{label}: {phase}")


def check_plan_by_route(
    problem: PlanningProblem,
    plan: Plan,
    provider: TravelTimeProvider,
    *,
    door_time: DoorTimeParams | None = None,
    leg_factor: LegFactor = free_flow,
) -> list[Violation]:
    """:func:`check_plan` without a matrix over the whole day: coverage over the day,
    then each route against matrices over its own stops, so a 20,000-stop plan is checked
    in the memory of its longest route."""
    found = check_coverage(problem, plan)
    vehicles = {v.id: v for v in problem.vehicles}
    stops = {s.id: s for s in problem.stops}
    for route in plan.routes:
        vehicle = vehicles.get(route.vehicle_id)
        if vehicle is None:
            found.append(Violation("vehicle", route.vehicle_id, "not in the fleet"))
            continue
        own = tuple(stops[s.stop_id] for s in route.stops if s.stop_id in stops)
        alone = replace(problem, stops=own, vehicles=(vehicle,))
        found += check_plan(
            alone, Plan((route,)), travel_matrices(alone, provider),
            door_time=door_time, leg_factor=leg_factor,
        )  # fmt: skip
    return found
