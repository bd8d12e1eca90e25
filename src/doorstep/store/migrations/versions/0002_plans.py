"""Plans: planning runs requested over the API and solved by a background job.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 20:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("hub_pk", sa.Integer(), nullable=False),
        sa.Column("plan_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("network", sa.String(length=100), nullable=False),
        sa.Column("budget_s", sa.Integer(), nullable=False),
        sa.Column("request", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("result", JSON, nullable=True),
        sa.ForeignKeyConstraint(["hub_pk"], ["hubs.pk"], name=op.f("fk_plans_hub_pk_hubs")),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_plans")),
        sa.UniqueConstraint("public_id", name=op.f("uq_plans_public_id")),
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index("ix_plans_status_created_at", ["status", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index("ix_plans_status_created_at")
    op.drop_table("plans")
