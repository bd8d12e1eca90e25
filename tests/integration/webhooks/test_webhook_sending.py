"""Signing, rotation, replay and the send-time address check, against a real receiver."""

from __future__ import annotations

import ipaddress
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest

from doorstep.domain.access import Principal
from doorstep.domain.webhooks import ROTATION_OVERLAP, DeliveryStatus
from doorstep.notify.webhooks import HttpWebhookSender
from doorstep.services import webhooks
from doorstep.services.errors import NotFound
from doorstep.services.ports import WebhookMessage
from tests.integration.webhooks.receiver import receiving
from tests.integration.webhooks.world import (
    UowFactory,
    add_orders,
    deliveries,
    loopback_ports,
    relay,
    send_until,
    shop,
    start_clock,
)


def test_after_a_rotation_both_secrets_sign_for_24_hours_then_only_the_new(
    uow_factory: UowFactory,
) -> None:
    clock, ports = start_clock(), loopback_ports()
    with receiving([], clock) as receiver:
        brand = shop(uow_factory, receiver.url, clock, ports)
        owner = Principal.brand(brand.brand_id, "key_test")
        old = brand.endpoint.secret
        rotated = webhooks.rotate_secret(uow_factory(owner), brand.endpoint.id, clock=clock)
        new = rotated.secret
        assert new.startswith("whsec_") and new != old
        receiver.secrets = [old, new]  # each must verify on its own during the overlap
        add_orders(uow_factory, brand.brand_id, 1)
        relay(uow_factory, clock)
        webhooks.send_due(uow_factory, clock, ports)
        assert len(receiver.taken) == 1 and receiver.bad_signatures == 0
        assert receiver.signatures[-1].count("v1,") == 2

        clock.advance(seconds=ROTATION_OVERLAP.total_seconds())
        receiver.secrets = [new]
        add_orders(uow_factory, brand.brand_id, 1)
        relay(uow_factory, clock)
        webhooks.send_due(uow_factory, clock, ports)
        assert len(receiver.taken) == 2 and receiver.bad_signatures == 0
        assert receiver.signatures[-1].count("v1,") == 1
        receiver.secrets = [old]
        add_orders(uow_factory, brand.brand_id, 1)
        relay(uow_factory, clock)
        webhooks.send_due(uow_factory, clock, ports)
        assert receiver.bad_signatures == 1, "the old secret no longer verifies"


def test_a_dead_letter_replayed_by_id_arrives_under_that_same_id(uow_factory: UowFactory) -> None:
    clock, ports = start_clock(), loopback_ports()
    with receiving([], clock) as receiver:
        brand = shop(uow_factory, receiver.url, clock, ports)
        owner = Principal.brand(brand.brand_id, "key_test")
        receiver.secrets = [brand.endpoint.secret]
        add_orders(uow_factory, brand.brand_id, 2)
        relay(uow_factory, clock)
        receiver.up = False
        send_until(uow_factory, clock, ports, clock.now() + timedelta(hours=73))
        dead = webhooks.list_dead_letters(uow_factory(owner))
        assert len(dead) == 2
        # The brand fixes its receiver, switches the endpoint on and replays one by id.
        receiver.up = True
        change = webhooks.EndpointChange(enabled=True)
        webhooks.update_endpoint(
            uow_factory(owner), brand.endpoint.id, change, clock=clock, ports=ports
        )
        again = webhooks.replay(uow_factory(owner), brand.endpoint.id, dead[0].id, clock=clock)
        assert again.status is DeliveryStatus.PENDING
        webhooks.send_due(uow_factory, clock, ports)

    assert list(receiver.taken) == [dead[0].id]
    assert {d.id: d.status for d in deliveries(uow_factory)} == {
        dead[0].id: DeliveryStatus.DELIVERED,
        dead[1].id: DeliveryStatus.DEAD_LETTERED,
    }
    attempts = webhooks.list_attempts(uow_factory(owner), brand.endpoint.id, limit=200)
    assert attempts[0].delivery_id == dead[0].id and attempts[0].status_code == 204
    assert {a.status_code for a in attempts[1:]} == {503}
    assert all(len(a.response_excerpt) <= 200 for a in attempts)


def test_another_brand_sees_none_of_a_brands_endpoints_or_deliveries(
    uow_factory: UowFactory,
) -> None:
    clock, ports = start_clock(), loopback_ports()
    mine = shop(uow_factory, "http://127.0.0.1:9/hooks", clock, ports, name="Mine")
    theirs = shop(uow_factory, "http://127.0.0.1:9/hooks", clock, ports, name="Theirs")
    add_orders(uow_factory, mine.brand_id, 2)
    add_orders(uow_factory, theirs.brand_id, 1)
    relay(uow_factory, clock)
    me = Principal.brand(mine.brand_id, "key_test")
    assert [e.id for e in webhooks.list_endpoints(uow_factory(me))] == [mine.endpoint.id]
    with pytest.raises(NotFound):
        webhooks.get_endpoint(uow_factory(me), theirs.endpoint.id)
    with pytest.raises(NotFound):
        webhooks.list_deliveries(uow_factory(me), theirs.endpoint.id)
    their_delivery = webhooks.list_deliveries(
        uow_factory(Principal.brand(theirs.brand_id, "key_test")), theirs.endpoint.id
    )[0]
    with pytest.raises(NotFound):
        webhooks.replay(uow_factory(me), mine.endpoint.id, their_delivery.id, clock=clock)
    with pytest.raises(NotFound):
        webhooks.replay(uow_factory(me), theirs.endpoint.id, their_delivery.id, clock=clock)
    by_endpoint = Counter(d.endpoint_id for d in deliveries(uow_factory))
    assert by_endpoint == {mine.endpoint.id: 2, theirs.endpoint.id: 1}, "each its own events"


def test_relaying_the_same_event_again_makes_no_second_message(uow_factory: UowFactory) -> None:
    clock, ports = start_clock(), loopback_ports()
    brand = shop(uow_factory, "http://127.0.0.1:9/hooks", clock, ports)
    add_orders(uow_factory, brand.brand_id, 1)
    with uow_factory(Principal.system("test")) as uow:
        rows = uow.outbox.pending(100)
    handler = webhooks.fan_out(clock)
    for _ in range(2):  # a relay that died after its fan-out, before marking sent
        with uow_factory(Principal.system("test")) as uow:
            for outbox_id, event in rows:
                handler(uow, outbox_id, event)
            uow.commit()
    assert len(deliveries(uow_factory)) == 1


def _answer(status: int, body: bytes = b"", **headers: str) -> httpx.Response:
    """An answer streamed as from a socket (the sender reads only the first kibibyte)."""
    return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))


def _record(requests: list[httpx.Request], request: httpx.Request) -> httpx.Response:
    requests.append(request)
    return _answer(204)


MESSAGE = WebhookMessage(
    url="https://hooks.shop.example/in",
    webhook_id="msg_0000000000000000",
    timestamp=start_clock().now(),
    body='{"type":"order.created"}',
    secrets=("whsec_" + "A" * 44,),
)


def test_at_send_time_a_name_resolving_inside_is_refused_without_a_connection() -> None:
    requests: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: _record(requests, r))
    rebound = HttpWebhookSender(
        allow_private=False,
        resolve=lambda host: [ipaddress.ip_address("169.254.169.254")],
        transport=transport,
    )
    answer = rebound.send(MESSAGE)
    assert answer.status_code is None and answer.error is not None
    assert "169.254.169.254" in answer.error and "link-local" in answer.error
    assert requests == []


def test_the_connection_goes_to_the_checked_address_with_the_name_as_host_and_tls_name() -> None:
    requests: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: _record(requests, r))
    sender = HttpWebhookSender(
        allow_private=False,
        resolve=lambda host: [ipaddress.ip_address("93.184.215.14")],
        transport=transport,
    )
    assert sender.send(MESSAGE).status_code == 204
    (sent,) = requests
    assert sent.url.host == "93.184.215.14" and sent.url.scheme == "https"
    assert sent.headers["host"] == "hooks.shop.example"
    assert sent.extensions["sni_hostname"] == "hooks.shop.example"
    assert sent.headers["webhook-id"] == MESSAGE.webhook_id


def test_redirects_are_not_followed_and_a_large_answer_is_cut() -> None:
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return _answer(302, b"x" * 10**6, location="http://10.0.0.1/")

    sender = HttpWebhookSender(
        allow_private=False,
        resolve=lambda host: [ipaddress.ip_address("93.184.215.14")],
        transport=httpx.MockTransport(answer),
    )
    response = sender.send(MESSAGE)
    assert response.status_code == 302 and len(requests) == 1
    assert len(response.excerpt) <= 1024


def test_two_senders_at_once_send_each_message_once(uow_factory: UowFactory) -> None:
    clock, ports = start_clock(), loopback_ports()
    with receiving([], clock) as receiver:
        brand = shop(uow_factory, receiver.url, clock, ports)
        receiver.secrets = [brand.endpoint.secret]
        add_orders(uow_factory, brand.brand_id, 20)
        relay(uow_factory, clock)
        with ThreadPoolExecutor(2) as pool:
            reports = list(
                pool.map(lambda _: webhooks.send_due(uow_factory, clock, ports), range(2))
            )

    assert sum(r.delivered for r in reports) == 20
    assert Counter(receiver.seen) == Counter({d.id: 1 for d in deliveries(uow_factory)})
