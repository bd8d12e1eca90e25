"""ETAs: every window announced to a stop's customers, and each route's last recompute.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 19:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "eta_announcements",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("route_pk", sa.Integer(), nullable=False),
        sa.Column("stop_pk", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("predicted_arrival", sa.DateTime(timezone=True), nullable=False),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["route_pk"], ["routes.pk"], name=op.f("fk_eta_announcements_route_pk_routes")
        ),
        sa.ForeignKeyConstraint(
            ["stop_pk"], ["route_stops.pk"], name=op.f("fk_eta_announcements_stop_pk_route_stops")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_eta_announcements")),
    )
    with op.batch_alter_table("eta_announcements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_eta_announcements_route_pk"), ["route_pk"], unique=False
        )
        batch_op.create_index(
            "ix_eta_announcements_stop_pk_announced_at", ["stop_pk", "announced_at"], unique=False
        )
    op.create_table(
        "eta_route_states",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("route_pk", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("predictions", JSON, nullable=False),
        sa.Column("delays_raised", JSON, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["route_pk"], ["routes.pk"], name=op.f("fk_eta_route_states_route_pk_routes")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_eta_route_states")),
        sa.UniqueConstraint("route_pk", name=op.f("uq_eta_route_states_route_pk")),
    )


def downgrade() -> None:
    op.drop_table("eta_route_states")
    with op.batch_alter_table("eta_announcements", schema=None) as batch_op:
        batch_op.drop_index("ix_eta_announcements_stop_pk_announced_at")
        batch_op.drop_index(batch_op.f("ix_eta_announcements_route_pk"))
    op.drop_table("eta_announcements")
