"""Couriers' positions as the courier app sends them.

Only the shape is checked here (numbers, a time with a UTC offset, and the batch's size,
which the OpenAPI then advertises and which spares parsing a huge list); what a position
may hold (ranges, how far ahead or back in time) is the domain's one rule,
:func:`doorstep.domain.pings.check_batch`, which names the same ``pings[i].field`` paths.
The limits are the domain's constants, never numbers written here.
"""

from __future__ import annotations

from pydantic import Field

from doorstep.api.schemas.common import Moment, Public, Strict
from doorstep.domain.calendar import CLOCK_SKEW
from doorstep.domain.pings import MAX_BATCH

_SKEW_MINUTES = int(CLOCK_SKEW.total_seconds() // 60)


class PingIn(Strict):
    lat: float = Field(description="Degrees, -90 to 90 (WGS 84).")
    lon: float = Field(description="Degrees, -180 to 180 (WGS 84).")
    accuracy_m: float = Field(description="The device's horizontal accuracy in metres, >= 0.")
    at: Moment = Field(
        description=f"When the device took the reading (its own clock): at most "
        f"{_SKEW_MINUTES} minutes ahead of the server, and not older than positions are kept."
    )
    speed_mps: float | None = Field(default=None, description="Metres per second, >= 0.")
    heading_deg: float | None = Field(default=None, description="Degrees from north, 0 to 360.")


class PingBatch(Strict):
    pings: list[PingIn] = Field(
        min_length=1, max_length=MAX_BATCH, description=f"1 to {MAX_BATCH} positions, any order."
    )


class PingsAccepted(Public):
    accepted: int
