"""The send job: every due message handed to its sender once.

Each message goes ``pending`` -> ``sending`` (committed before anything leaves) ->
``sent``, so two workers never send the same message and a crash is visible:

- the sender says "not now" (SMTP 4xx, connection refused, provider 5xx or 429): back
  to ``pending`` with a growing delay, up to :data:`MAX_ATTEMPTS` tries, then ``failed``;
- the sender refuses for good (SMTP 5xx, an invalid number): ``failed`` with the reason;
- a worker died between handing over and recording (found ``sending`` for longer than
  :data:`STALE_AFTER`): an e-mail is sent again under the same Message-ID, which mail
  servers and clients recognise as the same message; a text is not (SMS has no such id,
  and a duplicate text is worse than a missing one): it is marked failed with the reason.

Texts are held in the quiet hours (21:00-08:00 London) until 08:00, and not sent at all
to a number that answered STOP. The recipient's address is read from the order now, and
never logged.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Order
from doorstep.domain.notifications import (
    Channel,
    MessageStatus,
    NotificationKind,
    NotificationMessage,
    phone_key,
)
from doorstep.domain.quiet_hours import is_quiet, sms_allowed_from
from doorstep.services.eta import latest_windows
from doorstep.services.notifications.brand_settings import REASON_WORDS, settings_for
from doorstep.services.notifications.render import Rendered, day_words, render, window_variables
from doorstep.services.ports import (
    Clock,
    EmailSender,
    OutgoingEmail,
    OutgoingSms,
    SendFailed,
    SendRefused,
    SmsSender,
    UnitOfWork,
    UnitOfWorkFactory,
)

log = logging.getLogger("doorstep.notifications")
SENDER = Principal.system("notifications")
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
STALE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Senders:
    email: EmailSender
    sms: SmsSender
    email_from: str  # the address e-mails come from; the name is the brand's
    tracking_base_url: str  # ``https://deliver.example/t/``
    secret: str  # keys the hash opt-outs are kept by


@dataclass(slots=True)
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    held: int = 0  # texts moved to 08:00
    recovered: int = 0  # interrupted sends found and settled
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Ready:
    message: NotificationMessage
    to: str
    rendered: Rendered
    from_name: str
    reply_to: str | None


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes after the ``attempts``-th failed try, at most an hour."""
    delay: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(delay, LONGEST_RETRY)


def message_id_header(message_id: str, tracking_base_url: str) -> str:
    """The RFC 5322 Message-ID of a message: the same on every try."""
    host = urlsplit(tracking_base_url).hostname or "doorstep.invalid"
    return f"<{message_id}@{host}>"


def send_due(
    uow_factory: UnitOfWorkFactory, clock: Clock, senders: Senders, limit: int = 200
) -> SendReport:
    """Send what is due now, each message once; a report of what happened."""
    report = SendReport()
    recover_interrupted(uow_factory, clock, report)
    with uow_factory(SENDER).read_only() as uow:
        due = uow.notifications.due(clock.now(), limit)
    for message_id in due:
        try:
            ready = _prepare(uow_factory, clock, senders, message_id, report)
        except InvalidValue as error:  # a stored template that no longer renders
            _fail(uow_factory, message_id, f"the message does not render: {error.message}")
            report.failed += 1
            continue
        if ready is not None:
            _hand_over(uow_factory, clock, senders, ready, report)
    return report


def _fail(uow_factory: UnitOfWorkFactory, message_id: str, reason: str) -> None:
    with uow_factory(SENDER) as uow:
        message = uow.notifications.get(message_id)
        if message is not None:
            uow.notifications.save(replace(message, status=MessageStatus.FAILED, error=reason))
            uow.commit()


def recover_interrupted(uow_factory: UnitOfWorkFactory, clock: Clock, report: SendReport) -> None:
    """Settle messages a dead worker left ``sending`` (read first: usually there are none,
    and then no write lock is taken)."""
    now = clock.now()
    with uow_factory(SENDER).read_only() as uow:
        if not uow.notifications.stale_sending(now - STALE_AFTER, 1):
            return
    with uow_factory(SENDER) as uow:
        for message in uow.notifications.stale_sending(now - STALE_AFTER, 100):
            if message.channel is Channel.EMAIL:
                settled = replace(message, status=MessageStatus.PENDING, not_before=now)
            else:
                reason = "interrupted while sending; not sent again: it may have arrived"
                settled = replace(message, status=MessageStatus.FAILED, error=reason)
            uow.notifications.save(settled)
            report.recovered += 1
        uow.commit()


def _prepare(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    senders: Senders,
    message_id: str,
    report: SendReport,
) -> _Ready | None:
    """Claim the message and render it, in one transaction; None when not to be sent."""
    now = clock.now()
    with uow_factory(SENDER) as uow:
        message = uow.notifications.get(message_id)
        if message is None or message.status is not MessageStatus.PENDING:
            return None
        order = uow.orders.get(message.order_id)
        settings = settings_for(uow, message.brand_id)
        to = _address(order, message.channel)
        skip = _why_skip(uow, senders, message, order, to)
        if skip is not None or order is None or to is None:
            uow.notifications.save(replace(message, status=MessageStatus.SKIPPED, error=skip))
            uow.commit()
            report.skipped += 1
            return None
        if message.channel is Channel.SMS and is_quiet(now):
            uow.notifications.save(replace(message, not_before=sms_allowed_from(now)))
            uow.commit()
            report.held += 1
            return None
        if not settings.is_on(message.kind, message.channel):
            uow.notifications.save(
                replace(message, status=MessageStatus.SKIPPED, error="switched off by the brand")
            )
            uow.commit()
            report.skipped += 1
            return None
        brand = uow.brands.get(message.brand_id)
        variables = _variables(uow, senders, message, order, settings.sender_name or _name(brand))
        rendered = render(message.kind, message.channel, settings, variables)
        claimed = uow.notifications.claim(message_id, now)
        uow.commit()
    if claimed is None:
        return None
    return _Ready(claimed, to, rendered, str(variables["brand"]), settings.reply_to)


def _why_skip(
    uow: UnitOfWork,
    senders: Senders,
    message: NotificationMessage,
    order: Order | None,
    to: str | None,
) -> str | None:
    if order is None:
        return "the order is gone"
    if not to:
        wanted = "e-mail address" if message.channel is Channel.EMAIL else "phone number"
        return f"the recipient has no {wanted}"
    if message.channel is Channel.SMS and uow.sms_opt_outs.is_opted_out(
        phone_key(senders.secret, to)
    ):
        return "the recipient answered STOP"
    return None


def _hand_over(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    senders: Senders,
    ready: _Ready,
    report: SendReport,
) -> None:
    message = ready.message
    provider_id: str | None = None
    try:
        if message.channel is Channel.EMAIL:
            senders.email.send(_email(ready, senders))
        else:
            provider_id = senders.sms.send(OutgoingSms(message.id, ready.to, ready.rendered.text))
    except SendRefused as error:
        _record(uow_factory, replace(message, status=MessageStatus.FAILED, error=str(error)))
        report.failed += 1
        log.warning("message %s refused: %s", message.id, error)
        return
    except SendFailed as error:
        _retry(uow_factory, clock, message, str(error), report)
        return
    done = replace(
        message, status=MessageStatus.SENT, sent_at=clock.now(), error=None, provider_id=provider_id
    )
    _record(uow_factory, done)
    report.sent += 1
    log.info("message %s (%s %s) sent", message.id, message.channel.value, message.kind.value)


def _retry(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    message: NotificationMessage,
    error: str,
    report: SendReport,
) -> None:
    if message.attempts >= MAX_ATTEMPTS:
        reason = f"gave up after {message.attempts} attempts: {error}"
        _record(uow_factory, replace(message, status=MessageStatus.FAILED, error=reason))
        report.failed += 1
        return
    later = clock.now() + retry_delay(message.attempts)
    _record(
        uow_factory,
        replace(message, status=MessageStatus.PENDING, not_before=later, sent_at=None, error=error),
    )
    report.retried += 1
    report.errors.append(error)
    log.info("message %s not sent (%s): tried again at %s", message.id, error, later.isoformat())


def _record(uow_factory: UnitOfWorkFactory, message: NotificationMessage) -> None:
    with uow_factory(SENDER) as uow:
        uow.notifications.save(message)
        uow.commit()


def _email(ready: _Ready, senders: Senders) -> OutgoingEmail:
    rendered = ready.rendered
    return OutgoingEmail(
        message_id=message_id_header(ready.message.id, senders.tracking_base_url),
        to=ready.to,
        from_name=ready.from_name,
        from_address=senders.email_from,
        reply_to=ready.reply_to,
        subject=rendered.subject or "",
        text=rendered.text,
        html=rendered.html or "",
    )


def _variables(
    uow: UnitOfWork,
    senders: Senders,
    message: NotificationMessage,
    order: Order,
    brand_name: str,
) -> dict[str, Any]:
    context = message.context
    start, end = _when(context, "window_start"), _when(context, "window_end")
    if start is None and message.kind in {
        NotificationKind.OUT_FOR_DELIVERY,
        NotificationKind.ARRIVING_SOON,
    }:
        latest = latest_windows(uow, [order.id]).get(order.id)
        if latest is not None:
            start, end = latest.start, latest.end
    lateness = context.get("lateness_s")
    return {
        "brand": brand_name,
        "first_name": order.recipient.name.split()[0],
        "reference": order.reference,
        "tracking_link": senders.tracking_base_url + order.tracking_token,
        "reschedule_link": senders.tracking_base_url + order.tracking_token + "/reschedule",
        "day": day_words(message.created_at),
        "reason": REASON_WORDS.get(str(context.get("reason")), ""),
        "lateness_minutes": round(int(lateness) / 60) if isinstance(lateness, int | float) else "",
        **window_variables(start, end),
    }


def _when(context: Mapping[str, Any], key: str) -> datetime | None:
    value = context.get(key)
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _address(order: Order | None, channel: Channel) -> str | None:
    if order is None:
        return None
    return order.recipient.email if channel is Channel.EMAIL else order.recipient.phone


def _name(brand: object) -> str:
    return str(getattr(brand, "name", "") or "Your delivery")
