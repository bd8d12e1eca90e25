"""Sending a webhook: signed by the Standard Webhooks scheme, POSTed with httpx.

The signature is the ``standardwebhooks`` package's (what brands verify with): HMAC-SHA256
of ``{webhook-id}.{webhook-timestamp}.{body}`` under each secret, ``v1,<base64>``; during
a rotation the ``webhook-signature`` header carries both, separated by a space.

Outside demo and test mode the URL is checked again here, before every request: the host's
addresses are resolved and each checked (:mod:`doorstep.domain.webhook_targets`), and the
connection goes to the checked address (the host name is still sent as ``Host`` and as
the TLS server name, and the certificate is checked against it), so a name that resolves
to a public address when checked and to an internal one a moment later (DNS rebinding)
never reaches the internal one. Redirects are not followed; at most a kibibyte of the
answer is read.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from math import floor

import httpx
from standardwebhooks import Webhook

from doorstep import __version__
from doorstep.domain.errors import InvalidValue
from doorstep.domain.webhook_targets import IpAddress, check_resolved, check_url
from doorstep.services.ports import WebhookMessage, WebhookResponse

MAX_RESPONSE_BYTES = 1024
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
USER_AGENT = f"Doorstep-Webhooks/{__version__}"


def resolve_host(host: str) -> list[IpAddress]:
    """Every address ``host`` resolves to now; empty when it does not resolve."""

    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        return []
    addresses: list[IpAddress] = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def sign(message: WebhookMessage) -> dict[str, str]:
    """The three Standard Webhooks headers for ``message``."""
    signatures = [
        Webhook(secret).sign(message.webhook_id, message.timestamp, message.body)
        for secret in message.secrets
    ]
    return {
        "webhook-id": message.webhook_id,
        "webhook-timestamp": str(floor(message.timestamp.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


class HttpWebhookSender:
    """Satisfies :class:`doorstep.services.ports.WebhookSender`. ``allow_private`` only in
    demo and test mode; ``transport`` lets a test put the requests elsewhere."""

    def __init__(
        self,
        *,
        allow_private: bool,
        resolve: Callable[[str], list[IpAddress]] = resolve_host,
        timeout: httpx.Timeout = TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._allow_private = allow_private
        self._resolve = resolve
        self._timeout = timeout
        self._transport = transport

    def send(self, message: WebhookMessage) -> WebhookResponse:
        started = time.monotonic()
        try:
            url, headers, extensions = self._request(message)
        except InvalidValue as refused:
            return WebhookResponse(None, f"refused: {refused.reason}", "", 0)
        headers |= sign(message) | {"content-type": "application/json", "user-agent": USER_AGENT}
        try:
            with httpx.Client(
                timeout=self._timeout, follow_redirects=False, transport=self._transport
            ) as client:
                request = client.build_request(
                    "POST",
                    url,
                    content=message.body.encode(),
                    headers=headers,
                    extensions=extensions,
                )
                response = client.send(request, stream=True)
                try:
                    excerpt = _excerpt(response)
                finally:
                    response.close()
        except httpx.TimeoutException:
            return WebhookResponse(None, "timed out", "", _ms(started))
        except httpx.HTTPError as error:
            return WebhookResponse(
                None, f"connection failed: {type(error).__name__}", "", _ms(started)
            )
        return WebhookResponse(response.status_code, None, excerpt, _ms(started))

    def _request(self, message: WebhookMessage) -> tuple[httpx.URL, dict[str, str], dict[str, str]]:
        """The URL to connect to, the Host header and the TLS server name: the checked
        address itself outside demo and test mode."""
        target = check_url(message.url, allow_private=self._allow_private)
        url = httpx.URL(message.url)
        if self._allow_private:
            return url, {}, {}
        address = target.address or check_resolved(target.host, self._resolve(target.host))
        host_header = url.netloc.decode("ascii")
        pinned = url.copy_with(host=str(address))
        return pinned, {"host": host_header}, {"sni_hostname": target.host}


def _excerpt(response: httpx.Response) -> str:
    taken = b""
    for chunk in response.iter_raw():
        taken += chunk
        if len(taken) >= MAX_RESPONSE_BYTES:
            break
    return taken[:MAX_RESPONSE_BYTES].decode("utf-8", errors="replace")


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
