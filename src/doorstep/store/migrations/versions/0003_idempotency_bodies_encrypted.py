"""Saved idempotent answers are now stored encrypted: delete the ones saved in clear.

They held whole answers in plaintext (recipients' phone numbers, safe-place notes, new API
keys). The store can no longer read them, and they are replayable for 24 hours at most, so
deleting them costs at most one replay per request retried across the upgrade: that
request is then run again, and a duplicate order is still refused by its reference.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 12:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Overwrite the deleted bodies in the file, not only unlink them (many builds, not
        # all, have this on by default).
        op.execute("PRAGMA secure_delete = ON")
    op.execute("DELETE FROM idempotency_keys")


def downgrade() -> None:
    op.execute("DELETE FROM idempotency_keys")  # encrypted bodies the old code cannot read
