"""The demo's clock: the real one, which the demo turns back while the brands order.

A day's orders come in the evening before; the hub receives them in the morning. The
demo sends its orders over the API at start-up, so with the real clock every order would
be created *after* the hub's morning it then replays, and a tracking page would show the
parcel at the hub before its label was made. Turned back to the evening before while the
orders are placed, the story reads in order. Only the demo uses this.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
ORDERS_CLOSE = time(18, 0)  # the brands' orders for a day are in by the evening before


class _Clock(Protocol):
    def now(self) -> datetime: ...


class _Real:
    def now(self) -> datetime:
        return datetime.now(UTC)


class DemoClock:
    """A clock (the real one unless a test gives its own), plus an offset the demo sets
    while it places the orders."""

    def __init__(self, base: _Clock | None = None) -> None:
        self._base = base or _Real()
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._base.now() + self._offset

    @contextmanager
    def turned_back_to(self, moment: datetime) -> Iterator[None]:
        """Time runs on from ``moment`` inside the block, then it is real time again."""
        with self._lock:
            self._offset = moment - self._base.now()
        try:
            yield
        finally:
            with self._lock:
                self._offset = timedelta(0)


def evening_before(now: datetime) -> datetime:
    """When the orders for ``now``'s London day came in: the evening before."""
    day = now.astimezone(LONDON).date() - timedelta(days=1)
    return datetime.combine(day, ORDERS_CLOSE, tzinfo=LONDON)
