"""The committed stops of routes being worked, kept between units of work.

A courier's phone sends the day's actions one transaction each, and every action reads
its route; on a route of a hundred stops, reading and decoding the stops costs more than
the action itself. But what a route's stops were when its version ``v`` committed never
changes: a save writes ``version = v + 1`` only where the row still holds ``v`` (the
version column), so each version of a route is committed once, by one writer. A save's
stops are kept here under the version they committed as, only once the commit is done,
and a read that finds the route's row at that version takes them from here instead of
reading the stops again. Any other version is read from the database as before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

StopValues = tuple[Any, ...]
"""One stop's fields in :class:`~doorstep.domain.route.RouteStop` order (all immutable)."""
CommittedStop = tuple[int, StopValues]
"""A stop's row key and its values."""


class CommittedStops:
    """The stops of the ``size`` routes saved most recently, each at its committed version.

    Shared by every unit of work of one engine (threads included), so guarded by a lock.
    """

    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._entries: OrderedDict[str, tuple[int, tuple[CommittedStop, ...]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, route_id: str, version: int) -> tuple[CommittedStop, ...] | None:
        """The stops of ``route_id`` as committed at ``version``, when known."""
        with self._lock:
            found = self._entries.get(route_id)
            if found is None or found[0] != version:
                return None
            self._entries.move_to_end(route_id)
            return found[1]

    def put(self, route_id: str, version: int, stops: tuple[CommittedStop, ...]) -> None:
        """Keep the stops of ``route_id`` as committed at ``version`` (call after commit)."""
        with self._lock:
            known = self._entries.get(route_id)
            if known is not None and known[0] > version:
                return  # a later commit published first: keep the newer one
            self._entries[route_id] = (version, stops)
            self._entries.move_to_end(route_id)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
