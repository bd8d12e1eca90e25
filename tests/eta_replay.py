"""A recorded courier's day for the ETA tests: positions and stop completions, in time.

The route runs north to south through Camden, eight doors about 350 m apart, starting at
the Kentish Town hub at 07:00 (the AM peak). The courier is slower than the model says:
each leg takes 1.4 times the straight-line model's time in traffic and each door four
minutes, so the predictions start early and the windows must follow the courier late,
never earlier. Positions are sent every minute while driving, on the straight line
between doors. The recording is made once from those figures (no randomness), so the
unit test (fake store) and the HTTP test (real server) replay exactly the same day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from doorstep.domain.model import GeoPoint, VehicleType
from doorstep.geo.straight_line import StraightLineProvider
from doorstep.geo.traffic import LONDON
from tests import factories

HUB = GeoPoint(51.5502, -0.1405)  # factories.hub()'s point
DOORS = [GeoPoint(51.5470 - 0.0032 * n, -0.1420 + 0.0006 * (n % 2)) for n in range(8)]
SLOWER = 1.4
DOOR_TIME = timedelta(minutes=4)
PING_EVERY = timedelta(minutes=1)
START = factories.MORNING


@dataclass(frozen=True, slots=True)
class Step:
    """One thing the phone sent: a ping (``point``), or an arrival/completion at ``stop``."""

    at: datetime
    kind: str  # "start_route", "ping", "arrive", "complete"
    stop: int | None = None
    point: GeoPoint | None = None


def recorded_day(
    doors: list[GeoPoint] = DOORS, *, door_time: timedelta = DOOR_TIME, slower: float = SLOWER
) -> list[Step]:
    """The day as the phone sent it; a longer ``door_time`` makes a courier running late."""
    provider = StraightLineProvider(traffic=LONDON)
    points = [HUB, *doors]
    steps = [Step(START, "start_route")]
    clock = START
    for n in range(len(doors)):
        leg = provider.matrix([points[n], points[n + 1]], VehicleType.VAN, clock)
        drive = timedelta(seconds=float(leg.durations_s[0, 1]) * slower)
        a, b = points[n], points[n + 1]
        moment = PING_EVERY
        while moment < drive:
            share = moment / drive
            where = GeoPoint(a.lat + (b.lat - a.lat) * share, a.lon + (b.lon - a.lon) * share)
            steps.append(Step(clock + moment, "ping", point=where))
            moment += PING_EVERY
        clock += drive
        steps.append(Step(clock, "arrive", stop=n))
        clock += door_time
        steps.append(Step(clock, "complete", stop=n))
    return steps
