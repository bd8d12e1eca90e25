"""``/console/login`` and ``/console/logout``, and ``/console`` itself (to the Today page).

Login goes through the API's own throttled use case (``services.accounts.throttle.login``):
the same lock-outs and back-off as ``/v1/auth/token``, and the same answer for a wrong
password, an unknown e-mail and a locked account. The login form has a CSRF value too
(``session.py``), so no other site can log a browser in as someone else.
"""

from __future__ import annotations

from functools import partial
from typing import Final

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from doorstep.domain.model import Role
from doorstep.services.accounts import throttle
from doorstep.services.errors import AuthenticationFailed, TooManyRequests
from doorstep.web.console import render
from doorstep.web.console.session import (
    LOGIN_PATH,
    ConsoleRefusal,
    checked_form,
    console_user,
    container_of,
    end_session,
    start_session,
)

router = APIRouter()
HOME: Final = "/console/today"
MAX_EMAIL: Final = 320
MAX_PASSWORD: Final = 1024


def safe_next(value: str | None) -> str:
    """Where to go after login: a console path of this server, never another site."""
    if not value or not value.startswith("/console") or value.startswith("/console/login"):
        return HOME
    if any(c in value for c in "\\\r\n\t") or "//" in value or len(value) > 2000:
        return HOME
    return value


@router.get("/console")
def console_home() -> RedirectResponse:
    return RedirectResponse(HOME, status_code=303)


def _logged_in(request: Request) -> bool:
    try:
        console_user(request)
    except ConsoleRefusal:
        return False
    return True


@router.get(LOGIN_PATH)
async def login_page(request: Request, next: str | None = None) -> Response:
    """The login form; already logged in: straight on."""
    if await run_in_threadpool(_logged_in, request):
        return RedirectResponse(safe_next(next), status_code=303)
    return _form(request, next_path=safe_next(next))


def _form(
    request: Request,
    *,
    next_path: str,
    status_code: int = 200,
    error: str | None = None,
    email: str = "",
    headers: dict[str, str] | None = None,
) -> Response:
    answer = render.page(
        request,
        "console/login.html",
        user=None,
        section="login",
        status_code=status_code,
        error=error,
        next_path=next_path,
        email=email,
    )
    answer.headers.update(headers or {})
    return answer


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


@router.post(LOGIN_PATH)
async def log_in(request: Request) -> Response:
    """Check the e-mail and password; start a session and go on to ``next``."""
    form = await checked_form(request)
    email, password = _text(form.get("email")), _text(form.get("password"))
    next_path = safe_next(_text(form.get("next")))
    shown = "".join(c for c in email if c.isprintable())[:MAX_EMAIL]
    if len(email) > MAX_EMAIL or len(password) > MAX_PASSWORD:
        error = "That e-mail address or password is too long."
        return _form(request, next_path=next_path, status_code=422, error=error, email=shown)
    container = container_of(request)
    client = request.client.host if request.client else "unknown"
    try:
        user = await run_in_threadpool(
            partial(
                throttle.login,
                container.uow_factory,
                container.passwords,
                container.throttle,
                container.clock,
                email=email,
                password=password,
                address=client,
            )
        )
    except AuthenticationFailed:
        error = "Wrong e-mail address or password."
        return _form(request, next_path=next_path, status_code=401, error=error, email=shown)
    except TooManyRequests as refused:
        error = f"Too many failed logins: try again in {refused.retry_after} seconds."
        wait = {"Retry-After": str(refused.retry_after)}
        return _form(
            request, next_path=next_path, status_code=429, error=error, email=shown, headers=wait
        )
    if user.role not in (Role.ADMIN, Role.DISPATCHER):
        error = "The console is for the company's admins and dispatchers."
        return _form(request, next_path=next_path, status_code=403, error=error, email=shown)
    answer = RedirectResponse(next_path, status_code=303, headers=render.headers(request))
    start_session(request, answer, user.id)
    return answer


@router.post("/console/logout")
async def log_out(request: Request) -> Response:
    """End the session in this browser and show the login page."""
    await checked_form(request)
    answer = RedirectResponse(LOGIN_PATH, status_code=303, headers=render.headers(request))
    end_session(request, answer)
    return answer
