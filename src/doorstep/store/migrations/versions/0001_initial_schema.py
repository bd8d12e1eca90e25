"""Initial schema: fleet, brands, accounts, orders, parcels, events, scans, outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 19:04:28.845101
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "brands",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_brands")),
        sa.UniqueConstraint("public_id", name=op.f("uq_brands_public_id")),
    )
    op.create_table(
        "hubs",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("opens", sa.Time(), nullable=False),
        sa.Column("closes", sa.Time(), nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_hubs")),
        sa.UniqueConstraint("public_id", name=op.f("uq_hubs_public_id")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=128), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.String(length=200), nullable=False),
        sa.Column("headers", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("owner", "key", name=op.f("uq_idempotency_keys_owner_key")),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_keys_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("aggregate_id", sa.String(length=64), nullable=False),
        sa.Column("brand_id", sa.String(length=24), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_sent_at"), ["sent_at"], unique=False)

    op.create_table(
        "api_keys",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("brand_pk", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=64), nullable=False),
        sa.Column("secret_hash", sa.Text(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["brand_pk"], ["brands.pk"], name=op.f("fk_api_keys_brand_pk_brands")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_keys_prefix")),
        sa.UniqueConstraint("public_id", name=op.f("uq_api_keys_public_id")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_keys_brand_pk"), ["brand_pk"], unique=False)

    op.create_table(
        "orders",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("brand_pk", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("recipient_phone", sa.Text(), nullable=True),
        sa.Column("recipient_email", sa.String(length=320), nullable=True),
        sa.Column("address_lines", JSON, nullable=False),
        sa.Column("postcode", sa.String(length=16), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("address_type", sa.String(length=32), nullable=False),
        sa.Column("access_notes", sa.Text(), nullable=True),
        sa.Column("access_code", sa.Text(), nullable=True),
        sa.Column("service_level", sa.String(length=32), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("hub_pk", sa.Integer(), nullable=True),
        sa.Column("tracking_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_pk"], ["brands.pk"], name=op.f("fk_orders_brand_pk_brands")
        ),
        sa.ForeignKeyConstraint(["hub_pk"], ["hubs.pk"], name=op.f("fk_orders_hub_pk_hubs")),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_orders")),
        sa.UniqueConstraint("brand_pk", "reference", name=op.f("uq_orders_brand_pk_reference")),
        sa.UniqueConstraint("public_id", name=op.f("uq_orders_public_id")),
        sa.UniqueConstraint("tracking_token", name=op.f("uq_orders_tracking_token")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_orders_created_at_public_id", ["created_at", "public_id"], unique=False
        )

    op.create_table(
        "vehicles",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("vehicle_type", sa.String(length=32), nullable=False),
        sa.Column("capacity_parcels", sa.Integer(), nullable=False),
        sa.Column("capacity_weight_kg", sa.Float(), nullable=False),
        sa.Column("capacity_volume_litres", sa.Float(), nullable=False),
        sa.Column("hub_pk", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["hub_pk"], ["hubs.pk"], name=op.f("fk_vehicles_hub_pk_hubs")),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_vehicles")),
        sa.UniqueConstraint("public_id", name=op.f("uq_vehicles_public_id")),
    )
    op.create_table(
        "couriers",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("vehicle_pk", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["vehicle_pk"], ["vehicles.pk"], name=op.f("fk_couriers_vehicle_pk_vehicles")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_couriers")),
        sa.UniqueConstraint("public_id", name=op.f("uq_couriers_public_id")),
    )
    op.create_table(
        "parcels",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("order_pk", sa.Integer(), nullable=False),
        sa.Column("brand_pk", sa.Integer(), nullable=False),
        sa.Column("barcode", sa.String(length=64), nullable=False),
        sa.Column("weight_kg", sa.Float(), nullable=False),
        sa.Column("length_cm", sa.Float(), nullable=True),
        sa.Column("width_cm", sa.Float(), nullable=True),
        sa.Column("height_cm", sa.Float(), nullable=True),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("bay", sa.String(length=64), nullable=True),
        sa.Column("vehicle_pk", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_pk"], ["brands.pk"], name=op.f("fk_parcels_brand_pk_brands")
        ),
        sa.ForeignKeyConstraint(
            ["order_pk"], ["orders.pk"], name=op.f("fk_parcels_order_pk_orders")
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_pk"], ["vehicles.pk"], name=op.f("fk_parcels_vehicle_pk_vehicles")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_parcels")),
        sa.UniqueConstraint("barcode", name=op.f("uq_parcels_barcode")),
        sa.UniqueConstraint("public_id", name=op.f("uq_parcels_public_id")),
    )
    with op.batch_alter_table("parcels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parcels_brand_pk"), ["brand_pk"], unique=False)
        batch_op.create_index(batch_op.f("ix_parcels_order_pk"), ["order_pk"], unique=False)
        batch_op.create_index(batch_op.f("ix_parcels_state"), ["state"], unique=False)

    op.create_table(
        "hub_scans",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("hub_pk", sa.Integer(), nullable=False),
        sa.Column("client_event_id", sa.String(length=100), nullable=False),
        sa.Column("barcode", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target_bay", sa.String(length=64), nullable=True),
        sa.Column("target_route_id", sa.String(length=64), nullable=True),
        sa.Column("target_vehicle_id", sa.String(length=64), nullable=True),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("parcel_pk", sa.Integer(), nullable=True),
        sa.Column("parcel_state", sa.String(length=32), nullable=True),
        sa.Column("brand_pk", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["brand_pk"], ["brands.pk"], name=op.f("fk_hub_scans_brand_pk_brands")
        ),
        sa.ForeignKeyConstraint(["hub_pk"], ["hubs.pk"], name=op.f("fk_hub_scans_hub_pk_hubs")),
        sa.ForeignKeyConstraint(
            ["parcel_pk"], ["parcels.pk"], name=op.f("fk_hub_scans_parcel_pk_parcels")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_hub_scans")),
        sa.UniqueConstraint(
            "hub_pk", "client_event_id", name=op.f("uq_hub_scans_hub_pk_client_event_id")
        ),
        sa.UniqueConstraint("public_id", name=op.f("uq_hub_scans_public_id")),
    )
    op.create_table(
        "parcel_events",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("parcel_pk", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_state", sa.String(length=32), nullable=False),
        sa.Column("to_state", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("reason_code", sa.String(length=64), nullable=True),
        sa.Column("details", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["parcel_pk"], ["parcels.pk"], name=op.f("fk_parcel_events_parcel_pk_parcels")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_parcel_events")),
        sa.UniqueConstraint(
            "parcel_pk", "sequence", name=op.f("uq_parcel_events_parcel_pk_sequence")
        ),
    )
    op.create_table(
        "users",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("courier_pk", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["courier_pk"], ["couriers.pk"], name=op.f("fk_users_courier_pk_couriers")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sa.UniqueConstraint("public_id", name=op.f("uq_users_public_id")),
    )


def downgrade() -> None:
    op.drop_table("users")
    op.drop_table("parcel_events")
    op.drop_table("hub_scans")
    with op.batch_alter_table("parcels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parcels_state"))
        batch_op.drop_index(batch_op.f("ix_parcels_order_pk"))
        batch_op.drop_index(batch_op.f("ix_parcels_brand_pk"))

    op.drop_table("parcels")
    op.drop_table("couriers")
    op.drop_table("vehicles")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_created_at_public_id")

    op.drop_table("orders")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_brand_pk"))

    op.drop_table("api_keys")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_sent_at"))

    op.drop_table("outbox")
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_keys_created_at"))

    op.drop_table("idempotency_keys")
    op.drop_table("hubs")
    op.drop_table("brands")
