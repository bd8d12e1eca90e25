"""The outbox relay: hands committed domain events to their consumers, each event once.

Events are written to the outbox in the transaction of the change that made them
(:mod:`doorstep.store.uow`). The relay reads a batch of pending rows, calls every
:data:`EventHandler` with each row inside one transaction, marks the rows sent and
commits: what the handlers wrote (messages to send, webhook deliveries) and the "sent"
stamp become true together or not at all. Only after that commit are the
:data:`AfterCommit` hooks called (live updates): they must never write, and losing one
to a crash costs a refresh, never a message.

Safe with two relays at once: on PostgreSQL the batch is claimed ``FOR UPDATE SKIP
LOCKED``, so a second relay takes the next rows instead of the same ones; SQLite has one
writer at a time. Safe with a crash at any point: before the commit nothing happened and
the rows are still pending; after it they are sent. Handlers key what they write unique on
the outbox id, so even a row relayed twice could not double a message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from doorstep.domain.access import Principal
from doorstep.domain.events import DomainEvent
from doorstep.services.ports import Clock, UnitOfWork, UnitOfWorkFactory

log = logging.getLogger("doorstep.relay")

RELAY = Principal.system("relay")

EventHandler = Callable[[UnitOfWork, int, DomainEvent], None]
"""Called inside the relay's transaction with the outbox row id: writes rows, never sends."""

AfterCommit = Callable[[Sequence[tuple[int, DomainEvent]]], None]
"""Called after the relay's commit with the batch just relayed (e.g. to publish live
updates). It must not write: a crash between the commit and the hook loses the call."""

DEFAULT_BATCH = 200
MAX_BATCHES = 50  # one call relays at most this many batches; the next call takes the rest


def relay_pending(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    handlers: Sequence[EventHandler],
    after: Sequence[AfterCommit] = (),
    batch: int = DEFAULT_BATCH,
) -> int:
    """Relay pending outbox rows, ``batch`` per transaction, until none is left; how many.

    Cheap when nothing is pending: one read-only query, no write lock. A handler that
    raises rolls its batch back (nothing of it is marked sent) and the error propagates,
    so the job queue retries it later.
    """
    if batch < 1:
        raise ValueError("batch must be at least 1")
    with uow_factory(RELAY).read_only() as uow:
        if not uow.outbox.has_pending():
            return 0
    relayed = 0
    for _ in range(MAX_BATCHES):
        done = _relay_batch(uow_factory, clock, handlers, batch)
        if done:
            relayed += len(done)
            _call_after(after, done)
        if len(done) < batch:
            break
    return relayed


def _relay_batch(
    uow_factory: UnitOfWorkFactory, clock: Clock, handlers: Sequence[EventHandler], batch: int
) -> list[tuple[int, DomainEvent]]:
    """One transaction: claim up to ``batch`` rows, hand each to every handler, mark sent."""
    with uow_factory(RELAY) as uow:
        rows = uow.outbox.pending(batch)
        if not rows:
            return []
        for outbox_id, event in rows:
            for handler in handlers:
                handler(uow, outbox_id, event)
        uow.outbox.mark_sent([outbox_id for outbox_id, _ in rows], clock.now())
        uow.commit()
    return rows


def _call_after(after: Sequence[AfterCommit], rows: Sequence[tuple[int, DomainEvent]]) -> None:
    """Each hook once; one hook failing neither stops the others nor undoes the commit."""
    for hook in after:
        try:
            hook(rows)
        except Exception:
            log.exception("after-commit hook %r failed for %d events", hook, len(rows))
