"""How much a caller may ask, and how long repeated failures lock it out. Time is passed in.

Two rules, both over simple counts (a :class:`Tally`) kept by a store outside the domain:
- a request rate: at most ``per_window`` requests in each fixed window (per address, per
  credential);
- a back-off: after ``allowed`` failures (wrong passwords, unknown keys), each further
  failure locks for ``first``, doubling each time, never longer than ``longest``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Tally:
    """How many events a key has seen since it was last forgotten, and the latest one."""

    count: int = 0
    last: datetime | None = None


@dataclass(frozen=True, slots=True)
class RateLimit:
    per_window: int
    window: timedelta = timedelta(minutes=1)

    def window_of(self, now: datetime) -> tuple[str, datetime]:
        """A name for the window ``now`` falls in, and when that window ends."""
        seconds = self.window.total_seconds()
        index = math.floor(now.timestamp() / seconds)
        return str(index), datetime.fromtimestamp((index + 1) * seconds, tz=now.tzinfo)

    def retry_after(self, count: int, now: datetime) -> int | None:
        """Whole seconds to wait when ``count`` requests in the window are too many."""
        if count <= self.per_window:
            return None
        _, end = self.window_of(now)
        return max(1, math.ceil((end - now).total_seconds()))


@dataclass(frozen=True, slots=True)
class Backoff:
    allowed: int
    first: timedelta
    longest: timedelta

    def locked_until(self, tally: Tally) -> datetime | None:
        """When the lock from these failures ends; None when there is no lock."""
        if tally.count < self.allowed or tally.last is None:
            return None
        doublings = min(tally.count - self.allowed, 32)
        lock: timedelta = min(self.first * (2**doublings), self.longest)
        return tally.last + lock

    def retry_after(self, tally: Tally, now: datetime) -> int | None:
        """Whole seconds until the lock ends, or None when not locked at ``now``."""
        until = self.locked_until(tally)
        if until is None or until <= now:
            return None
        return max(1, math.ceil((until - now).total_seconds()))


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """Every limit, from the settings. ``memory``: failures older than this are forgotten."""

    per_address: RateLimit
    per_credential: RateLimit
    account: Backoff
    address: Backoff
    memory: timedelta

    @property
    def failure_memory(self) -> timedelta:
        """Never forget failures while the longest lock they can cause still runs."""
        return max(self.memory, self.account.longest, self.address.longest)
