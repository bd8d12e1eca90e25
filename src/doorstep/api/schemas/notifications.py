"""Brands' notification settings, their preview, and the inbound SMS webhook's answer."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from doorstep.api.schemas.common import Public, Strict
from doorstep.domain.notifications import Channel, NotificationKind

Line = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Body = Annotated[str, StringConstraints(min_length=1, max_length=5000)]


class TemplateText(Strict):
    """A brand's own wording for one kind: Jinja2 text with ``{{ variables }}`` and
    ``{% if %}`` blocks only; ``subject`` is for e-mail only. Left out: our wording."""

    subject: Line | None = None
    text: Body | None = None


class NotificationSettingsIn(Strict):
    """The whole of a brand's settings (PUT): what is left out goes back to the default."""

    channels: dict[Channel, list[NotificationKind]] = {}
    sender_name: Line | None = None
    reply_to: Line | None = None
    templates: dict[Channel, dict[NotificationKind, TemplateText]] = {}


class NotificationSettingsPublic(Public):
    brand_id: str
    channels: dict[Channel, list[NotificationKind]]
    sender_name: str | None
    reply_to: str | None
    templates: dict[Channel, dict[NotificationKind, TemplateText]]


class PreviewRequest(Strict):
    kind: NotificationKind
    channel: Channel


class SmsLengthPublic(Public):
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets or UTF-16 code units
    segments: int


class PreviewPublic(Public):
    kind: NotificationKind
    channel: Channel
    subject: str | None
    text: str
    html: str | None
    sms: SmsLengthPublic | None
