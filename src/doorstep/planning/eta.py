"""Predicted arrivals along the rest of a started route, and how far to trust them.

Pure: the caller (``services.eta``) reads the route, the courier's last position and the
travel matrix; this module only computes.

The prediction walks the remaining stops from where the courier is, each leg at the
speed of the traffic band it starts in (as :mod:`doorstep.geo.time_dependent` does for
plans), spending each stop's door time (:mod:`doorstep.planning.door_time`) and waiting
for a promised window to open. A courier is never predicted to arrive in the past: one
who should already be at the next door but has not said so is late from now on.

The trust is measured, not assumed: each announcement a customer was told carries its
prediction, and each stop done since tells the real arrival. The errors, relative to how
far ahead each prediction was made, give the route's bias (a courier slower than the
model, a street works detour) and spread, shrunk towards a prior while there are few of
them. The window is centred on the prediction plus the expected error at that horizon.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from doorstep.domain.model import VehicleType
from doorstep.geo.traffic import TrafficProfile

MIN_HORIZON_S = 300.0  # errors of predictions made closer than this say little of the rest
MAX_BIAS_RATE = 1.0  # a route twice as slow as the model is re-planned, not corrected


@dataclass(frozen=True, slots=True)
class RemainingStop:
    """A stop still to do: the free-flow seconds of the leg that reaches it, its door
    time, and the promised window's opening (the courier waits for it), if any."""

    stop_id: str
    leg_free_flow_s: float
    door_time_s: float
    opens_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.leg_free_flow_s < 0 or self.door_time_s < 0:
            raise ValueError(f"stop {self.stop_id}: durations must not be negative")


@dataclass(frozen=True, slots=True)
class Departure:
    """Where the walk starts: the courier's last known moment (a ping, or a stop done) and,
    when standing at a door, until when they are busy there."""

    at: datetime
    busy_until: datetime | None = None


def predict_arrivals(
    departure: Departure,
    stops: Sequence[RemainingStop],
    *,
    now: datetime,
    traffic: TrafficProfile,
    profile: VehicleType = VehicleType.VAN,
) -> list[datetime]:
    """The predicted arrival at each of ``stops``, in order (UTC): when the courier rings,
    so at a promised window's opening if they would be there before it."""
    if now.tzinfo is None or departure.at.tzinfo is None:
        raise ValueError("times need a timezone")
    clock = departure.at.astimezone(UTC)
    if departure.busy_until is not None:
        clock = max(clock, departure.busy_until.astimezone(UTC), now.astimezone(UTC))
    arrivals: list[datetime] = []
    for stop in stops:
        clock += timedelta(seconds=stop.leg_free_flow_s / traffic.factor(clock, profile))
        clock = max(clock, now.astimezone(UTC))
        if stop.opens_at is not None and stop.opens_at > clock:
            clock = stop.opens_at.astimezone(UTC)
        arrivals.append(clock)
        clock += timedelta(seconds=stop.door_time_s)
    return arrivals


def remaining_fraction(to_next_m: float, from_previous_to_next_m: float) -> float:
    """How much of a leg is still ahead of a courier seen ``to_next_m`` from the next stop
    on a leg ``from_previous_to_next_m`` long (straight lines, so a ratio only), in [0, 1]."""
    if from_previous_to_next_m <= 0:
        return 0.0 if to_next_m <= 50 else 1.0
    return min(1.0, max(0.0, to_next_m / from_previous_to_next_m))


@dataclass(frozen=True, slots=True)
class Observation:
    """One prediction checked: how far ahead it was made, and actual minus predicted."""

    horizon_s: float
    error_s: float


@dataclass(frozen=True, slots=True)
class ErrorPrior:
    """What is assumed before a route has shown its own errors.

    ``spread_rate`` 0.15: a prediction an hour ahead is off by about 9 minutes (one
    standard deviation), two hours ahead by 18, which is what ``benchmarks/eta.py`` measures
    with door times and legs drawn around the model. ``floor_s``: even the next door is a
    few minutes uncertain (parking, a slow answer). ``weight``: the prior counts as that
    many observations, so one odd stop cannot swing the windows.
    """

    bias_rate: float = 0.0
    spread_rate: float = 0.15
    floor_s: float = 180.0
    weight: float = 5.0


@dataclass(frozen=True, slots=True)
class ErrorModel:
    """Expected error and its spread at a horizon, both in seconds."""

    bias_rate: float
    spread_rate: float
    floor_s: float
    observations: int

    def mean_s(self, horizon_s: float) -> float:
        return self.bias_rate * max(0.0, horizon_s)

    def spread_s(self, horizon_s: float) -> float:
        return math.hypot(self.spread_rate * max(0.0, horizon_s), self.floor_s)


def error_model(observations: Sequence[Observation], prior: ErrorPrior | None = None) -> ErrorModel:
    """The route's bias and spread per second of horizon, shrunk towards ``prior``."""
    prior = prior or ErrorPrior()
    rates = [o.error_s / o.horizon_s for o in observations if o.horizon_s >= MIN_HORIZON_S]
    n = len(rates)
    weight = prior.weight
    bias = (prior.bias_rate * weight + sum(rates)) / (weight + n)
    bias = min(MAX_BIAS_RATE, max(-MAX_BIAS_RATE, bias))
    squares = sum((r - bias) ** 2 for r in rates)
    spread = math.sqrt((prior.spread_rate**2 * weight + squares) / (weight + n))
    return ErrorModel(bias_rate=bias, spread_rate=spread, floor_s=prior.floor_s, observations=n)


def window_centre(predicted: datetime, now: datetime, model: ErrorModel) -> datetime:
    """Where the window goes: the prediction moved by the error expected that far ahead."""
    horizon = (predicted - now).total_seconds()
    return predicted + timedelta(seconds=model.mean_s(horizon))
