"""Deliveries: made by the relay's fan-out, listed, replayed.

:func:`fan_out` is an :data:`~doorstep.services.relay.EventHandler`: inside the relay's
transaction it makes one delivery per (outbox event, subscribed endpoint), each with its
own ``msg_`` id. The pair is unique in the store, so relaying the same row again (a relay
that died after writing but before marking sent) cannot make a second message under a
second id: the receiver only ever sees the first id, however often it is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from doorstep.domain import ids
from doorstep.domain.events import DomainEvent
from doorstep.domain.webhooks import (
    DeliveryAttempt,
    DeliveryStatus,
    WebhookDelivery,
    brands_of,
    message_body,
    order_ids_of,
)
from doorstep.services.access import require_id
from doorstep.services.audit import record
from doorstep.services.errors import NotFound
from doorstep.services.ports import Clock, UnitOfWork
from doorstep.services.relay import AfterCommit, EventHandler
from doorstep.services.webhooks.access import require_reader, require_writer

MAX_LIST = 200


def fan_out(clock: Clock) -> EventHandler:
    """The relay handler that turns each event into deliveries for the brands it concerns
    (its ``brand_id``; for a stop's event, the brands of its ``order_ids``)."""

    def handle(uow: UnitOfWork, outbox_id: int, event: DomainEvent) -> None:
        order_brands: dict[str, str] = {}
        if event.brand_id is None:
            wanted = order_ids_of(event)
            if not wanted:
                return
            orders = uow.orders.get_many(wanted)
            order_brands = {order_id: order.brand_id for order_id, order in orders.items()}
        brands = brands_of(event, order_brands)
        if not brands:
            return
        endpoints = uow.webhooks.subscribers(sorted(brands), event.name)
        now = clock.now()
        uow.webhooks.add_deliveries(
            [
                WebhookDelivery(
                    id=ids.new_id("msg"),
                    endpoint_id=endpoint.id,
                    brand_id=endpoint.brand_id,
                    outbox_id=outbox_id,
                    event_name=event.name,
                    body=message_body(event, endpoint.brand_id, order_brands),
                    status=DeliveryStatus.PENDING,
                    created_at=now,
                    retrying_since=now,
                    next_attempt_at=now,
                )
                for endpoint in endpoints
            ]
        )

    return handle


def send_soon(enqueue: Callable[[], None]) -> AfterCommit:
    """An after-commit hook for the relay: wake the sender when a batch was relayed, so a
    delivery goes out at once rather than at the next sweep."""

    def hook(rows: Sequence[tuple[int, DomainEvent]]) -> None:
        if rows:
            enqueue()

    return hook


def list_deliveries(
    uow: UnitOfWork, endpoint_id: str, status: DeliveryStatus | None = None, limit: int = 50
) -> list[WebhookDelivery]:
    """An endpoint's deliveries, newest first (404 for an endpoint out of reach)."""
    require_reader(uow.principal)
    require_id(endpoint_id, "whe", "webhook endpoint")
    with uow.read_only():
        if uow.webhooks.get_endpoint(endpoint_id) is None:
            raise NotFound("webhook endpoint", endpoint_id)
        return uow.webhooks.list_deliveries(endpoint_id, status, min(limit, MAX_LIST))


def list_dead_letters(uow: UnitOfWork, limit: int = 50) -> list[WebhookDelivery]:
    """Dead-lettered deliveries of every endpoint in reach, newest first."""
    require_reader(uow.principal)
    with uow.read_only():
        return uow.webhooks.list_deliveries(
            None, DeliveryStatus.DEAD_LETTERED, min(limit, MAX_LIST)
        )


def list_attempts(uow: UnitOfWork, endpoint_id: str, limit: int = 50) -> list[DeliveryAttempt]:
    """An endpoint's attempts, newest first."""
    require_reader(uow.principal)
    require_id(endpoint_id, "whe", "webhook endpoint")
    with uow.read_only():
        if uow.webhooks.get_endpoint(endpoint_id) is None:
            raise NotFound("webhook endpoint", endpoint_id)
        return uow.webhooks.list_attempts(endpoint_id, min(limit, MAX_LIST))


def replay(uow: UnitOfWork, endpoint_id: str, delivery_id: str, *, clock: Clock) -> WebhookDelivery:
    """Send a delivery again, now, under its own ``webhook-id`` (a receiver that already
    has it will see the id it acknowledged): a dead letter gets 72 hours of retries again,
    a delivered one is sent once more."""
    require_writer(uow.principal)
    require_id(endpoint_id, "whe", "webhook endpoint")
    require_id(delivery_id, "msg", "webhook delivery")
    with uow:
        delivery = uow.webhooks.get_delivery(delivery_id)
        if delivery is None or delivery.endpoint_id != endpoint_id:
            raise NotFound("webhook delivery", delivery_id)
        now = clock.now()
        again = replace(
            delivery,
            status=DeliveryStatus.PENDING,
            retrying_since=now,
            next_attempt_at=now,
            dead_lettered_at=None,
        )
        uow.webhooks.save_delivery(again)
        record(uow, now, "webhook.replayed", delivery_id, endpoint_id=endpoint_id)
        uow.commit()
    return again
