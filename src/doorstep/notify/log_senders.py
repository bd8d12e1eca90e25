"""Senders that only write down what they would send: the demo's e-mail and SMS, and any
machine with no SMTP server or SMS provider set.

Each message goes to the ``doorstep.notify`` logger and, when a file is given (the demo:
``messages.log`` in its data folder), is appended there in full so the demo's e-mails and
texts, with their tracking links, can be read. Never the address or number.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from doorstep.domain.sms_length import measure
from doorstep.services.ports import OutgoingEmail, OutgoingSms

log = logging.getLogger("doorstep.notify")
_lock = threading.Lock()


def _append(path: Path | None, text: str) -> None:
    if path is None:
        return
    with _lock, path.open("a", encoding="utf-8") as out:
        out.write(text)


class LogEmailSender:
    def __init__(self, path: Path | None = None) -> None:
        self.sent: list[OutgoingEmail] = []  # kept for tests to read
        self._path = path

    def send(self, email: OutgoingEmail) -> None:
        self.sent.append(email)
        log.info("e-mail %s (written down, not sent): %s", email.message_id, email.subject)
        _append(
            self._path,
            f"--- e-mail {email.message_id} from {email.from_name}\n"
            f"Subject: {email.subject}\n\n{email.text}\n\n",
        )


class LogSmsSender:
    def __init__(self, path: Path | None = None) -> None:
        self.sent: list[OutgoingSms] = []
        self._path = path

    def send(self, sms: OutgoingSms) -> str | None:
        self.sent.append(sms)
        length = measure(sms.body)
        summary = f"{length.encoding.value}, {length.segments} segment(s)"
        log.info("SMS %s (written down, not sent): %s", sms.message_id, summary)
        _append(self._path, f"--- SMS {sms.message_id} ({summary})\n{sms.body}\n\n")
        return None
