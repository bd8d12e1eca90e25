"""E-mail through a real SMTP server on loopback: parsed as received, and sent exactly
once when the server refuses for a while, is not there at all, or a worker dies."""

from __future__ import annotations

from typing import Any

from doorstep.domain.notifications import Channel, MessageStatus, NotificationKind
from doorstep.domain.parcel import ParcelAction
from doorstep.notify.email_smtp import SmtpEmailSender, SmtpServer
from doorstep.services.notifications.send import STALE_AFTER
from tests import factories
from tests.integration.notify.conftest import EMAIL, TRACKING, Shop
from tests.integration.notify.smtp_server import Mailbox, free_port, smtp_server
from tests.integration.store.conftest import SYSTEM


def _sender(shop: Shop, port: int) -> SmtpEmailSender:
    return SmtpEmailSender(SmtpServer.from_url(f"smtp://127.0.0.1:{port}"), shop.clock, 5.0)


def test_the_order_confirmation_arrives_with_text_and_html_and_the_tracking_link(
    shop: Shop,
) -> None:
    port = free_port()
    order = shop.order()
    shop.relay()
    with smtp_server(port) as mailbox:
        report = shop.send(email=_sender(shop, port))

    assert report.sent == 1
    [mail] = mailbox.received
    assert mail["To"] == EMAIL
    assert mail["From"].addresses[0].display_name == "Camden Coffee Co"
    assert mail["From"].addresses[0].addr_spec == "no-reply@deliver.example"
    assert order.reference in mail["Subject"]
    text = mail.get_body(preferencelist=("plain",))
    html = mail.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    link = TRACKING + order.tracking_token
    assert link in text.get_content()
    assert f'href="{link}"' in html.get_content()
    [message] = [m for m in shop.messages(order.id) if m.channel is Channel.EMAIL]
    assert message.status is MessageStatus.SENT
    assert mail["Message-ID"] == f"<{message.id}@deliver.example>"


def test_a_server_refusing_with_451_then_accepting_gets_every_email_once(shop: Shop) -> None:
    port = free_port()
    orders = [shop.order() for _ in range(3)]
    shop.relay()
    box = Mailbox(refuse_next=["451 4.3.0 Try again later"] * 4)
    with smtp_server(port, box) as mailbox:
        first = shop.send(email=_sender(shop, port))
        assert (first.sent, first.retried) == (0, 3)
        shop.clock.advance(minutes=1)
        second = shop.send(email=_sender(shop, port))  # one more 451, then accepted
        assert (second.sent, second.retried) == (2, 1)
        shop.clock.advance(minutes=2)
        third = shop.send(email=_sender(shop, port))
        shop.clock.advance(hours=2)
        again = shop.send(email=_sender(shop, port))

    assert third.sent == 1 and again.sent == 0
    ids = sorted(str(mail["Message-ID"]) for mail in mailbox.received)
    assert len(ids) == 3 == len(set(ids))
    for order in orders:
        [message] = [m for m in shop.messages(order.id) if m.channel is Channel.EMAIL]
        assert message.status is MessageStatus.SENT


def test_a_server_that_is_not_there_yet_gets_the_email_once_it_is_up(shop: Shop) -> None:
    port = free_port()  # nothing listens: the connection is refused
    order = shop.order()
    shop.relay()

    down = shop.send(email=_sender(shop, port))
    [waiting] = [m for m in shop.messages(order.id) if m.channel is Channel.EMAIL]
    assert down.retried == 1 and waiting.status is MessageStatus.PENDING
    assert waiting.error is not None and "ConnectionRefusedError" in waiting.error
    assert EMAIL not in waiting.error

    with smtp_server(port) as mailbox:
        early = shop.send(email=_sender(shop, port))  # its retry is not due yet
        shop.clock.advance(minutes=1)
        up = shop.send(email=_sender(shop, port))
        shop.clock.advance(minutes=30)
        later = shop.send(email=_sender(shop, port))
    assert (early.sent, up.sent, later.sent) == (0, 1, 0)
    assert len(mailbox.received) == 1


def test_a_permanent_refusal_marks_the_message_failed_with_the_reason(shop: Shop) -> None:
    port = free_port()
    order = shop.order()
    shop.relay()
    box = Mailbox(refuse_next=["550 5.1.1 Mailbox does not exist"])
    with smtp_server(port, box) as mailbox:
        refused = shop.send(email=_sender(shop, port))
        shop.clock.advance(hours=3)
        after = shop.send(email=_sender(shop, port))

    assert refused.failed == 1 and after.sent == 0 and mailbox.received == []
    [message] = [m for m in shop.messages(order.id) if m.channel is Channel.EMAIL]
    assert message.status is MessageStatus.FAILED
    assert message.error == "SMTP 550: 5.1.1 Mailbox does not exist"


def test_an_email_left_sending_by_a_dead_worker_is_sent_again_under_the_same_message_id(
    shop: Shop,
) -> None:
    port = free_port()
    order = shop.order()
    shop.relay()
    with shop.uow_factory(SYSTEM) as uow:  # a worker claimed it, sent it, and died
        [message] = [m for m in uow.notifications.list_for_order(order.id) if m.channel == "email"]
        claimed = uow.notifications.claim(message.id, shop.clock.now())
        uow.commit()
    assert claimed is not None and claimed.status is MessageStatus.SENDING

    with smtp_server(port) as mailbox:
        soon = shop.send(email=_sender(shop, port))  # it may still be on its way
        shop.clock.advance(seconds=STALE_AFTER.total_seconds() + 1)
        late = shop.send(email=_sender(shop, port))

    assert (soon.sent, late.recovered, late.sent) == (0, 1, 1)
    [mail] = mailbox.received
    assert mail["Message-ID"] == f"<{message.id}@deliver.example>"


def test_each_piece_of_news_is_one_email_per_order_however_many_parcels(shop: Shop) -> None:
    order = shop.order(parcels=3)
    van = factories.vehicle()
    with shop.uow_factory(SYSTEM) as uow:
        uow.vehicles.add(van)
        stored = uow.orders.get(order.id)
        assert stored is not None
        for parcel in stored.parcels:
            steps: tuple[tuple[ParcelAction, dict[str, Any]], ...] = (
                (ParcelAction.RECEIVE, {"place": "hub_test"}),
                (ParcelAction.SORT, {"bay": "B4"}),
                (ParcelAction.LOAD, {"vehicle_id": van.id}),
                (ParcelAction.DEPART, {}),
            )
            for action, extra in steps:
                parcel.apply(action, actor="usr_test", at=shop.clock.now(), **extra)
            uow.parcels.save(parcel)
        uow.commit()
    shop.relay()
    shop.relay()  # a second run finds nothing new

    kinds = [(m.channel, m.kind) for m in shop.messages(order.id)]
    assert kinds.count((Channel.EMAIL, NotificationKind.OUT_FOR_DELIVERY)) == 1
    assert kinds.count((Channel.SMS, NotificationKind.OUT_FOR_DELIVERY)) == 1
    assert kinds.count((Channel.EMAIL, NotificationKind.ORDER_CONFIRMED)) == 1


def test_a_recipient_without_an_email_address_gets_no_email(shop: Shop) -> None:
    order = shop.order(email=None)
    shop.relay()
    assert [m.channel for m in shop.messages(order.id)] == []  # order confirmed: e-mail only


def test_an_event_the_notifications_cannot_read_does_not_hold_back_the_others(
    shop: Shop,
) -> None:
    from doorstep.domain.events import DomainEvent
    from doorstep.services.notifications.intake import notification_handler

    broken = DomainEvent("parcel.delivered", "par_x", shop.clock.now(), {"no": "parcel id"})
    order = shop.order()
    with shop.uow_factory(SYSTEM) as uow:
        notification_handler(shop.clock)(uow, 1, broken)
        uow.commit()
    shop.relay()
    assert [m.kind for m in shop.messages(order.id)] == [NotificationKind.ORDER_CONFIRMED]


def test_a_stored_template_that_no_longer_renders_fails_its_message_and_not_the_others(
    shop: Shop,
) -> None:
    from doorstep.domain.notifications import NotificationSettings, TemplateOverride

    order = shop.order(phone=None)
    broken = {
        (NotificationKind.ORDER_CONFIRMED, Channel.EMAIL): TemplateOverride(text="{{ gone }}")
    }
    with shop.uow_factory(SYSTEM) as uow:  # saved before a variable was renamed, say
        settings = NotificationSettings.defaults(shop.brand_id).changed(overrides=broken)
        uow.notification_settings.save(settings)
        uow.commit()
    shop.relay()
    report = shop.send()
    [message] = shop.messages(order.id)
    assert report.failed == 1
    assert message.status is MessageStatus.FAILED
    assert message.error is not None and "does not render" in message.error
