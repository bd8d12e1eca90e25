"""``/console/audit``: every manual change, newest first, with who and when (admins and
dispatchers read; nobody edits). Actors are shown by name where they are users."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import Response

from doorstep.domain.model import Role
from doorstep.services import accounts, audit
from doorstep.web.console import render
from doorstep.web.console.admin import attempt
from doorstep.web.console.session import ConsoleUser, container_of

router = APIRouter()
PATH: Final = "/console/audit"
PAGE_SIZE: Final = 100


@router.get(PATH)
async def audit_page(request: Request, user: ConsoleUser, page: str = "1") -> Response:
    uow = container_of(request).uow_factory
    number = int(page) if page.isdigit() and len(page) < 6 else 1
    page_no = max(1, number)
    entries = await attempt(
        lambda: audit.recent_entries(uow(user), PAGE_SIZE + 1, (page_no - 1) * PAGE_SIZE)
    )
    names: dict[str, str] = {}
    if user.role is Role.ADMIN:  # the user list is an admin's; others see ids
        names = {u.id: u.email for u in await attempt(lambda: accounts.list_users(uow(user)))}
    return render.page(
        request,
        "console/audit.html",
        user=user,
        section="audit",
        entries=entries[:PAGE_SIZE],
        names=names,
        page=page_no,
        more=len(entries) > PAGE_SIZE,
    )
