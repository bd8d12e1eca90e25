"""Dispatched routes and their stops, courier actions, proofs of delivery, and what an
order asks its delivery to prove (PIN, minimum age, safe place).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 14:47:43.894866
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "proofs",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("order_pk", sa.Integer(), nullable=False),
        sa.Column("brand_pk", sa.Integer(), nullable=False),
        sa.Column("route_id", sa.String(length=24), nullable=False),
        sa.Column("stop_id", sa.String(length=24), nullable=False),
        sa.Column("courier_id", sa.String(length=24), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("parcel_ids", JSON, nullable=False),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=True),
        sa.Column("photos", JSON, nullable=False),
        sa.Column("device_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("geofence_mismatch", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_pk"], ["brands.pk"], name=op.f("fk_proofs_brand_pk_brands")
        ),
        sa.ForeignKeyConstraint(
            ["order_pk"], ["orders.pk"], name=op.f("fk_proofs_order_pk_orders")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_proofs")),
        sa.UniqueConstraint("public_id", name=op.f("uq_proofs_public_id")),
    )
    with op.batch_alter_table("proofs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proofs_brand_pk"), ["brand_pk"], unique=False)
        batch_op.create_index(batch_op.f("ix_proofs_order_pk"), ["order_pk"], unique=False)

    op.create_table(
        "courier_actions",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("courier_pk", sa.Integer(), nullable=False),
        sa.Column("client_event_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("route_id", sa.String(length=24), nullable=False),
        sa.Column("stop_id", sa.String(length=24), nullable=True),
        sa.Column("device_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["courier_pk"], ["couriers.pk"], name=op.f("fk_courier_actions_courier_pk_couriers")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_courier_actions")),
        sa.UniqueConstraint(
            "courier_pk",
            "client_event_id",
            name=op.f("uq_courier_actions_courier_pk_client_event_id"),
        ),
        sa.UniqueConstraint("public_id", name=op.f("uq_courier_actions_public_id")),
    )
    op.create_table(
        "routes",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("plan_pk", sa.Integer(), nullable=True),
        sa.Column("plan_index", sa.Integer(), nullable=True),
        sa.Column("hub_pk", sa.Integer(), nullable=False),
        sa.Column("courier_pk", sa.Integer(), nullable=False),
        sa.Column("vehicle_pk", sa.Integer(), nullable=False),
        sa.Column("route_date", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["courier_pk"], ["couriers.pk"], name=op.f("fk_routes_courier_pk_couriers")
        ),
        sa.ForeignKeyConstraint(["hub_pk"], ["hubs.pk"], name=op.f("fk_routes_hub_pk_hubs")),
        sa.ForeignKeyConstraint(["plan_pk"], ["plans.pk"], name=op.f("fk_routes_plan_pk_plans")),
        sa.ForeignKeyConstraint(
            ["vehicle_pk"], ["vehicles.pk"], name=op.f("fk_routes_vehicle_pk_vehicles")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_routes")),
        sa.UniqueConstraint("plan_pk", "plan_index", name=op.f("uq_routes_plan_pk_plan_index")),
        sa.UniqueConstraint("public_id", name=op.f("uq_routes_public_id")),
    )
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_routes_courier_pk_route_date", ["courier_pk", "route_date"], unique=False
        )

    op.create_table(
        "route_stops",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("route_pk", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("postcode", sa.String(length=16), nullable=False),
        sa.Column("address_lines", JSON, nullable=False),
        sa.Column("recipient_first_name", sa.String(length=200), nullable=False),
        sa.Column("parcel_ids", JSON, nullable=False),
        sa.Column("planned_arrival", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("arrival_distance_m", sa.Float(), nullable=True),
        sa.Column("geofence_mismatch", sa.Boolean(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["route_pk"], ["routes.pk"], name=op.f("fk_route_stops_route_pk_routes")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_route_stops")),
        sa.UniqueConstraint("public_id", name=op.f("uq_route_stops_public_id")),
    )
    with op.batch_alter_table("route_stops", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_route_stops_route_pk"), ["route_pk"], unique=False)

    op.create_table(
        "route_parcels",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("route_pk", sa.Integer(), nullable=False),
        sa.Column("stop_pk", sa.Integer(), nullable=False),
        sa.Column("parcel_pk", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parcel_pk"], ["parcels.pk"], name=op.f("fk_route_parcels_parcel_pk_parcels")
        ),
        sa.ForeignKeyConstraint(
            ["route_pk"], ["routes.pk"], name=op.f("fk_route_parcels_route_pk_routes")
        ),
        sa.ForeignKeyConstraint(
            ["stop_pk"], ["route_stops.pk"], name=op.f("fk_route_parcels_stop_pk_route_stops")
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_route_parcels")),
        sa.UniqueConstraint(
            "stop_pk", "parcel_pk", name=op.f("uq_route_parcels_stop_pk_parcel_pk")
        ),
    )
    with op.batch_alter_table("route_parcels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_route_parcels_parcel_pk"), ["parcel_pk"], unique=False)
        batch_op.create_index(batch_op.f("ix_route_parcels_route_pk"), ["route_pk"], unique=False)

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delivery_pin_hash", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("minimum_age", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("safe_place", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("safe_place")
        batch_op.drop_column("minimum_age")
        batch_op.drop_column("delivery_pin_hash")

    with op.batch_alter_table("route_parcels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_route_parcels_route_pk"))
        batch_op.drop_index(batch_op.f("ix_route_parcels_parcel_pk"))

    op.drop_table("route_parcels")
    with op.batch_alter_table("route_stops", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_route_stops_route_pk"))

    op.drop_table("route_stops")
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.drop_index("ix_routes_courier_pk_route_date")

    op.drop_table("routes")
    op.drop_table("courier_actions")
    with op.batch_alter_table("proofs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proofs_order_pk"))
        batch_op.drop_index(batch_op.f("ix_proofs_brand_pk"))

    op.drop_table("proofs")
