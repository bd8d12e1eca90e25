"""``/v1/brands/{brand_id}/notification-settings`` and ``.../notification-preview``: what a
brand's recipients are told and how (admins, or the brand's own key); ``/v1/sms/inbound``:
the SMS provider's webhook for STOP and START (signed, no bearer token)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Header, Request, Response

from doorstep.api.deps import CurrentPrincipal, Services
from doorstep.api.problems import Problem
from doorstep.api.schemas.notifications import (
    NotificationSettingsIn,
    NotificationSettingsPublic,
    PreviewPublic,
    PreviewRequest,
    SmsLengthPublic,
    TemplateText,
)
from doorstep.domain.notifications import (
    Channel,
    NotificationKind,
    NotificationSettings,
    TemplateOverride,
)
from doorstep.services.notifications import brand_settings, inbound
from doorstep.services.notifications.brand_settings import SettingsChange

router = APIRouter(tags=["notifications"])
sms_router = APIRouter(tags=["sms"])
INBOUND_PATH = "/sms/inbound"
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": Problem} for code in (401, 403, 404, 422)
}
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@router.get(
    "/brands/{brand_id}/notification-settings",
    response_model=NotificationSettingsPublic,
    responses=ERRORS,
)
def get_notification_settings(
    brand_id: str, principal: CurrentPrincipal, services: Services
) -> NotificationSettingsPublic:
    """Which messages the brand's recipients get on each channel, the sender name, the
    reply-to address, and the brand's own wording (none: ours)."""
    _, settings = brand_settings.get_settings(services.uow_factory, principal, brand_id)
    return _public(settings)


@router.put(
    "/brands/{brand_id}/notification-settings",
    response_model=NotificationSettingsPublic,
    responses=ERRORS,
)
def put_notification_settings(
    brand_id: str, body: NotificationSettingsIn, principal: CurrentPrincipal, services: Services
) -> NotificationSettingsPublic:
    """Replace the brand's settings. A channel left out gets the default kinds; a template
    that does not render with sample data is refused (422, naming the field)."""
    defaults = NotificationSettings.defaults(brand_id).enabled
    change = SettingsChange(
        enabled={
            channel: frozenset(body.channels.get(channel, defaults[channel]))
            for channel in defaults
        },
        sender_name=body.sender_name,
        reply_to=body.reply_to,
        overrides={
            (kind, channel): TemplateOverride(subject=text.subject, text=text.text)
            for channel, kinds in body.templates.items()
            for kind, text in kinds.items()
            if text.subject is not None or text.text is not None
        },
    )
    settings = brand_settings.update_settings(
        services.uow_factory,
        principal,
        services.clock,
        brand_id,
        change,
        services.tracking_base_url,
    )
    return _public(settings)


@router.post(
    "/brands/{brand_id}/notification-preview", response_model=PreviewPublic, responses=ERRORS
)
def preview_notification(
    brand_id: str, body: PreviewRequest, principal: CurrentPrincipal, services: Services
) -> PreviewPublic:
    """The message of ``kind`` on ``channel`` rendered with sample data, as the brand's
    recipients would get it now; for SMS, its encoding and number of segments."""
    shown = brand_settings.preview(
        services.uow_factory,
        principal,
        services.clock,
        brand_id,
        body.kind,
        body.channel,
        services.tracking_base_url,
    )
    sms = shown.sms
    return PreviewPublic(
        kind=shown.kind,
        channel=shown.channel,
        subject=shown.rendered.subject,
        text=shown.rendered.text,
        html=shown.rendered.html,
        sms=SmsLengthPublic(encoding=sms.encoding.value, units=sms.units, segments=sms.segments)
        if sms
        else None,
    )


INBOUND_BODY = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "properties": {
                    "From": {"type": "string", "description": "the sender's number"},
                    "To": {"type": "string", "description": "our number"},
                    "Body": {"type": "string", "description": "the text: STOP, START, ..."},
                },
                "required": ["From", "Body"],
            }
        }
    },
}


@sms_router.post(
    INBOUND_PATH,
    responses={
        200: {"description": "An empty TwiML answer", "content": {"text/xml": {}}},
        401: {"model": Problem},
    },
    response_class=Response,
    openapi_extra={"requestBody": INBOUND_BODY},
)
async def sms_inbound(
    request: Request,
    services: Services,
    signature: Annotated[str | None, Header(alias="X-Twilio-Signature")] = None,
) -> Response:
    """A text from a recipient, posted by the SMS provider in Twilio's shape and signed
    with ``X-Twilio-Signature``: STOP opts the number out of texts, START back in."""
    raw = (await request.body()).decode("utf-8", errors="replace")
    params = parse_qsl(raw, keep_blank_values=True)
    inbound.record_inbound(
        services.uow_factory,
        services.clock,
        secret=services.secret_key,
        auth_token=services.sms_auth_token,
        url=services.public_url.rstrip("/") + "/v1" + INBOUND_PATH,
        params=params,
        signature=signature,
    )
    return Response(EMPTY_TWIML, media_type="text/xml")


def _public(settings: NotificationSettings) -> NotificationSettingsPublic:
    templates: dict[Channel, dict[NotificationKind, TemplateText]] = {}
    for (kind, channel), override in settings.overrides.items():
        templates.setdefault(channel, {})[kind] = TemplateText(
            subject=override.subject, text=override.text
        )
    return NotificationSettingsPublic(
        brand_id=settings.brand_id,
        channels={channel: sorted(kinds) for channel, kinds in settings.enabled.items()},
        sender_name=settings.sender_name,
        reply_to=settings.reply_to,
        templates=templates,
    )
