"""E-mail over SMTP: one connection per message, text and HTML parts, our Message-ID.

``DOORSTEP_SMTP_URL`` names the server: ``smtp://host:25`` (plain, STARTTLS when the
server offers it), ``smtp+starttls://user:pass@host:587`` (STARTTLS required) or
``smtps://user:pass@host:465`` (TLS from the start). The server's answers are sorted into
the ports' two failures: a 4xx reply, a refused or dropped connection or a time-out is
:class:`SendFailed` (try later); a 5xx reply is :class:`SendRefused` (never again). The
recipient's address and the password never reach the log or the error text.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import unquote, urlsplit

from doorstep.services.ports import Clock, OutgoingEmail, SendFailed, SendRefused

TIMEOUT_S = 30.0
SCHEMES = {"smtp", "smtp+starttls", "smtps"}


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int
    tls: str  # "opportunistic", "starttls" or "implicit"
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise ValueError("DOORSTEP_SMTP_URL must be smtp://, smtp+starttls:// or smtps://")
        tls = {"smtp": "opportunistic", "smtp+starttls": "starttls", "smtps": "implicit"}
        default_port = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}[parts.scheme]
        return cls(
            host=parts.hostname,
            port=parts.port or default_port,
            tls=tls[parts.scheme],
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


def build_message(email: OutgoingEmail, sent_at: str) -> EmailMessage:
    """The MIME message: multipart/alternative, text first, then HTML (the preferred)."""
    message = EmailMessage()
    from_address = Address(addr_spec=email.from_address)
    message["From"] = Address(display_name=email.from_name, addr_spec=from_address.addr_spec)
    message["To"] = Address(addr_spec=email.to)
    if email.reply_to:
        message["Reply-To"] = Address(addr_spec=email.reply_to)
    message["Subject"] = email.subject
    message["Message-ID"] = email.message_id
    message["Date"] = sent_at
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to us
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message


class SmtpEmailSender:
    """Satisfies :class:`doorstep.services.ports.EmailSender`."""

    def __init__(self, server: SmtpServer, clock: Clock, timeout_s: float = TIMEOUT_S) -> None:
        self._server = server
        self._clock = clock
        self._timeout = timeout_s

    def send(self, email: OutgoingEmail) -> None:
        message = build_message(email, format_datetime(self._clock.now()))
        where = f"{self._server.host}:{self._server.port}"
        try:
            with self._connect() as smtp:
                refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise _by_code(codes[0] if codes else 550, "the recipient was refused") from None
        except smtplib.SMTPResponseException as error:
            raise _by_code(error.smtp_code, _reply(error.smtp_error)) from None
        except (OSError, smtplib.SMTPException) as error:
            raise SendFailed(f"SMTP server {where}: {type(error).__name__}") from None
        if refused:  # only one recipient: a partial refusal is a refusal
            raise SendRefused("the recipient was refused")

    def _connect(self) -> smtplib.SMTP:
        server = self._server
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if server.tls == "implicit":
            smtp = smtplib.SMTP_SSL(
                server.host, server.port, timeout=self._timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=self._timeout)
            smtp.ehlo()
            if server.tls == "starttls" or smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
        if server.username and server.password:
            smtp.login(server.username, server.password)
        return smtp


def _by_code(code: int, what: str) -> SendFailed | SendRefused:
    """4xx: try again later; 5xx (and anything else): refused for good."""
    if 400 <= code < 500:
        return SendFailed(f"SMTP {code}: {what}")
    return SendRefused(f"SMTP {code}: {what}")


def _reply(text: bytes | str) -> str:
    """The server's reply, one line, short; it names no address of ours."""
    line = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return " ".join(line.split())[:200]
