"""The console's door over real HTTP, on SQLite and PostgreSQL: login, the session cookie,
logout, expiry, and every console route tried by every kind of caller.

Routes are enumerated from the app itself, so a page added later is covered without a
change here: nobody is sent to log in (GET) or refused with 401, a courier gets 403, a
brand's API key (as a bearer token or as the cookie) gets nothing; every POST refuses a
missing or wrong CSRF value with 403.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import timedelta

import pytest
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from doorstep.api import create_app
from doorstep.domain.model import Role
from doorstep.web.console.session import COOKIE, issue
from tests.integration.live_server import SYSTEM, LiveApi, serve
from tests.integration.web.console_client import Visitor, make_user, visitor

# Reachable without a session: the login form, the redirect to it, and logout (CSRF only).
PUBLIC = {("GET", "/console"), ("GET", "/console/login"), ("POST", "/console/login")}
NO_ROLE = PUBLIC | {("POST", "/console/logout")}
ADMIN_ONLY = ("/console/users", "/console/brands")


@pytest.fixture
def live(database_url: str) -> Iterator[LiveApi]:
    with serve(database_url) as server:
        yield server


def _walk(routes: Iterable[BaseRoute], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """Every API route, through included routers (FastAPI keeps those as wrappers)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from _walk(inner.routes, prefix + str(getattr(context, "prefix", "") or ""))
        elif isinstance(route, APIRoute):
            yield prefix + route.path, route


def console_routes(live: LiveApi) -> list[tuple[str, str]]:
    """Every (method, path) under /console, path parameters filled with a harmless id."""
    app = create_app(live.container)
    found = []
    for full, route in _walk(app.routes):
        if full.startswith("/console"):
            path = re.sub(r"\{[^}]+\}", "xyz_1", full)
            found += [(method, path) for method in sorted((route.methods or set()) - {"HEAD"})]
    assert ("GET", "/console/fleet") in found and ("POST", "/console/users") in found
    return found


def protected(live: LiveApi) -> list[tuple[str, str]]:
    return [r for r in console_routes(live) if r not in NO_ROLE]


def _send(who: Visitor, method: str, path: str, **kwargs: object) -> int:
    if method == "GET":
        return who.get(path, **kwargs).status_code  # type: ignore[arg-type]
    return who.post(path, **kwargs).status_code  # type: ignore[arg-type]


def test_login_starts_a_session_in_a_strict_httponly_secure_cookie(live: LiveApi) -> None:
    who = visitor(live)
    page = who.get("/console/login")
    assert page.status_code == 200 and "csp" not in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    answer = who.log_in(make_user(live, Role.DISPATCHER))
    assert answer.status_code == 303 and answer.headers["location"] == "/console/today"
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(COOKIE))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie
    assert who.get("/console/fleet").status_code == 200


def test_demo_mode_sends_the_cookie_without_secure(database_url: str) -> None:
    with serve(database_url, mode="demo") as demo:
        who = visitor(demo)
        answer = who.log_in(make_user(demo, Role.ADMIN))
        cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(COOKIE))
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert "Secure" not in cookie


def test_login_goes_on_to_the_page_asked_for_but_never_off_site(live: LiveApi) -> None:
    email = make_user(live, Role.ADMIN)
    who = visitor(live)
    first = who.get("/console/audit?page=2")
    assert first.status_code == 303
    assert first.headers["location"] == "/console/login?next=/console/audit%3Fpage%3D2"
    who.get(first.headers["location"])
    answer = who.post(
        "/console/login",
        {
            "email": email,
            "password": "correct horse battery staple",
            "next": "/console/audit?page=2",
        },
    )
    assert answer.headers["location"] == "/console/audit?page=2"
    for target in ("https://evil.example/", "//evil.example", "/console/..//evil", "/v1/orders"):
        other = visitor(live)
        other.get("/console/login")
        got = other.post(
            "/console/login",
            {"email": email, "password": "correct horse battery staple", "next": target},
        )
        assert got.headers["location"] == "/console/today"


def test_a_wrong_password_gets_a_clear_message_and_no_session(live: LiveApi) -> None:
    who = visitor(live)
    answer = who.log_in(make_user(live, Role.ADMIN), password="not the password")
    assert answer.status_code == 401
    assert "Wrong e-mail address or password." in answer.text
    assert who.session is None
    unknown = visitor(live).log_in("nobody@example.com")
    assert unknown.status_code == 401


def test_an_address_that_keeps_failing_is_throttled(database_url: str) -> None:
    with serve(database_url, auth_failures_per_address=2) as strict:
        email = make_user(strict, Role.ADMIN)
        who = visitor(strict)
        codes = [who.log_in(email, password="wrong wrong wrong").status_code for _ in range(4)]
        assert codes[:2] == [401, 401] and codes[-1] == 429
        locked = who.log_in(email)  # even the right password, while locked
        assert locked.status_code == 429 and "Retry-After" in locked.headers
        assert "try again in" in locked.text and who.session is None


def test_a_courier_cannot_log_in_to_the_console(live: LiveApi) -> None:
    who = visitor(live)
    answer = who.log_in(make_user(live, Role.COURIER))
    assert answer.status_code == 403 and who.session is None


def test_logout_clears_the_session_cookie(live: LiveApi) -> None:
    who = visitor(live, Role.ADMIN)
    answer = who.post("/console/logout")
    assert answer.status_code == 303 and answer.headers["location"] == "/console/login"
    cleared = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(COOKIE))
    assert "Max-Age=0" in cleared
    assert who.session is None
    assert who.get("/console/fleet").status_code == 303


def test_an_expired_or_forged_session_is_sent_to_log_in(live: LiveApi) -> None:
    who = visitor(live, Role.ADMIN)
    now = live.container.clock.now()
    secret = live.container.secret_key
    expired = issue(secret, "usr_whoever", now - timedelta(seconds=1))
    forged = issue("another-secret", "usr_whoever", now + timedelta(hours=1))
    for value in (expired, forged, who.session[:-2] + "xx" if who.session else ""):
        stale = visitor(live)
        stale.cookies[COOKIE] = value
        answer = stale.get("/console/fleet")
        assert answer.status_code == 303 and answer.headers["location"].startswith("/console/login")
        assert stale.get("/console/fleet", headers={"HX-Request": "true"}).status_code == 401


def test_nobody_gets_nothing_but_the_login_page(live: LiveApi) -> None:
    for method, path in protected(live):
        who = visitor(live)
        who.get("/console/login")
        code = _send(who, method, path)
        assert code == (303 if method == "GET" else 401), (method, path, code)


def test_a_courier_session_is_refused_everywhere(live: LiveApi) -> None:
    email = make_user(live, Role.COURIER)
    courier = visitor(live)
    user = _user_id(live, email)
    courier.cookies[COOKIE] = issue(
        live.container.secret_key, user, live.container.clock.now() + timedelta(hours=1)
    )
    for method, path in protected(live):
        code = _send(courier, method, path)
        assert code == 403, (method, path, code)


def _user_id(live: LiveApi, email: str) -> str:
    with live.container.uow_factory(SYSTEM).read_only() as uow:
        found = uow.users.get_by_email(email)
    assert found is not None
    return found.id


def test_a_brand_key_opens_nothing_as_bearer_or_cookie(live: LiveApi) -> None:
    _, key = live.create_brand()
    for method, path in protected(live):
        bearer = visitor(live)
        code = _send(bearer, method, path, headers={"Authorization": f"Bearer {key}"})
        assert code in {303, 401}, (method, path, code)
        as_cookie = visitor(live)
        as_cookie.cookies[COOKIE] = key
        assert _send(as_cookie, method, path) in {303, 401}, (method, path)


def test_a_dispatcher_manages_no_users_or_keys(live: LiveApi) -> None:
    dispatcher = visitor(live, Role.DISPATCHER)
    nav = dispatcher.get("/console/fleet").text
    assert 'href="/console/users"' not in nav and 'href="/console/brands"' not in nav
    admin_routes = [r for r in protected(live) if r[1].startswith(ADMIN_ONLY)]
    assert len(admin_routes) >= 6
    for method, path in admin_routes:
        code = (
            _send(dispatcher, method, path, data={"name": "x"} if method == "POST" else None)
            if method == "POST"
            else _send(dispatcher, method, path)
        )
        assert code == 403, (method, path, code)
    admin = visitor(live, Role.ADMIN)
    admin_nav = admin.get("/console/fleet").text
    assert 'href="/console/users"' in admin_nav and 'href="/console/brands"' in admin_nav


def test_every_post_refuses_a_missing_or_wrong_csrf_value(live: LiveApi) -> None:
    admin = visitor(live, Role.ADMIN)
    posts = [path for method, path in console_routes(live) if method == "POST"]
    other = visitor(live, Role.ADMIN).csrf  # another session's value is wrong here
    for path in posts:
        for wrong in ("", "0" * 64, other):
            answer = admin.post(path, {"name": "x"}, csrf=wrong)
            assert answer.status_code == 403, (path, wrong, answer.status_code)
            assert "did not come from the console" in answer.text
    assert admin.get("/console/fleet").status_code == 200  # still logged in
    fresh = visitor(live)
    fresh.get("/console/login")
    assert (
        fresh.post("/console/login", {"email": "a@b.c", "password": "x"}, csrf="").status_code
        == 403
    )


def test_htmx_may_send_the_csrf_value_as_a_header(live: LiveApi) -> None:
    admin = visitor(live, Role.ADMIN)
    answer = admin.post(
        "/console/brands",
        {"name": "Header Brand"},
        csrf="",
        headers={"X-CSRF-Token": admin.csrf},
    )
    assert answer.status_code == 303


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/console/brands", {"name": "Bad\x00Brand"}),
        ("/console/brands", {"name": "B" * 20_000}),
        ("/console/fleet/couriers", {"name": "Ada\x1b[31m"}),
        ("/console/fleet/vehicles", {"name": "Van", "vehicle_type": "van", "parcels": "1e999"}),
        ("/console/fleet/vehicles", {"name": "Van", "vehicle_type": "tank"}),
        (
            "/console/users",
            {"email": "x\x00@example.com", "name": "X", "role": "admin", "password": "p" * 12},
        ),
        (
            "/console/users",
            {"email": "x@example.com", "name": "X", "role": "emperor", "password": "p" * 12},
        ),
        (
            "/console/webhooks",
            {"brand_id": "brd_x", "url": "ftp://x", "event_types": "order.created"},
        ),
        ("/console/login", {"email": "a" * 5000, "password": "x"}),
    ],
)
def test_bad_values_get_a_clear_message_never_a_500(
    live: LiveApi, path: str, fields: dict[str, str]
) -> None:
    admin = visitor(live, Role.ADMIN)
    if path == "/console/login":
        admin = visitor(live)
        admin.get("/console/login")
    answer = admin.post(path, fields)
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[-500:])
    assert 'role="alert"' in answer.text


def test_the_live_stream_is_for_operators(live: LiveApi) -> None:
    nobody = visitor(live)
    assert nobody.get("/console/events").status_code == 303
    assert nobody.get("/console/events", headers={"HX-Request": "true"}).status_code == 401
