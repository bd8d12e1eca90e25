"""Announced windows: what a customer is told about when the courier will ring.

A window is announced for a stop, never for a parcel: everyone whose parcels ride on one
stop hears the same window. Each announcement is kept as it was told (never overwritten),
so that later we can measure how often arrivals fell inside.

The rules, in one place:

- when the route starts, every stop gets a one-hour window (``day``); when the courier
  is three stops away it narrows to 30 minutes (``approaching``), when it is next to 15
  (``next``). A stop with no window yet (added to a started route) gets ``day`` and at
  once the narrower window its place calls for;
- a window is placed around the expected arrival and rounded to five minutes, but never
  earlier than the window announced before it: narrowing happens inside it or after it,
  and a prediction earlier than the window's start keeps the window;
- a window never starts in the past;
- when the expected arrival falls after the end of the window the customer holds (or
  the order's promised end) by a minute or more, ``stop.delay_predicted`` is raised,
  once per announced window, before any narrower window is announced after it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from doorstep.domain.errors import InvalidValue
from doorstep.domain.events import (
    DomainEvent,
    StopWindow,
    delay_predicted,
    drain,
    window_announced,
)
from doorstep.domain.model import TimeWindow


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


ROUNDING = timedelta(minutes=5)  # "10:40-11:40", not "10:37-11:37"
DELAY_THRESHOLD = timedelta(minutes=1)  # below this a "delay" is only rounding


def kind_due(stops_before: int) -> WindowKind:
    """The window a stop's place calls for; ``stops_before`` open stops come before it."""
    if stops_before <= 0:
        return WindowKind.NEXT
    if stops_before <= 2:
        return WindowKind.APPROACHING
    return WindowKind.DAY


def _rounded(moment: datetime, *, down: bool = False) -> datetime:
    utc = moment.astimezone(UTC)
    midnight = utc.replace(hour=0, minute=0, second=0, microsecond=0)
    steps = (utc - midnight) / ROUNDING
    return midnight + (math.floor(steps) if down else round(steps)) * ROUNDING


def _rounded_down(moment: datetime) -> datetime:
    return _rounded(moment, down=True)


def place_window(
    stop_id: str,
    kind: WindowKind,
    *,
    centre: datetime,
    predicted: datetime,
    now: datetime,
    not_before: datetime | None = None,
) -> AnnouncedWindow:
    """A ``kind`` window around ``centre``, moved later if it would start before
    ``not_before`` (the start of the window announced before it) or in the past."""
    start = max(_rounded(centre - kind.width / 2), _rounded_down(now))
    if not_before is not None and start < not_before:
        start = not_before
    return AnnouncedWindow(stop_id, kind.value, start, start + kind.width, predicted, now)


def windows_due(
    stop_id: str,
    previous: AnnouncedWindow | None,
    due: WindowKind,
    *,
    centre: datetime,
    predicted: datetime,
    now: datetime,
) -> list[AnnouncedWindow]:
    """The announcements to make now, oldest first (none when ``previous`` stands)."""
    made: list[AnnouncedWindow] = []
    if previous is None:
        previous = place_window(
            stop_id, WindowKind.DAY, centre=centre, predicted=predicted, now=now
        )
        made.append(previous)
    if due.rank > previous.window_kind.rank:
        made.append(
            place_window(
                stop_id,
                due,
                centre=centre,
                predicted=predicted,
                now=now,
                not_before=previous.start,
            )
        )
    return made


def lateness(
    window: AnnouncedWindow,
    expected: datetime,
    promise: TimeWindow | None = None,
    *,
    margin: timedelta = DELAY_THRESHOLD,
) -> timedelta | None:
    """How late ``expected`` is past the window's end (or the promise's, if later missed
    by more), or None when it is not late by ``margin`` (at least :data:`DELAY_THRESHOLD`)."""
    ends = [window.end] + ([promise.end] if promise is not None else [])
    late = max(expected - end for end in ends)
    return late if late >= max(margin, DELAY_THRESHOLD) else None


@dataclass(eq=False, slots=True)
class EtaRound:
    """One recompute of one route: what it announced and raised, as events for the outbox."""

    route_id: str
    at: datetime
    announcements: list[AnnouncedWindow] = field(default_factory=list)
    new_events: list[DomainEvent] = field(default_factory=list, repr=False)

    def announce(self, window: AnnouncedWindow, order_ids: Sequence[str]) -> None:
        self.announcements.append(window)
        told = StopWindow(
            self.route_id,
            window.stop_id,
            tuple(order_ids),
            window.start,
            window.end,
            window.predicted_arrival,
        )
        self.new_events.append(window_announced(told, kind=window.kind, at=self.at))

    def raise_delay(
        self,
        window: AnnouncedWindow,
        order_ids: Sequence[str],
        *,
        expected: datetime,
        late: timedelta,
    ) -> None:
        """``expected`` (the arrival now expected) replaces the window's old prediction."""
        told = StopWindow(
            self.route_id, window.stop_id, tuple(order_ids), window.start, window.end, expected
        )
        self.new_events.append(
            delay_predicted(told, lateness_s=round(late.total_seconds()), at=self.at)
        )

    def collect_events(self) -> list[DomainEvent]:
        return drain(self.new_events)
