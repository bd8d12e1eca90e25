"""What the webhook tests share: a brand with an endpoint at a loopback receiver, orders
whose events reach it through the relay, and a sender run against an injected clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from doorstep.domain.access import Principal
from doorstep.domain.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from doorstep.notify.webhooks import HttpWebhookSender
from doorstep.services import webhooks
from doorstep.services.relay import relay_pending
from doorstep.services.webhooks import SendReport, WebhookPorts
from doorstep.store.uow import SqlUnitOfWork
from tests import factories
from tests.unit.fakes import FakeClock

UowFactory = Callable[[Principal], SqlUnitOfWork]
SYSTEM = Principal.system("test")
EVENTS = ["order.created", "order.cancelled", "parcel.cancelled", "webhook_endpoint.disabled"]


def loopback_ports(**overrides: object) -> WebhookPorts:
    """Test mode: http to loopback is allowed, as ``DOORSTEP_MODE=test`` wires it."""
    fields: dict[str, object] = {
        "sender": HttpWebhookSender(allow_private=True),
        "allow_private": True,
        "lease_s": 60.0,
    }
    return WebhookPorts(**(fields | overrides))  # type: ignore[arg-type]


def start_clock() -> FakeClock:
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


@dataclass
class Shop:
    brand_id: str
    endpoint: WebhookEndpoint


def shop(
    uow_factory: UowFactory, url: str, clock: FakeClock, ports: WebhookPorts, name: str = "Shop"
) -> Shop:
    brand = factories.brand(name=name)
    with uow_factory(SYSTEM) as uow:
        uow.brands.add(brand)
        uow.commit()
    owner = Principal.brand(brand.id, "key_test")
    draft = webhooks.EndpointDraft(url=url, event_types=EVENTS)
    endpoint = webhooks.create_endpoint(uow_factory(owner), draft, clock=clock, ports=ports)
    return Shop(brand.id, endpoint)


def add_orders(uow_factory: UowFactory, brand_id: str, count: int) -> list[str]:
    orders = [factories.order(brand_id=brand_id) for _ in range(count)]
    with uow_factory(SYSTEM) as uow:
        for order in orders:
            uow.orders.add(order)
        uow.commit()
    return [order.id for order in orders]


def relay(uow_factory: UowFactory, clock: FakeClock) -> int:
    return relay_pending(uow_factory, clock, [webhooks.fan_out(clock)])


def deliveries(
    uow_factory: UowFactory, status: DeliveryStatus | None = None
) -> list[WebhookDelivery]:
    with uow_factory(SYSTEM).read_only() as uow:
        return uow.webhooks.list_deliveries(None, status, 10_000)


def next_due(uow_factory: UowFactory, clock: FakeClock) -> datetime | None:
    with uow_factory(SYSTEM).read_only() as uow:
        due = uow.webhooks.due(clock.now() + timedelta(days=30), 1)
    return due[0].next_attempt_at if due else None


def send_until(
    uow_factory: UowFactory,
    clock: FakeClock,
    ports: WebhookPorts,
    until: datetime,
    on_tick: Callable[[datetime], None] = lambda now: None,
) -> SendReport:
    """Run the sender at every due time (the clock jumping from one to the next) up to
    ``until``; the totals."""
    total = SendReport()
    while True:
        on_tick(clock.now())
        report = webhooks.send_due(uow_factory, clock, ports)
        total = SendReport(
            total.attempted + report.attempted,
            total.delivered + report.delivered,
            total.failed + report.failed,
            total.dead_lettered + report.dead_lettered,
            total.disabled + report.disabled,
        )
        due = next_due(uow_factory, clock)
        if due is None or due > until:
            return total
        clock.current = max(clock.current, due)
