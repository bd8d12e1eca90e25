"""Re-plan the rest of a running day from where the couriers are now.

Completed stops leave the problem. A stop being served stays with its courier: the
vehicle's route restarts at that stop's door once its door time is over, which fixes it
as the first stop without asking the solver to choose it. Every other open stop is
re-planned across the fleet, so a late courier's next drops can move to a neighbour.
The default budget (1.5 s) keeps a 150-stop, 5-route day under 2 s end to end
(``python -m benchmarks.reoptimise`` measures it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import GeoPoint
from doorstep.geo.provider import TravelTimeProvider
from doorstep.planning.door_time import door_time_s
from doorstep.planning.model import Plan, PlanningHub, PlanningProblem, PlanningVehicle
from doorstep.planning.params import LegFactor, PlannerParams, free_flow
from doorstep.planning.plan_day import plan_day

REOPTIMISE_PARAMS = PlannerParams(time_budget_s=1.5)


@dataclass(frozen=True, slots=True)
class CourierState:
    """Where one courier is and what is behind them."""

    vehicle_id: str
    position: GeoPoint
    completed: tuple[str, ...] = ()
    in_progress: str | None = None
    break_taken: bool = False


def remaining_problem(
    problem: PlanningProblem,
    states: Mapping[str, CourierState],
    now: datetime,
    params: PlannerParams = REOPTIMISE_PARAMS,
) -> PlanningProblem:
    """The problem still to solve at ``now``: open stops, couriers starting where they are."""
    stops = {s.id: s for s in problem.stops}
    vehicles = {v.id: v for v in problem.vehicles}
    for vehicle_id, state in states.items():
        if vehicle_id not in vehicles:
            raise InvalidValue(f"states[{vehicle_id}]", "no such vehicle in the problem")
        for sid in (*state.completed, *([state.in_progress] if state.in_progress else [])):
            if sid not in stops:
                raise InvalidValue(f"states[{vehicle_id}]", f"unknown stop {sid!r}")
    closed = {sid for st in states.values() for sid in st.completed}
    closed |= {st.in_progress for st in states.values() if st.in_progress}
    hubs = list(problem.hubs)
    fleet: list[PlanningVehicle] = []
    for v in problem.vehicles:
        if v.shift_end <= now:
            continue  # that courier has gone home
        current = states.get(v.id)
        if current is None:
            fleet.append(replace(v, shift_start=max(v.shift_start, now)))
            continue
        start, point = now, current.position
        if current.in_progress:
            serving = stops[current.in_progress]
            point = serving.point
            start = now + timedelta(seconds=door_time_s(serving, params.door_time))
        hub = PlanningHub(f"now_{v.id}", point)
        hubs.append(hub)
        fleet.append(_restart(v, hub.id, start, current.break_taken))
    open_stops = tuple(s for s in problem.stops if s.id not in closed)
    return PlanningProblem(problem.date, now, tuple(hubs), open_stops, tuple(fleet))


def _restart(v: PlanningVehicle, hub: str, start: datetime, break_taken: bool) -> PlanningVehicle:
    used = (start - v.shift_start).total_seconds()
    limit = v.max_route_duration_s
    return replace(
        v,
        start_hub=hub,
        shift_start=min(start, v.shift_end - timedelta(seconds=1)),
        break_=None if break_taken else v.break_,
        max_route_duration_s=None if limit is None else max(1, int(limit - max(0.0, used))),
    )


def reoptimise(
    problem: PlanningProblem,
    states: Mapping[str, CourierState],
    now: datetime,
    provider: TravelTimeProvider,
    params: PlannerParams = REOPTIMISE_PARAMS,
    *,
    leg_factor: LegFactor = free_flow,
) -> Plan:
    """A new plan for every open stop; completed and in-progress stops are not in it."""
    return plan_day(remaining_problem(problem, states, now, params), provider, params,
                    leg_factor=leg_factor)  # fmt: skip
