"""A console visitor over real HTTP: logs in through the form, keeps the session cookie.

The session cookie is ``Secure`` outside demo mode and httpx keeps such cookies away from
``http://``, so the visitor sends its cookies itself, as a browser on a TLS site would.
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
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Visitor:
    http: httpx.Client
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        jar = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**({"Cookie": jar} if jar else {}), **(extra or {})}

    def _keep(self, answer: httpx.Response) -> httpx.Response:
        for name, value in answer.cookies.items():
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        for header in answer.headers.get_list("set-cookie"):
            if "Max-Age=0" in header:
                self.cookies.pop(header.partition("=")[0], None)
        if found := CSRF.search(answer.text):
            self.csrf = found.group(1)
        return answer

    def get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return self._keep(self.http.get(path, headers=self._headers(headers)))

    def post(
        self,
        path: str,
        data: dict[str, Any] | None = None,
        *,
        csrf: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """A form post carrying the page's CSRF value (or ``csrf`` when given; "" for none)."""
        body = dict(data or {})
        value = self.csrf if csrf is None else csrf
        if value:
            body["csrf"] = value
        return self._keep(self.http.post(path, data=body, headers=self._headers(headers)))

    def log_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        self.get("/console/login")
        return self.post("/console/login", {"email": email, "password": password})

    @property
    def session(self) -> str | None:
        return self.cookies.get(COOKIE)

    @property
    def pre(self) -> str | None:
        return self.cookies.get(PRE_COOKIE)


def make_user(live: LiveApi, role: Role) -> str:
    """A new user with ``role`` (a courier gets a courier record): returns the e-mail."""
    email = f"console-{role.value}{next(_serial)}@example.com"
    courier_id = None
    if role is Role.COURIER:
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


def visitor(live: LiveApi, role: Role | None = None) -> Visitor:
    """A visitor, logged in with ``role`` when given (admin and dispatcher only)."""
    made = Visitor(httpx.Client(base_url=live.base_url, timeout=120, follow_redirects=False))
    live._clients.append(made.http)
    if role is not None:
        answer = made.log_in(make_user(live, role))
        assert answer.status_code == 303, answer.text
        made.get("/console/settings")  # a page of the session, for its CSRF value
    return made
