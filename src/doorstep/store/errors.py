"""Turn the database's refusals into the ports' exceptions, naming what clashed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from doorstep.services.ports import Conflict, StaleObject
from doorstep.store.tables import Base

# What a person should read when a unique constraint is hit, by constraint name.
_MEANING = {
    "uq_brands_public_id": "a brand with this id already exists",
    "uq_hubs_public_id": "a hub with this id already exists",
    "uq_vehicles_public_id": "a vehicle with this id already exists",
    "uq_couriers_public_id": "a courier with this id already exists",
    "uq_users_public_id": "a user with this id already exists",
    "uq_users_email": "a user with this email already exists",
    "uq_api_keys_public_id": "an API key with this id already exists",
    "uq_api_keys_prefix": "an API key with this prefix already exists",
    "uq_orders_public_id": "an order with this id already exists",
    "uq_orders_brand_pk_reference": "an order with this reference already exists for the brand",
    "uq_orders_tracking_token": "an order with this tracking token already exists",
    "uq_parcels_public_id": "a parcel with this id already exists",
    "uq_parcels_barcode": "a parcel with this barcode already exists",
    "uq_parcel_events_parcel_pk_sequence": "the parcel changed meanwhile (event sequence taken)",
    "uq_hub_scans_public_id": "a scan with this id already exists",
    "uq_hub_scans_hub_pk_client_event_id": "this scan (hub, client_event_id) is already recorded",
    "uq_idempotency_keys_owner_key": "this idempotency key is already used",
    "uq_blobs_sha256": "a blob with this sha256 is already stored",
}


def _sqlite_columns() -> dict[str, str]:
    """SQLite names the columns, not the constraint: 'orders.brand_pk, orders.reference'."""
    names: dict[str, str] = {}
    for table in Base.metadata.tables.values():
        for constraint in table.constraints:
            columns = getattr(constraint, "columns", None)
            if constraint.name and columns is not None:
                key = ", ".join(f"{table.name}.{c.name}" for c in columns)
                names[key] = str(constraint.name)
    return names


def constraint_of(error: IntegrityError) -> str | None:
    """The name of the unique constraint ``error`` hit, or None for another integrity error."""
    diag = getattr(error.orig, "diag", None)
    if diag is not None:  # psycopg
        sqlstate = getattr(error.orig, "sqlstate", None)
        return str(diag.constraint_name) if sqlstate == "23505" else None
    message = str(error.orig)
    prefix = "UNIQUE constraint failed: "
    if message.startswith(prefix):
        columns = message.removeprefix(prefix).strip()
        return _sqlite_columns().get(columns, columns)
    return None


# SQLITE_BUSY and SQLITE_LOCKED; extended codes (BUSY_SNAPSHOT, ...) keep them in the low byte.
_SQLITE_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
# PostgreSQL: lock_not_available (lock_timeout), serialization_failure, deadlock_detected.
_POSTGRES_BUSY_STATES = frozenset({"55P03", "40001", "40P01"})


def is_busy(error: BaseException) -> bool:
    """True when the database gave up waiting for a lock: retrying later will work."""
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in _SQLITE_BUSY_CODES
        return "database is locked" in str(error)
    return getattr(error, "sqlstate", None) in _POSTGRES_BUSY_STATES


def to_conflict(error: IntegrityError) -> Conflict | None:
    name = constraint_of(error)
    if name is None:
        return None
    return Conflict(_MEANING.get(name, f"duplicate value ({name})"))


@contextmanager
def translated() -> Iterator[None]:
    """Re-raise unique violations as Conflict and lost updates as StaleObject."""
    try:
        yield
    except IntegrityError as error:
        conflict = to_conflict(error)
        if conflict is None:
            raise
        raise conflict from error
    except StaleDataError as error:
        raise StaleObject("someone else changed this record meanwhile: read it again") from error
