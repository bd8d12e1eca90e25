"""Recorded history to tamper with: a delivered order, and SQL that edits it behind
Doorstep's back, as someone with database access could. Shared by the store, CLI and HTTP
tests of ``verify``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, text

from doorstep.domain.access import Principal
from doorstep.domain.model import Order
from doorstep.services.ports import BlobStore, BlobVariant, UnitOfWork
from tests import factories

SYSTEM = Principal.system("tests")
SIGNATURE = hashlib.sha256(b"signature").hexdigest()
PHOTO = hashlib.sha256(b"photo").hexdigest()
_PARCEL = "(SELECT pk FROM parcels WHERE public_id = :parcel_id)"


def keep_proof_files(store: BlobStore) -> None:
    """Put the delivery's signature and photo in ``store``, as the courier's upload would."""
    for data in (b"signature", b"photo"):
        store.put(hashlib.sha256(data).hexdigest(), BlobVariant.ORIGINAL, data, "image/png")


def delivered_order(uow_factory: Callable[[Principal], UnitOfWork], brand_id: str) -> Order:
    """A committed order of ``brand_id`` whose first parcel was delivered with proof files
    (its history saved in two steps, so the chain spans two saves); a new vehicle is made.
    The files themselves are kept only where :func:`keep_proof_files` puts them."""
    vehicle = factories.vehicle()
    order = factories.order(brand_id=brand_id, parcels=2)
    with uow_factory(SYSTEM) as uow:
        uow.vehicles.add(vehicle)
        uow.orders.add(order)
        uow.commit()
    with uow_factory(SYSTEM) as uow:
        stored = uow.orders.get(order.id)
        assert stored is not None
        factories.deliver(
            stored.parcels[0], vehicle_id=vehicle.id, signature=SIGNATURE, photos=(PHOTO,)
        )
        uow.orders.save(stored)
        uow.commit()
    return stored


def update_event(engine: Engine, parcel_id: str, sequence: int, /, **columns: Any) -> None:
    """``UPDATE parcel_events SET ...`` on one event, values bound as given."""
    assignments = ", ".join(f"{name} = :new_{name}" for name in columns)
    with engine.begin() as connection:
        changed = connection.execute(
            text(
                f"UPDATE parcel_events SET {assignments} "
                f"WHERE parcel_pk = {_PARCEL} AND sequence = :sequence"
            ),
            {
                **{f"new_{name}": value for name, value in columns.items()},
                "parcel_id": parcel_id,
                "sequence": sequence,
            },
        )
        assert changed.rowcount == 1


def delete_event(engine: Engine, parcel_id: str, sequence: int) -> None:
    with engine.begin() as connection:
        deleted = connection.execute(
            text(f"DELETE FROM parcel_events WHERE parcel_pk = {_PARCEL} AND sequence = :sequence"),
            {"parcel_id": parcel_id, "sequence": sequence},
        )
        assert deleted.rowcount == 1
