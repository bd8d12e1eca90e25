"""Brand appearance: the colour and logo the recipient's tracking page wears.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 19:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("brands") as batch:
        batch.add_column(sa.Column("colour", sa.String(length=7), nullable=True))
        batch.add_column(sa.Column("logo_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("brands") as batch:
        batch.drop_column("logo_sha256")
        batch.drop_column("colour")
