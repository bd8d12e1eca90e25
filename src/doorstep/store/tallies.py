"""Counters for rate limits and lock-outs: in this process's memory, or in Redis.

One API process keeps them in memory (the default). Several processes behind a load
balancer must share them, or each would allow its own share again: with
``DOORSTEP_REDIS_URL`` set, bootstrap picks :class:`RedisTallies`. Both follow the
caller's clock (tests inject one); Redis expiry only clears keys nobody asks about.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import redis

from doorstep.domain.throttle import Tally

MAX_KEYS = 100_000  # an address or credential flood cannot grow memory without bound
KEY_PREFIX = "doorstep:tally:"

# One round trip, atomic across processes: forget a stale tally, count, stamp, expire.
_ADD = """
local last = redis.call('HGET', KEYS[1], 'last')
local count = 0
if last and tonumber(ARGV[1]) - tonumber(last) <= tonumber(ARGV[2]) then
  count = tonumber(redis.call('HGET', KEYS[1], 'count'))
end
count = count + 1
redis.call('HSET', KEYS[1], 'count', count, 'last', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return count
"""


def _fresh(last: datetime | None, now: datetime, forget_after: timedelta) -> bool:
    return last is not None and now - last <= forget_after


class MemoryTallies:
    """Satisfies :class:`doorstep.services.ports.Tallies` for one process."""

    def __init__(self, max_keys: int = MAX_KEYS) -> None:
        self._tallies: dict[str, tuple[Tally, datetime]] = {}  # tally, forget at
        self._lock = threading.Lock()
        self._max_keys = max_keys

    def add(self, key: str, now: datetime, forget_after: timedelta) -> Tally:
        with self._lock:
            old = self._read(key, now, forget_after)
            tally = Tally(old.count + 1, now)
            self._tallies[key] = (tally, now + forget_after)
            if len(self._tallies) > self._max_keys:
                self._prune(now)
            return tally

    def get(self, key: str, now: datetime, forget_after: timedelta) -> Tally:
        with self._lock:
            return self._read(key, now, forget_after)

    def clear(self, key: str) -> None:
        with self._lock:
            self._tallies.pop(key, None)

    def _read(self, key: str, now: datetime, forget_after: timedelta) -> Tally:
        found = self._tallies.get(key)
        if found is None or not _fresh(found[0].last, now, forget_after):
            return Tally()
        return found[0]

    def _prune(self, now: datetime) -> None:
        """Drop forgotten tallies; if a flood of fresh keys remains, the oldest half."""
        self._tallies = {k: v for k, v in self._tallies.items() if v[1] > now}
        if len(self._tallies) > self._max_keys:
            keep = sorted(self._tallies.items(), key=lambda item: item[1][1])
            self._tallies = dict(keep[len(keep) // 2 :])


class RedisTallies:
    """Satisfies :class:`doorstep.services.ports.Tallies` for every process on one Redis."""

    def __init__(self, client: redis.Redis, prefix: str = KEY_PREFIX) -> None:
        self._redis = client
        self._prefix = prefix
        self._add: Any = client.register_script(_ADD)

    @classmethod
    def from_url(cls, url: str, prefix: str = KEY_PREFIX) -> RedisTallies:
        return cls(redis.Redis.from_url(url), prefix)

    def add(self, key: str, now: datetime, forget_after: timedelta) -> Tally:
        expire_ms = max(1, int(forget_after.total_seconds() * 1000))
        count = self._add(
            keys=[self._prefix + key],
            args=[repr(now.timestamp()), repr(forget_after.total_seconds()), expire_ms],
        )
        return Tally(int(count), now)

    def get(self, key: str, now: datetime, forget_after: timedelta) -> Tally:
        count, last = self._redis.hmget(self._prefix + key, ["count", "last"])
        if count is None or last is None:
            return Tally()
        moment = datetime.fromtimestamp(float(last), tz=UTC)
        return Tally(int(count), moment) if _fresh(moment, now, forget_after) else Tally()

    def clear(self, key: str) -> None:
        self._redis.delete(self._prefix + key)
