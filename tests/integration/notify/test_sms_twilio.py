"""Texts through a loopback server speaking Twilio's Messages API: what it receives, the
quiet hours (21:00-08:00 London) with an injected clock, and STOP / START. The orders'
recipients have no e-mail address, so every message here is a text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from doorstep.domain.events import DomainEvent
from doorstep.domain.model import Order
from doorstep.domain.notifications import Channel, MessageStatus, NotificationKind
from doorstep.notify.sms_twilio import TwilioAccount, TwilioSmsSender
from doorstep.services.errors import AuthenticationFailed
from doorstep.services.notifications.inbound import record_inbound, twilio_signature
from doorstep.services.notifications.intake import notification_handler
from doorstep.services.notifications.send import SendReport
from tests.integration.notify.conftest import PHONE, SECRET, TRACKING, Shop
from tests.integration.notify.twilio_server import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    SmsInbox,
    twilio_server,
)
from tests.integration.store.conftest import SYSTEM

SENDER = "+447700900999"
INBOUND_URL = "https://deliver.example/v1/sms/inbound"


def _announce(shop: Shop, order: Order, kind: str, start: datetime, outbox_id: int) -> None:
    """The ETA's window for the order's stop, as the relay hands it to the handler."""
    event = DomainEvent(
        name="stop.window_announced",
        aggregate_id="stp_test",
        occurred_at=shop.clock.now(),
        payload={
            "route_id": "rte_test",
            "stop_id": "stp_test",
            "order_ids": [order.id],
            "kind": kind,
            "window_start": start.isoformat(),
            "window_end": (start + timedelta(hours=1)).isoformat(),
            "predicted_arrival": (start + timedelta(minutes=30)).isoformat(),
        },
    )
    with shop.uow_factory(SYSTEM) as uow:
        notification_handler(shop.clock)(uow, outbox_id, event)
        uow.commit()


def _text(shop: Shop, inbox: SmsInbox) -> SendReport:
    account = TwilioAccount(ACCOUNT_SID, AUTH_TOKEN, SENDER, base_url=inbox.base_url)
    return shop.send(sms=TwilioSmsSender(account))


def _sms(shop: Shop, order: Order) -> list[MessageStatus]:
    return [m.status for m in shop.messages(order.id) if m.channel is Channel.SMS]


def _reply(shop: Shop, body: str, signature: str | None = None) -> bool | None:
    params = [("From", "+44 7700 900123"), ("To", SENDER), ("Body", body), ("SmsSid", "SM1")]
    return record_inbound(
        shop.uow_factory,
        shop.clock,
        secret=SECRET,
        auth_token=AUTH_TOKEN,
        url=INBOUND_URL,
        params=params,
        signature=signature or twilio_signature(AUTH_TOKEN, INBOUND_URL, params),
    )


def test_the_out_for_delivery_text_reaches_the_provider_once_with_the_window(
    shop: Shop,
) -> None:
    order = shop.order(email=None)
    _announce(shop, order, "day", datetime(2026, 12, 2, 14, 40, tzinfo=UTC), outbox_id=1)
    _announce(shop, order, "day", datetime(2026, 12, 2, 14, 50, tzinfo=UTC), outbox_id=2)
    with twilio_server() as inbox:
        report = _text(shop, inbox)
        shop.clock.advance(hours=1)
        again = _text(shop, inbox)

    assert (report.sent, again.sent, inbox.auth_failures) == (1, 0, 0)
    [form] = inbox.received
    assert form["To"] == PHONE and form["From"] == SENDER
    assert "out for delivery today, 14:40-15:40" in form["Body"]
    assert TRACKING + order.tracking_token in form["Body"]
    [message] = [m for m in shop.messages(order.id) if m.channel is Channel.SMS]
    assert message.kind is NotificationKind.OUT_FOR_DELIVERY
    assert message.status is MessageStatus.SENT
    assert message.provider_id == "SM" + "1".zfill(32)


def test_a_text_due_at_half_past_nine_at_night_waits_for_eight_in_the_morning(
    shop: Shop,
) -> None:
    shop.clock.current = datetime(2026, 12, 2, 21, 30, tzinfo=UTC)  # GMT: 21:30 London
    order = shop.order(email=None)
    _announce(shop, order, "approaching", datetime(2026, 12, 2, 21, 40, tzinfo=UTC), 1)
    [waiting] = [m for m in shop.messages(order.id) if m.channel is Channel.SMS]
    assert waiting.not_before == datetime(2026, 12, 3, 8, 0, tzinfo=UTC)

    with twilio_server() as inbox:
        shop.clock.current = datetime(2026, 12, 3, 7, 59, tzinfo=UTC)
        night = _text(shop, inbox)
        shop.clock.current = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
        morning = _text(shop, inbox)

    assert (night.sent, morning.sent, len(inbox.received)) == (0, 1, 1)


def test_a_retry_that_falls_in_the_quiet_hours_is_held_until_the_morning_in_summer(
    shop: Shop,
) -> None:
    shop.clock.current = datetime(2026, 7, 1, 19, 55, tzinfo=UTC)  # 20:55 BST
    order = shop.order(email=None)
    _announce(shop, order, "approaching", datetime(2026, 7, 1, 20, 10, tzinfo=UTC), 1)
    with twilio_server() as inbox:
        inbox.answer_next.append((503, {"code": 20500, "message": "Internal error"}))
        busy = _text(shop, inbox)
        shop.clock.advance(minutes=10)  # 21:05 BST: the retry is due, but it is night
        night = _text(shop, inbox)
        shop.clock.current = datetime(2026, 7, 2, 7, 0, tzinfo=UTC)  # 08:00 BST
        morning = _text(shop, inbox)

    assert (busy.retried, night.held, night.sent, morning.sent) == (1, 1, 0, 1)
    assert len(inbox.received) == 1


def test_stop_opts_the_number_out_and_start_back_in(shop: Shop) -> None:
    first, second = shop.order(email=None), shop.order(email=None)
    assert _reply(shop, "Stop") is True
    _announce(shop, first, "day", datetime(2026, 12, 2, 15, 0, tzinfo=UTC), 1)
    with twilio_server() as inbox:
        stopped = _text(shop, inbox)
        assert _reply(shop, "START") is False
        _announce(shop, second, "day", datetime(2026, 12, 2, 15, 0, tzinfo=UTC), 2)
        started = _text(shop, inbox)

    assert (stopped.skipped, started.sent, len(inbox.received)) == (1, 1, 1)
    [skipped] = [m for m in shop.messages(first.id) if m.channel is Channel.SMS]
    assert skipped.status is MessageStatus.SKIPPED
    assert skipped.error == "the recipient answered STOP"


def test_an_unsigned_or_forged_stop_changes_nothing(shop: Shop) -> None:
    with pytest.raises(AuthenticationFailed):
        _reply(shop, "STOP", signature="forged")
    with pytest.raises(AuthenticationFailed):
        record_inbound(
            shop.uow_factory,
            shop.clock,
            secret=SECRET,
            auth_token=AUTH_TOKEN,
            url=INBOUND_URL,
            params=[("From", PHONE), ("Body", "STOP")],
            signature=None,
        )
    order = shop.order(email=None)
    _announce(shop, order, "day", datetime(2026, 12, 2, 15, 0, tzinfo=UTC), 1)
    with twilio_server() as inbox:
        assert _text(shop, inbox).sent == 1


def test_an_invalid_number_is_failed_with_the_providers_reason_and_not_retried(
    shop: Shop,
) -> None:
    order = shop.order(email=None)
    _announce(shop, order, "day", datetime(2026, 12, 2, 15, 0, tzinfo=UTC), 1)
    with twilio_server() as inbox:
        inbox.answer_next.append(
            (400, {"code": 21211, "message": "The 'To' number +447700900123 is not valid."})
        )
        refused = _text(shop, inbox)
        shop.clock.advance(hours=2)
        later = _text(shop, inbox)

    assert (refused.failed, later.sent, inbox.received) == (1, 0, [])
    [message] = [m for m in shop.messages(order.id) if m.channel is Channel.SMS]
    assert message.status is MessageStatus.FAILED
    assert message.error is not None and "code 21211" in message.error
