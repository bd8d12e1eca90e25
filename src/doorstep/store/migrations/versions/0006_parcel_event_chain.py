"""Parcel events form a hash chain: ``prev_hash`` and ``hash`` on every event.

Existing events are linked in sequence order, parcel by parcel, so that an upgraded
database verifies exactly like a new one. From then on the repository sets both columns
on every insert (``store/parcels.py``) and ``doorstep verify`` walks them.

The canonical form is copied here, frozen, rather than imported: migrations do not
import app code. It is format 1 of ``doorstep.domain.chain``; the migration tests check
that both give the same hashes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 15:00:00.000000
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
GENESIS = "0" * 64
PARCELS_PER_BATCH = 500

_events = sa.table(
    "parcel_events",
    sa.column("pk", sa.Integer()),
    sa.column("parcel_pk", sa.Integer()),
    sa.column("sequence", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("from_state", sa.String()),
    sa.column("to_state", sa.String()),
    sa.column("actor", sa.String()),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("place", sa.String()),
    sa.column("reason_code", sa.String()),
    sa.column("details", JSON),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)
_parcels = sa.table("parcels", sa.column("pk", sa.Integer()), sa.column("public_id", sa.String()))


def _utc(at: datetime) -> datetime:
    """SQLite hands back naive UTC; PostgreSQL an aware time in the session's zone."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _hash(row: Any, parcel_id: str, prev_hash: str) -> str:
    """Format 1 of ``doorstep.domain.chain.canonical``, frozen."""
    details = row.details or {}
    document = {
        "format": 1,
        "parcel_id": parcel_id,
        "sequence": row.sequence,
        "action": row.action,
        "from_state": row.from_state,
        "to_state": row.to_state,
        "actor": row.actor,
        "at": _utc(row.at).isoformat(timespec="microseconds"),
        "place": row.place,
        "reason_code": row.reason_code,
        "details": {str(key): details[key] for key in details},
        "prev_hash": prev_hash,
    }
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _backfill(connection: sa.Connection) -> None:
    """Link every parcel's events in sequence order, a batch of parcels at a time."""
    parcel_pks = list(
        connection.scalars(sa.select(_events.c.parcel_pk).distinct().order_by(_events.c.parcel_pk))
    )
    for start in range(0, len(parcel_pks), PARCELS_PER_BATCH):
        batch = parcel_pks[start : start + PARCELS_PER_BATCH]
        rows = connection.execute(
            sa.select(_events, _parcels.c.public_id)
            .join(_parcels, _parcels.c.pk == _events.c.parcel_pk)
            .where(_events.c.parcel_pk.in_(batch))
            .order_by(_events.c.parcel_pk, _events.c.sequence)
        ).all()
        updates: list[dict[str, Any]] = []
        current, prev_hash = None, GENESIS
        for row in rows:
            if row.parcel_pk != current:
                current, prev_hash = row.parcel_pk, GENESIS
            own = _hash(row, row.public_id, prev_hash)
            updates.append({"event_pk": row.pk, "new_prev": prev_hash, "new_hash": own})
            prev_hash = own
        if updates:
            connection.execute(
                _events.update()
                .where(_events.c.pk == sa.bindparam("event_pk"))
                .values(prev_hash=sa.bindparam("new_prev"), hash=sa.bindparam("new_hash")),
                updates,
            )


def upgrade() -> None:
    with op.batch_alter_table("parcel_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _backfill(op.get_bind())
    with op.batch_alter_table("parcel_events", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("parcel_events", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
