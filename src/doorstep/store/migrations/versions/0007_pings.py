"""Courier pings: the positions a courier's phone sends while a route is under way.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 15:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "courier_pings",
        sa.Column(
            "pk",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("courier_pk", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("accuracy_m", sa.Float(), nullable=False),
        sa.Column("speed_mps", sa.Float(), nullable=True),
        sa.Column("heading_deg", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["courier_pk"], ["couriers.pk"], name=op.f("fk_courier_pings_courier_pk_couriers")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_courier_pings")),
    )
    with op.batch_alter_table("courier_pings", schema=None) as batch_op:
        batch_op.create_index("ix_courier_pings_courier_pk_at", ["courier_pk", "at"], unique=False)
        batch_op.create_index("ix_courier_pings_at", ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("courier_pings", schema=None) as batch_op:
        batch_op.drop_index("ix_courier_pings_at")
        batch_op.drop_index("ix_courier_pings_courier_pk_at")
    op.drop_table("courier_pings")
