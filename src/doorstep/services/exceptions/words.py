"""What an exception says, in plain words a dispatcher reads at a glance (London time)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from doorstep.domain.route import RouteStop

LONDON = ZoneInfo("Europe/London")


def hhmm(moment: datetime) -> str:
    return moment.astimezone(LONDON).strftime("%H:%M")


def where(stop: RouteStop | None) -> str:
    """A stop as the queue names it: its first address line and postcode."""
    if stop is None:
        return "a stop no longer on its route"
    first = stop.address_lines[0] if stop.address_lines else ""
    return f"{first}, {stop.postcode}" if first else stop.postcode


def minutes(seconds: float) -> int:
    return max(0, round(seconds / 60))


def reason_words(reason: str | None) -> str:
    return (reason or "no reason given").replace("_", " ")
