"""Live console: after the relay commits, tell every open console page what happened.

One channel for all operators (:data:`CONSOLE_CHANNEL`): the console sees every route, so
there is nothing to scope. A notice names the event and the ids it concerns, never a
person's data; the page's own server reads what changed (``GET /console/events`` forwards
notices, ``web/console/events.py``). Mapped without a database read: the relay calls this
after its commit and must not wait on anything.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any, Final

from doorstep.domain.events import DomainEvent
from doorstep.services.ports import Broadcaster
from doorstep.services.relay import AfterCommit

logger = logging.getLogger(__name__)

CONSOLE_CHANNEL: Final = "console"
# The ids a notice may carry: enough for a page to know what to read again.
ID_FIELDS: Final = (
    "route_id",
    "stop_id",
    "exception_id",
    "order_id",
    "parcel_id",
    "plan_id",
    "courier_id",
)


def notice_of(event: DomainEvent) -> dict[str, Any]:
    """``{"event": name, "route_id": ..., ...}``: the event's name and its ids only."""
    notice: dict[str, Any] = {"event": event.name}
    for name in ID_FIELDS:
        value = event.payload.get(name)
        if isinstance(value, str) and value:
            notice[name] = value
    prefix = event.aggregate_id.partition("_")[0]
    by_prefix = {"rte": "route_id", "stp": "stop_id", "exc": "exception_id"}
    by_prefix |= {"ord": "order_id", "par": "parcel_id", "pln": "plan_id"}
    if prefix in by_prefix:
        notice.setdefault(by_prefix[prefix], event.aggregate_id)
    return notice


def publish_console(broadcaster: Broadcaster) -> AfterCommit:
    """The relay's after-commit hook: one notice per relayed event on ``console``."""

    def publish(rows: Sequence[tuple[int, DomainEvent]]) -> None:
        for _, event in rows:
            try:
                broadcaster.publish(CONSOLE_CHANNEL, json.dumps(notice_of(event)))
            except Exception:  # an open console looks again on its own
                logger.warning("console notice for %s not published", event.name, exc_info=True)

    return publish
