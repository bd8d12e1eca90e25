"""From events to messages: the relay's handler that decides who hears what.

Called inside the relay's transaction (:data:`doorstep.services.relay.EventHandler`); it
only writes message rows, the send job sends them. Each piece of news is one message per
order and channel, whatever number of events tells it: an order's three parcels going
out give one "out for delivery", and the route's day window, if it comes too, is the
same message (the window is read again when it is sent). A relay run twice writes
nothing new: the (order, channel, dedupe key) is looked up first and is unique in the
table.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from doorstep.domain import ids
from doorstep.domain.events import DomainEvent, EventName
from doorstep.domain.model import Order
from doorstep.domain.notifications import (
    Channel,
    MessageStatus,
    NotificationKind,
    NotificationMessage,
)
from doorstep.domain.quiet_hours import LONDON, sms_allowed_from
from doorstep.services.notifications.brand_settings import settings_for
from doorstep.services.ports import Clock, Conflict, UnitOfWork
from doorstep.services.relay import EventHandler

log = logging.getLogger("doorstep.notifications")
K = NotificationKind
WINDOW_GRACE = timedelta(minutes=2)
"""A parcel going out waits this long before its "out for delivery" is sent: the route's
day window is announced moments after the start (its own transaction), and the message
is rendered with the latest window when it is sent, so it goes with the window."""
WINDOW_ANNOUNCED = EventName.STOP_WINDOW_ANNOUNCED
DELAY_PREDICTED = EventName.STOP_DELAY_PREDICTED


@dataclass(frozen=True, slots=True)
class News:
    """One piece of news for one order, before the brand's choices are applied."""

    order_id: str
    kind: NotificationKind
    dedupe_key: str
    context: Mapping[str, Any]
    hold: timedelta = timedelta(0)  # wait this long before sending (see WINDOW_GRACE)


def notification_handler(clock: Clock) -> EventHandler:
    """The relay handler that writes the messages each event calls for."""

    def handle(uow: UnitOfWork, outbox_id: int, event: DomainEvent) -> None:
        try:
            found = list(news_of(uow, event))
        except (KeyError, TypeError, ValueError) as error:
            # An event this version cannot read must not hold every later one back.
            log.warning(
                "outbox %d (%s) unreadable for notifications: %r", outbox_id, event.name, error
            )
            return
        for news in found:
            # Held from when it happened, not from when the relay got to it: a relay that
            # runs late must not delay the message by its own lateness again.
            now = clock.now()
            _write(uow, now, max(now, event.occurred_at + news.hold), outbox_id, news)

    return handle


def news_of(uow: UnitOfWork, event: DomainEvent) -> Iterator[News]:
    """What ``event`` tells recipients, order by order (nothing for most events)."""
    payload = event.payload
    day = event.occurred_at.astimezone(LONDON).date().isoformat()
    if event.name == EventName.ORDER_CREATED:
        yield News(str(payload["order_id"]), K.ORDER_CONFIRMED, "order_confirmed", {})
        return
    parcel_kinds = {
        EventName.PARCEL_OUT_FOR_DELIVERY: (K.OUT_FOR_DELIVERY, f"out_for_delivery:{day}"),
        EventName.PARCEL_DELIVERED: (K.DELIVERED, "delivered"),
        EventName.PARCEL_ATTEMPT_FAILED: (K.ATTEMPT_FAILED, f"attempt_failed:{day}"),
        EventName.PARCEL_RETURNING: (K.RETURNED, "returned"),
        EventName.PARCEL_RETURNED_TO_SENDER: (K.RETURNED, "returned"),
    }
    if event.name in parcel_kinds:
        parcel = uow.parcels.get(str(payload["parcel_id"]))
        if parcel is None:
            return
        kind, key = parcel_kinds[EventName(event.name)]
        context = {"reason": payload.get("reason_code")} if kind is K.ATTEMPT_FAILED else {}
        hold = WINDOW_GRACE if kind is K.OUT_FOR_DELIVERY else timedelta(0)
        yield News(parcel.order_id, kind, key, context, hold)
        return
    if event.name == WINDOW_ANNOUNCED:
        yield from _window_news(payload, day)
    elif event.name == DELAY_PREDICTED:
        window = _window_context(payload)
        window["lateness_s"] = payload.get("lateness_s")
        key = f"delay:{payload.get('stop_id')}:{payload.get('window_start')}"
        for order_id in payload.get("order_ids") or []:
            yield News(str(order_id), K.DELAY_PREDICTED, key, window)


def _window_news(payload: Mapping[str, Any], day: str) -> Iterator[News]:
    kind = payload.get("kind")
    if kind == "day":
        news, key = K.OUT_FOR_DELIVERY, f"out_for_delivery:{day}"
    elif kind == "approaching":
        news, key = K.ARRIVING_SOON, f"arriving_soon:{payload.get('stop_id')}"
    else:
        return  # "next": the tracking page shows it; a third message would be too many
    for order_id in payload.get("order_ids") or []:
        yield News(str(order_id), news, key, _window_context(payload))


def _window_context(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "window_start": payload.get("window_start"),
        "window_end": payload.get("window_end"),
        "stop_id": payload.get("stop_id"),
    }


def _write(uow: UnitOfWork, now: datetime, due: datetime, outbox_id: int, news: News) -> None:
    order = uow.orders.get(news.order_id)
    if order is None:
        return
    if news.kind is K.ARRIVING_SOON and _out_for_delivery_waiting(uow, order.id):
        return  # it is rendered when sent, with the narrower window: one message, not two
    settings = settings_for(uow, order.brand_id)
    for channel in Channel:
        if not settings.is_on(news.kind, channel) or not _address(order, channel):
            continue
        if uow.notifications.exists(order.id, channel.value, news.dedupe_key):
            continue
        not_before = sms_allowed_from(due) if channel is Channel.SMS else due
        message = NotificationMessage(
            id=ids.new_id("msg"),
            outbox_id=outbox_id,
            brand_id=order.brand_id,
            order_id=order.id,
            channel=channel,
            kind=news.kind,
            dedupe_key=news.dedupe_key,
            created_at=now,
            not_before=not_before,
            context=dict(news.context),
        )
        try:
            uow.notifications.add(message)
        except Conflict:
            # Two events tell the same news (a parcel going out, and the day window): a
            # second relay may have written it a moment ago. One message is enough.
            continue


def _address(order: Order, channel: Channel) -> str | None:
    recipient = order.recipient
    return recipient.email if channel is Channel.EMAIL else recipient.phone


def _out_for_delivery_waiting(uow: UnitOfWork, order_id: str) -> bool:
    """Whether the order's "out for delivery" is written but not sent yet (held for the
    day window): a stop three or fewer from the start is told "arriving soon" at once, and
    that must not reach the recipient before, or beside, "out for delivery"."""
    return any(
        m.kind is K.OUT_FOR_DELIVERY and m.status in {MessageStatus.PENDING, MessageStatus.SENDING}
        for m in uow.notifications.list_for_order(order_id)
    )
