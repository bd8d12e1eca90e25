"""A real SMTP server on loopback (aiosmtpd) that tests read, and can make refuse."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Mailbox:
    """What the server received, and the replies it gives to the next messages."""

    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse_next: list[str] = field(default_factory=list)  # e.g. "451 4.3.0 Try again later"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.refuse_next:
            return self.refuse_next.pop(0)
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(parsed)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(port: int | None = None, mailbox: Mailbox | None = None) -> Iterator[Mailbox]:
    """An SMTP server on ``127.0.0.1:port`` for the ``with`` block."""
    box = mailbox or Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
