"""Brands' webhook endpoints: create (the secret shown once), list, read, change, rotate
the secret, delete. URLs are checked by :mod:`doorstep.domain.webhook_targets` here, when
saved, and again by the sender before every request."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace

from doorstep.domain import ids
from doorstep.domain.errors import InvalidValue
from doorstep.domain.webhook_targets import check_resolved, check_url
from doorstep.domain.webhooks import (
    ROTATION_OVERLAP,
    SECRET_PREFIX,
    WebhookEndpoint,
    check_event_types,
)
from doorstep.services.access import require_id
from doorstep.services.audit import record
from doorstep.services.errors import NotFound
from doorstep.services.idempotency import BeforeCommit, commit_with
from doorstep.services.ports import Clock, UnitOfWork
from doorstep.services.webhooks.access import require_reader, require_writer
from doorstep.services.webhooks.policy import WebhookPorts

MAX_DESCRIPTION = 200


@dataclass(frozen=True, slots=True)
class EndpointDraft:
    url: str
    event_types: Sequence[str]
    description: str = ""
    brand_id: str | None = None  # office staff name the brand; a brand's key is its own
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class EndpointChange:
    """What a PATCH changes; None leaves a field as it is."""

    url: str | None = None
    event_types: Sequence[str] | None = None
    description: str | None = None
    enabled: bool | None = None


def new_secret() -> str:
    """``whsec_`` and 32 random bytes in base64, the Standard Webhooks secret format."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def checked_url(url: str, ports: WebhookPorts) -> str:
    """The URL when a webhook may go there, else :class:`InvalidValue` on ``url``. Outside
    demo and test mode a host name must resolve, and only to public addresses."""
    target = check_url(url, allow_private=ports.allow_private)
    if not ports.allow_private and target.address is None:
        check_resolved(target.host, ports.resolve(target.host))
    return url


def _description(text: str) -> str:
    cleaned = text.strip()
    if len(cleaned) > MAX_DESCRIPTION or any(ord(ch) < 32 for ch in cleaned):
        raise InvalidValue("description", f"at most {MAX_DESCRIPTION} characters, one line")
    return cleaned


def create_endpoint(
    uow: UnitOfWork,
    draft: EndpointDraft,
    *,
    clock: Clock,
    ports: WebhookPorts,
    before_commit: BeforeCommit[WebhookEndpoint] | None = None,
) -> WebhookEndpoint:
    """A new endpoint with a new secret; the caller shows the secret once."""
    principal = uow.principal
    require_writer(principal)
    brand_id = principal.brand_id if principal.is_brand else draft.brand_id
    if brand_id is None:
        raise InvalidValue("brand_id", "name the brand whose endpoint this is")
    event_types = check_event_types(draft.event_types)
    description = _description(draft.description)
    url = checked_url(draft.url, ports)
    now = clock.now()
    endpoint = WebhookEndpoint(
        id=ids.new_id("whe"),
        brand_id=brand_id,
        url=url,
        description=description,
        event_types=event_types,
        enabled=draft.enabled,
        secret=new_secret(),
        created_at=now,
        updated_at=now,
    )
    with uow:
        uow.webhooks.add_endpoint(endpoint)
        record(uow, now, "webhook.created", endpoint.id, brand_id=brand_id, url=url)
        commit_with(uow, endpoint, before_commit)
    return endpoint


def list_endpoints(uow: UnitOfWork) -> list[WebhookEndpoint]:
    require_reader(uow.principal)
    with uow.read_only():
        return uow.webhooks.list_endpoints()


def get_endpoint(uow: UnitOfWork, endpoint_id: str) -> WebhookEndpoint:
    require_reader(uow.principal)
    require_id(endpoint_id, "whe", "webhook endpoint")
    with uow.read_only():
        return _found(uow, endpoint_id)


def _found(uow: UnitOfWork, endpoint_id: str) -> WebhookEndpoint:
    endpoint = uow.webhooks.get_endpoint(endpoint_id)
    if endpoint is None:
        raise NotFound("webhook endpoint", endpoint_id)
    return endpoint


def update_endpoint(
    uow: UnitOfWork, endpoint_id: str, change: EndpointChange, *, clock: Clock, ports: WebhookPorts
) -> WebhookEndpoint:
    """Change URL, event types, description or state. Enabling an endpoint that was
    switched off after failures starts its failure clock again."""
    require_writer(uow.principal)
    require_id(endpoint_id, "whe", "webhook endpoint")
    with uow:
        endpoint = _found(uow, endpoint_id)
        now = clock.now()
        fields: dict[str, object] = {"updated_at": now}
        if change.url is not None:
            fields["url"] = checked_url(change.url, ports)
        if change.event_types is not None:
            fields["event_types"] = check_event_types(change.event_types)
        if change.description is not None:
            fields["description"] = _description(change.description)
        if change.enabled is not None:
            fields["enabled"] = change.enabled
            if change.enabled and not endpoint.enabled:
                fields |= {"failing_since": None, "disabled_reason": None}
        changed = replace(endpoint, **fields)  # type: ignore[arg-type]
        uow.webhooks.save_endpoint(changed)
        what = ",".join(sorted(k for k in fields if k != "updated_at"))
        record(uow, now, "webhook.updated", endpoint_id, changed=what)
        uow.commit()
    return changed


def rotate_secret(
    uow: UnitOfWork,
    endpoint_id: str,
    *,
    clock: Clock,
    before_commit: BeforeCommit[WebhookEndpoint] | None = None,
) -> WebhookEndpoint:
    """A new secret, shown once; the one it replaces signs alongside for 24 hours, so a
    receiver can switch without missing a message. Rotating again within those hours drops
    the oldest: only the two newest secrets ever sign."""
    require_writer(uow.principal)
    require_id(endpoint_id, "whe", "webhook endpoint")
    with uow:
        endpoint = _found(uow, endpoint_id)
        now = clock.now()
        rotated = replace(
            endpoint,
            secret=new_secret(),
            previous_secret=endpoint.secret,
            previous_secret_until=now + ROTATION_OVERLAP,
            updated_at=now,
        )
        uow.webhooks.save_endpoint(rotated)
        record(uow, now, "webhook.secret_rotated", endpoint_id)
        commit_with(uow, rotated, before_commit)
    return rotated


def delete_endpoint(uow: UnitOfWork, endpoint_id: str, *, clock: Clock) -> WebhookEndpoint:
    """Gone: no further deliveries are made or sent (those pending are dropped)."""
    require_writer(uow.principal)
    require_id(endpoint_id, "whe", "webhook endpoint")
    with uow:
        endpoint = _found(uow, endpoint_id)
        uow.webhooks.delete_endpoint(endpoint_id, clock.now())
        record(uow, clock.now(), "webhook.deleted", endpoint_id, url=endpoint.url)
        uow.commit()
    return endpoint
