"""Logging in to the console over real HTTP, for the console's page tests."""

from __future__ import annotations

import re
from itertools import count

import httpx

from doorstep.domain.model import Role
from doorstep.services import accounts
from tests.integration.live_server import PASSWORD, SYSTEM, LiveApi

_serial = count(1)
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF value in the page"
    return found.group(1)


def console_client(
    live: LiveApi, role: Role = Role.DISPATCHER, courier_id: str | None = None
) -> tuple[httpx.Client, str]:
    """A client logged in to the console as a new user of ``role`` (a courier's login is
    refused: the client then has no session), and the page's CSRF value."""
    email = f"console-{role.value}{next(_serial)}@example.com"
    accounts.create_user(
        live.container.uow_factory(SYSTEM),
        email=email,
        name=role.value.title(),
        role=role,
        password=PASSWORD,
        hasher=live.container.passwords,
        courier_id=courier_id,
    )
    client = live.client()
    form = client.get("/console/login")
    csrf = csrf_of(form.text)
    jar = _cookies(form)
    client.headers["Cookie"] = _header(jar)
    answer = client.post(
        "/console/login",
        data={"csrf": csrf, "email": email, "password": PASSWORD, "next": "/console/today"},
        follow_redirects=False,
    )
    jar.update(_cookies(answer))
    client.headers["Cookie"] = _header(jar)
    return client, csrf


def _cookies(answer: httpx.Response) -> dict[str, str]:
    """The cookies an answer sets. The server marks them Secure outside demo mode, and
    httpx keeps Secure cookies from plain-HTTP test servers: they are sent by hand."""
    found: dict[str, str] = {}
    for header in answer.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        found[name.strip()] = rest.partition(";")[0]
    return found


def _header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items() if value)
