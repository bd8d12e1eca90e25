"""The relay's fan-out: which brand's endpoints get an event, and what they are told."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from doorstep.domain.access import Principal
from doorstep.domain.events import DomainEvent
from doorstep.domain.model import Role
from doorstep.services import webhooks
from doorstep.services.errors import PermissionDenied
from doorstep.services.webhooks import WebhookPorts
from tests import factories
from tests.unit.fakes import FakeClock, FakeDatabase, uow_factory

SYSTEM = Principal.system("test")


def _brands_with_endpoints(db: FakeDatabase, *names: str) -> list[tuple[str, str]]:
    """(brand id, endpoint id) for each name; every endpoint wants stop and order events."""
    made = []
    with uow_factory(db)(SYSTEM) as uow:
        for name in names:
            brand = factories.brand(name=name)
            uow.brands.add(brand)
        uow.commit()
    for brand_id in list(db.brands):
        endpoint = factories.webhook_endpoint(
            brand_id=brand_id, event_types=("stop.window_announced", "order.created")
        )
        with uow_factory(db)(SYSTEM) as uow:
            uow.webhooks.add_endpoint(endpoint)
            uow.commit()
        made.append((brand_id, endpoint.id))
    return made


def _fan_out(db: FakeDatabase, clock: FakeClock, outbox_id: int, event: DomainEvent) -> None:
    with uow_factory(db)(SYSTEM) as uow:
        webhooks.fan_out(clock)(uow, outbox_id, event)
        uow.commit()


def test_a_stop_event_reaches_each_brand_with_an_order_on_it_naming_only_its_own_orders() -> None:
    db, clock = FakeDatabase(), FakeClock()
    (a, hook_a), (b, hook_b), (_, hook_c) = _brands_with_endpoints(db, "A", "B", "C")
    order_a, order_b = factories.order(brand_id=a), factories.order(brand_id=b)
    db.orders |= {order_a.id: order_a, order_b.id: order_b}
    stop = DomainEvent(
        name="stop.window_announced",
        aggregate_id="rte_0000000000000000",
        occurred_at=clock.now(),
        payload={"route_id": "rte_0", "stop_id": "stp_0", "order_ids": [order_a.id, order_b.id]},
    )

    _fan_out(db, clock, 41, stop)

    bodies = {d.endpoint_id: json.loads(d.body) for d in db.webhook_deliveries.values()}
    assert set(bodies) == {hook_a, hook_b}, "brand C has no order on the stop"
    assert bodies[hook_a]["data"]["order_ids"] == [order_a.id]
    assert bodies[hook_b]["data"]["order_ids"] == [order_b.id]
    assert bodies[hook_a]["type"] == "stop.window_announced"
    assert bodies[hook_a]["data"]["brand_id"] == a
    assert hook_c not in bodies


def test_an_event_of_one_brand_reaches_only_that_brands_endpoints_that_chose_it() -> None:
    db, clock = FakeDatabase(), FakeClock()
    (a, hook_a), _ = _brands_with_endpoints(db, "A", "B")
    created = DomainEvent("order.created", "ord_1", clock.now(), {"order_id": "ord_1"}, a)
    delivered = DomainEvent("parcel.delivered", "par_1", clock.now(), {"parcel_id": "par_1"}, a)
    route = DomainEvent("route.started", "rte_1", clock.now(), {"route_id": "rte_1"})

    for outbox_id, event in enumerate([created, delivered, route], start=1):
        _fan_out(db, clock, outbox_id, event)
    _fan_out(db, clock, 1, created)  # relayed again: no second message

    assert [(d.endpoint_id, d.outbox_id) for d in db.webhook_deliveries.values()] == [(hook_a, 1)]


def test_couriers_may_not_touch_webhooks_and_dispatchers_only_look() -> None:
    db, clock = FakeDatabase(), FakeClock()
    ((_, hook),) = _brands_with_endpoints(db, "A")
    courier = Principal.user("usr_c", Role.COURIER, courier_id="cou_1")
    dispatcher = Principal.user("usr_d", Role.DISPATCHER)
    with pytest.raises(PermissionDenied):
        webhooks.list_endpoints(uow_factory(db)(courier))
    assert [e.id for e in webhooks.list_endpoints(uow_factory(db)(dispatcher))] == [hook]
    draft = webhooks.EndpointDraft(url="http://127.0.0.1:9/", event_types=["order.created"])
    with pytest.raises(PermissionDenied):
        webhooks.create_endpoint(
            uow_factory(db)(dispatcher),
            draft,
            clock=clock,
            ports=WebhookPorts(allow_private=True),
        )
    with pytest.raises(PermissionDenied):
        webhooks.rotate_secret(uow_factory(db)(dispatcher), hook, clock=clock)


def test_a_second_rotation_within_24_hours_keeps_only_the_two_newest_secrets() -> None:
    db, clock = FakeDatabase(), FakeClock()
    ((brand_id, hook),) = _brands_with_endpoints(db, "A")
    owner = Principal.brand(brand_id, "key_a")
    first = webhooks.rotate_secret(uow_factory(db)(owner), hook, clock=clock)
    clock.advance(hours=1)
    second = webhooks.rotate_secret(uow_factory(db)(owner), hook, clock=clock)
    assert second.signing_secrets(clock.now()) == (second.secret, first.secret)
    assert second.previous_secret_until == clock.now() + timedelta(hours=24)
