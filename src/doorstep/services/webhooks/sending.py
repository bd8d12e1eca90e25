"""The sender: POSTs due deliveries until each is acknowledged, or 72 hours have passed.

Each delivery is sent in three steps, so that a worker killed at any moment loses nothing
and never makes a second id:
1. claim: in one short transaction, move the delivery's next attempt a lease ahead
   (compare-and-set on the time read, so two senders cannot both take it);
2. send: the POST, outside any transaction, signed, under the delivery's own id;
3. record: the attempt, and the delivery's new state (delivered, retried later with
   back-off and jitter, or dead-lettered); the endpoint's failure clock, and its
   disabling after 72 hours of failures.
A worker killed in step 2 leaves the delivery claimed: after the lease it is due again
and sent again with the same ``webhook-id``, so a receiver that had already taken it
recognises it.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from doorstep.domain.access import Principal
from doorstep.domain.webhooks import (
    EXCERPT_CHARS,
    DeliveryAttempt,
    DeliveryStatus,
    EndpointDisabled,
    WebhookDelivery,
    WebhookEndpoint,
    next_attempt_after_failure,
    should_disable,
)
from doorstep.services.ports import Clock, UnitOfWork, UnitOfWorkFactory, WebhookMessage
from doorstep.services.webhooks.policy import WebhookPorts

log = logging.getLogger("doorstep.webhooks")
SENDER = Principal.system("webhooks")
BATCH = 100


@dataclass(frozen=True, slots=True)
class SendReport:
    attempted: int = 0
    delivered: int = 0
    failed: int = 0
    dead_lettered: int = 0
    disabled: int = 0


def send_due(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ports: WebhookPorts,
    *,
    limit: int = BATCH,
    rand: Callable[[], float] = random.random,
) -> SendReport:
    """Send up to ``limit`` due deliveries, one after another; what happened."""
    with uow_factory(SENDER).read_only() as uow:
        due = uow.webhooks.due(clock.now(), limit)
    report = SendReport()
    for delivery in due:
        report = _add(report, send_one(uow_factory, clock, ports, delivery, rand))
    return report


def _add(total: SendReport, one: SendReport) -> SendReport:
    return SendReport(
        total.attempted + one.attempted,
        total.delivered + one.delivered,
        total.failed + one.failed,
        total.dead_lettered + one.dead_lettered,
        total.disabled + one.disabled,
    )


def send_one(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ports: WebhookPorts,
    delivery: WebhookDelivery,
    rand: Callable[[], float] = random.random,
) -> SendReport:
    """Claim, send and record one delivery; nothing when another sender has it."""
    endpoint = _claim(uow_factory(SENDER), delivery, clock, ports)
    if endpoint is None:
        return SendReport()
    sent_at = clock.now()
    message = WebhookMessage(
        url=endpoint.url,
        webhook_id=delivery.id,
        timestamp=sent_at,
        body=delivery.body,
        secrets=endpoint.signing_secrets(sent_at),
    )
    response = ports.sender.send(message)
    attempt = DeliveryAttempt(
        delivery_id=delivery.id,
        endpoint_id=endpoint.id,
        at=sent_at,
        duration_ms=response.duration_ms,
        status_code=response.status_code,
        error=response.error,
        response_excerpt=response.excerpt[:EXCERPT_CHARS],
    )
    report, disabled = _record(uow_factory(SENDER), attempt, clock, rand())
    if disabled is not None:
        log.warning("webhook endpoint %s disabled after 72 hours of failures", endpoint.id)
        ports.on_disabled(disabled, attempt.failure)
    return report


def _claim(
    uow: UnitOfWork, delivery: WebhookDelivery, clock: Clock, ports: WebhookPorts
) -> WebhookEndpoint | None:
    with uow:
        endpoint = uow.webhooks.get_endpoint(delivery.endpoint_id)
        if endpoint is None or not endpoint.enabled:
            return None
        lease = clock.now() + timedelta(seconds=ports.lease_s)
        if not uow.webhooks.claim(delivery, lease):
            return None
        uow.commit()
    return endpoint


def _record(
    uow: UnitOfWork, attempt: DeliveryAttempt, clock: Clock, rand: float
) -> tuple[SendReport, WebhookEndpoint | None]:
    """Store the attempt and its consequences in one transaction."""
    with uow:
        delivery = uow.webhooks.get_delivery(attempt.delivery_id)
        endpoint = uow.webhooks.get_endpoint(attempt.endpoint_id)
        if delivery is None or endpoint is None:  # deleted while it was being sent
            return SendReport(attempted=1), None
        uow.webhooks.add_attempt(attempt)
        now = clock.now()
        delivery = replace(delivery, attempts=delivery.attempts + 1)
        if attempt.acknowledged:
            uow.webhooks.save_delivery(
                replace(
                    delivery,
                    status=DeliveryStatus.DELIVERED,
                    delivered_at=now,
                    last_error=None,
                    next_attempt_at=now,
                )
            )
            if endpoint.failing_since is not None:
                uow.webhooks.save_endpoint(replace(endpoint, failing_since=None, updated_at=now))
            uow.commit()
            return SendReport(attempted=1, delivered=1), None
        report, disabled = _failed(uow, delivery, endpoint, attempt, now, rand)
        uow.commit()
    return report, disabled


def _failed(
    uow: UnitOfWork,
    delivery: WebhookDelivery,
    endpoint: WebhookEndpoint,
    attempt: DeliveryAttempt,
    now: datetime,
    rand: float,
) -> tuple[SendReport, WebhookEndpoint | None]:
    retry_at = next_attempt_after_failure(delivery, now, rand)
    if retry_at is None:
        changed = replace(
            delivery,
            status=DeliveryStatus.DEAD_LETTERED,
            dead_lettered_at=now,
            last_error=attempt.failure,
        )
    else:
        changed = replace(delivery, next_attempt_at=retry_at, last_error=attempt.failure)
    uow.webhooks.save_delivery(changed)
    failing = replace(endpoint, failing_since=endpoint.failing_since or attempt.at)
    disabled: WebhookEndpoint | None = None
    if should_disable(failing, now):
        disabled = replace(failing, enabled=False, disabled_reason=attempt.failure, updated_at=now)
        uow.webhooks.disable(EndpointDisabled.of(disabled, attempt.failure, now))
    elif failing != endpoint:
        uow.webhooks.save_endpoint(failing)
    dead = 1 if retry_at is None else 0
    return SendReport(1, 0, 1, dead, 0 if disabled is None else 1), disabled
