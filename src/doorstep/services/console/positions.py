"""Couriers' positions to the open console pages, as they arrive, at most one per 5 s each.

The phone sends a batch every few seconds; the console moves the courier's marker on the
Today map from a notice ``{"event": "courier.position", "route_id", "courier_id", "lat",
"lon", "at"}`` on the ``console`` channel (operators may see positions; the recipients'
tracking pages never get this channel). Throttled per courier and per process, on the
server's clock, before any read: most batches cost nothing. The notice is sent after the
batch is committed, and sending never fails the batch (a missed position is drawn with
the next, or when the page is opened again).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Final

from doorstep.domain.access import Principal
from doorstep.domain.pings import Ping
from doorstep.services.console.live import CONSOLE_CHANNEL
from doorstep.services.ports import Broadcaster, Clock, UnitOfWorkFactory

POSITION_EVENT: Final = "courier.position"
INTERVAL: Final = timedelta(seconds=5)
READER = Principal.system("console-positions")

log = logging.getLogger(__name__)


class _Throttle:
    """Per courier, when a position was last published (this process)."""

    LIMIT = 10_000  # couriers remembered; beyond, the memory starts again

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._at: dict[str, datetime] = {}

    def take(self, courier_id: str, now: datetime, interval: timedelta) -> bool:
        """Whether a position may be published now (and if so, note that it is)."""
        with self._lock:
            last = self._at.get(courier_id)
            # A clock moved back (tests, a corrected server clock) never silences a courier.
            if last is not None and last <= now < last + interval:
                return False
            if len(self._at) >= self.LIMIT:
                self._at.clear()
            self._at[courier_id] = now
            return True


_THROTTLE = _Throttle()


def publish_position(
    uow_factory: UnitOfWorkFactory,
    broadcaster: Broadcaster,
    clock: Clock,
    courier_id: str,
    batch: Sequence[Ping],
    *,
    interval: timedelta = INTERVAL,
) -> bool:
    """After a committed batch: publish its latest position, unless this courier's last
    one went out less than ``interval`` ago or they drive no started route. Never raises;
    whether a notice went out."""
    if not batch or not _THROTTLE.take(courier_id, clock.now(), interval):
        return False
    latest = max(batch, key=lambda ping: ping.at)
    try:
        with uow_factory(READER).read_only() as uow:
            route_id = uow.console.started_route(courier_id)
        if route_id is None:
            return False
        notice = {
            "event": POSITION_EVENT,
            "route_id": route_id,
            "courier_id": courier_id,
            "lat": round(latest.lat, 6),
            "lon": round(latest.lon, 6),
            "at": latest.at.isoformat(),
        }
        broadcaster.publish(CONSOLE_CHANNEL, json.dumps(notice))
    except Exception:  # the batch is stored; the page draws the next position
        log.warning("console position of %s not published", courier_id, exc_info=True)
        return False
    return True
