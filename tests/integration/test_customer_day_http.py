"""The customer's side end to end, over real HTTP with the server's own jobs, a real SMTP
server and a brand's real webhook receiver, on SQLite and PostgreSQL.

A recipient opens the link in the "out for delivery" e-mail and sees the window the ETAs
announced; sets a safe place that the courier's route then shows; the courier leaves the
parcel there with a photo; the recipient gets one "delivered" e-mail whose link shows that
photo; and the brand's endpoint receives every event it chose once, signed, each under one
``webhook-id``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from doorstep.domain.model import Recipient, Role
from doorstep.services import webhooks
from doorstep.services.notifications.intake import WINDOW_GRACE, notification_handler
from doorstep.services.notifications.send import send_due
from doorstep.services.relay import relay_pending
from doorstep.store.database import create_engine_for
from doorstep.store.tables import OutboxRow
from tests import factories
from tests.courier_day import CourierDay, dispatched_day
from tests.images import photo, sha256
from tests.integration.live_server import LiveApi, serve
from tests.integration.notify.smtp_server import Mailbox, free_port, smtp_server
from tests.integration.webhooks.receiver import Receiver, receiving
from tests.unit.fakes import FakeClock

CHOSEN = [
    "parcel.out_for_delivery",
    "parcel.delivered",
    "stop.window_announced",
    "order.preferences_changed",
]
PICTURE = photo()
PICTURE_SHA = sha256(PICTURE)
PUMPS = 100  # rounds of the jobs a test waits for, each after a short sleep
LINK = re.compile(r"https?://[^\s\"<>]+/t/[A-Za-z0-9_-]+")


@dataclass
class World:
    api: LiveApi
    clock: FakeClock
    mailbox: Mailbox
    receiver: Receiver
    day: CourierDay
    database_url: str

    def pump(self) -> None:
        """One round of what the server's consumer runs (relay, e-mails, webhooks); it
        runs them too, and the two at once are part of what is tested (claims)."""
        container = self.api.container
        handlers = [*container.relay_handlers, notification_handler(container.clock)]
        relay_pending(container.uow_factory, container.clock, handlers, container.relay_after)
        assert container.senders is not None
        send_due(container.uow_factory, container.clock, container.senders)
        webhooks.send_due(container.uow_factory, container.clock, container.webhooks)

    def wait_for(self, done: Callable[[], bool], what: str) -> None:
        for _ in range(PUMPS):
            self.pump()
            if done():
                return
            time.sleep(0.1)
        mail = [(m["To"], m["Subject"]) for m in self.mailbox.received]
        hooks = (self.receiver.seen, self.receiver.bad_signatures)
        pytest.fail(f"never happened: {what}; mail {mail}; webhooks (ids, bad) {hooks}")

    def mails(self, to: str, subject_part: str) -> list[EmailMessage]:
        return [
            m
            for m in self.mailbox.received
            if m["To"] == to and subject_part in str(m["Subject"]).lower()
        ]

    def outbox(self, names: list[str] | None, after_id: int) -> list[int]:
        """Ids of the events written after ``after_id`` (of ``names``; any when None)."""
        query = select(OutboxRow.id).where(OutboxRow.id > after_id)
        if names is not None:
            query = query.where(OutboxRow.name.in_(names))
        engine = create_engine_for(self.database_url)
        try:
            with engine.connect() as connection:
                return list(connection.scalars(query))
        finally:
            engine.dispose()


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    port = free_port()
    clock = FakeClock(factories.MORNING + timedelta(hours=1, minutes=5))  # 08:05 London
    with (
        smtp_server(port) as mailbox,
        receiving([], clock=clock) as receiver,
        serve(
            database_url,
            clock=clock,
            smtp_url=f"smtp://127.0.0.1:{port}",
            email_from="hello@shop.test",
        ) as api,
    ):
        people = {
            n: {"recipient": Recipient(f"Ada{n} Lovelace", None, f"ada{n}@example.com")}
            for n in range(3)
        }
        day = dispatched_day(api.container.uow_factory, stops=3, order_overrides=people)
        yield World(api, clock, mailbox, receiver, day, database_url)


def _action(day: CourierDay, kind: str, n: int | None, **data: Any) -> dict[str, Any]:
    action: dict[str, Any] = {
        "client_event_id": f"{kind}-{n}",
        "device_time": factories.MORNING.isoformat(),
        "type": kind,
        "route_id": day.route_id,
    }
    if n is not None:
        action["stop_id"] = day.stop_ids[n]
    if data:
        action["data"] = data
    return action


def _act(courier: httpx.Client, *actions: dict[str, Any]) -> None:
    answer = courier.post("/v1/courier/actions", json={"actions": list(actions)})
    assert answer.status_code == 200, answer.text
    assert {r["status"] for r in answer.json()["results"]} == {"applied"}, answer.text


def _page(world: World, link: str) -> tuple[str, str]:
    """The tracking page the link opens (on the live server), and its path."""
    path = "/t/" + link.rsplit("/t/", 1)[1]
    answer = world.api.client().get(path)
    assert answer.status_code == 200, answer.text
    return path, answer.text


def test_a_customer_sees_the_window_sets_a_safe_place_and_hears_once_and_so_does_the_brand(
    world: World,
) -> None:
    day, api = world.day, world.api
    admin = api.client(api.create_operator(Role.ADMIN))
    world.pump()  # the day's events so far go out before the brand's endpoint exists
    first_event = max(world.outbox(None, 0), default=0)
    made = admin.post(
        "/v1/webhook-endpoints",
        json={"url": world.receiver.url, "event_types": CHOSEN, "brand_id": day.brand_id},
    )
    assert made.status_code == 201, made.text
    world.receiver.secrets.append(made.json()["secret"])

    courier = api.client(api.create_operator(Role.COURIER, courier_id=day.courier_id))
    _act(courier, _action(day, "start_route", None))
    world.clock.advance(seconds=WINDOW_GRACE.total_seconds() + 1)
    ada = "ada0@example.com"
    world.wait_for(lambda: bool(world.mails(ada, "out for delivery")), "out for delivery")

    [out] = world.mails(ada, "out for delivery")
    text = out.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    window = re.search(r"between (\d\d:\d\d) and (\d\d:\d\d)", text)
    assert window is not None, text
    link = LINK.search(text)
    assert link is not None, text
    path, page = _page(world, link.group(0))
    assert window.group(1) in page and window.group(2) in page

    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    chosen = api.client().post(
        f"{path}/safe-place",
        data={"csrf": csrf.group(1), "choice": "front_porch", "note": "behind the blue pot"},
    )
    assert chosen.status_code in (200, 303), chosen.text
    route = courier.get(f"/v1/routes/{day.route_id}").json()
    assert "behind the blue pot" in str(route["stops"][0]), route["stops"][0]

    stored = courier.put(
        f"/v1/blobs/{PICTURE_SHA}", content=PICTURE, headers={"Content-Type": "image/jpeg"}
    )
    assert stored.status_code in (200, 201), stored.text
    _act(
        courier,
        _action(day, "arrive", 0),
        _action(
            day,
            "complete",
            0,
            method="safe_place",
            safe_place="front porch, behind the blue pot",
            photos=[PICTURE_SHA],
            scanned_barcodes=day.barcodes[0],
        ),
    )
    world.wait_for(lambda: bool(world.mails(ada, "delivered")), "delivered")
    for _ in range(3):
        world.pump()
    [delivered] = world.mails(ada, "delivered")
    assert len(world.mails(ada, "out for delivery")) == 1
    delivered_text = delivered.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = LINK.search(delivered_text)
    assert link is not None
    _, proof_page = _page(world, link.group(0))
    assert 'class="photo"' in proof_page and "Photo of where your parcel was left" in proof_page

    expected = world.outbox(CHOSEN, first_event)
    world.wait_for(lambda: len(world.receiver.taken) >= len(expected), "every webhook")
    assert world.receiver.bad_signatures == 0
    assert len(world.receiver.taken) == len(expected)
    assert len(world.receiver.seen) == len(set(world.receiver.seen))  # none came twice
    types = {body["type"] for body in world.receiver.taken.values()}
    assert {"parcel.delivered", "stop.window_announced", "order.preferences_changed"} <= types
