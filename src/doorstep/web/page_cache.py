"""Rendered tracking pages kept per token until what they show changes.

A page is kept until a live notice names one of its channels (its order, its parcels, its
route: :func:`doorstep.services.tracking.live.channels_of`), and at most ``seconds`` in any
case, in case a notice is lost (a Redis reconnect). Past that it is served stale for as long
again while one worker renders it anew, so pages warmed together do not all miss together.

Why not a fixed few seconds: at 400 pages a second over a route's recipients, re-rendering
every page every few seconds was the whole of the page's slowest 1%, since each render holds
the interpreter while the event loop waits (``python -m benchmarks.tracking``). A page whose
order did not change has nothing new to say; one whose order changed is read afresh at once.

A render that began before a change it may have missed is not kept: :meth:`PageCache.mark`
is taken before the read, and :meth:`PageCache.put` refuses a page whose channels changed
since.
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Final

PAGE_LIMIT: Final = 20_000  # pages kept; dropped whole when full
CHANGE_LIMIT: Final = 100_000  # channels remembered as changed; forgotten whole when full


class PageCache:
    """Pages by token: ``(status, body)`` with the channels whose change makes them stale."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._pages: dict[str, tuple[float, int, str]] = {}
        self._tokens_of: dict[str, set[str]] = defaultdict(set)  # channel -> tokens kept
        self._refreshing: set[str] = set()
        self._changes = 0  # notices heard so far
        self._changed_at: dict[str, int] = {}  # channel -> the notice count at its last change
        self._remembered_since = 0  # changes before this count were forgotten
        self._lock = threading.Lock()

    def get(self, token: str) -> tuple[int, str] | None:
        """A fresh page, or None."""
        found = self._pages.get(token) if self.seconds > 0 else None
        if found is None or found[0] < time.monotonic():
            return None
        return found[1], found[2]

    def lookup(self, token: str) -> tuple[int, str, bool] | None:
        """A page not older than twice the freshness, and whether it is still fresh."""
        found = self._pages.get(token) if self.seconds > 0 else None
        now = time.monotonic()
        if found is None or found[0] + self.seconds < now:
            return None
        return found[1], found[2], found[0] >= now

    def claim(self, token: str) -> bool:
        """Whether the caller is the one to render ``token``'s stale page anew."""
        with self._lock:
            if token in self._refreshing:
                return False
            self._refreshing.add(token)
            return True

    def release(self, token: str) -> None:
        with self._lock:
            self._refreshing.discard(token)

    def mark(self) -> int:
        """Take before reading a page; hand to :meth:`put` with what was read."""
        return self._changes

    def changed(self, channel: str) -> None:
        """A notice for ``channel``: drop every page that listens to it. Any thread."""
        with self._lock:
            self._changes += 1
            if len(self._changed_at) >= CHANGE_LIMIT:
                self._changed_at.clear()
                self._remembered_since = self._changes
            self._changed_at[channel] = self._changes
            for token in self._tokens_of.pop(channel, ()):
                self._pages.pop(token, None)

    def put(
        self, token: str, status: int, body: str, channels: Sequence[str] = (), mark: int = 0
    ) -> None:
        """Keep a page read after :meth:`mark` gave ``mark``, unless one of ``channels``
        changed since (the page may predate that change: the next request reads again)."""
        if self.seconds <= 0:
            return
        with self._lock:
            if mark < self._remembered_since or any(
                self._changed_at.get(channel, 0) > mark for channel in channels
            ):
                return
            if len(self._pages) >= PAGE_LIMIT:
                self._pages.clear()
                self._tokens_of.clear()
            # Fresh for between half and all of ``seconds``: pages rendered together (a
            # route's recipients opening the same message) go stale apart.
            fresh = self.seconds * (0.5 + random.random() / 2)
            self._pages[token] = (time.monotonic() + fresh, status, body)
            for channel in channels:
                self._tokens_of[channel].add(token)
