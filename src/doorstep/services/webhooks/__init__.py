"""Webhooks to brands by the Standard Webhooks specification (docs/webhooks.md).

- :mod:`.endpoints`: a brand's endpoints, their secrets and rotation;
- :mod:`.deliveries`: the relay's fan-out (one delivery per event and endpoint), lists,
  replay;
- :mod:`.sending`: the sender job's work: due deliveries POSTed, retried, dead-lettered;
- :mod:`.policy`: the ports bootstrap gives them (sender, resolver, demo/test mode).
"""

from doorstep.services.webhooks.deliveries import (
    fan_out,
    list_attempts,
    list_dead_letters,
    list_deliveries,
    replay,
    send_soon,
)
from doorstep.services.webhooks.endpoints import (
    EndpointChange,
    EndpointDraft,
    create_endpoint,
    delete_endpoint,
    get_endpoint,
    list_endpoints,
    rotate_secret,
    update_endpoint,
)
from doorstep.services.webhooks.policy import WebhookPorts
from doorstep.services.webhooks.sending import SendReport, send_due, send_one

__all__ = [
    "EndpointChange",
    "EndpointDraft",
    "SendReport",
    "WebhookPorts",
    "create_endpoint",
    "delete_endpoint",
    "fan_out",
    "get_endpoint",
    "list_attempts",
    "list_dead_letters",
    "list_deliveries",
    "list_endpoints",
    "replay",
    "rotate_secret",
    "send_due",
    "send_one",
    "send_soon",
    "update_endpoint",
]
