"""Rate limits and lock-outs with a clock moved by hand (no waiting, no I/O)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from doorstep.domain.access import Principal
from doorstep.domain.model import Role
from doorstep.domain.throttle import Backoff, RateLimit, Tally, ThrottlePolicy
from doorstep.security import Argon2PasswordHasher
from doorstep.services import accounts
from doorstep.services.accounts import throttle
from doorstep.services.accounts.throttle import Throttle
from doorstep.services.errors import AuthenticationFailed, TooManyRequests
from doorstep.store.tallies import MemoryTallies
from tests.unit.fakes import FakeClock, FakeDatabase, uow_factory

SYSTEM = Principal.system("test")
PASSWORD = "correct horse battery staple"
HASHER = Argon2PasswordHasher(time_cost=1, memory_cost=1024)
POLICY = ThrottlePolicy(
    per_address=RateLimit(5),
    per_credential=RateLimit(3),
    account=Backoff(5, timedelta(seconds=30), timedelta(minutes=15)),
    address=Backoff(20, timedelta(seconds=60), timedelta(minutes=15)),
    memory=timedelta(hours=1),
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def guard() -> Throttle:
    return Throttle(MemoryTallies(), POLICY)


@pytest.fixture
def db() -> FakeDatabase:
    database = FakeDatabase()
    accounts.create_user(
        uow_factory(database)(SYSTEM),
        email="ops@example.com",
        name="Ops",
        role=Role.ADMIN,
        password=PASSWORD,
        hasher=HASHER,
    )
    return database


def _login(db: FakeDatabase, guard: Throttle, clock: FakeClock, password: str, **kw: str) -> str:
    """ "ok", "refused" (401) or "429"."""
    fields = {"email": "ops@example.com", "address": "192.0.2.1"} | kw
    try:
        throttle.login(uow_factory(db), HASHER, guard, clock, password=password, **fields)
    except AuthenticationFailed:
        return "refused"
    except TooManyRequests:
        return "429"
    return "ok"


def test_the_right_password_after_100_wrong_ones_is_refused_until_the_lock_ends(
    db: FakeDatabase, guard: Throttle, clock: FakeClock
) -> None:
    wide = Throttle(guard.tallies, POLICY)  # the address allows 20; use 100 addresses
    for attempt in range(100):
        assert _login(db, wide, clock, "wrong", address=f"198.51.100.{attempt}") == "refused"
    assert _login(db, wide, clock, PASSWORD) == "refused"
    clock.advance(minutes=14)
    assert _login(db, wide, clock, PASSWORD) == "refused"  # each failure locked for longer
    clock.advance(minutes=16)
    assert _login(db, wide, clock, PASSWORD) == "ok"
    assert _login(db, wide, clock, "wrong") == "refused"  # a good login forgot the failures
    assert _login(db, wide, clock, PASSWORD) == "ok"


def test_the_lock_starts_after_the_allowed_failures_and_doubles(
    db: FakeDatabase, guard: Throttle, clock: FakeClock
) -> None:
    for _ in range(4):
        assert _login(db, guard, clock, "wrong") == "refused"
    assert _login(db, guard, clock, PASSWORD) == "ok"  # four failures: not locked yet
    for _ in range(5):
        _login(db, guard, clock, "wrong")
    clock.advance(seconds=29)
    assert _login(db, guard, clock, PASSWORD) == "refused"  # locked 30 s; this is the 6th
    clock.advance(seconds=59)
    assert _login(db, guard, clock, PASSWORD) == "refused"  # 60 s from the 6th; the 7th: 120
    clock.advance(seconds=121)
    assert _login(db, guard, clock, PASSWORD) == "ok"


def test_a_locked_account_answers_exactly_like_a_wrong_password_or_an_unknown_one(
    db: FakeDatabase, guard: Throttle, clock: FakeClock
) -> None:
    answers = []
    for email in ("ops@example.com", "nobody@example.com"):
        for _ in range(6):
            _login(db, guard, clock, "wrong", email=email)
        try:
            throttle.login(
                uow_factory(db), HASHER, guard, clock, email=email, password=PASSWORD, address="a"
            )
        except AuthenticationFailed as refused:
            answers.append((type(refused), refused.message))
    assert answers[0] == answers[1] == (AuthenticationFailed, "The credentials are not valid.")


def test_an_address_that_keeps_failing_is_locked_out_with_a_retry_after(
    db: FakeDatabase, guard: Throttle, clock: FakeClock
) -> None:
    for index in range(20):
        _login(db, guard, clock, "wrong", email=f"guess{index}@example.com")
    with pytest.raises(TooManyRequests) as refused:
        throttle.login(
            uow_factory(db),
            HASHER,
            guard,
            clock,
            email="ops@example.com",
            password=PASSWORD,
            address="192.0.2.1",
        )
    assert refused.value.retry_after == 60
    assert _login(db, guard, clock, PASSWORD, address="192.0.2.99") == "ok"  # others are not
    clock.advance(seconds=61)
    assert _login(db, guard, clock, PASSWORD) == "ok"


def test_requests_over_the_limit_wait_for_the_next_window(
    guard: Throttle, clock: FakeClock
) -> None:
    clock.current = clock.current.replace(second=50, microsecond=0)
    for _ in range(3):
        guard.check_request(clock.now(), "192.0.2.1", "Bearer dsk_a")
    with pytest.raises(TooManyRequests) as refused:
        guard.check_request(clock.now(), "192.0.2.1", "Bearer dsk_a")
    assert refused.value.retry_after == 10
    guard.check_request(clock.now(), "192.0.2.1", "Bearer dsk_b")  # another credential
    with pytest.raises(TooManyRequests):  # but the address has now made 6 of its 5
        guard.check_request(clock.now(), "192.0.2.1", "Bearer dsk_c")
    clock.advance(seconds=10)
    guard.check_request(clock.now(), "192.0.2.1", "Bearer dsk_a")


def test_back_off_never_exceeds_the_longest_lock() -> None:
    rule = Backoff(5, timedelta(seconds=30), timedelta(minutes=15))
    clock = FakeClock()
    assert rule.locked_until(Tally(4, clock.now())) is None
    assert rule.locked_until(Tally(5, clock.now())) == clock.now() + timedelta(seconds=30)
    assert rule.locked_until(Tally(7, clock.now())) == clock.now() + timedelta(seconds=120)
    assert rule.locked_until(Tally(10_000, clock.now())) == clock.now() + timedelta(minutes=15)


def test_memory_tallies_forget_and_stay_bounded(clock: FakeClock) -> None:
    tallies = MemoryTallies(max_keys=10)
    hour = timedelta(hours=1)
    assert tallies.add("k", clock.now(), hour).count == 1
    assert tallies.add("k", clock.now(), hour).count == 2
    clock.advance(hours=2)
    assert tallies.get("k", clock.now(), hour) == Tally()
    assert tallies.add("k", clock.now(), hour).count == 1
    for index in range(100):
        tallies.add(f"flood{index}", clock.now(), hour)
    assert len(tallies._tallies) <= 10
