"""The recipient's forms on the tracking page: plain HTML form posts under ``/t/{token}/``.

Each post carries a hidden ``csrf`` field (``web/csrf.py``: an HMAC of the tracking token
with the server's secret, so no session is needed) and calls one use case of
``services/tracking/actions.py``. Done: 303 back to ``/t/{token}?done=<action>``, so a
reload never posts twice. Refused: the forms again with the reason, under a 4xx status
(never a 500): 403 for a bad CSRF value, 404 for an unknown link, 410 for an expired
one, 409 when the order can no longer change or changed meanwhile, 422 for what was typed.
Everything works without JavaScript; ``GET /t/{token}/reschedule`` shows the days to
choose from when the page itself could not list them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from functools import cache
from typing import Final, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from doorstep.domain.errors import DomainError, InvalidValue
from doorstep.domain.preferences import NothingToChange
from doorstep.services.container import Container
from doorstep.services.errors import Gone, NotFound, ServiceError
from doorstep.services.ports import Conflict, StaleObject, StoreBusy
from doorstep.services.tracking import actions
from doorstep.services.tracking.actions import ActionDone, RecipientActions
from doorstep.web import csrf

T = TypeVar("T")
PATH: Final = "/t/{token}"
ACTIONS: Final = ("safe-place", "neighbour", "access", "more-time", "reschedule")
# This server's stylesheet and forms posting back to it; nothing else, no script at all.
POLICY: Final = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS: Final = {
    "Content-Security-Policy": POLICY,
    "X-Robots-Tag": "noindex, nofollow, noarchive",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
MAX_FIELD: Final = 2_000  # longer than any field's own limit: refused by its rule, not here
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class _Refused(Exception):
    def __init__(self, status: int, message: str, *, forms: bool = True) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.forms = forms  # whether to show the forms again (not for a dead link)


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("doorstep.web", "templates"),
        autoescape=select_autoescape(default=True),
        auto_reload=False,
    )


def _container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def _shown(value: str) -> str:
    """A typed value safe to put back in a form: no control characters, not too long."""
    return _CONTROL.sub("", value)[:MAX_FIELD]


async def _form(request: Request) -> dict[str, str]:
    if not request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        raise _Refused(415, "Send the form from the tracking page.", forms=False)
    try:
        got = await request.form(max_files=0, max_fields=20)
    except Exception as error:  # a malformed body is the sender's mistake, never a 500
        raise _Refused(400, "The form could not be read; send it again.") from error
    return {k: v for k, v in got.items() if isinstance(v, str)}


def _why(error: Exception) -> _Refused:
    """The status and words for a refusal of a use case."""
    if isinstance(error, InvalidValue):
        return _Refused(422, _sentence(error))
    if isinstance(error, Gone):
        return _Refused(410, error.message, forms=False)
    if isinstance(error, NotFound):
        return _Refused(404, "This tracking link is not known.", forms=False)
    if isinstance(error, NothingToChange):
        return _Refused(409, error.message, forms=False)
    if isinstance(error, StaleObject | Conflict):
        return _Refused(409, "Your delivery changed at the same moment (another tab?). Try again.")
    if isinstance(error, StoreBusy):
        return _Refused(503, "We are busy for a moment: please send the form again.")
    if isinstance(error, DomainError | ServiceError):
        return _Refused(409, error.message)
    raise error


def _sentence(error: InvalidValue) -> str:
    """ "The neighbour is required." or "The door code: choose ..." from a field's reason."""
    subject = _FIELD_WORDS.get(error.field, "This")
    reason = error.reason.rstrip(".")
    if reason.startswith(("is ", "contains ", "must ", "needs ")):
        return f"{subject} {reason}."
    return f"{subject}: {reason[:1].upper()}{reason[1:]}."


_FIELD_WORDS: Final = {
    "safe_place": "The safe place",
    "safe_place_note": "The note about the safe place",
    "neighbour": "The neighbour",
    "access": "Access details",
    "access_notes": "The access note",
    "access_code": "The door code",
    "date": "The day",
}


def _state(container: Container, token: str) -> RecipientActions | None:
    """The forms' state, or None when it cannot be read (the forms then show less)."""
    try:
        return actions.actions_for(container.uow_factory, token, clock=container.clock)
    except (ServiceError, DomainError, StoreBusy):
        return None


def _render(
    request: Request,
    token: str,
    *,
    status: int,
    message: str | None,
    state: RecipientActions | None,
    open_form: str | None,
    typed: Mapping[str, str],
) -> HTMLResponse:
    container = _container(request)
    html = (
        _templates()
        .get_template("tracking/action.html")
        .render(
            token=token,
            csrf=csrf.issue(container.secret_key, token),
            actions=state,
            back=status not in {404, 410},  # a dead link leads nowhere
            error=message,
            open=open_form,
            typed={k: _shown(v) for k, v in typed.items() if k not in {"csrf", "code"}},
        )
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


async def _act(
    request: Request, token: str, name: str, run: Callable[[Container, dict[str, str]], T]
) -> Response:
    container = _container(request)
    form: dict[str, str] = {}
    try:
        form = await _form(request)
        if not csrf.check(container.secret_key, token, form.get("csrf", "")):
            raise _Refused(
                403, "This form did not come from your tracking page. Open your link again."
            )
        try:
            await run_in_threadpool(run, container, form)
        except Exception as error:
            raise _why(error) from error
    except _Refused as refused:
        state = None
        if refused.forms:
            state = await run_in_threadpool(_state, container, token)
        return _render(
            request,
            token,
            status=refused.status,
            message=refused.message,
            state=state,
            open_form=name,
            typed=form,
        )
    return RedirectResponse(f"/t/{token}?done={name}", status_code=303)


def _flag(form: Mapping[str, str], name: str) -> bool:
    return form.get(name, "").lower() in {"1", "on", "yes", "true"}


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidValue("date", "is not one of the days offered") from None


def make_router() -> APIRouter:
    """The form posts of the tracking page, and the page to choose another day."""
    router = APIRouter(include_in_schema=False)

    @router.post(f"{PATH}/safe-place")
    async def safe_place(request: Request, token: str) -> Response:
        def run(c: Container, form: dict[str, str]) -> ActionDone:
            cmd = actions.SetSafePlace(token, form.get("choice", ""), form.get("note", ""))
            return actions.set_safe_place(c.uow_factory, cmd, clock=c.clock)

        return await _act(request, token, "safe-place", run)

    @router.post(f"{PATH}/neighbour")
    async def neighbour(request: Request, token: str) -> Response:
        def run(c: Container, form: dict[str, str]) -> ActionDone:
            cmd = actions.SetNeighbour(token, form.get("neighbour", ""))
            return actions.set_neighbour(c.uow_factory, cmd, clock=c.clock)

        return await _act(request, token, "neighbour", run)

    @router.post(f"{PATH}/access")
    async def access(request: Request, token: str) -> Response:
        def run(c: Container, form: dict[str, str]) -> ActionDone:
            cmd = actions.SetAccess(
                token,
                note=form.get("note", ""),
                code=form.get("code", ""),
                remove_note=_flag(form, "remove_note"),
                remove_code=_flag(form, "remove_code"),
            )
            return actions.set_access(c.uow_factory, cmd, clock=c.clock)

        return await _act(request, token, "access", run)

    @router.post(f"{PATH}/more-time")
    async def more_time(request: Request, token: str) -> Response:
        def run(c: Container, form: dict[str, str]) -> ActionDone:
            cmd = actions.SetMoreTime(token, wanted=_flag(form, "needs_more_time"))
            return actions.set_more_time(c.uow_factory, cmd, clock=c.clock)

        return await _act(request, token, "more-time", run)

    @router.post(f"{PATH}/reschedule")
    async def reschedule(request: Request, token: str) -> Response:
        def run(c: Container, form: dict[str, str]) -> ActionDone:
            cmd = actions.Reschedule(token, _day(form.get("date", "")))
            return actions.reschedule(c.uow_factory, cmd, clock=c.clock)

        return await _act(request, token, "reschedule", run)

    @router.get(f"{PATH}/reschedule")
    async def choose_day(request: Request, token: str) -> Response:
        container = _container(request)
        try:
            state = await run_in_threadpool(
                actions.actions_for, container.uow_factory, token, clock=container.clock
            )
        except Exception as error:
            refused = _why(error)
            return _render(
                request, token, status=refused.status, message=refused.message, state=None,
                open_form=None, typed={},
            )  # fmt: skip
        return _render(
            request, token, status=200, message=None, state=state, open_form="reschedule", typed={}
        )

    return router
