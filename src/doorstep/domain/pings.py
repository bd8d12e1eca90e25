"""A courier's positions ("pings"): what one may hold, checked here and nowhere else.

While a route is under way the courier's phone records where it is and sends the
positions in batches. A batch is taken whole or refused whole, and a refusal names the
first bad value by its place in the batch (``pings[3].lat``), the same path the HTTP body
has, so the app can say which reading was wrong. Positions are personal data: they are
kept for a limited time (``ping_retention_days``), so one already older than that is
refused rather than stored only to be purged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from doorstep.domain import calendar
from doorstep.domain.errors import InvalidValue

MAX_BATCH = 100
"""Pings per request. A phone that was offline for long sends several batches."""
DEFAULT_RETENTION_DAYS = 30
"""How long positions are kept unless ``DOORSTEP_PING_RETENTION_DAYS`` says otherwise."""


@dataclass(frozen=True, slots=True)
class Ping:
    """One position reading, as the device took it (``at`` is the device's clock)."""

    at: datetime
    lat: float
    lon: float
    accuracy_m: float
    speed_mps: float | None = None
    heading_deg: float | None = None


def check_batch(pings: Sequence[Ping], now: datetime, retention: timedelta) -> None:
    """Refuse the batch (:class:`InvalidValue` naming the first bad field) unless it holds
    1 to :data:`MAX_BATCH` pings, each possible on Earth and taken between ``retention``
    before ``now`` and a clock's drift after it."""
    if not 1 <= len(pings) <= MAX_BATCH:
        raise InvalidValue("pings", f"must hold 1 to {MAX_BATCH} positions, not {len(pings)}")
    oldest = now - retention
    for index, ping in enumerate(pings):
        if (problem := ping_problem(ping, now, oldest)) is not None:
            name, reason = problem
            raise InvalidValue(f"pings[{index}].{name}", reason)


def ping_problem(ping: Ping, now: datetime, oldest: datetime) -> tuple[str, str] | None:
    """The first field of ``ping`` that cannot be stored and why, or None."""
    if not _between(ping.lat, -90, 90):
        return "lat", "must be a number from -90 to 90"
    if not _between(ping.lon, -180, 180):
        return "lon", "must be a number from -180 to 180"
    if not _between(ping.accuracy_m, 0, math.inf):
        return "accuracy_m", "must be a number of metres, 0 or more"
    if ping.speed_mps is not None and not _between(ping.speed_mps, 0, math.inf):
        return "speed_mps", "must be a number of metres per second, 0 or more"
    if ping.heading_deg is not None and not _between(ping.heading_deg, 0, 360):
        return "heading_deg", "must be a number of degrees from 0 to 360"
    if (reason := calendar.moment_problem(ping.at)) is not None:
        return "at", reason
    if calendar.ahead_of_server(ping.at, now):
        return "at", "is in the future; check the phone's clock"
    if ping.at < oldest:
        days = (now - oldest).days
        return "at", f"is older than positions are kept ({days} day{'' if days == 1 else 's'})"
    return None


def _between(value: float, low: float, high: float) -> bool:
    """Finite and within ``[low, high]``: NaN and infinity are never a position."""
    return math.isfinite(value) and low <= value <= high
