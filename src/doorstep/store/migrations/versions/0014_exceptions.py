"""The dispatcher's exception queue: one row per occurrence, unique by kind and key.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-09 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "exceptions",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("raised_at", TIME, nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("route_id", sa.String(length=24), nullable=True),
        sa.Column("stop_id", sa.String(length=24), nullable=True),
        sa.Column("parcel_ids", JSON, nullable=False),
        sa.Column("order_ids", JSON, nullable=False),
        sa.Column("moment", TIME, nullable=True),
        sa.Column("resolved_at", TIME, nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.Column("resolution", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_exceptions")),
        sa.UniqueConstraint("public_id", name=op.f("uq_exceptions_public_id")),
        sa.UniqueConstraint("kind", "key", name=op.f("uq_exceptions_kind_key")),
    )
    op.create_index(
        "ix_exceptions_state_raised_at", "exceptions", ["state", "raised_at"], unique=False
    )
    op.create_index("ix_exceptions_route_id", "exceptions", ["route_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_exceptions_route_id", table_name="exceptions")
    op.drop_index("ix_exceptions_state_raised_at", table_name="exceptions")
    op.drop_table("exceptions")
