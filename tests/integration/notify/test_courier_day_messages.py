"""A real courier's day through the relay: each recipient hears each piece of news once,
in words that match what happened at their door."""

from __future__ import annotations

from datetime import timedelta

from doorstep.domain.model import Recipient
from doorstep.domain.notifications import Channel, MessageStatus, NotificationKind
from doorstep.notify.log_senders import LogEmailSender, LogSmsSender
from doorstep.services.notifications.intake import notification_handler
from doorstep.services.notifications.send import Senders, send_due
from doorstep.services.relay import relay_pending
from doorstep.services.routes.courier_actions import ActionKind
from tests import factories
from tests.courier_day import dispatched_day
from tests.integration.notify.conftest import SECRET, TRACKING
from tests.integration.services.test_courier_day import PHOTO, act, sync
from tests.integration.store.conftest import SYSTEM, UowFactory
from tests.unit.fakes import FakeClock

K = NotificationKind


def test_a_day_of_deliveries_tells_each_recipient_each_piece_of_news_once(
    uow_factory: UowFactory,
) -> None:
    who = {
        n: {
            "recipient": Recipient(f"Ada{n} Lovelace", "+44770090012" + str(n), f"a{n}@example.com")
        }
        for n in range(3)
    }
    day = dispatched_day(uow_factory, stops=3, order_overrides=who)
    sync(
        uow_factory,
        day,
        act(ActionKind.START_ROUTE, day),
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
    clock = FakeClock(factories.MORNING + timedelta(hours=3))
    relay_pending(uow_factory, clock, [notification_handler(clock)])
    relay_pending(uow_factory, clock, [notification_handler(clock)])
    email, sms = LogEmailSender(), LogSmsSender()
    senders = Senders(email, sms, "no-reply@deliver.example", TRACKING, SECRET)
    first = send_due(uow_factory, clock, senders)
    again = send_due(uow_factory, clock, senders)

    kinds = {}
    with uow_factory(SYSTEM).read_only() as uow:
        for order_id in day.order_ids:
            found = uow.notifications.list_for_order(order_id)
            assert all(m.status is MessageStatus.SENT for m in found)
            kinds[order_id] = sorted((m.kind.value, m.channel.value) for m in found)
    delivered, failed, waiting = day.order_ids
    assert kinds[delivered] == sorted(
        [
            (K.ORDER_CONFIRMED, Channel.EMAIL),
            (K.OUT_FOR_DELIVERY, Channel.EMAIL),
            (K.OUT_FOR_DELIVERY, Channel.SMS),
            (K.DELIVERED, Channel.EMAIL),
            (K.DELIVERED, Channel.SMS),
        ]
    )
    assert (K.ATTEMPT_FAILED, Channel.SMS) in kinds[failed]
    assert (K.DELIVERED, Channel.EMAIL) not in kinds[failed]
    assert kinds[waiting] == sorted(
        [
            (K.ORDER_CONFIRMED, Channel.EMAIL),
            (K.OUT_FOR_DELIVERY, Channel.EMAIL),
            (K.OUT_FOR_DELIVERY, Channel.SMS),
        ]
    )
    assert first.sent == len(email.sent) + len(sms.sent) and again.sent == 0
    [failed_mail] = [m for m in email.sent if "could not deliver" in m.subject]
    assert "(no one was in)" in failed_mail.text
    assert len({m.message_id for m in email.sent}) == len(email.sent)
