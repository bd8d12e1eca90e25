"""Notifications to recipients: what kinds there are, on which channels, each brand's
choices, and the messages waiting to be sent.

A message is made by the outbox relay from an event (one per order, channel and kind of
news, see :attr:`NotificationMessage.dedupe_key`) and sent by a job, at most once:
``pending`` -> ``sending`` -> ``sent`` (or ``failed`` with the reason). A message found
``sending`` after a crash is not sent again blindly: its stable Message-ID lets the mail
server and the reader recognise a resend (see ``docs/notifications.md``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from doorstep.domain.errors import InvalidValue


class NotificationKind(StrEnum):
    ORDER_CONFIRMED = "order_confirmed"
    OUT_FOR_DELIVERY = "out_for_delivery"
    ARRIVING_SOON = "arriving_soon"
    DELIVERED = "delivered"
    ATTEMPT_FAILED = "attempt_failed"
    DELAY_PREDICTED = "delay_predicted"
    RETURNED = "returned"


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class MessageStatus(StrEnum):
    PENDING = "pending"  # waiting for its time (quiet hours) or its first try
    SENDING = "sending"  # handed to the sender; becomes sent or failed
    SENT = "sent"
    FAILED = "failed"  # refused for good (reason kept), or given up after the last retry
    SKIPPED = "skipped"  # nothing to send to: no address, opted out, switched off since


DEFAULT_ON: Mapping[Channel, frozenset[NotificationKind]] = {
    Channel.EMAIL: frozenset(NotificationKind),
    Channel.SMS: frozenset(
        {
            NotificationKind.OUT_FOR_DELIVERY,
            NotificationKind.ARRIVING_SOON,
            NotificationKind.DELIVERED,
            NotificationKind.ATTEMPT_FAILED,
        }
    ),
}
"""What a brand that never chose gets: every e-mail, and the texts that matter on the day."""

MAX_SENDER_NAME = 60
MAX_SUBJECT = 200
MAX_BODY = 5000
_EMAIL = re.compile(
    r"^[^@\s<>\"',;]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class TemplateOverride:
    """A brand's own wording for one kind on one channel (sandboxed Jinja2 text)."""

    subject: str | None = None  # e-mail only
    text: str | None = None


@dataclass(frozen=True, slots=True)
class NotificationSettings:
    """One brand's choices; a brand that never chose has :meth:`defaults`."""

    brand_id: str
    enabled: Mapping[Channel, frozenset[NotificationKind]]
    sender_name: str | None = None  # shown as the e-mail's From name; the brand's name if None
    reply_to: str | None = None
    overrides: Mapping[tuple[NotificationKind, Channel], TemplateOverride] = field(
        default_factory=dict
    )

    def __post_init__(self) -> None:
        if self.sender_name is not None:
            _check_text("sender_name", self.sender_name, MAX_SENDER_NAME, one_line=True)
        if self.reply_to is not None and not _EMAIL.match(self.reply_to):
            raise InvalidValue("reply_to", "must be an e-mail address")
        for (kind, channel), override in self.overrides.items():
            where = f"templates.{channel.value}.{kind.value}"
            if override.subject is not None:
                if channel is not Channel.EMAIL:
                    raise InvalidValue(f"{where}.subject", "only e-mails have a subject")
                _check_text(f"{where}.subject", override.subject, MAX_SUBJECT, one_line=True)
            if override.text is not None:
                _check_text(f"{where}.text", override.text, MAX_BODY, one_line=False)

    @classmethod
    def defaults(cls, brand_id: str) -> NotificationSettings:
        return cls(brand_id=brand_id, enabled=dict(DEFAULT_ON))

    def is_on(self, kind: NotificationKind, channel: Channel) -> bool:
        return kind in self.enabled.get(channel, frozenset())

    def override(self, kind: NotificationKind, channel: Channel) -> TemplateOverride:
        return self.overrides.get((kind, channel), TemplateOverride())

    def changed(self, **changes: Any) -> NotificationSettings:
        """A copy with ``changes`` applied and checked again."""
        return replace(self, **changes)


def _check_text(name: str, value: str, limit: int, *, one_line: bool) -> None:
    if not value.strip():
        raise InvalidValue(name, "must not be empty")
    if len(value) > limit:
        raise InvalidValue(name, f"must be at most {limit} characters")
    bad = _CONTROL.search(value) or (one_line and ("\n" in value or "\r" in value))
    if bad:
        raise InvalidValue(name, "must not contain control characters or line breaks")


@dataclass(frozen=True, slots=True)
class NotificationMessage:
    """One message to one order's recipient on one channel.

    ``dedupe_key`` makes it once per order and piece of news (one "out for delivery" per
    order, however many parcels): the relay writes a message only when none with the same
    (order, channel, key) exists. ``context`` holds what the event said (the window, the
    reason) for the templates; the recipient's address is read from the order when sent,
    so it is never copied here.
    """

    id: str
    outbox_id: int
    brand_id: str
    order_id: str
    channel: Channel
    kind: NotificationKind
    dedupe_key: str
    created_at: datetime
    not_before: datetime
    context: Mapping[str, Any] = field(default_factory=dict)
    status: MessageStatus = MessageStatus.PENDING
    attempts: int = 0
    sent_at: datetime | None = None
    error: str | None = None
    provider_id: str | None = None  # the provider's id of the sent message (Twilio SID)


def normalise_phone(phone: str) -> str:
    """The digits of an international number with its ``+``: the form opt-outs are kept by."""
    digits = re.sub(r"[^\d]", "", phone)
    return ("+" + digits) if digits else ""


def phone_key(secret: str, phone: str) -> str:
    """A keyed hash of a phone number: an opt-out is found by it, the number never kept."""
    normal = normalise_phone(phone).encode()
    return hmac.new(secret.encode(), b"sms-opt-out:" + normal, hashlib.sha256).hexdigest()


STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT"})
START_WORDS = frozenset({"START", "YES", "UNSTOP", "OPTIN"})


def opt_out_change(body: str) -> bool | None:
    """True for a STOP word, False for START, None for anything else (the whole text,
    trimmed, any case: "stop" opts out, "please stop by at 5" does not)."""
    word = body.strip().upper().rstrip(".!")
    if word in STOP_WORDS:
        return True
    if word in START_WORDS:
        return False
    return None
