"""Each brand's delivery policy: attempts allowed, when to re-attempt, what after the last.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-10 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "brand_delivery_policies",
        sa.Column("brand_pk", sa.Integer(), nullable=False),
        sa.Column("attempts_allowed", sa.Integer(), nullable=False),
        sa.Column("reattempt", sa.String(length=32), nullable=False),
        sa.Column("hold_at_hub_days", sa.Integer(), nullable=False),
        sa.Column("after_last_attempt", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_pk"], ["brands.pk"], name="fk_brand_delivery_policies_brand_pk_brands"
        ),
        sa.PrimaryKeyConstraint("brand_pk", name="pk_brand_delivery_policies"),
    )


def downgrade() -> None:
    op.drop_table("brand_delivery_policies")
