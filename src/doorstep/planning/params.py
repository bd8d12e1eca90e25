"""The planner's knobs, validated once so a bad setting fails before any solving starts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from doorstep.domain.errors import InvalidValue
from doorstep.planning.door_time import DoorTimeParams

LegFactor = Callable[[datetime], float]
"""Traffic multiplier on free-flow travel time for a leg starting at the given moment."""


def free_flow(_at: datetime) -> float:
    """No traffic: the matrix times as they are."""
    return 1.0


@dataclass(frozen=True, slots=True)
class PlannerParams:
    """How long and how hard to search, and what a deferred parcel costs.

    ``time_budget_s`` is wall time for the whole call, model building and checks included.
    With ``max_iterations`` set, each search stops after that many iterations instead, so
    a given seed and worker count give the same plan on any machine (tests use this).
    ``deferral_penalty`` is what leaving one next-day parcel for tomorrow is worth avoiding,
    in the currency of vehicle costs: the solver drops it only when serving it costs more.
    ``solver_traffic_factor`` multiplies matrix times inside the solver; None takes the
    worst ``leg_factor`` over the shifts, so the time-dependent schedule recomputed after
    solving is never later than the solver assumed.
    """

    time_budget_s: float = 10.0
    seed: int = 1
    workers: int = 2
    max_iterations: int | None = None
    deferral_penalty: float = 50.0
    door_time: DoorTimeParams = field(default_factory=DoorTimeParams)
    solver_traffic_factor: float | None = None

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
        if self.solver_traffic_factor is not None and self.solver_traffic_factor <= 0:
            raise InvalidValue("solver_traffic_factor", "must be positive")
