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
from doorstep.planning.model import Plan
from doorstep.planning.params import (
    LegFactor,
    PhaseHook,
    PlannerParams,
    budget_left,
    free_flow,
    quiet,
)
from doorstep.planning.plan_day import travel_matrices
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
) -> tuple[Plan, dict[VehicleType, TravelMatrix]]:
    """The plan and the matrices it was solved on; :class:`PlanInputError` for a point
    off the network (the hub named by its flag or fleet row, a stop by its order rows).
    Parcels without a point (unknown postcode) are in the plan as ``unroutable_address``.
    Orders outside the service area are refused here too, with the points off the
    network, so one run names them all. The budget covers the matrices too."""
    started = time.monotonic()
    problem = plan_input.problem
    on_phase("routing")
    try:
        matrices = travel_matrices(problem, provider)
    except UnroutablePoint as error:
        off = [_unroutable(plan_input, e) for e in error.every]
        raise PlanInputError([*plan_input.outside, *off]) from error
    if plan_input.outside:
        raise PlanInputError(plan_input.outside)
    params = budget_left(params, time.monotonic() - started)
    plan = solve(problem, matrices, params, leg_factor=leg_factor, on_phase=on_phase)
    plan = replace(plan, unassigned=plan.unassigned + plan_input.built.unplaceable)
    return plan, matrices


def _unroutable(plan_input: PlanInput, error: UnroutablePoint) -> InputProblem:
    problem = plan_input.problem
    where = f"({error.point.lat:.6f}, {error.point.lon:.6f}) cannot be reached: {error.reason}"
    if error.index < len(problem.hubs):
        hub = problem.hubs[error.index]
        return InputProblem(plan_input.hub_sources[hub.id], None, None, f"hub {where}")
    stop = problem.stops[error.index - len(problem.hubs)]
    rows = plan_input.stop_rows(stop.id)
    column = "postcode" if rows[0] in plan_input.geocoded_rows else "lat, lon"
    more = f" (rows {', '.join(map(str, rows))} share it)" if len(rows) > 1 else ""
    return InputProblem("orders", rows[0], column, f"the point {where}{more}")
