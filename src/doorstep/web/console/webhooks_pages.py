"""``/console/webhooks``: brands' webhook endpoints, their deliveries and dead letters.

The rules are ``services/webhooks``'s: admins and dispatchers look, admins change (add,
rotate the secret, switch off or on, replay). A new secret is shown once, in the answer
to the form that made it."""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from doorstep.domain.access import Principal
from doorstep.domain.events import EventName
from doorstep.domain.webhooks import BRAND_EVENTS
from doorstep.services import accounts, webhooks
from doorstep.web.console import render
from doorstep.web.console.admin import Refused, attempt, text
from doorstep.web.console.session import ConsoleUser, checked_form, container_of

router = APIRouter()
PATH: Final = "/console/webhooks"
DONE: Final = {
    "disabled": "Endpoint switched off: nothing more is sent to it.",
    "enabled": "Endpoint switched on again.",
    "replayed": "Delivery queued to be sent again now.",
}


async def _page(
    request: Request, user: Principal, *, status_code: int = 200, **context: Any
) -> Response:
    uow = container_of(request).uow_factory
    endpoints = await attempt(lambda: webhooks.list_endpoints(uow(user)))
    dead = await attempt(lambda: webhooks.list_dead_letters(uow(user), limit=50))
    brands = await attempt(lambda: accounts.list_brands(uow(user)))
    return render.page(
        request,
        "console/webhooks.html",
        user=user,
        section="webhooks",
        status_code=status_code,
        endpoints=sorted(endpoints, key=lambda e: (e.brand_id, e.url)),
        dead_letters=dead,
        brands=brands,
        brand_names={b.id: b.name for b in brands},
        event_names=[name.value for name in EventName if name in BRAND_EVENTS],
        **context,
    )


@router.get(PATH)
async def webhooks_page(request: Request, user: ConsoleUser, done: str | None = None) -> Response:
    return await _page(request, user, notice=DONE.get(done or ""))


@router.get(PATH + "/{endpoint_id}")
async def endpoint_page(request: Request, endpoint_id: str, user: ConsoleUser) -> Response:
    """One endpoint: its recent deliveries and attempts."""
    uow = container_of(request).uow_factory
    try:
        endpoint = await attempt(lambda: webhooks.get_endpoint(uow(user), endpoint_id))
        deliveries = await attempt(lambda: webhooks.list_deliveries(uow(user), endpoint_id))
        attempts = await attempt(lambda: webhooks.list_attempts(uow(user), endpoint_id))
    except Refused as refused:
        return await _page(request, user, status_code=refused.status, error=refused.message)
    return render.page(
        request,
        "console/webhook.html",
        user=user,
        section="webhooks",
        endpoint=endpoint,
        deliveries=deliveries,
        attempts=attempts,
    )


@router.post(PATH)
async def add_endpoint(request: Request, user: ConsoleUser) -> Response:
    form = await checked_form(request)
    container = container_of(request)
    draft = webhooks.EndpointDraft(
        url=text(form, "url"),
        event_types=[v for v in form.getlist("event_types") if isinstance(v, str)],
        description=text(form, "description"),
        brand_id=text(form, "brand_id") or None,
    )
    try:
        made = await attempt(
            lambda: webhooks.create_endpoint(
                container.uow_factory(user),
                draft,
                clock=container.clock,
                ports=container.webhooks,
            )
        )
    except Refused as refused:
        return await _page(request, user, status_code=refused.status, error=refused.message)
    notice = "Endpoint added. Copy its signing secret now: it is shown only this once."
    return await _page(request, user, status_code=201, notice=notice, secret=made.secret)


@router.post(PATH + "/{endpoint_id}/rotate")
async def rotate(request: Request, endpoint_id: str, user: ConsoleUser) -> Response:
    await checked_form(request)
    container = container_of(request)
    try:
        done = await attempt(
            lambda: webhooks.rotate_secret(
                container.uow_factory(user), endpoint_id, clock=container.clock
            )
        )
    except Refused as refused:
        return await _page(request, user, status_code=refused.status, error=refused.message)
    notice = "New secret made; the old one still signs for 24 hours. Copy it now."
    return await _page(request, user, notice=notice, secret=done.secret)


async def _switch(request: Request, endpoint_id: str, user: Principal, on: bool) -> Response:
    await checked_form(request)
    container = container_of(request)
    change = webhooks.EndpointChange(enabled=on)
    try:
        await attempt(
            lambda: webhooks.update_endpoint(
                container.uow_factory(user),
                endpoint_id,
                change,
                clock=container.clock,
                ports=container.webhooks,
            )
        )
    except Refused as refused:
        return await _page(request, user, status_code=refused.status, error=refused.message)
    return RedirectResponse(f"{PATH}?done={'enabled' if on else 'disabled'}", status_code=303)


@router.post(PATH + "/{endpoint_id}/disable")
async def disable(request: Request, endpoint_id: str, user: ConsoleUser) -> Response:
    return await _switch(request, endpoint_id, user, on=False)


@router.post(PATH + "/{endpoint_id}/enable")
async def enable(request: Request, endpoint_id: str, user: ConsoleUser) -> Response:
    return await _switch(request, endpoint_id, user, on=True)


@router.post(PATH + "/{endpoint_id}/deliveries/{delivery_id}/replay")
async def replay(
    request: Request, endpoint_id: str, delivery_id: str, user: ConsoleUser
) -> Response:
    await checked_form(request)
    container = container_of(request)
    try:
        await attempt(
            lambda: webhooks.replay(
                container.uow_factory(user), endpoint_id, delivery_id, clock=container.clock
            )
        )
    except Refused as refused:
        return await _page(request, user, status_code=refused.status, error=refused.message)
    container.enqueue_webhooks()
    return RedirectResponse(f"{PATH}?done=replayed", status_code=303)
