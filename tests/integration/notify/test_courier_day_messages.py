"""A real courier's day through the relay: each recipient hears each piece of news once,
in words that match what happened at their door, and "out for delivery" carries the
window the ETAs announced when the route started."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from doorstep.domain.model import Recipient
from doorstep.domain.notifications import Channel, MessageStatus, NotificationKind
from doorstep.geo.provider import TravelTimeProvider
from doorstep.geo.straight_line import StraightLineProvider
from doorstep.geo.traffic import LONDON
from doorstep.notify.log_senders import LogEmailSender, LogSmsSender
from doorstep.services.eta import latest_windows
from doorstep.services.eta.refresh import EtaRefresh
from doorstep.services.notifications.intake import WINDOW_GRACE, notification_handler
from doorstep.services.notifications.send import Senders, send_due
from doorstep.services.ports import Routing
from doorstep.services.relay import relay_pending
from doorstep.services.routes.courier_actions import ActionKind
from tests import factories
from tests.courier_day import dispatched_day
from tests.integration.notify.conftest import SECRET, TRACKING
from tests.integration.services.test_courier_day import PHOTO, act, sync
from tests.integration.store.conftest import SYSTEM, UowFactory
from tests.unit.fakes import FakeClock

K = NotificationKind


def _routing(network: str) -> Routing:
    return Routing(cast(TravelTimeProvider, StraightLineProvider(traffic=LONDON)), LONDON)


def test_a_day_of_deliveries_tells_each_recipient_each_piece_of_news_once(
    uow_factory: UowFactory,
) -> None:
    who = {
        n: {"recipient": Recipient(f"Ada{n} Lovelace", f"+44770090012{n}", f"a{n}@example.com")}
        for n in range(3)
    }
    day = dispatched_day(uow_factory, stops=3, order_overrides=who)
    clock = FakeClock(factories.MORNING + timedelta(minutes=1))
    email, sms = LogEmailSender(), LogSmsSender()
    senders = Senders(email, sms, "no-reply@deliver.example", TRACKING, SECRET)

    def relay_and_send() -> int:
        relay_pending(uow_factory, clock, [notification_handler(clock)])
        return send_due(uow_factory, clock, senders).sent

    sync(uow_factory, day, act(ActionKind.START_ROUTE, day))
    relay_and_send()  # the parcels went out: their message waits for the day window
    EtaRefresh(uow_factory, clock, _routing).route(day.route_id)
    assert [m.subject for m in email.sent if "out for delivery" in m.subject] == []
    clock.advance(seconds=WINDOW_GRACE.total_seconds())
    relay_and_send()

    with uow_factory(SYSTEM).read_only() as uow:
        windows = latest_windows(uow, day.order_ids)
    out = {m.to: m for m in email.sent if "out for delivery" in m.subject}
    assert len(out) == 3
    first_window = windows[day.order_ids[0]]
    assert (
        f"between {first_window.start:%H:%M} and {first_window.end:%H:%M}"
        in out["a0@example.com"].text
    )

    sync(
        uow_factory,
        day,
        act(ActionKind.ARRIVE, day, 0, 10),
        act(
            ActionKind.COMPLETE,
            day,
            0,
            12,
            method="safe_place",
            safe_place="front porch",
            photos=[PHOTO],
            scanned_barcodes=day.barcodes[0],
        ),
        act(ActionKind.ARRIVE, day, 1, 20),
        act(ActionKind.FAIL, day, 1, 22, reason="recipient_not_home", card_number="C-17"),
    )
    clock.advance(minutes=30)
    relay_and_send()
    assert sms.sent == []  # before 08:00 London: every text waits
    clock.advance(minutes=30)  # 08:03
    assert relay_and_send() == len(sms.sent) > 0
    assert relay_and_send() == 0

    kinds = {}
    with uow_factory(SYSTEM).read_only() as uow:
        for order_id in day.order_ids:
            found = uow.notifications.list_for_order(order_id)
            assert all(m.status is MessageStatus.SENT for m in found)
            kinds[order_id] = sorted((m.kind.value, m.channel.value) for m in found)
    delivered, failed, waiting = day.order_ids
    on_the_day = [(K.OUT_FOR_DELIVERY, Channel.EMAIL), (K.OUT_FOR_DELIVERY, Channel.SMS)]
    assert (K.DELIVERED, Channel.EMAIL) in kinds[delivered]
    assert (K.DELIVERED, Channel.SMS) in kinds[delivered]
    assert (K.ATTEMPT_FAILED, Channel.SMS) in kinds[failed]
    assert (K.DELIVERED, Channel.EMAIL) not in kinds[failed]
    for order_id in day.order_ids:
        assert kinds[order_id].count((K.ORDER_CONFIRMED, Channel.EMAIL)) == 1
        assert all(kinds[order_id].count(news) == 1 for news in on_the_day)
    assert (K.DELIVERED, Channel.EMAIL) not in kinds[waiting]
    [failed_mail] = [m for m in email.sent if "could not deliver" in m.subject]
    assert "(no one was in)" in failed_mail.text
    assert f"{TRACKING}{_token(uow_factory, failed)}/reschedule" in failed_mail.text
    assert len({m.message_id for m in email.sent}) == len(email.sent)


def _token(uow_factory: UowFactory, order_id: str) -> str:
    with uow_factory(SYSTEM).read_only() as uow:
        order = uow.orders.get(order_id)
    assert order is not None
    return order.tracking_token
