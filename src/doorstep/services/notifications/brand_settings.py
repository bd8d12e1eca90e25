"""Each brand's notification settings: read, change, and preview what would be sent.

An operator admin (or the system) may read and change any brand's settings; a brand's API
key its own only (another brand's id reads as missing, as everywhere). A brand's own
wording is checked when saved, by rendering it with :func:`sample_variables`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from doorstep.domain.access import Principal, PrincipalKind
from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Brand, Role
from doorstep.domain.notifications import (
    Channel,
    NotificationKind,
    NotificationSettings,
    TemplateOverride,
)
from doorstep.domain.sms_length import SmsLength, measure
from doorstep.services.access import require_id
from doorstep.services.errors import NotFound, PermissionDenied
from doorstep.services.notifications.render import (
    Rendered,
    check_override,
    day_words,
    render,
    window_variables,
)
from doorstep.services.ports import Clock, UnitOfWork, UnitOfWorkFactory

REASON_WORDS = {
    "recipient_not_home": "no one was in",
    "no_safe_place": "there was no safe place to leave it",
    "no_access": "we could not get to the door",
    "address_not_found": "we could not find the address",
    "refused": "it was refused",
    "business_closed": "the business was closed",
    "out_of_time": "we ran out of time today",
}
"""A failure reason as the recipient reads it; other reasons are not named."""


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """The whole of a brand's settings, as PUT: what is left out goes back to the default."""

    enabled: Mapping[Channel, frozenset[NotificationKind]]
    sender_name: str | None = None
    reply_to: str | None = None
    overrides: Mapping[tuple[NotificationKind, Channel], TemplateOverride] | None = None


@dataclass(frozen=True, slots=True)
class Preview:
    kind: NotificationKind
    channel: Channel
    rendered: Rendered
    sms: SmsLength | None  # the text's encoding and segments, for SMS


def settings_for(uow: UnitOfWork, brand_id: str) -> NotificationSettings:
    """The brand's stored settings, or the defaults when it never chose."""
    return uow.notification_settings.get(brand_id) or NotificationSettings.defaults(brand_id)


def get_settings(
    uow_factory: UnitOfWorkFactory, principal: Principal, brand_id: str
) -> tuple[Brand, NotificationSettings]:
    with uow_factory(principal).read_only() as uow:
        brand = _brand(uow, principal, brand_id)
        return brand, settings_for(uow, brand.id)


def update_settings(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    clock: Clock,
    brand_id: str,
    change: SettingsChange,
    tracking_base_url: str,
) -> NotificationSettings:
    with uow_factory(principal) as uow:
        brand = _brand(uow, principal, brand_id)
        settings = NotificationSettings(
            brand_id=brand.id,
            enabled=dict(change.enabled),
            sender_name=change.sender_name,
            reply_to=change.reply_to,
            overrides=dict(change.overrides or {}),
        )
        sample = sample_variables(brand, settings, clock.now(), tracking_base_url)
        for (kind, channel), override in settings.overrides.items():
            where = f"templates.{channel.value}.{kind.value}"
            if override.subject is not None:
                check_override(override.subject, f"{where}.subject", sample)
            if override.text is not None:
                check_override(override.text, f"{where}.text", sample)
        uow.notification_settings.save(settings)
        uow.commit()
        return settings


def preview(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    clock: Clock,
    brand_id: str,
    kind: NotificationKind,
    channel: Channel,
    tracking_base_url: str,
) -> Preview:
    """The message of ``kind`` on ``channel`` as the brand's recipients would get it,
    with sample data (no real order, so nothing personal)."""
    brand, settings = get_settings(uow_factory, principal, brand_id)
    variables = sample_variables(brand, settings, clock.now(), tracking_base_url)
    rendered = render(kind, channel, settings, variables)
    sms = measure(rendered.text) if channel is Channel.SMS else None
    return Preview(kind, channel, rendered, sms)


def sample_variables(
    brand: Brand, settings: NotificationSettings, now: datetime, tracking_base_url: str
) -> dict[str, Any]:
    start = now.replace(hour=10, minute=40, second=0, microsecond=0)
    return {
        "brand": settings.sender_name or brand.name,
        "first_name": "Ada",
        "reference": "ORDER-1234",
        "tracking_link": tracking_base_url + "SAMPLE-TOKEN",
        "reschedule_link": tracking_base_url + "SAMPLE-TOKEN/reschedule",
        "day": day_words(now),
        "reason": REASON_WORDS["recipient_not_home"],
        "lateness_minutes": 25,
        **window_variables(start, start + timedelta(hours=1)),
    }


def _brand(uow: UnitOfWork, principal: Principal, brand_id: str) -> Brand:
    require_id(brand_id, "brd", "brand")
    if principal.kind is PrincipalKind.BRAND:
        if principal.brand_id != brand_id:
            raise NotFound("brand", brand_id)
    elif principal.kind is not PrincipalKind.SYSTEM and principal.role is not Role.ADMIN:
        raise PermissionDenied("Only operator admins and the brand itself may do this.")
    brand = uow.brands.get(brand_id)
    if brand is None:
        raise NotFound("brand", brand_id)
    return brand


def parse_kind(value: str, field: str) -> NotificationKind:
    try:
        return NotificationKind(value)
    except ValueError:
        allowed = ", ".join(kind.value for kind in NotificationKind)
        raise InvalidValue(field, f"must be one of {allowed}") from None


def parse_channel(value: str, field: str) -> Channel:
    try:
        return Channel(value)
    except ValueError:
        raise InvalidValue(field, "must be email or sms") from None
