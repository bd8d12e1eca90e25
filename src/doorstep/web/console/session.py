"""Who is at the console: a signed session cookie, the roles that may enter, and CSRF.

The session is stateless like the API's tokens (``<payload>.<signature>``, HMAC-SHA256
with the server's secret, under a label of its own), so several server processes accept
each other's sessions; the user is still looked up on every request, so a deactivated
user is out at their next click. The cookie is ``HttpOnly`` (no script reads it),
``SameSite=Strict`` (no other site's link or form carries it) and ``Secure`` outside demo.

CSRF: every form carries ``csrf``, an HMAC of the session's random id (``sid``); htmx sends
the same value as ``X-CSRF-Token``. Before login there is no session, so the login page
sets a short-lived random cookie (``PRE_COOKIE``) and its form carries the HMAC of that:
another site can neither read the cookie nor compute the value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Final
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from doorstep.domain.access import Principal
from doorstep.domain.model import Role
from doorstep.services import accounts
from doorstep.services.container import Container
from doorstep.services.errors import AuthenticationFailed

COOKIE: Final = "doorstep_console"
PRE_COOKIE: Final = "doorstep_console_pre"  # the login form's CSRF anchor, before a session
PRE_COOKIE_SECONDS: Final = 3600
CSRF_FIELD: Final = "csrf"
CSRF_HEADER: Final = "X-CSRF-Token"
LOGIN_PATH: Final = "/console/login"
MAX_FIELDS: Final = 200
MAX_FIELD_CHARS: Final = 10_000  # longer than any field's own rule: refused here, plainly
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_KIND: Final = "console"
_CSRF_LABEL: Final = b"doorstep.console.csrf.v1\x00"
_OPERATORS: Final = frozenset({Role.ADMIN, Role.DISPATCHER})


class ConsoleRefusal(Exception):
    """A console request that cannot go on: rendered as a page (or an htmx fragment) by
    ``render.refusal_response``; ``location`` makes it a 303 redirect instead."""

    def __init__(self, status: int, message: str, *, location: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.location = location


@dataclass(frozen=True, slots=True)
class Session:
    user_id: str
    sid: str  # random per login: what CSRF values are made from
    expires_at: int  # Unix seconds


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    mac = hmac.new(secret.encode(), b"doorstep.console.session.v1\x00" + payload.encode(), "sha256")
    return _b64(mac.digest())


def issue(secret: str, user_id: str, expires_at: datetime) -> str:
    """A session cookie value for ``user_id`` until ``expires_at``."""
    claims = {
        "typ": _KIND,
        "sub": user_id,
        "sid": secrets.token_urlsafe(16),
        "exp": int(expires_at.timestamp()),
    }
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{payload}.{_sign(secret, payload)}"


def read(secret: str, value: str, now: datetime) -> Session | None:
    """The session in a cookie value, or None when forged, malformed or expired."""
    if not value or len(value) > 1000:
        return None
    payload, _, signature = value.partition(".")
    expected = _sign(secret, payload).encode()
    if not payload or not hmac.compare_digest(expected, signature.encode(errors="replace")):
        return None
    try:
        claims = json.loads(_unb64(payload))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(claims, dict) or claims.get("typ") != _KIND:
        return None
    subject, sid, expires = claims.get("sub"), claims.get("sid"), claims.get("exp")
    if not (isinstance(subject, str) and isinstance(sid, str) and isinstance(expires, int)):
        return None
    return Session(subject, sid, expires) if now.timestamp() < expires else None


def container_of(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def _session(request: Request) -> Session | None:
    container = container_of(request)
    value = request.cookies.get(COOKIE, "")
    return read(container.secret_key, value, container.clock.now())


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _login_needed(request: Request) -> ConsoleRefusal:
    if request.method in {"GET", "HEAD"} and not _is_htmx(request):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        location = f"{LOGIN_PATH}?next={quote(target, safe='/')}"
        return ConsoleRefusal(303, "Please log in.", location=location)
    return ConsoleRefusal(401, "Your session has ended: log in again.")


def console_user(request: Request) -> Principal:
    """The logged-in admin or dispatcher; couriers are refused (403), nobody sent to log in."""
    found = _session(request)
    if found is None:
        raise _login_needed(request)
    try:
        user = accounts.active_user(container_of(request).uow_factory, found.user_id)
    except AuthenticationFailed:
        raise _login_needed(request) from None
    if user.role not in _OPERATORS:
        raise ConsoleRefusal(403, "The console is for the company's admins and dispatchers.")
    request.state.console_session = found
    return accounts.principal_for(user)


def console_admin(request: Request) -> Principal:
    """Admins only (users, brands and API keys): a dispatcher gets a 403 page."""
    principal = console_user(request)
    if principal.role is not Role.ADMIN:
        raise ConsoleRefusal(403, "Only an admin may open this page or do this.")
    return principal


ConsoleUser = Annotated[Principal, Depends(console_user)]
ConsoleAdmin = Annotated[Principal, Depends(console_admin)]


def _csrf_for(secret: str, anchor: str) -> str:
    return hmac.new(secret.encode(), _CSRF_LABEL + anchor.encode(), hashlib.sha256).hexdigest()


def _anchor(request: Request) -> str | None:
    """What this browser's CSRF value is made from: the session id, or before login the
    random pre-session cookie (or the one the login page is setting in this answer)."""
    found = getattr(request.state, "console_session", None) or _session(request)
    if found is not None:
        return str(found.sid)
    pre = getattr(request.state, "console_pre", None) or request.cookies.get(PRE_COOKIE)
    return str(pre) if pre and len(pre) <= 64 else None


def csrf_token(request: Request) -> str:
    """The CSRF value for forms in this browser (templates get it as ``csrf``)."""
    anchor = _anchor(request)
    if anchor is None:  # a page without session or pre-cookie: make the anchor now
        anchor = secrets.token_urlsafe(16)
        request.state.console_pre = anchor
    return _csrf_for(container_of(request).secret_key, anchor)


def set_pre_cookie(request: Request, response: Response) -> None:
    """Send the pre-session cookie when ``csrf_token`` had to make one for this page."""
    made = getattr(request.state, "console_pre", None)
    if made:
        response.set_cookie(
            PRE_COOKIE,
            made,
            max_age=PRE_COOKIE_SECONDS,
            path="/console",
            httponly=True,
            samesite="strict",
            secure=container_of(request).strict_transport,
        )


def _csrf_ok(request: Request, sent: str) -> bool:
    anchor = _anchor(request)
    if anchor is None or not sent or len(sent) > 128:
        return False
    expected = _csrf_for(container_of(request).secret_key, anchor)
    return hmac.compare_digest(expected.encode(), sent.encode(errors="replace"))


_REFUSED_CSRF: Final = "This form is out of date or did not come from the console: reload the page."


def checked_csrf(request: Request) -> None:
    """For bodies that are not forms (streamed uploads): the ``X-CSRF-Token`` header must
    hold the browser's CSRF value; else a 403 page."""
    if not _csrf_ok(request, request.headers.get(CSRF_HEADER, "")):
        raise ConsoleRefusal(403, _REFUSED_CSRF)


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF value (field ``csrf`` or header ``X-CSRF-Token``)
    matches this browser's; a 403 page otherwise, a 400 page for a body that is no form.
    Text with control characters (tabs and line breaks aside) or longer than any field
    may be gets a 422 page that says which field: never stored, never a 500."""
    kind = request.headers.get("content-type", "")
    if not kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        raise ConsoleRefusal(415, "Send the form from the console page.")
    try:
        form = await request.form(max_fields=MAX_FIELDS)
    except Exception as error:  # a malformed body is the sender's mistake, never a 500
        raise ConsoleRefusal(400, "The form could not be read; send it again.") from error
    sent = form.get(CSRF_FIELD)
    value = sent if isinstance(sent, str) else request.headers.get(CSRF_HEADER, "")
    if not _csrf_ok(request, value):
        raise ConsoleRefusal(403, _REFUSED_CSRF)
    for name, field in form.multi_items():
        if not isinstance(field, str):
            continue
        if len(field) > MAX_FIELD_CHARS:
            raise ConsoleRefusal(422, f"The field {name[:40]!r} is too long; shorten it.")
        if _CONTROL.search(field):
            raise ConsoleRefusal(
                422, f"The field {name[:40]!r} contains control characters; type it again."
            )
    return form


def start_session(request: Request, response: Response, user_id: str) -> None:
    """Log ``user_id`` in on ``response``: a new session (and so a new CSRF value)."""
    container = container_of(request)
    expires_at = container.clock.now() + container.token_ttl
    response.set_cookie(
        COOKIE,
        issue(container.secret_key, user_id, expires_at),
        max_age=int(container.token_ttl.total_seconds()),
        path="/console",
        httponly=True,
        samesite="strict",
        secure=container.strict_transport,
    )
    response.delete_cookie(PRE_COOKIE, path="/console")


def end_session(request: Request, response: Response) -> None:
    """Forget the session in this browser."""
    response.delete_cookie(
        COOKIE,
        path="/console",
        httponly=True,
        samesite="strict",
        secure=container_of(request).strict_transport,
    )
