"""A brand's receiver down for days, on SQLite and PostgreSQL, with an injected clock.

Down for 71 hours then up: every event arrives, signed, each under one id (the receiver
verifies with ``standardwebhooks``). Down for 73: the deliveries are dead-lettered, the
endpoint is disabled and ``webhook_endpoint.disabled`` is in the outbox for the brand.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from doorstep.domain.webhooks import RETRY_FOR, DeliveryStatus
from tests.integration.webhooks.receiver import receiving
from tests.integration.webhooks.world import (
    SYSTEM,
    UowFactory,
    add_orders,
    deliveries,
    loopback_ports,
    relay,
    send_until,
    shop,
    start_clock,
)


def test_a_receiver_down_for_71_hours_then_up_gets_every_event_once_signed(
    uow_factory: UowFactory,
) -> None:
    clock, ports = start_clock(), loopback_ports()
    with receiving([], clock) as receiver:
        brand = shop(uow_factory, receiver.url, clock, ports)
        receiver.secrets = [brand.endpoint.secret]
        order_ids = add_orders(uow_factory, brand.brand_id, 5)
        relay(uow_factory, clock)
        start = clock.now()
        receiver.up = False

        def back_at_71_hours(now: object) -> None:
            receiver.up = clock.now() >= start + timedelta(hours=71)

        report = send_until(uow_factory, clock, ports, start + RETRY_FOR, back_at_71_hours)

    assert receiver.refused > 5, "it was down and retried"
    assert receiver.bad_signatures == 0
    assert sorted(d["data"]["order_id"] for d in receiver.taken.values()) == sorted(order_ids)
    made = deliveries(uow_factory)
    assert {d.status for d in made} == {DeliveryStatus.DELIVERED}
    assert set(receiver.seen) == {d.id for d in made}, "only the stored ids were ever sent"
    assert len(made) == len(order_ids) == report.delivered
    assert report.dead_lettered == 0


def test_a_receiver_down_for_73_hours_dead_letters_and_disables_the_endpoint(
    uow_factory: UowFactory,
) -> None:
    hooked: list[tuple[str, str]] = []
    clock = start_clock()
    ports = loopback_ports(on_disabled=lambda endpoint, why: hooked.append((endpoint.id, why)))
    with receiving([], clock) as receiver:
        brand = shop(uow_factory, receiver.url, clock, ports)
        receiver.secrets = [brand.endpoint.secret]
        add_orders(uow_factory, brand.brand_id, 3)
        relay(uow_factory, clock)
        start = clock.now()
        receiver.up = False
        report = send_until(uow_factory, clock, ports, start + timedelta(hours=73))

    assert receiver.taken == {}
    dead = deliveries(uow_factory, DeliveryStatus.DEAD_LETTERED)
    assert len(dead) == 3 and report.dead_lettered >= 1 and report.disabled == 1
    # The first past its 72 hours fails once more and is dead-lettered; that failure also
    # disables the endpoint, which dead-letters the others still pending with it.
    assert {d.last_error for d in dead} <= {"HTTP 503", "endpoint disabled: HTTP 503"}
    assert all(
        d.dead_lettered_at is not None and d.dead_lettered_at >= start + RETRY_FOR for d in dead
    )
    attempts_per_id = Counter(receiver.seen)
    assert set(attempts_per_id) == {d.id for d in dead}
    assert min(attempts_per_id.values()) >= 5, "retried with back-off over the 72 hours"
    with uow_factory(SYSTEM) as uow:  # the outbox is read FOR UPDATE, as the relay does
        endpoint = uow.webhooks.get_endpoint(brand.endpoint.id)
        pending = uow.outbox.pending(1000)
    assert endpoint is not None and not endpoint.enabled
    assert endpoint.disabled_reason == "HTTP 503"
    told = [e for _, e in pending if e.name == "webhook_endpoint.disabled"]
    assert [(e.brand_id, e.payload["endpoint_id"]) for e in told] == [
        (brand.brand_id, brand.endpoint.id)
    ]
    assert "secret" not in str(told[0].payload).lower()
    assert hooked == [(brand.endpoint.id, "HTTP 503")], "the notification hook was called once"
