"""Notifications: messages to recipients, brands' notification settings, SMS opt-outs.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 19:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "notification_messages",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column(
            "outbox_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("brand_id", sa.String(length=24), nullable=False),
        sa.Column("order_id", sa.String(length=24), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("context", _JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_notification_messages")),
        sa.UniqueConstraint("public_id", name=op.f("uq_notification_messages_public_id")),
        sa.UniqueConstraint(
            "outbox_id",
            "channel",
            "order_id",
            name=op.f("uq_notification_messages_outbox_id_channel_order_id"),
        ),
        sa.UniqueConstraint(
            "order_id",
            "channel",
            "dedupe_key",
            name=op.f("uq_notification_messages_order_id_channel_dedupe_key"),
        ),
    )
    with op.batch_alter_table("notification_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notification_messages_brand_id"), ["brand_id"], unique=False
        )
        batch_op.create_index(
            "ix_notification_messages_status_not_before", ["status", "not_before"], unique=False
        )
    op.create_table(
        "notification_settings",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.String(length=24), nullable=False),
        sa.Column("enabled", _JSON, nullable=False),
        sa.Column("sender_name", sa.String(length=60), nullable=True),
        sa.Column("reply_to", sa.String(length=254), nullable=True),
        sa.Column("overrides", _JSON, nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_notification_settings")),
        sa.UniqueConstraint("brand_id", name=op.f("uq_notification_settings_brand_id")),
    )
    op.create_table(
        "sms_opt_outs",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("phone_key", sa.String(length=64), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_sms_opt_outs")),
        sa.UniqueConstraint("phone_key", name=op.f("uq_sms_opt_outs_phone_key")),
    )


def downgrade() -> None:
    op.drop_table("sms_opt_outs")
    op.drop_table("notification_settings")
    with op.batch_alter_table("notification_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_messages_status_not_before")
        batch_op.drop_index(batch_op.f("ix_notification_messages_brand_id"))
    op.drop_table("notification_messages")
