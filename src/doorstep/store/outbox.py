"""The transactional outbox: domain events written with the change, relayed after commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from doorstep.domain.events import DomainEvent
from doorstep.store.base import SqlRepository
from doorstep.store.tables import OutboxRow


class SqlOutbox(SqlRepository):
    """Not scoped to a brand: only the system relay reads it."""

    def add(self, event: DomainEvent) -> None:
        self.session.add(OutboxRow(**_columns(event)))

    def add_all(self, events: Sequence[DomainEvent]) -> None:
        """Many events in one multi-row INSERT, for writes of thousands of rows."""
        if events:
            self.session.execute(insert(OutboxRow), [_columns(event) for event in events])

    def has_pending(self) -> bool:
        first = select(OutboxRow.id).where(OutboxRow.sent_at.is_(None)).limit(1)
        return self.session.scalar(first) is not None

    def pending(self, limit: int = 100) -> list[tuple[int, DomainEvent]]:
        """Claimed ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite renders no lock: its
        writing transaction already holds the one write lock)."""
        rows = self.session.scalars(
            select(OutboxRow)
            .where(OutboxRow.sent_at.is_(None))
            .order_by(OutboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [
            (
                row.id,
                DomainEvent(
                    name=row.name,
                    aggregate_id=row.aggregate_id,
                    occurred_at=row.occurred_at,
                    payload=row.payload,
                    brand_id=row.brand_id,
                ),
            )
            for row in rows
        ]

    def mark_sent(self, ids: Sequence[int], at: datetime) -> None:
        if ids:
            self.session.execute(
                update(OutboxRow).where(OutboxRow.id.in_(list(ids))).values(sent_at=at)
            )


def _columns(event: DomainEvent) -> dict[str, Any]:
    return {
        "name": event.name,
        "aggregate_id": event.aggregate_id,
        "brand_id": event.brand_id,
        "occurred_at": event.occurred_at,
        "payload": dict(event.payload),
    }
