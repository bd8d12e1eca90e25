"""The planner's knobs, validated once so a bad setting fails before any solving starts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from doorstep.domain.errors import InvalidValue
from doorstep.planning.door_time import DoorTimeParams

MIN_PART_STOPS = 10  # smaller parts would be routes, not areas

LegFactor = Callable[[datetime], float]
"""Traffic multiplier on free-flow travel time for a leg starting at the given moment."""


def free_flow(_at: datetime) -> float:
    """No traffic: the matrix times as they are."""
    return 1.0


PhaseHook = Callable[[str], None]
"""Told the phase a planning call has entered: routing, checking, searching, scheduling."""


def quiet(_phase: str) -> None:
    """No one is watching the phases."""


def budget_left(params: PlannerParams, spent_s: float) -> PlannerParams:
    """The params with what the search may still spend after ``spent_s`` (matrices, for
    example), so the budget covers the whole call; never below a tenth of it, so a slow
    routing back-end still leaves the search a moment to improve the first plan."""
    left = max(params.time_budget_s - spent_s, params.time_budget_s / 10)
    return replace(params, time_budget_s=left)


@dataclass(frozen=True, slots=True)
class PlannerParams:
    """How long and how hard to search, and what a deferred parcel costs.

    ``time_budget_s`` is wall time for the whole call, model building and checks included.
    With ``max_iterations`` set, each search stops after that many iterations instead, so
    a given seed and worker count give the same plan on any machine (tests use this).
    ``deferral_penalty`` is what leaving one next-day parcel for tomorrow is worth avoiding,
    in the currency of vehicle costs: the solver drops it only when serving it costs more.
    ``promise_penalty`` is the same for a promised parcel (same-day, booked window or high
    priority). Promised stops are not hard constraints in the solver, so a day that cannot
    keep every promise still has a feasible plan to improve; each promised stop is worth
    its parcels times this plus the most any deferrable stop is worth, so no number of
    next-day parcels at one door ever outweighs a promise.
    ``solver_traffic_factor`` multiplies matrix times inside the solver; None takes the
    worst ``leg_factor`` over the shifts, so the time-dependent schedule recomputed after
    solving is never later than the solver assumed.
    ``part_stops`` is the most stops solved together: a bigger day is cut into parts
    (:mod:`doorstep.planning.decompose`), each with matrices over its own points only, so
    memory grows with the day rather than with its square.
    """

    time_budget_s: float = 10.0
    seed: int = 1
    workers: int = 2
    max_iterations: int | None = None
    deferral_penalty: float = 50.0
    promise_penalty: float = 500.0
    door_time: DoorTimeParams = field(default_factory=DoorTimeParams)
    solver_traffic_factor: float | None = None
    part_stops: int = 2000

    def __post_init__(self) -> None:
        if not self.time_budget_s > 0:
            raise InvalidValue("time_budget_s", "must be positive")
        if self.seed < 0:
            raise InvalidValue("seed", "must not be negative")
        if not 1 <= self.workers <= 64:
            raise InvalidValue("workers", "must be between 1 and 64")
        if self.max_iterations is not None and self.max_iterations <= 0:
            raise InvalidValue("max_iterations", "must be positive")
        if self.deferral_penalty < 0:
            raise InvalidValue("deferral_penalty", "must not be negative")
        if self.promise_penalty < self.deferral_penalty:
            raise InvalidValue("promise_penalty", "must not be less than deferral_penalty")
        if self.solver_traffic_factor is not None and self.solver_traffic_factor <= 0:
            raise InvalidValue("solver_traffic_factor", "must be positive")
        if self.part_stops < MIN_PART_STOPS:
            raise InvalidValue("part_stops", f"must be at least {MIN_PART_STOPS}")
