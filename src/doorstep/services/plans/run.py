"""Solve a :class:`PlanInput`: travel matrices, traffic by time of day, and the plan.

This is :func:`doorstep.planning.plan_day` with one difference: a stop the road network
cannot reach is an *input error* naming its CSV row (someone typed a wrong coordinate),
not a quiet ``unroutable_address`` line in the output. The matrices are returned with
the plan so a caller can re-check it with :func:`doorstep.planning.check_plan`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from doorstep.domain.model import VehicleType
from doorstep.geo.provider import TravelMatrix, TravelTimeProvider, UnroutablePoint
from doorstep.geo.traffic import TrafficProfile
from doorstep.planning.decompose import split_day
from doorstep.planning.model import Plan, PlanningProblem
from doorstep.planning.params import (
    LegFactor,
    PhaseHook,
    PlannerParams,
    budget_left,
    free_flow,
    quiet,
)
from doorstep.planning.plan_day import Routed, solve_in_parts, travel_matrices
from doorstep.planning.solve import solve
from doorstep.services.plans.from_files import InputProblem, PlanInput, PlanInputError


def traffic_leg_factor(
    traffic: TrafficProfile, departure: datetime, vehicle_types: Iterable[VehicleType]
) -> LegFactor:
    """The planner's leg multiplier, relative to the band the matrices were made in.

    Providers apply the departure's band (a matrix is ``free_flow / f(departure)``); a
    leg starting at ``t`` should take ``free_flow / f(t)``, so it is the matrix time times
    ``f(departure) / f(t)``. The planner has one multiplier for all vehicles, so it
    follows the first profile traffic slows (vans); in a mixed fleet, bikes then get the
    vans' relative change between bands (within about 15% in the London defaults).
    """
    slowed = [v for v in sorted(set(vehicle_types)) if v in traffic.affects]
    if not slowed:
        return free_flow
    profile = slowed[0]
    at_departure = traffic.factor(departure, profile)

    def factor(moment: datetime) -> float:
        return at_departure / traffic.factor(moment, profile)

    return factor


def solve_input(
    plan_input: PlanInput,
    provider: TravelTimeProvider,
    params: PlannerParams,
    *,
    leg_factor: LegFactor = free_flow,
    on_phase: PhaseHook = quiet,
) -> tuple[Plan, dict[VehicleType, TravelMatrix] | None]:
    """The plan and the matrices it was solved on (None for a day solved in parts: no
    one matrix covers it); :class:`PlanInputError` for a point off the network (the hub
    named by its flag or fleet row, a stop by its order rows). Parcels without a point
    (unknown postcode) are in the plan as ``unroutable_address``. Orders outside the
    service area are refused here too, with the points off the network, so one run names
    them all. The budget covers the matrices too."""
    started = time.monotonic()
    problem = plan_input.problem
    parts = split_day(problem, params.part_stops)
    on_phase("routing")
    routed: dict[int, dict[VehicleType, TravelMatrix]] = {}
    off: list[InputProblem] = []
    for part in parts:
        # A part no vehicle was shared to is still checked on every profile of the day.
        profiles = part.profiles() or problem.profiles()
        try:
            routed[id(part)] = travel_matrices(part, provider, profiles)
        except UnroutablePoint as error:
            off += [_unroutable(plan_input, part, e) for e in error.every]
    if off or plan_input.outside:
        raise PlanInputError([*plan_input.outside, *off])
    if len(parts) > 1:

        def route(part: PlanningProblem) -> Routed:
            matrices = routed.pop(id(part), None)
            return part, matrices or travel_matrices(part, provider), []

        plan = solve_in_parts(
            problem, parts, route, params, leg_factor=leg_factor, on_phase=on_phase,
            started=started,
        )  # fmt: skip
        return _with_unplaceable(plan, plan_input), None
    matrices = routed[id(problem)]
    params = budget_left(params, time.monotonic() - started)
    plan = solve(problem, matrices, params, leg_factor=leg_factor, on_phase=on_phase)
    return _with_unplaceable(plan, plan_input), matrices


def _with_unplaceable(plan: Plan, plan_input: PlanInput) -> Plan:
    return replace(plan, unassigned=plan.unassigned + plan_input.built.unplaceable)


def _unroutable(
    plan_input: PlanInput, problem: PlanningProblem, error: UnroutablePoint
) -> InputProblem:
    where = f"({error.point.lat:.6f}, {error.point.lon:.6f}) cannot be reached: {error.reason}"
    if error.index < len(problem.hubs):
        hub = problem.hubs[error.index]
        return InputProblem(plan_input.hub_sources[hub.id], None, None, f"hub {where}")
    stop = problem.stops[error.index - len(problem.hubs)]
    rows = plan_input.stop_rows(stop.id)
    column = "postcode" if rows[0] in plan_input.geocoded_rows else "lat, lon"
    more = f" (rows {', '.join(map(str, rows))} share it)" if len(rows) > 1 else ""
    return InputProblem("orders", rows[0], column, f"the point {where}{more}")
