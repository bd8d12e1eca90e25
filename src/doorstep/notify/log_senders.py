"""Senders that only write to the log: the demo's e-mail and SMS, and any machine with no
SMTP server or SMS provider set. The log gets the message id, kind of channel and subject
and text, never the address or number."""

from __future__ import annotations

import logging

from doorstep.domain.sms_length import measure
from doorstep.services.ports import OutgoingEmail, OutgoingSms

log = logging.getLogger("doorstep.notify")


class LogEmailSender:
    def __init__(self) -> None:
        self.sent: list[OutgoingEmail] = []  # kept for the demo and tests to read

    def send(self, email: OutgoingEmail) -> None:
        self.sent.append(email)
        log.info(
            "e-mail %s (not sent: no SMTP server set): %s\n%s",
            email.message_id,
            email.subject,
            email.text,
        )


class LogSmsSender:
    def __init__(self) -> None:
        self.sent: list[OutgoingSms] = []

    def send(self, sms: OutgoingSms) -> str | None:
        self.sent.append(sms)
        length = measure(sms.body)
        log.info(
            "SMS %s (not sent: no provider set): %d characters, %s, %d segment(s): %s",
            sms.message_id,
            len(sms.body),
            length.encoding.value,
            length.segments,
            sms.body,
        )
        return None
