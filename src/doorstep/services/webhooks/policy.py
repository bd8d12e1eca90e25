"""What the webhook use cases are given: where URLs may point, how names resolve, the
sender, and the hook called when an endpoint is switched off. Bootstrap fills it in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from doorstep.domain.webhook_targets import IpAddress
from doorstep.domain.webhooks import WebhookEndpoint
from doorstep.services.ports import WebhookMessage, WebhookResponse, WebhookSender

Resolve = Callable[[str], list[IpAddress]]
"""Host name -> its addresses (empty when it does not resolve)."""
DisabledHook = Callable[[WebhookEndpoint, str], None]
"""Called after an endpoint was disabled and committed, with the last failure."""


class _NoSender:
    def send(self, message: WebhookMessage) -> WebhookResponse:
        raise RuntimeError("no webhook sender is wired")


def _no_names(host: str) -> list[IpAddress]:
    return []


def _nobody(endpoint: WebhookEndpoint, reason: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class WebhookPorts:
    """``allow_private`` is for demo and test mode only: http and any address, so that a
    receiver on the same machine can be used. Everywhere else it stays False."""

    sender: WebhookSender = field(default_factory=_NoSender)
    resolve: Resolve = _no_names
    allow_private: bool = False
    on_disabled: DisabledHook = _nobody
    lease_s: float = 60.0  # a claimed delivery is due again after this if its sender died
