"""Webhooks to brands: endpoints, deliveries and the rules of retrying them.

A delivery is one (outbox event, endpoint) pair. It is made once, with its ``msg_`` id,
which is the ``webhook-id`` header of every attempt: a receiver that keeps the ids it has
acknowledged sees each event once, however often it was sent. A delivery is retried until
the receiver answers 2xx, for at most :data:`RETRY_FOR` (72 hours) with exponential
back-off and full jitter, then dead-lettered; an endpoint that has failed without a single
success for as long is switched off, and records ``webhook_endpoint.disabled``.

Pure: times and random numbers are passed in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from doorstep.domain.errors import InvalidValue
from doorstep.domain.events import (
    PAYLOAD_FIELDS,
    DomainEvent,
    EventName,
    drain,
    webhook_endpoint_disabled,
)

RETRY_FOR = timedelta(hours=72)
"""How long a delivery is retried, and how long an endpoint may fail before it is disabled."""
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=6)
MIN_DELAY = timedelta(seconds=1)
ROTATION_OVERLAP = timedelta(hours=24)
"""After a rotation the old secret signs alongside the new one for this long."""
SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
BRAND_EVENTS: frozenset[str] = frozenset(
    name.value
    for name in EventName
    if name.startswith(("order.", "parcel.", "webhook_endpoint."))
    or "order_ids" in PAYLOAD_FIELDS[name]
)
"""The events a brand can receive: those of its orders and parcels (they carry its
``brand_id``), its endpoints', and those of stops that name their ``order_ids``. A route's,
a hub scan's or a photo purge's concern no brand, so no endpoint may choose them."""
EXCERPT_CHARS = 200  # of a receiver's answer, kept with the attempt; never more


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt (or being sent now)
    DELIVERED = "delivered"  # the receiver answered 2xx
    DEAD_LETTERED = "dead_lettered"  # retried for 72 hours without success; replay by id


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    """A brand's receiver. ``secret`` (and ``previous_secret`` during a rotation) are
    ``whsec_`` values: encrypted at rest, shown to the brand once, never logged."""

    id: str
    brand_id: str
    url: str
    event_types: tuple[str, ...]
    enabled: bool
    secret: str
    created_at: datetime
    updated_at: datetime
    description: str = ""
    previous_secret: str | None = None
    previous_secret_until: datetime | None = None
    failing_since: datetime | None = None
    disabled_reason: str | None = None

    def wants(self, event_name: str) -> bool:
        return self.enabled and event_name in self.event_types

    def signing_secrets(self, now: datetime) -> tuple[str, ...]:
        """The secrets that sign now: the current one, and the previous for 24 h after a
        rotation, so a receiver that still has only the old one keeps verifying."""
        old = self.previous_secret
        until = self.previous_secret_until
        if old is not None and until is not None and now < until:
            return (self.secret, old)
        return (self.secret,)


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One event for one endpoint. ``id`` is the ``webhook-id`` of every attempt, and
    ``body`` the exact bytes signed and sent each time (fixed when the delivery is made)."""

    id: str
    endpoint_id: str
    brand_id: str
    outbox_id: int
    event_name: str
    body: str
    status: DeliveryStatus
    created_at: datetime
    retrying_since: datetime  # the start of the 72 hours; a replay starts them again
    next_attempt_at: datetime
    attempts: int = 0
    delivered_at: datetime | None = None
    dead_lettered_at: datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    """One POST: when, how long, and what came back (a status, or the error). Only a short
    excerpt of the answer is kept."""

    delivery_id: str
    endpoint_id: str
    at: datetime
    duration_ms: int
    status_code: int | None
    error: str | None
    response_excerpt: str = ""

    @property
    def acknowledged(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def failure(self) -> str:
        """The failure in a few words, for the delivery and the disabled event."""
        if self.error is not None:
            return self.error
        return f"HTTP {self.status_code}"


def retry_delay(attempts: int, rand: float) -> timedelta:
    """Exponential back-off with full jitter: a uniform draw (``rand`` in [0, 1)) below
    30 s doubled per failed attempt, capped at 6 h. Full jitter spreads the retries of many
    deliveries that failed together (a receiver back after an outage is not stampeded)."""
    if attempts < 1:
        raise ValueError("the delay follows a failed attempt: attempts >= 1")
    ceiling: timedelta = min(MAX_DELAY, FIRST_DELAY * 2 ** min(attempts - 1, 30))
    drawn: timedelta = ceiling * min(max(rand, 0.0), 1.0)
    return max(MIN_DELAY, drawn)


def next_attempt_after_failure(
    delivery: WebhookDelivery, now: datetime, rand: float
) -> datetime | None:
    """When to try again after a failed attempt, or None to dead-letter. The last retry is
    made at the end of the 72 hours, never after, so a receiver back at hour 71 still gets
    everything; one that fails that one too is dead-lettered."""
    deadline = delivery.retrying_since + RETRY_FOR
    if now >= deadline:
        return None
    return min(now + retry_delay(delivery.attempts, rand), deadline)


def should_disable(endpoint: WebhookEndpoint, now: datetime) -> bool:
    """Failing without a single success for 72 hours: the endpoint is switched off."""
    since = endpoint.failing_since
    return endpoint.enabled and since is not None and now - since >= RETRY_FOR


@dataclass(frozen=True, slots=True)
class EndpointDisabled:
    """Switching an endpoint off after 72 hours of failures: an aggregate of its own so
    that it records ``webhook_endpoint.disabled`` like any other change."""

    endpoint: WebhookEndpoint
    reason: str
    at: datetime
    new_events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def of(cls, endpoint: WebhookEndpoint, reason: str, at: datetime) -> EndpointDisabled:
        disabled = cls(endpoint, reason, at)
        disabled.new_events.append(
            webhook_endpoint_disabled(
                endpoint_id=endpoint.id,
                brand_id=endpoint.brand_id,
                url=endpoint.url,
                failing_since=endpoint.failing_since or at,
                reason=reason,
                at=at,
            )
        )
        return disabled

    def collect_events(self) -> list[DomainEvent]:
        return drain(self.new_events)


def check_event_types(names: Sequence[str]) -> tuple[str, ...]:
    """The chosen event types, each a known event name, without repeats, in the order
    given; :class:`InvalidValue` on ``event_types`` otherwise."""
    if not names:
        raise InvalidValue("event_types", "choose at least one event type")
    known = {name.value for name in EventName}
    chosen: list[str] = []
    for index, name in enumerate(names):
        if name not in known:
            raise InvalidValue(f"event_types[{index}]", f"unknown event type {name[:100]!r}")
        if name not in BRAND_EVENTS:
            raise InvalidValue(f"event_types[{index}]", f"{name} is not an event a brand receives")
        if name not in chosen:
            chosen.append(name)
    return tuple(chosen)


def message_body(event: DomainEvent, brand_id: str, order_brands: dict[str, str]) -> str:
    """The JSON ``brand_id`` receives, in the shape the Standard Webhooks specification
    suggests: ``type``, ``timestamp`` and the event's payload as ``data``. A stop's event
    lists only this brand's ``order_ids``: another brand's orders on the same stop are
    none of its business."""
    data = {"brand_id": brand_id, **dict(event.payload)}
    if event.brand_id is None and "order_ids" in data:
        data["order_ids"] = [o for o in order_ids_of(event) if order_brands.get(o) == brand_id]
    document = {"type": event.name, "timestamp": event.occurred_at.isoformat(), "data": data}
    return json.dumps(document, separators=(",", ":"), default=str)


def brands_of(event: DomainEvent, order_brands: dict[str, str]) -> set[str]:
    """The brands an event concerns: its own ``brand_id``, or for an event of a stop (no
    brand: one stop may hold several brands' orders) the brands of its ``order_ids``,
    given as ``order id -> brand id``. Events of no order (a route, a hub scan) none."""
    if event.brand_id is not None:
        return {event.brand_id}
    return {order_brands[o] for o in order_ids_of(event) if o in order_brands}


def order_ids_of(event: DomainEvent) -> list[str]:
    value = event.payload.get("order_ids")
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str)]
