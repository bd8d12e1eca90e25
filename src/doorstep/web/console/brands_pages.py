"""``/console/brands``: brands and their API keys (admins only, as in the API). A new key
is shown once, in the answer to the form that made it, and never again."""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from doorstep.domain.access import Principal
from doorstep.services import accounts
from doorstep.web.console import render
from doorstep.web.console.admin import Refused, attempt, text
from doorstep.web.console.session import ConsoleAdmin, checked_form, container_of

router = APIRouter()
PATH: Final = "/console/brands"
DONE: Final = {"brand": "Brand added.", "revoked": "Key revoked: refused from now on."}


async def _page(
    request: Request, user: Principal, *, status_code: int = 200, **context: Any
) -> Response:
    uow = container_of(request).uow_factory

    def read() -> list[tuple[Any, list[Any]]]:
        brands = accounts.list_brands(uow(user))
        return [(b, accounts.list_api_keys(uow(user), b.id)) for b in brands]

    brands = await attempt(read)
    return render.page(
        request,
        "console/brands.html",
        user=user,
        section="brands",
        status_code=status_code,
        brands=brands,
        **context,
    )


@router.get(PATH)
async def brands_page(request: Request, user: ConsoleAdmin, done: str | None = None) -> Response:
    """Every brand with its keys (prefix and dates: secrets are not kept)."""
    return await _page(request, user, notice=DONE.get(done or ""))


@router.post(PATH)
async def add_brand(request: Request, user: ConsoleAdmin) -> Response:
    form = await checked_form(request)
    container = container_of(request)
    try:
        name = text(form, "name")
        if len(name) > 200:
            raise Refused(422, "The name: at most 200 characters.")
        await attempt(
            lambda: accounts.create_brand(container.uow_factory(user), name, clock=container.clock)
        )
    except Refused as refused:
        return await _page(request, user, status_code=refused.status, error=refused.message)
    return RedirectResponse(f"{PATH}?done=brand", status_code=303)


@router.post(PATH + "/{brand_id}/keys")
async def issue_key(request: Request, brand_id: str, user: ConsoleAdmin) -> Response:
    """A new key, shown once on the page this answers with (not a redirect: a reload
    must not show it again, and the page is never cached)."""
    form = await checked_form(request)
    container = container_of(request)
    try:
        label = text(form, "name")
        if len(label) > 200:
            raise Refused(422, "The key's name: at most 200 characters.")
        issued = await attempt(
            lambda: accounts.issue_api_key(
                container.uow_factory(user), brand_id, clock=container.clock, name=label
            )
        )
    except Refused as refused:
        return await _page(request, user, status_code=refused.status, error=refused.message)
    notice = "Key issued. Copy it now: it is shown only this once."
    return await _page(
        request, user, status_code=201, notice=notice, new_key=issued.token, new_key_brand=brand_id
    )


@router.post(PATH + "/{brand_id}/keys/{key_id}/revoke")
async def revoke_key(request: Request, brand_id: str, key_id: str, user: ConsoleAdmin) -> Response:
    await checked_form(request)
    container = container_of(request)
    try:
        await attempt(
            lambda: accounts.revoke_api_key(
                container.uow_factory(user), brand_id, key_id, clock=container.clock
            )
        )
    except Refused as refused:
        return await _page(request, user, status_code=refused.status, error=refused.message)
    return RedirectResponse(f"{PATH}?done=revoked", status_code=303)
