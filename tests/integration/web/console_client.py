"""The one console visitor over real HTTP, for every console test: logs in through the
form, keeps the session cookies and the page's CSRF value.

The session cookie is ``Secure`` whenever the server sends Strict-Transport-Security
(every mode but demo, tests included, so tests see production's cookie), and httpx keeps
such cookies away from ``http://``: the visitor sends its cookies itself, as a browser
does for a TLS site (or for 127.0.0.1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import count
from typing import Any

import httpx

from doorstep.domain.model import Role
from doorstep.services import accounts, fleet
from doorstep.web.console.session import COOKIE, PRE_COOKIE
from tests.integration.live_server import PASSWORD, SYSTEM, LiveApi

_serial = count(1)
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"|name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF value a console page carries (its meta tag, else a form's field)."""
    found = CSRF.search(html)
    assert found, "no CSRF value in the page"
    return found.group(1) or found.group(2)


@dataclass
class Visitor:
    http: httpx.Client
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""

    def _keep(self, answer: httpx.Response) -> httpx.Response:
        for header in answer.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            value = rest.partition(";")[0]
            if value and "Max-Age=0" not in header:
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        self.http.cookies.clear()
        if "text/html" in answer.headers.get("content-type", "") and CSRF.search(answer.text):
            self.csrf = csrf_of(answer.text)
        return answer

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Any request, with the visitor's cookies and nothing else added."""
        jar = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers = {**({"Cookie": jar} if jar else {}), **(kwargs.pop("headers", None) or {})}
        return self._keep(self.http.request(method, path, headers=headers, **kwargs))

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(
        self, path: str, data: dict[str, Any] | None = None, *, csrf: str | None = None,
        **kwargs: Any,
    ) -> httpx.Response:  # fmt: skip
        """A form post carrying the page's CSRF value: ``csrf`` when given ("" for none),
        or the form's own ``csrf`` field when it has one."""
        body = dict(data or {})
        value = self.csrf if csrf is None else csrf
        if value and "csrf" not in body:
            body["csrf"] = value
        return self.request("POST", path, data=body, **kwargs)

    def log_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        """The login form; on success the next page is read for the session's CSRF value."""
        self.get("/console/login")
        answer = self.post("/console/login", {"email": email, "password": password})
        if answer.status_code == 303:
            self.get(answer.headers["location"])
        return answer

    @property
    def session(self) -> str | None:
        return self.cookies.get(COOKIE)

    @property
    def pre(self) -> str | None:
        return self.cookies.get(PRE_COOKIE)


def make_user(live: LiveApi, role: Role, courier_id: str | None = None) -> str:
    """A new user with ``role`` (a courier gets a new courier record unless ``courier_id``
    names one): returns the e-mail."""
    email = f"console-{role.value}{next(_serial)}@example.com"
    if role is Role.COURIER and courier_id is None:
        made = fleet.create_courier(
            live.container.uow_factory(SYSTEM), fleet.CreateCourier(name="Courier")
        )
        courier_id = made.id
    accounts.create_user(
        live.container.uow_factory(SYSTEM),
        email=email,
        name=role.value.title(),
        role=role,
        password=PASSWORD,
        hasher=live.container.passwords,
        courier_id=courier_id,
    )
    return email


def visitor(live: LiveApi, role: Role | None = None, courier_id: str | None = None) -> Visitor:
    """A visitor, logged in with ``role`` when given (a courier's login is refused: that
    visitor then has no session)."""
    made = Visitor(live.client())
    made.http.follow_redirects = False
    if role is not None:
        answer = made.log_in(make_user(live, role, courier_id))
        assert answer.status_code in (303, 403), answer.text
    return made
