"""Rate limits and lock-outs: every door that authenticates a caller asks here first.

- Requests: at most so many a minute per address and per credential (429 beyond).
- Failed authentication (a wrong password, an unknown API key or token) counts against
  the address; a wrong password also against the account. Past the allowed failures,
  each one locks for longer (back-off). A locked address gets 429 with Retry-After. A
  locked account answers exactly like a wrong password, even to the right one, so a
  caller cannot tell a locked account, or an existing one, from a typo.

Keys are hashed: addresses, e-mails and credentials are never stored in the tallies.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from doorstep.domain.throttle import Backoff, RateLimit, Tally, ThrottlePolicy
from doorstep.services.accounts.use_cases import authenticate_user
from doorstep.services.errors import AuthenticationFailed, TooManyRequests
from doorstep.services.ports import Clock, PasswordHasher, Tallies, UnitOfWorkFactory, User

_NEVER = 10**9


def _key(kind: str, value: str) -> str:
    return f"{kind}:{hashlib.sha256(value.encode(errors='replace')).hexdigest()[:32]}"


class NoTallies:
    """Counts nothing: what a container built without limits (unit tests) uses."""

    def add(self, key: str, now: datetime, forget_after: timedelta) -> Tally:
        return Tally()

    def get(self, key: str, now: datetime, forget_after: timedelta) -> Tally:
        return Tally()

    def clear(self, key: str) -> None:
        return None


UNLIMITED = ThrottlePolicy(
    per_address=RateLimit(_NEVER),
    per_credential=RateLimit(_NEVER),
    account=Backoff(_NEVER, timedelta(0), timedelta(0)),
    address=Backoff(_NEVER, timedelta(0), timedelta(0)),
    memory=timedelta(0),
)


@dataclass(frozen=True, slots=True)
class Throttle:
    tallies: Tallies = field(default_factory=NoTallies)
    policy: ThrottlePolicy = UNLIMITED

    def check_request(self, now: datetime, address: str, credential: str | None) -> None:
        """Count a request; :class:`TooManyRequests` when address or credential is over."""
        for limit, key in self._request_keys(address, credential):
            window, _ = limit.window_of(now)
            tally = self.tallies.add(f"{key}:{window}", now, limit.window)
            if (wait := limit.retry_after(tally.count, now)) is not None:
                raise TooManyRequests(wait)

    def _request_keys(self, address: str, credential: str | None) -> list[tuple[RateLimit, str]]:
        keys = [(self.policy.per_address, _key("req-addr", address))]
        if credential:
            keys.append((self.policy.per_credential, _key("req-cred", credential)))
        return keys

    def check_address(self, now: datetime, address: str) -> None:
        """:class:`TooManyRequests` while the address is locked out after failures."""
        tally = self.tallies.get(_key("fail-addr", address), now, self.policy.failure_memory)
        if (wait := self.policy.address.retry_after(tally, now)) is not None:
            raise TooManyRequests(wait)

    def failed(self, now: datetime, address: str, account: str | None = None) -> None:
        """Count a failed authentication against the address (and the account, if any)."""
        memory = self.policy.failure_memory
        self.tallies.add(_key("fail-addr", address), now, memory)
        if account is not None:
            self.tallies.add(_key("fail-acct", _account(account)), now, memory)

    def account_locked(self, now: datetime, account: str) -> bool:
        key = _key("fail-acct", _account(account))
        tally = self.tallies.get(key, now, self.policy.failure_memory)
        return self.policy.account.retry_after(tally, now) is not None

    def succeeded(self, account: str) -> None:
        """A good login forgets the account's failures (not the address's)."""
        self.tallies.clear(_key("fail-acct", _account(account)))


def _account(email: str) -> str:
    return email.strip().lower()


def login(
    uow_factory: UnitOfWorkFactory,
    hasher: PasswordHasher,
    throttle: Throttle,
    clock: Clock,
    *,
    email: str,
    password: str,
    address: str,
) -> User:
    """The user for a login, with the lock-out rules of this module.

    The password is checked even while the account is locked (same time, same answer),
    and a refused attempt during a lock counts as a failure like any other.
    """
    throttle.check_address(clock.now(), address)
    locked = throttle.account_locked(clock.now(), email)
    try:
        user = authenticate_user(uow_factory, email, password, hasher)
        if locked:
            raise AuthenticationFailed()
    except AuthenticationFailed:
        throttle.failed(clock.now(), address, account=email)
        raise
    throttle.succeeded(email)
    return user
