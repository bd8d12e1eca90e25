"""Rate limits, lock-outs and security headers over real HTTP, on both databases.

Limits are set low for these tests (the shared test server raises them); lock-outs use a
clock moved by hand, so nothing waits.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from doorstep.domain.model import Role
from doorstep.services import accounts
from tests.integration.live_server import PASSWORD, SYSTEM, LiveApi, serve
from tests.unit.fakes import FakeClock

PROBLEM = "application/problem+json"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def strict_api(database_url: str, clock: FakeClock) -> Iterator[LiveApi]:
    """A server with low limits, as an operator would set them, and a hand-moved clock."""
    with serve(
        database_url,
        clock=clock,
        requests_per_minute_per_address=1_000,
        requests_per_minute_per_credential=20,
        login_failures_per_account=5,
        auth_failures_per_address=30,
        lockout_seconds=30,
        lockout_max_seconds=900,
    ) as live:
        yield live


def _user(live: LiveApi, email: str = "ops@example.com") -> None:
    accounts.create_user(
        live.container.uow_factory(SYSTEM),
        email=email,
        name="Ops",
        role=Role.ADMIN,
        password=PASSWORD,
        hasher=live.container.passwords,
    )


def _login(http: httpx.Client, password: str, email: str = "ops@example.com") -> httpx.Response:
    return http.post("/v1/auth/token", json={"email": email, "password": password})


def test_100_wrong_passwords_then_the_right_one_is_refused_until_the_lock_ends(
    database_url: str, clock: FakeClock
) -> None:
    with serve(database_url, clock=clock, lockout_max_seconds=900) as live:
        _user(live)
        http = live.client()
        wrong = [_login(http, "wrong password").status_code for _ in range(100)]
        locked = _login(http, PASSWORD)
        clock.advance(minutes=16)
        after = _login(http, PASSWORD)
    assert set(wrong) == {401}
    assert locked.status_code == 401 and locked.headers["content-type"] == PROBLEM
    assert after.status_code == 200


def test_a_locked_account_answers_like_a_wrong_password_for_an_unknown_one(
    strict_api: LiveApi,
) -> None:
    _user(strict_api)
    http = strict_api.client()
    for _ in range(5):
        _login(http, "wrong password")
        _login(http, "wrong password", email="nobody@example.com")
    locked = _login(http, PASSWORD)
    unknown = _login(http, PASSWORD, email="nobody@example.com")
    assert locked.status_code == unknown.status_code == 401
    assert locked.json() == unknown.json()
    same = {"content-type", "www-authenticate", "content-length"}
    assert {k: locked.headers[k] for k in same} == {k: unknown.headers[k] for k in same}


def test_api_key_guesses_from_one_address_end_in_429_with_retry_after(
    strict_api: LiveApi, clock: FakeClock
) -> None:
    _, key = strict_api.create_brand()
    guesses = [
        strict_api.client(f"dsk_abcdefgh_guess{n}").get("/v1/orders").status_code for n in range(30)
    ]
    refused = strict_api.client(key).get("/v1/orders")  # even a good key, from this address
    assert set(guesses) == {401}
    assert refused.status_code == 429 and refused.headers["content-type"] == PROBLEM
    assert int(refused.headers["retry-after"]) == 30
    clock.advance(seconds=31)
    assert strict_api.client(key).get("/v1/orders").status_code == 200


def test_reads_over_the_limit_get_429_problem_json_with_retry_after(
    strict_api: LiveApi, clock: FakeClock
) -> None:
    _, key = strict_api.create_brand()
    _, other_key = strict_api.create_brand("Peckham Plants")
    http = strict_api.client(key)
    clock.current = clock.current.replace(second=0, microsecond=0)
    statuses = [http.get("/v1/orders").status_code for _ in range(21)]
    assert statuses == [200] * 20 + [429]
    refused = http.get("/v1/orders")
    assert refused.headers["content-type"] == PROBLEM and refused.json()["status"] == 429
    assert int(refused.headers["retry-after"]) == 60
    assert strict_api.client(other_key).get("/v1/orders").status_code == 200  # per credential
    clock.advance(seconds=60)
    assert http.get("/v1/orders").status_code == 200


def test_every_answer_carries_the_security_headers_and_no_server_name(
    live_api: LiveApi,
) -> None:
    _, key = live_api.create_brand()
    http = live_api.client(key)
    answers = [
        http.get("/v1/orders"),  # 200
        live_api.client("nope").get("/v1/orders"),  # 401
        http.get("/v1/orders/ord_0000000000000000"),  # 404
        http.post("/v1/orders", json={}),  # 422
        live_api.client().post("/v1/auth/token", json={"email": "a@b.c", "password": "x"}),
        live_api.client().get("/v1/openapi.json"),
    ]
    for answer in answers:
        assert "server" not in answer.headers, answer.headers
        for name, value in SECURITY_HEADERS.items():
            assert answer.headers.get(name) == value, (answer.request.url, name)
        assert "default-src 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["strict-transport-security"].startswith("max-age=")
    token = live_api.client().post("/v1/auth/token", json={"email": "a@b.c", "password": "x"})
    assert token.headers["cache-control"] == "no-store"


def test_demo_mode_sends_no_strict_transport_security(database_url: str) -> None:
    with serve(database_url, mode="demo") as live:
        answer = live.client().get("/v1/openapi.json")
    assert answer.status_code == 200
    assert "strict-transport-security" not in answer.headers
    assert answer.headers["x-content-type-options"] == "nosniff"
