"""Arrival times along an ordered route, each leg at the speed of the band it starts in.

The planner optimises with one matrix per route (the band of the route's departure);
an ETA told to a customer should instead reflect that a van leaving the hub at 06:30
is in the AM peak by 07:30. So, once the order of stops is fixed, we walk the route:
a leg's free-flow time is divided by the speed factor of the band at the moment the
leg starts. A leg that crosses a band boundary keeps its starting band; legs between
neighbouring drops are short enough that this matters little.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from doorstep.domain.model import VehicleType
from doorstep.geo.traffic import TrafficProfile


@dataclass(frozen=True, slots=True)
class Timeline:
    """``arrivals[k]``/``departures[k]`` at the k-th stop after the start."""

    arrivals: tuple[datetime, ...]
    departures: tuple[datetime, ...]


def timeline(
    legs_free_flow_s: Sequence[float],
    start: datetime,
    traffic: TrafficProfile,
    service_times: Sequence[float],
    profile: VehicleType = VehicleType.VAN,
    not_before: Sequence[datetime | None] | None = None,
) -> Timeline:
    """Leg k runs from stop k-1 (the start for k = 0) to stop k.

    ``service_times[k]`` (seconds) is spent at stop k before leaving; ``not_before[k]``,
    when given, makes the courier wait for the opening of a time window.
    """
    if len(service_times) != len(legs_free_flow_s):
        raise ValueError("service_times: need one per leg")
    if not_before is not None and len(not_before) != len(legs_free_flow_s):
        raise ValueError("not_before: need one per leg (None where there is no window)")
    if start.tzinfo is None:
        raise ValueError("start needs a timezone")
    arrivals: list[datetime] = []
    departures: list[datetime] = []
    # Count in UTC: adding a timedelta to a Europe/London time adds wall-clock time,
    # which is an hour off across a clock change. Results go back to start's zone.
    zone, clock = start.tzinfo, start.astimezone(UTC)
    for k, free_flow in enumerate(legs_free_flow_s):
        if free_flow < 0 or service_times[k] < 0:
            raise ValueError(f"leg {k}: durations must not be negative")
        clock = clock + timedelta(seconds=free_flow / traffic.factor(clock, profile))
        arrivals.append(clock.astimezone(zone))
        opening = not_before[k] if not_before is not None else None
        if opening is not None and opening > clock:
            clock = opening.astimezone(UTC)
        clock = clock + timedelta(seconds=service_times[k])
        departures.append(clock.astimezone(zone))
    return Timeline(arrivals=tuple(arrivals), departures=tuple(departures))
