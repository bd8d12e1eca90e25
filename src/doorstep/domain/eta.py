"""Announced windows: what a customer is told about when the courier will ring.

A window is announced for a stop, never for a parcel: everyone whose parcels ride on one
stop hears the same window. Each announcement is kept as it was told (never overwritten),
so that later we can measure how often arrivals fell inside. The rules that decide when a
new one is due are in :mod:`doorstep.domain.eta_rules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from doorstep.domain.errors import InvalidValue


class WindowKind(StrEnum):
    """How close the courier is, and so how wide a window we dare announce."""

    DAY = "day"  # at route start: one hour
    APPROACHING = "approaching"  # three stops away: 30 minutes
    NEXT = "next"  # the next stop: 15 minutes

    @property
    def width(self) -> timedelta:
        return WINDOW_WIDTH[self]

    @property
    def rank(self) -> int:
        """Narrower kinds rank higher: a window never widens back to an earlier kind."""
        return list(WindowKind).index(self)


WINDOW_WIDTH = {
    WindowKind.DAY: timedelta(hours=1),
    WindowKind.APPROACHING: timedelta(minutes=30),
    WindowKind.NEXT: timedelta(minutes=15),
}


@dataclass(frozen=True, slots=True)
class AnnouncedWindow:
    """One announcement for one stop: the window told, the prediction behind it, when."""

    stop_id: str
    kind: str  # a WindowKind value
    start: datetime
    end: datetime
    predicted_arrival: datetime
    announced_at: datetime

    def __post_init__(self) -> None:
        if self.kind not in {k.value for k in WindowKind}:
            raise InvalidValue("kind", f"unknown window kind {self.kind!r}")
        for name in ("start", "end", "predicted_arrival", "announced_at"):
            if getattr(self, name).tzinfo is None:
                raise InvalidValue(name, "needs a timezone")
        if self.end <= self.start:
            raise InvalidValue("end", "a window ends after it starts")

    @property
    def window_kind(self) -> WindowKind:
        return WindowKind(self.kind)

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment <= self.end
