"""The two Tallies back-ends keep the same contract; Redis ones are shared by processes.

Redis tests run when ``DOORSTEP_TEST_REDIS_URL`` is set and are skipped (visibly)
otherwise. Each test uses its own key prefix, so parallel runs never share counts.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import redis

from doorstep.domain.model import Role
from doorstep.domain.throttle import Tally
from doorstep.services import accounts
from doorstep.services.ports import Tallies
from doorstep.store.tallies import MemoryTallies, RedisTallies
from tests.integration.live_server import PASSWORD, SYSTEM, serve
from tests.integration.redis_server import redis_url
from tests.unit.fakes import FakeClock

HOUR = timedelta(hours=1)


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def tallies(request: pytest.FixtureRequest) -> Iterator[Tallies]:
    if request.param == "memory":
        yield MemoryTallies()
        return
    client = redis.Redis.from_url(redis_url())
    prefix = f"doorstep-test:{secrets.token_hex(6)}:"
    yield RedisTallies(client, prefix)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


def test_counts_until_forgotten_by_the_callers_clock(tallies: Tallies) -> None:
    clock = FakeClock()
    assert tallies.get("k", clock.now(), HOUR) == Tally()
    assert tallies.add("k", clock.now(), HOUR) == Tally(1, clock.now())
    clock.advance(minutes=59)
    assert tallies.add("k", clock.now(), HOUR) == Tally(2, clock.now())
    assert tallies.get("k", clock.now(), HOUR) == Tally(2, clock.now())
    clock.advance(minutes=61)
    assert tallies.get("k", clock.now(), HOUR) == Tally()
    assert tallies.add("k", clock.now(), HOUR).count == 1


def test_clear_forgets_one_key_only(tallies: Tallies) -> None:
    clock = FakeClock()
    tallies.add("a", clock.now(), HOUR)
    tallies.add("b", clock.now(), HOUR)
    tallies.clear("a")
    assert tallies.get("a", clock.now(), HOUR).count == 0
    assert tallies.get("b", clock.now(), HOUR).count == 1


@pytest.mark.redis
def test_two_api_processes_on_one_redis_share_an_account_lock(database_url: str) -> None:
    """A lock earned against one server holds on the other (as behind a load balancer)."""
    url = redis_url()
    clock = FakeClock()
    email = f"ops-{secrets.token_hex(6)}@example.com"
    limits: dict[str, Any] = {
        "redis_url": url,
        "login_failures_per_account": 3,
        "lockout_seconds": 60,
    }
    with (
        serve(database_url, clock=clock, **limits) as first,
        serve(database_url, clock=clock, **limits) as second,
    ):
        accounts.create_user(
            first.container.uow_factory(SYSTEM),
            email=email,
            name="Ops",
            role=Role.ADMIN,
            password=PASSWORD,
            hasher=first.container.passwords,
        )
        for _ in range(3):
            first.client().post("/v1/auth/token", json={"email": email, "password": "wrong"})
        on_second = second.client().post(
            "/v1/auth/token", json={"email": email, "password": PASSWORD}
        )
        clock.advance(seconds=121)  # the refused attempt during the lock doubled it
        later = second.client().post("/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert on_second.status_code == 401
    assert later.status_code == 200
