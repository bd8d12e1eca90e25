"""Live tracking: after the relay commits, tell the open tracking pages to look again.

A notice carries no personal data, only the event's name: the page's own server re-reads
what its token may see. Events are mapped to channels without a database read (the relay
calls this after its commit, and must not wait on anything): an order's events reach
``order:<id>``, a parcel's ``parcel:<id>``, a route's and its stops' ``route:<id>`` (a stop
done moves every later stop of that route one closer), and an announced window or a
predicted delay the orders it names. A page subscribes to its order, its parcels and its
route (:func:`channels_of`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence

from doorstep.domain.events import DomainEvent
from doorstep.services.ports import Broadcaster, TrackingFacts
from doorstep.services.relay import AfterCommit

logger = logging.getLogger(__name__)


def order_channel(order_id: str) -> str:
    return f"order:{order_id}"


def parcel_channel(parcel_id: str) -> str:
    return f"parcel:{parcel_id}"


def route_channel(route_id: str) -> str:
    return f"route:{route_id}"


def channels_of(facts: TrackingFacts) -> tuple[str, ...]:
    """What a page of this order listens to."""
    parcels = dict.fromkeys(parcel_channel(move.parcel_id) for move in facts.moves)
    route = (route_channel(facts.stop.route_id),) if facts.stop else ()
    return (order_channel(facts.order_id), *parcels, *route)


def channels_for(event: DomainEvent) -> Iterator[str]:
    """The channels an event concerns (none for events no page shows)."""
    family = event.name.partition(".")[0]
    payload = event.payload
    if family == "order":
        yield order_channel(str(payload.get("order_id") or event.aggregate_id))
    elif family == "parcel":
        yield parcel_channel(str(payload.get("parcel_id") or event.aggregate_id))
    elif family in ("route", "stop"):
        route_id = payload.get("route_id")
        if route_id:
            yield route_channel(str(route_id))
        for order_id in payload.get("order_ids") or ():
            yield order_channel(str(order_id))


def publish_for(broadcaster: Broadcaster) -> AfterCommit:
    """The relay's after-commit hook: one notice per channel a batch touched."""

    def publish(rows: Sequence[tuple[int, DomainEvent]]) -> None:
        notices: dict[str, str] = {}
        for _, event in rows:
            for channel in channels_for(event):
                notices[channel] = event.name  # the latest is enough: "look again"
        for channel, name in notices.items():
            try:
                broadcaster.publish(channel, json.dumps({"event": name}))
            except Exception:  # a page that misses a notice looks again within 30 s
                logger.warning("live update for %s not published", channel, exc_info=True)

    return publish
