"""Table rows: the database shape of Doorstep. These classes never leave ``store``.

Every table has an integer surrogate key (``pk``) for joins and a public id (``par_...``)
in its own unique column; the repositories translate rows to domain objects and back.
Constraint names are fixed by a naming convention so that migrations and
:class:`~doorstep.services.ports.Conflict` messages can refer to them.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from doorstep.store.types import JsonType, UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(24)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JsonType}


class BrandRow(Base):
    __tablename__ = "brands"
    pk: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(ID, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    colour: Mapped[str | None] = mapped_column(String(7))  # "#rrggbb" for the tracking page
    logo_sha256: Mapped[str | None] = mapped_column(String(64))  # a blob


class HubRow(Base):
    __tablename__ = "hubs"
    pk: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(ID, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    address: Mapped[str] = mapped_column(Text)
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)


class VehicleRow(Base):
    __tablename__ = "vehicles"
    pk: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(ID, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    vehicle_type: Mapped[str] = mapped_column(String(32))
    capacity_parcels: Mapped[int] = mapped_column(Integer)
    capacity_weight_kg: Mapped[float] = mapped_column(Float)
    capacity_volume_litres: Mapped[float] = mapped_column(Float)
    hub_pk: Mapped[int | None] = mapped_column(ForeignKey("hubs.pk"))
    hub: Mapped[HubRow | None] = relationship(lazy="joined")


class CourierRow(Base):
    __tablename__ = "couriers"
    pk: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(ID, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(Text)  # encrypted
    vehicle_pk: Mapped[int | None] = mapped_column(ForeignKey("vehicles.pk"))
    vehicle: Mapped[VehicleRow | None] = relationship(lazy="joined")


class UserRow(Base):
    __tablename__ = "users"
    pk: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(ID, unique=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(Text)
    courier_pk: Mapped[int | None] = mapped_column(ForeignKey("couriers.pk"))
    courier: Mapped[CourierRow | None] = relationship(lazy="joined")
    active: Mapped[bool]


class ApiKeyRow(Base):
    __tablename__ = "api_keys"
    pk: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(ID, unique=True)
    brand_pk: Mapped[int] = mapped_column(ForeignKey("brands.pk"), index=True)
    brand: Mapped[BrandRow] = relationship(lazy="joined")
    prefix: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class OrderRow(Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("brand_pk", "reference"),
        Index("ix_orders_created_at_public_id", "created_at", "public_id"),
    )
    pk: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(ID, unique=True)
    brand_pk: Mapped[int] = mapped_column(ForeignKey("brands.pk"))
    brand: Mapped[BrandRow] = relationship(lazy="joined")
    reference: Mapped[str] = mapped_column(String(200))
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_phone: Mapped[str | None] = mapped_column(Text)  # encrypted
    recipient_email: Mapped[str | None] = mapped_column(String(320))
    address_lines: Mapped[list[str]] = mapped_column(JsonType)
    postcode: Mapped[str] = mapped_column(String(16))
    city: Mapped[str] = mapped_column(String(100))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    address_type: Mapped[str] = mapped_column(String(32))
    access_notes: Mapped[str | None] = mapped_column(Text)  # encrypted
    access_code: Mapped[str | None] = mapped_column(Text)  # encrypted
    service_level: Mapped[str] = mapped_column(String(32))
    window_start: Mapped[datetime | None]
    window_end: Mapped[datetime | None]
    closed_start: Mapped[datetime | None]  # inside the window: nobody there (migration 0016)
    closed_end: Mapped[datetime | None]
    priority: Mapped[str] = mapped_column(String(16))
    hub_pk: Mapped[int | None] = mapped_column(ForeignKey("hubs.pk"))
    hub: Mapped[HubRow | None] = relationship(lazy="joined")
    tracking_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    # What the delivery must prove (domain/proof.py): a PIN (hashed), a minimum age, and
    # where the recipient would like a parcel left.
    # Encrypted: a PIN has few digits, so its hash alone would fall to a brute force by
    # anyone with the database; sealed, it needs the server's secret too.
    delivery_pin_hash: Mapped[str | None] = mapped_column(Text)
    minimum_age: Mapped[int | None] = mapped_column(Integer)
    safe_place: Mapped[str | None] = mapped_column(Text)  # encrypted
    # The recipient's own wishes from the tracking page (domain/preferences.py).
    safe_place_choice: Mapped[str | None] = mapped_column(Text)  # encrypted
    neighbour: Mapped[str | None] = mapped_column(Text)  # encrypted
    needs_more_time: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    delivery_date: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    parcels: Mapped[list[ParcelRow]] = relationship(
        back_populates="order", lazy="selectin", order_by="ParcelRow.pk"
    )


class ParcelRow(Base):
    __tablename__ = "parcels"
    pk: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(ID, unique=True)
    order_pk: Mapped[int] = mapped_column(ForeignKey("orders.pk"), index=True)
    order: Mapped[OrderRow] = relationship(back_populates="parcels", lazy="joined")
    brand_pk: Mapped[int] = mapped_column(ForeignKey("brands.pk"), index=True)  # for scoping
    barcode: Mapped[str] = mapped_column(String(64), unique=True)
    weight_kg: Mapped[float] = mapped_column(Float)
    length_cm: Mapped[float | None] = mapped_column(Float)
    width_cm: Mapped[float | None] = mapped_column(Float)
    height_cm: Mapped[float | None] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(32), index=True)
    bay: Mapped[str | None] = mapped_column(String(64))
    vehicle_pk: Mapped[int | None] = mapped_column(ForeignKey("vehicles.pk"))
    vehicle: Mapped[VehicleRow | None] = relationship(lazy="joined")
    attempts: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    events: Mapped[list[ParcelEventRow]] = relationship(
        lazy="selectin", order_by="ParcelEventRow.sequence"
    )

    # Set explicitly by the repository, so that every save is guarded, even one that
    # changes no column: UPDATE ... WHERE version = <read version>.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class ParcelEventRow(Base):
    """Append-only history of a parcel; never updated or deleted (the hash chain shows it)."""

    __tablename__ = "parcel_events"
    __table_args__ = (UniqueConstraint("parcel_pk", "sequence"),)
    pk: Mapped[int] = mapped_column(primary_key=True)
    parcel_pk: Mapped[int] = mapped_column(ForeignKey("parcels.pk"))
    sequence: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]
    place: Mapped[str | None] = mapped_column(String(200))
    reason_code: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]]
    # The hash chain (domain/chain.py): the previous event's hash and this event's own.
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class HubScanRow(Base):
    __tablename__ = "hub_scans"
    __table_args__ = (UniqueConstraint("hub_pk", "client_event_id"),)
    pk: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(ID, unique=True)
    hub_pk: Mapped[int] = mapped_column(ForeignKey("hubs.pk"))
    hub: Mapped[HubRow] = relationship(lazy="joined")
    client_event_id: Mapped[str] = mapped_column(String(100))
    barcode: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    target_bay: Mapped[str | None] = mapped_column(String(64))
    target_route_id: Mapped[str | None] = mapped_column(String(64))
    target_vehicle_id: Mapped[str | None] = mapped_column(String(64))
    scanned_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    parcel_pk: Mapped[int | None] = mapped_column(ForeignKey("parcels.pk"))
    parcel: Mapped[ParcelRow | None] = relationship(lazy="joined")
    parcel_state: Mapped[str | None] = mapped_column(String(32))
    brand_pk: Mapped[int | None] = mapped_column(ForeignKey("brands.pk"))  # for scoping


class IdempotencyKeyRow(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("owner", "key"),)
    pk: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(128))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(200))
    headers: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(index=True)


class OutboxRow(Base):
    """Domain events waiting for the relay; ``sent_at`` stays null until delivered."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    name: Mapped[str] = mapped_column(String(100))
    aggregate_id: Mapped[str] = mapped_column(String(64))
    brand_id: Mapped[str | None] = mapped_column(ID)
    occurred_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]]
    sent_at: Mapped[datetime | None] = mapped_column(index=True)


class PlanRow(Base):
    """A planning run: request, status and times, and the plan document once solved."""

    __tablename__ = "plans"
    __table_args__ = (Index("ix_plans_status_created_at", "status", "created_at"),)
    pk: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(ID, unique=True)
    hub_pk: Mapped[int] = mapped_column(ForeignKey("hubs.pk"))
    hub: Mapped[HubRow] = relationship(lazy="joined")
    plan_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    network: Mapped[str] = mapped_column(String(100))
    budget_s: Mapped[int] = mapped_column(Integer)
    request: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None]


class AuditRow(Base):
    """Who changed access to what, and when (deactivated users, revoked keys). Append-only."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_target_id_at", "target_id", "at"),)
    pk: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]]


class RouteRow(Base):
    """A dispatched route: one courier, one vehicle, one day."""

    __tablename__ = "routes"
    __table_args__ = (
        UniqueConstraint("plan_pk", "plan_index"),
        Index("ix_routes_courier_pk_route_date", "courier_pk", "route_date"),
    )
    pk: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(ID, unique=True)
    plan_pk: Mapped[int | None] = mapped_column(ForeignKey("plans.pk"))
    plan: Mapped[PlanRow | None] = relationship(lazy="joined")
    plan_index: Mapped[int | None] = mapped_column(Integer)  # its place in the plan's routes
    hub_pk: Mapped[int] = mapped_column(ForeignKey("hubs.pk"))
    hub: Mapped[HubRow] = relationship(lazy="joined")
    courier_pk: Mapped[int] = mapped_column(ForeignKey("couriers.pk"))
    courier: Mapped[CourierRow] = relationship(lazy="joined")
    vehicle_pk: Mapped[int] = mapped_column(ForeignKey("vehicles.pk"))
    vehicle: Mapped[VehicleRow] = relationship(lazy="joined")
    route_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    stops: Mapped[list[RouteStopRow]] = relationship(
        back_populates="route", lazy="selectin", order_by="RouteStopRow.sequence"
    )

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class RouteStopRow(Base):
    __tablename__ = "route_stops"
    pk: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(ID, unique=True)
    route_pk: Mapped[int] = mapped_column(ForeignKey("routes.pk"), index=True)
    route: Mapped[RouteRow] = relationship(back_populates="stops")
    sequence: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    postcode: Mapped[str] = mapped_column(String(16))
    address_lines: Mapped[list[str]] = mapped_column(JsonType)
    recipient_first_name: Mapped[str] = mapped_column(String(200))
    parcel_ids: Mapped[list[str]] = mapped_column(JsonType)
    planned_arrival: Mapped[datetime]
    window_start: Mapped[datetime | None]
    window_end: Mapped[datetime | None]
    arrived_at: Mapped[datetime | None]
    arrival_distance_m: Mapped[float | None] = mapped_column(Float)
    geofence_mismatch: Mapped[bool] = mapped_column(Boolean)
    done_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)


class RouteParcelRow(Base):
    """Which parcels ride on which route: courier scoping and hub sorting join through it."""

    __tablename__ = "route_parcels"
    __table_args__ = (UniqueConstraint("stop_pk", "parcel_pk"),)
    pk: Mapped[int] = mapped_column(primary_key=True)
    route_pk: Mapped[int] = mapped_column(ForeignKey("routes.pk"), index=True)
    stop_pk: Mapped[int] = mapped_column(ForeignKey("route_stops.pk"))
    parcel_pk: Mapped[int] = mapped_column(ForeignKey("parcels.pk"), index=True)
    active: Mapped[bool] = mapped_column(Boolean)  # false once the stop is removed


class CourierActionRow(Base):
    """Every action a courier's phone sent, once: device time, receipt time, outcome."""

    __tablename__ = "courier_actions"
    __table_args__ = (UniqueConstraint("courier_pk", "client_event_id"),)
    pk: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(ID, unique=True)
    courier_pk: Mapped[int] = mapped_column(ForeignKey("couriers.pk"))
    client_event_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    route_id: Mapped[str] = mapped_column(ID)
    stop_id: Mapped[str | None] = mapped_column(ID)
    device_time: Mapped[datetime]
    received_at: Mapped[datetime]
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    message: Mapped[str | None] = mapped_column(Text)


class ProofRow(Base):
    """One attempt at one stop for one order: delivered with proof, or failed with a reason."""

    __tablename__ = "proofs"
    pk: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(ID, unique=True)
    order_pk: Mapped[int] = mapped_column(ForeignKey("orders.pk"), index=True)
    order: Mapped[OrderRow] = relationship(lazy="joined")
    brand_pk: Mapped[int] = mapped_column(ForeignKey("brands.pk"), index=True)  # for scoping
    route_id: Mapped[str] = mapped_column(ID)
    stop_id: Mapped[str] = mapped_column(ID)
    courier_id: Mapped[str] = mapped_column(ID)
    outcome: Mapped[str] = mapped_column(String(16))
    method: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(64))
    parcel_ids: Mapped[list[str]] = mapped_column(JsonType)
    evidence: Mapped[dict[str, Any]]  # names, place, note, card number (encrypted fields none)
    signature: Mapped[str | None] = mapped_column(String(64))
    photos: Mapped[list[str]] = mapped_column(JsonType)
    device_time: Mapped[datetime]
    recorded_at: Mapped[datetime]
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    geofence_mismatch: Mapped[bool] = mapped_column(Boolean)


class CourierPingRow(Base):
    """One position a courier's phone sent. Many rows (a courier sends one every few
    seconds), so no public id and no ORM objects on the write path: a batch is one
    Core INSERT. Read by courier and time, deleted by time once past retention."""

    __tablename__ = "courier_pings"
    __table_args__ = (
        Index("ix_courier_pings_courier_pk_at", "courier_pk", "at"),
        # The purge deletes by age alone: without this it would scan every row while
        # holding the write lock that incoming batches wait for.
        Index("ix_courier_pings_at", "at"),
    )
    pk: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    courier_pk: Mapped[int] = mapped_column(ForeignKey("couriers.pk"))
    at: Mapped[datetime]  # the device's clock when it took the reading
    received_at: Mapped[datetime]  # the server's clock when the batch arrived
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float] = mapped_column(Float)
    speed_mps: Mapped[float | None] = mapped_column(Float)
    heading_deg: Mapped[float | None] = mapped_column(Float)


class BlobRow(Base):
    """An uploaded image, named by the SHA-256 of its original bytes. Its files live in the
    blob store; after the retention period they are deleted and ``purged_at`` set, and
    the row stays so that the hash can still be checked against a proof."""

    __tablename__ = "blobs"
    pk: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(index=True)
    purged_at: Mapped[datetime | None]


class EtaAnnouncementRow(Base):
    """One window told to a stop's customers. Append-only: never updated or deleted, so
    that how often arrivals fell inside what was announced can be measured later."""

    __tablename__ = "eta_announcements"
    __table_args__ = (
        Index("ix_eta_announcements_stop_pk_announced_at", "stop_pk", "announced_at"),
    )
    pk: Mapped[int] = mapped_column(primary_key=True)
    route_pk: Mapped[int] = mapped_column(ForeignKey("routes.pk"), index=True)
    stop_pk: Mapped[int] = mapped_column(ForeignKey("route_stops.pk"))
    kind: Mapped[str] = mapped_column(String(16))
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    predicted_arrival: Mapped[datetime]
    announced_at: Mapped[datetime]


class EtaRouteStateRow(Base):
    """A route's last ETA recompute: one row per route, versioned so that two recomputes
    at once cannot both announce (the second one's update finds the version moved)."""

    __tablename__ = "eta_route_states"
    pk: Mapped[int] = mapped_column(primary_key=True)
    route_pk: Mapped[int] = mapped_column(ForeignKey("routes.pk"), unique=True)
    computed_at: Mapped[datetime]
    predictions: Mapped[dict[str, Any]]  # stop id -> ISO 8601 predicted arrival
    delays_raised: Mapped[dict[str, Any]]  # stop id -> ISO 8601 announced_at
    version: Mapped[int] = mapped_column(Integer)


class NotificationMessageRow(Base):
    """One e-mail or text to one order's recipient. Once per (outbox row, channel, order)
    and per (order, channel, piece of news): a relay run twice cannot double it. The
    address is not kept here: it is read from the order when the message is sent."""

    __tablename__ = "notification_messages"
    __table_args__ = (
        UniqueConstraint("outbox_id", "channel", "order_id"),
        UniqueConstraint("order_id", "channel", "dedupe_key"),
        Index("ix_notification_messages_status_not_before", "status", "not_before"),
    )
    pk: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(ID, unique=True)
    outbox_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    brand_id: Mapped[str] = mapped_column(ID, index=True)
    order_id: Mapped[str] = mapped_column(ID)
    channel: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(32))
    dedupe_key: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]
    not_before: Mapped[datetime]
    context: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(500))
    provider_id: Mapped[str | None] = mapped_column(String(64))


class NotificationSettingsRow(Base):
    """A brand's notification choices: which kinds on which channel, sender, wording."""

    __tablename__ = "notification_settings"
    pk: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[str] = mapped_column(ID, unique=True)
    enabled: Mapped[dict[str, Any]]  # channel -> [kind, ...]
    sender_name: Mapped[str | None] = mapped_column(String(60))
    reply_to: Mapped[str | None] = mapped_column(String(254))
    overrides: Mapped[dict[str, Any]]  # "channel/kind" -> {"subject": ..., "text": ...}


class SmsOptOutRow(Base):
    """A phone number that answered STOP, kept only as a keyed hash of the number."""

    __tablename__ = "sms_opt_outs"
    pk: Mapped[int] = mapped_column(primary_key=True)
    phone_key: Mapped[str] = mapped_column(String(64), unique=True)
    opted_out: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime]


class WebhookEndpointRow(Base):
    """A brand's webhook receiver. The secrets are stored encrypted (``enc1:...``)."""

    __tablename__ = "webhook_endpoints"
    pk: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(ID, unique=True)
    brand_pk: Mapped[int] = mapped_column(ForeignKey("brands.pk"), index=True)
    brand: Mapped[BrandRow] = relationship(lazy="joined")
    url: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(String(200))
    event_types: Mapped[dict[str, Any]] = mapped_column(JsonType)  # {"names": [...]}
    enabled: Mapped[bool] = mapped_column(Boolean)
    secret: Mapped[str] = mapped_column(Text)
    previous_secret: Mapped[str | None] = mapped_column(Text)
    previous_secret_until: Mapped[datetime | None]
    failing_since: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]


class WebhookDeliveryRow(Base):
    """One outbox event for one endpoint: made once (the unique pair), sent until
    acknowledged under the same ``public_id`` (the ``webhook-id``)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("outbox_id", "endpoint_pk"),
        Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint_pk_created_at", "endpoint_pk", "created_at"),
    )
    pk: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(ID, unique=True)
    outbox_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    endpoint_pk: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.pk"))
    endpoint: Mapped[WebhookEndpointRow] = relationship(lazy="joined")
    brand_pk: Mapped[int] = mapped_column(ForeignKey("brands.pk"), index=True)
    event_name: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    retrying_since: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    dead_lettered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(300))


class WebhookAttemptRow(Base):
    """One POST of a delivery: status or error, duration, a short excerpt of the answer."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_endpoint_pk_at", "endpoint_pk", "at"),)
    pk: Mapped[int] = mapped_column(primary_key=True)
    delivery_pk: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.pk"), index=True)
    endpoint_pk: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.pk"))
    at: Mapped[datetime]
    duration_ms: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(300))
    response_excerpt: Mapped[str] = mapped_column(String(200))


class ExceptionRow(Base):
    """One exception in the dispatcher's queue. ``(kind, key)`` is unique: an occurrence is
    raised once, however many relays or sweeps find it at the same moment."""

    __tablename__ = "exceptions"
    __table_args__ = (
        UniqueConstraint("kind", "key"),
        Index("ix_exceptions_state_raised_at", "state", "raised_at"),
        Index("ix_exceptions_route_id", "route_id"),
    )
    pk: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(ID, unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16))
    raised_at: Mapped[datetime]
    details: Mapped[str] = mapped_column(Text)
    route_id: Mapped[str | None] = mapped_column(ID)
    stop_id: Mapped[str | None] = mapped_column(ID)
    parcel_ids: Mapped[list[str]] = mapped_column(JsonType)
    order_ids: Mapped[list[str]] = mapped_column(JsonType)
    moment: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolution: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)


class BrandDeliveryPolicyRow(Base):
    """A brand's rule for failed attempts (domain/delivery_policy.py); no row: the defaults."""

    __tablename__ = "brand_delivery_policies"
    brand_pk: Mapped[int] = mapped_column(ForeignKey("brands.pk"), primary_key=True)
    attempts_allowed: Mapped[int] = mapped_column(Integer)
    reattempt: Mapped[str] = mapped_column(String(32))
    hold_at_hub_days: Mapped[int] = mapped_column(Integer)
    after_last_attempt: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(100))
