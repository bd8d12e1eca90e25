"""Time-of-day traffic: a speed factor per band of the local day.

A vehicle's free-flow road speed is multiplied by the factor of the band it travels in
(1.0 = free flow, 0.6 = 40% slower), so a travel time is ``free_flow_s / factor``.
Bands are looked up in the city's local time (Europe/London by default, through
``zoneinfo``), so 08:00 means 08:00 on the clock in both GMT and BST.

London defaults, and where they come from
-----------------------------------------
TfL's *Travel in London* report 8 (2015), table 4.9, gives average traffic speeds on
working weekdays over TfL's "network of interest" (2014/15, km/h):

==============  =======  ==========  =======
area            AM peak  inter-peak  PM peak
==============  =======  ==========  =======
central London  14.1     12.6        13.1
inner London    18.7     20.3        16.9
outer London    29.4     33.9        27.4
==============  =======  ==========  =======

TfL measures congestion against an "uncongested" night speed (22:00-06:00) but the
report does not print that speed. We *estimate* it at about 28 km/h for inner London
(Camden is inner London; this is roughly the free-flow speed our road network gives a
van on 20-30 mph streets) and divide: AM 18.7/28 ~ 0.67, inter-peak 20.3/28 ~ 0.72,
PM 16.9/28 ~ 0.60. The evening/night band (19:00-07:00) mixes a still busy early
evening with an empty night; 0.90 is an estimate, not a measured figure. The same bands
apply every day of the week: TfL's figures are for working weekdays and weekend traffic
in inner London is not much lighter in the daytime, so this errs on the safe side.

E-cargo bikes and couriers on foot are barely slowed by motor traffic (bikes filter
past queues and use cycle lanes; TfL's cycle journey-time surveys show little peak
effect), so by default only vans are affected. Override any of this with your own
:class:`TrafficProfile`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from doorstep.domain.model import VehicleType

_DAY_MINUTES = 24 * 60


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


@dataclass(frozen=True, slots=True)
class TrafficBand:
    """``[start, end)`` in local clock time; ``end <= start`` wraps past midnight."""

    name: str
    start: time
    end: time
    speed_factor: float

    def __post_init__(self) -> None:
        if not 0.0 < self.speed_factor <= 2.0:
            raise ValueError(f"band {self.name!r}: speed_factor must be in (0, 2]")

    def minutes(self) -> set[int]:
        """Every minute of the day covered by the band (used to check a profile)."""
        start, end = _minutes(self.start), _minutes(self.end)
        length = (end - start) % _DAY_MINUTES or _DAY_MINUTES
        return {(start + m) % _DAY_MINUTES for m in range(length)}

    def contains(self, clock: time) -> bool:
        start, end, m = _minutes(self.start), _minutes(self.end), _minutes(clock)
        if start < end:
            return start <= m < end
        return m >= start or m < end


@dataclass(frozen=True, slots=True)
class TrafficProfile:
    """Bands covering the whole day exactly once, and the vehicles they slow down."""

    bands: tuple[TrafficBand, ...]
    timezone: str = "Europe/London"
    affects: frozenset[VehicleType] = field(default_factory=lambda: frozenset({VehicleType.VAN}))

    def __post_init__(self) -> None:
        covered: set[int] = set()
        for band in self.bands:
            minutes = band.minutes()
            if covered & minutes:
                raise ValueError(f"traffic band {band.name!r} overlaps an earlier band")
            covered |= minutes
        if len(covered) != _DAY_MINUTES:
            raise ValueError("traffic bands must cover all 24 hours of the day")
        ZoneInfo(self.timezone)  # fails early on an unknown zone name

    def band_at(self, moment: datetime) -> TrafficBand:
        """The band in force at ``moment`` (timezone-aware), in the profile's local time."""
        if moment.tzinfo is None:
            raise ValueError("departure time needs a timezone")
        clock = moment.astimezone(ZoneInfo(self.timezone)).time()
        return next(b for b in self.bands if b.contains(clock))

    def factor(self, moment: datetime, profile: VehicleType) -> float:
        """Speed multiplier for ``profile`` at ``moment`` (1.0 for unaffected vehicles)."""
        band = self.band_at(moment)  # checks the timezone for every vehicle alike
        return band.speed_factor if profile in self.affects else 1.0


LONDON = TrafficProfile(
    bands=(
        TrafficBand("am_peak", time(7, 0), time(10, 0), 0.67),
        TrafficBand("inter_peak", time(10, 0), time(16, 0), 0.72),
        TrafficBand("pm_peak", time(16, 0), time(19, 0), 0.60),
        TrafficBand("evening_night", time(19, 0), time(7, 0), 0.90),
    )
)

FREE_FLOW = TrafficProfile(bands=(TrafficBand("all_day", time(0, 0), time(0, 0), 1.0),))
"""No time-of-day effect: useful in tests and for places without traffic data."""
