"""Webhooks: brands' endpoints (secrets encrypted), deliveries (one per event and endpoint)
and every attempt.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 19:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("brand_pk", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("event_types", JSON, nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("previous_secret", sa.Text(), nullable=True),
        sa.Column("previous_secret_until", TIME, nullable=True),
        sa.Column("failing_since", TIME, nullable=True),
        sa.Column("disabled_reason", sa.String(length=300), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.Column("deleted_at", TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["brand_pk"], ["brands.pk"], name=op.f("fk_webhook_endpoints_brand_pk_brands")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_webhook_endpoints")),
        sa.UniqueConstraint("public_id", name=op.f("uq_webhook_endpoints_public_id")),
    )
    op.create_index(
        op.f("ix_webhook_endpoints_brand_pk"), "webhook_endpoints", ["brand_pk"], unique=False
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("outbox_id", BIG, nullable=False),
        sa.Column("endpoint_pk", sa.Integer(), nullable=False),
        sa.Column("brand_pk", sa.Integer(), nullable=False),
        sa.Column("event_name", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("retrying_since", TIME, nullable=False),
        sa.Column("next_attempt_at", TIME, nullable=False),
        sa.Column("delivered_at", TIME, nullable=True),
        sa.Column("dead_lettered_at", TIME, nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["brand_pk"], ["brands.pk"], name=op.f("fk_webhook_deliveries_brand_pk_brands")
        ),
        sa.ForeignKeyConstraint(
            ["endpoint_pk"],
            ["webhook_endpoints.pk"],
            name=op.f("fk_webhook_deliveries_endpoint_pk_webhook_endpoints"),
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("public_id", name=op.f("uq_webhook_deliveries_public_id")),
        sa.UniqueConstraint(
            "outbox_id", "endpoint_pk", name=op.f("uq_webhook_deliveries_outbox_id_endpoint_pk")
        ),
    )
    op.create_index(
        op.f("ix_webhook_deliveries_brand_pk"), "webhook_deliveries", ["brand_pk"], unique=False
    )
    op.create_index(
        "ix_webhook_deliveries_status_next_attempt_at",
        "webhook_deliveries",
        ["status", "next_attempt_at"],
        unique=False,
    )
    op.create_index(
        "ix_webhook_deliveries_endpoint_pk_created_at",
        "webhook_deliveries",
        ["endpoint_pk", "created_at"],
        unique=False,
    )
    op.create_table(
        "webhook_attempts",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("delivery_pk", sa.Integer(), nullable=False),
        sa.Column("endpoint_pk", sa.Integer(), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("response_excerpt", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_pk"],
            ["webhook_deliveries.pk"],
            name=op.f("fk_webhook_attempts_delivery_pk_webhook_deliveries"),
        ),
        sa.ForeignKeyConstraint(
            ["endpoint_pk"],
            ["webhook_endpoints.pk"],
            name=op.f("fk_webhook_attempts_endpoint_pk_webhook_endpoints"),
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_webhook_attempts")),
    )
    op.create_index(
        op.f("ix_webhook_attempts_delivery_pk"), "webhook_attempts", ["delivery_pk"], unique=False
    )
    op.create_index(
        "ix_webhook_attempts_endpoint_pk_at",
        "webhook_attempts",
        ["endpoint_pk", "at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("webhook_attempts")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_endpoints")
