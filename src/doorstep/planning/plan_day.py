"""One call from parcels, fleet and a travel-time back-end to a plan."""

from __future__ import annotations

from dataclasses import replace

from doorstep.domain.model import VehicleType
from doorstep.geo.provider import TravelMatrix, TravelTimeProvider, UnroutablePoint
from doorstep.planning.model import Plan, PlanningProblem, Unassigned, UnassignedReason
from doorstep.planning.params import LegFactor, PlannerParams, free_flow
from doorstep.planning.solve import solve


def travel_matrices(
    problem: PlanningProblem, provider: TravelTimeProvider
) -> dict[VehicleType, TravelMatrix]:
    """One matrix per vehicle profile in use, over ``problem.points()``."""
    points = problem.points()
    return {p: provider.matrix(points, p, problem.departure) for p in problem.profiles()}


def routable_matrices(
    problem: PlanningProblem, provider: TravelTimeProvider
) -> tuple[PlanningProblem, dict[VehicleType, TravelMatrix], list[Unassigned]]:
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
) -> Plan:
    """Routes for the day. A stop the back-end cannot place on its network is reported
    ``unroutable_address`` and the rest is planned; an unroutable hub is an error."""
    problem, matrices, unroutable = routable_matrices(problem, provider)
    plan = solve(problem, matrices, params, leg_factor=leg_factor)
    return replace(plan, unassigned=plan.unassigned + tuple(unroutable))
