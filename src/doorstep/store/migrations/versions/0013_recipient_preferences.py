"""The recipient's own wishes on an order: safe place chosen, neighbour, more time, new day.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 19:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (not a batch copy of the table): SQLite adds these in place, while a
    # rebuilt orders table would have to be dropped under its parcels' foreign keys.
    # Encrypted, like safe_place (its note): where a parcel is left is worth a thief's read.
    op.add_column("orders", sa.Column("safe_place_choice", sa.Text(), nullable=True))
    op.add_column("orders", sa.Column("neighbour", sa.Text(), nullable=True))
    op.add_column(
        "orders",
        sa.Column("needs_more_time", sa.Boolean(), nullable=False, server_default=sa.text("false")),
    )
    op.add_column("orders", sa.Column("delivery_date", sa.Date(), nullable=True))
    op.add_column(
        "orders", sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
    )


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("delivery_date")
        batch_op.drop_column("needs_more_time")
        batch_op.drop_column("neighbour")
        batch_op.drop_column("safe_place_choice")
