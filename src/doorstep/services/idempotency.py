"""The 24-hour replay rule for POST requests that carry an ``Idempotency-Key``.

The saved answer is written in the *same* transaction as the change it describes, through a
``before_commit`` hook every writing use case accepts. So when fifty identical requests race,
exactly one commits; the others hit :class:`~doorstep.services.ports.Conflict` on the key (or
on what the winner created), roll back, and replay the winner's saved answer.

An answer that carries a secret (a new API key) is sent once and never saved: what is
saved for it, and replayed, is the answer a caller gets for asking again (``replay``).
Saved answers are purged once their replay window has passed (:func:`purge_expired`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Generic, TypeAlias, TypeVar

from doorstep.domain.access import Principal
from doorstep.services.ports import (
    Clock,
    Conflict,
    IdempotencyRecord,
    UnitOfWork,
    UnitOfWorkFactory,
)

REPLAY_WINDOW = timedelta(hours=24)
MAX_KEY_LENGTH = 255
PURGER = Principal.system("idempotency-purge")

T = TypeVar("T")

BeforeCommit: TypeAlias = Callable[[UnitOfWork, T], None]
"""Called by a use case with its open unit of work and its result, just before commit."""


def commit_with(uow: UnitOfWork, result: T, before_commit: BeforeCommit[T] | None) -> T:
    """Commit a use case's transaction, letting the caller write into it first.

    An idempotent request saves its answer here, so the answer and the change it
    describes are committed together or not at all.
    """
    if before_commit is not None:
        before_commit(uow, result)
    uow.commit()
    return result


class IdempotencyKeyReused(Exception):
    """The key was used before for a different request (another method, path or body)."""

    def __init__(self, key: str) -> None:
        super().__init__(
            f"Idempotency-Key {key!r} was already used for a different request; "
            "use a new key for a new request."
        )
        self.key = key


@dataclass(frozen=True, slots=True)
class IdempotentRequest:
    key: str
    request_hash: str


@dataclass(frozen=True, slots=True)
class SavedResponse:
    status_code: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def fingerprint(method: str, path: str, body: bytes, *, secret: str) -> str:
    """What makes two requests 'the same': method, path with query, and the exact body.

    Keyed with the server's secret: a body may hold a delivery PIN, and a plain hash kept
    for 24 h would let anyone holding the database try every PIN against it."""
    digest = hmac.new(secret.encode(), digestmod=hashlib.sha256)
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def find_saved(
    uow_factory: UnitOfWorkFactory, principal: Principal, request: IdempotentRequest, clock: Clock
) -> SavedResponse | None:
    """The saved answer for this key within 24 h, if any; refuses a key reused differently."""
    with uow_factory(principal) as uow:
        record = uow.idempotency.get(
            principal.actor, request.key, not_before=clock.now() - REPLAY_WINDOW
        )
    if record is None:
        return None
    if record.request_hash != request.request_hash:
        raise IdempotencyKeyReused(request.key)
    return SavedResponse(record.status_code, record.body, record.content_type, dict(record.headers))


class Remember(Generic[T]):
    """A ``before_commit`` hook that renders the result and saves it under the key.

    The rendered answer is kept on the hook so the caller sends exactly the rendered bytes;
    what is saved is ``replay(result)`` when given (an answer without the secret the first
    one carried), else the same bytes.
    """

    def __init__(
        self,
        request: IdempotentRequest,
        *,
        owner: str,
        clock: Clock,
        render: Callable[[T], SavedResponse],
        replay: Callable[[T], SavedResponse] | None = None,
    ) -> None:
        self._request = request
        self._owner = owner
        self._clock = clock
        self._render = render
        self._replay = replay
        self.sent: SavedResponse | None = None

    def __call__(self, uow: UnitOfWork, result: T) -> None:
        sent = self._render(result)
        saved = sent if self._replay is None else self._replay(result)
        uow.idempotency.add(
            IdempotencyRecord(
                owner=self._owner,
                key=self._request.key,
                request_hash=self._request.request_hash,
                status_code=saved.status_code,
                body=saved.body,
                content_type=saved.content_type,
                created_at=self._clock.now(),
                headers=dict(saved.headers),
            )
        )
        self.sent = sent


def run_idempotent(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    clock: Clock,
    request: IdempotentRequest | None,
    action: Callable[[BeforeCommit[T] | None], T],
    render: Callable[[T], SavedResponse],
    replay: Callable[[T], SavedResponse] | None = None,
) -> SavedResponse:
    """Run a writing use case under the replay rule and return the answer to send.

    ``action`` calls the use case with the hook it is given. Without a key this is just
    ``render(action(None))``. With a key: a saved answer is replayed; otherwise the use case
    runs and saves its answer (``replay(result)`` if given, else ``render(result)``) in its
    own transaction; losing a race to an identical request (``Conflict``) replays the
    winner's saved answer instead of failing.
    """
    if request is None:
        return render(action(None))
    saved = find_saved(uow_factory, principal, request, clock)
    if saved is not None:
        return saved
    hook = Remember(request, owner=principal.actor, clock=clock, render=render, replay=replay)
    try:
        result = action(hook)
    except Conflict:
        saved = find_saved(uow_factory, principal, request, clock)
        if saved is None:
            raise
        return saved
    return hook.sent if hook.sent is not None else render(result)


def purge_expired(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Delete saved answers older than the replay window: they can never be replayed, and
    some hold personal data. Run by a periodic job; returns how many were deleted."""
    with uow_factory(PURGER) as uow:
        purged = uow.idempotency.purge(before=clock.now() - REPLAY_WINDOW)
        uow.commit()
    return purged
