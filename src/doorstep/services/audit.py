"""The audit log: who changed what, and when; written by the use cases, read by the console.

Each use case that makes a manual change (a user, a key, a brand, the fleet, a webhook
endpoint, a route edit) adds its entry in the same transaction as the change, so the log
and the change commit together or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from doorstep.services.access import require_hub_operator
from doorstep.services.ports import AuditEntry, Clock, UnitOfWork

MAX_PAGE: Final = 200


def record(uow: UnitOfWork, at: datetime, action: str, target_id: str, **details: str) -> None:
    """Add an entry by the unit of work's principal (inside its transaction)."""
    uow.audit.add(AuditEntry(at, uow.principal.actor, action, target_id, details))


def record_if(
    uow: UnitOfWork, clock: Clock | None, action: str, target_id: str, **details: str
) -> None:
    """:func:`record` at the clock's time, when the caller passed a clock (the API and the
    console do; scripts and tests that build data may not)."""
    if clock is not None:
        record(uow, clock.now(), action, target_id, **details)


def recent_entries(uow: UnitOfWork, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
    """The newest entries, newest first: office staff (admins and dispatchers) may read."""
    require_hub_operator(uow.principal)
    with uow.read_only():
        return uow.audit.list_recent(max(1, min(limit, MAX_PAGE)), max(0, offset))
