"""``/console/users``: the company's users (admins only, as in the API): add an admin, a
dispatcher or a courier's login; deactivate one (audited by the use case)."""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from doorstep.domain.access import Principal
from doorstep.domain.model import Role
from doorstep.services import accounts, fleet
from doorstep.web.console import render
from doorstep.web.console.admin import Refused, attempt, optional, text
from doorstep.web.console.session import ConsoleAdmin, checked_form, container_of

router = APIRouter()
PATH: Final = "/console/users"
DONE: Final = {"added": "User added.", "deactivated": "User deactivated: logged out at once."}
ROLES: Final = [(r.value, r.value.capitalize()) for r in Role]


async def _page(
    request: Request, user: Principal, *, status_code: int = 200, **context: Any
) -> Response:
    uow = container_of(request).uow_factory
    users = await attempt(lambda: accounts.list_users(uow(user)))
    couriers = await attempt(lambda: fleet.list_couriers(uow(user)))
    return render.page(
        request,
        "console/users.html",
        user=user,
        section="users",
        status_code=status_code,
        users=users,
        couriers=couriers,
        courier_names={c.id: c.name for c in couriers},
        roles=ROLES,
        **context,
    )


@router.get(PATH)
async def users_page(request: Request, user: ConsoleAdmin, done: str | None = None) -> Response:
    return await _page(request, user, notice=DONE.get(done or ""))


@router.post(PATH)
async def add_user(request: Request, user: ConsoleAdmin) -> Response:
    form = await checked_form(request)
    container = container_of(request)
    try:
        role = text(form, "role")
        if role not in {r.value for r in Role}:
            raise Refused(422, "The role: choose one from the list.")
        await attempt(
            lambda: accounts.create_user(
                container.uow_factory(user),
                email=text(form, "email"),
                name=text(form, "name"),
                role=Role(role),
                password=text(form, "password"),
                hasher=container.passwords,
                courier_id=optional(form, "courier_id") if role == Role.COURIER else None,
                clock=container.clock,
            )
        )
    except Refused as refused:
        return await _page(request, user, status_code=refused.status, error=refused.message)
    return RedirectResponse(f"{PATH}?done=added", status_code=303)


@router.post(PATH + "/{user_id}/deactivate")
async def deactivate(request: Request, user_id: str, user: ConsoleAdmin) -> Response:
    await checked_form(request)
    container = container_of(request)
    try:
        await attempt(
            lambda: accounts.deactivate_user(
                container.uow_factory(user), user_id, clock=container.clock
            )
        )
    except Refused as refused:
        return await _page(request, user, status_code=refused.status, error=refused.message)
    return RedirectResponse(f"{PATH}?done=deactivated", status_code=303)
