"""An order's closed period inside its window (a shop shut for lunch): two windows.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-11 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("closed_start", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closed_end", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("closed_end")
        batch.drop_column("closed_start")
