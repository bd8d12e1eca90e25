"""Parcels and their append-only event history, hash-chained (see domain/chain.py).

A save writes the parcel's state columns and appends the events it does not have yet, in
the caller's transaction; the unit of work then writes the parcel's new outbox events at
commit. The version column guards every save: a parcel read before someone else's change
cannot overwrite it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from doorstep.domain import chain
from doorstep.domain.access import Principal
from doorstep.domain.events import SeenAggregates
from doorstep.domain.parcel import Dimensions, Parcel, ParcelAction, ParcelEvent, ParcelState
from doorstep.services.ports import StaleObject
from doorstep.store.base import IN_CHUNK, SqlRepository
from doorstep.store.crypto import FieldCipher
from doorstep.store.scoping import pk_of, scoped
from doorstep.store.tables import ParcelEventRow, ParcelRow, VehicleRow


def event_to_domain(parcel_id: str, row: ParcelEventRow) -> ParcelEvent:
    return ParcelEvent(
        parcel_id=parcel_id,
        sequence=row.sequence,
        action=ParcelAction(row.action),
        from_state=ParcelState(row.from_state),
        to_state=ParcelState(row.to_state),
        actor=row.actor,
        at=row.at,
        place=row.place,
        reason_code=row.reason_code,
        details={str(k): str(v) for k, v in row.details.items()},
    )


def event_to_row(event: ParcelEvent, prev_hash: str) -> ParcelEventRow:
    """The row of ``event`` appended after the event whose hash is ``prev_hash``."""
    return ParcelEventRow(
        sequence=event.sequence,
        action=event.action.value,
        from_state=event.from_state.value,
        to_state=event.to_state.value,
        actor=event.actor,
        at=event.at,
        place=event.place,
        reason_code=event.reason_code,
        details=dict(event.details),
        prev_hash=prev_hash,
        hash=chain.event_hash(event, prev_hash),
    )


def chain_of(row: ParcelRow) -> chain.ParcelChain:
    """The parcel's history as stored, hashes included, without reading it into the model
    (a tampered value, such as an action that does not exist, must be reported, not fail)."""
    return chain.ParcelChain(
        parcel_id=row.public_id,
        barcode=row.barcode,
        state=row.state,
        links=tuple(
            chain.StoredLink(
                record=chain.EventRecord(
                    parcel_id=row.public_id,
                    sequence=event.sequence,
                    action=event.action,
                    from_state=event.from_state,
                    to_state=event.to_state,
                    actor=event.actor,
                    at=event.at,
                    place=event.place,
                    reason_code=event.reason_code,
                    details=dict(event.details or {}),
                ),
                prev_hash=event.prev_hash,
                hash=event.hash,
            )
            for event in row.events
        ),
    )


def parcel_to_domain(row: ParcelRow) -> Parcel:
    dimensions = None
    if row.length_cm is not None and row.width_cm is not None and row.height_cm is not None:
        dimensions = Dimensions(row.length_cm, row.width_cm, row.height_cm)
    return Parcel(
        id=row.public_id,
        order_id=row.order.public_id,
        brand_id=row.order.brand.public_id,
        barcode=row.barcode,
        weight_kg=row.weight_kg,
        dimensions=dimensions,
        state=ParcelState(row.state),
        bay=row.bay,
        vehicle_id=row.vehicle.public_id if row.vehicle else None,
        attempts=row.attempts,
        events=[event_to_domain(row.public_id, event) for event in row.events],
        version=row.version,
    )


def parcel_columns(parcel: Parcel) -> dict[str, Any]:
    """The parcel's own columns (not its keys, vehicle or events), by attribute name."""
    dims = parcel.dimensions
    return {
        "barcode": parcel.barcode,
        "weight_kg": parcel.weight_kg,
        "length_cm": dims.length_cm if dims else None,
        "width_cm": dims.width_cm if dims else None,
        "height_cm": dims.height_cm if dims else None,
        "state": parcel.state.value,
        "bay": parcel.bay,
        "attempts": parcel.attempts,
    }


def _on_vehicle(row: ParcelRow, vehicle_id: str) -> bool:
    """Whether ``row`` already names ``vehicle_id``, known without a query (the loaded
    vehicle counts only while it still matches the row's key). Vehicles are open to every
    principal, so skipping the look-up hides no refusal."""
    vehicle = row.vehicle
    return vehicle is not None and vehicle.pk == row.vehicle_pk and vehicle.public_id == vehicle_id


def write_parcel(session: Session, principal: Principal, row: ParcelRow, parcel: Parcel) -> None:
    """Copy the parcel's state onto ``row`` and append the history it does not have yet,
    each new event chained to the one before it. Every insert of parcel events (a new
    order's parcels, a saved parcel) comes through here."""
    for name, value in parcel_columns(parcel).items():
        setattr(row, name, value)
    if parcel.vehicle_id is None:
        row.vehicle_pk = None
    elif not _on_vehicle(row, parcel.vehicle_id):
        row.vehicle_pk = pk_of(session, principal, VehicleRow, parcel.vehicle_id, "vehicle_id")
    stored = max((event.sequence for event in row.events), default=0)
    prev_hash = row.events[-1].hash if row.events else chain.GENESIS
    for event in parcel.events:
        if event.sequence > stored:
            appended = event_to_row(event, prev_hash)
            row.events.append(appended)
            prev_hash = appended.hash


class SqlParcelRepository(SqlRepository):
    def __init__(
        self, session: Session, principal: Principal, cipher: FieldCipher, *, seen: SeenAggregates
    ) -> None:
        super().__init__(session, principal, cipher)
        self.seen = seen
        self._read: dict[str, ParcelRow] = {}  # rows read in this unit of work, by parcel id

    def get(self, parcel_id: str) -> Parcel | None:
        return self._read_one(ParcelRow.public_id == parcel_id)

    def get_by_barcode(self, barcode: str) -> Parcel | None:
        return self._read_one(ParcelRow.barcode == barcode)

    def get_many(self, parcel_ids: Sequence[str]) -> dict[str, Parcel]:
        found: dict[str, Parcel] = {}
        wanted = list(dict.fromkeys(parcel_ids))
        for first in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[first : first + IN_CHUNK]
            query = scoped(self.principal, ParcelRow).where(ParcelRow.public_id.in_(chunk))
            for row in self.session.scalars(query):
                self._read[row.public_id] = row
                found[row.public_id] = parcel_to_domain(row)
        return found

    def _read_one(self, condition: ColumnElement[bool]) -> Parcel | None:
        row = self._row(condition)
        if row is None:
            return None
        self._read[row.public_id] = row
        return parcel_to_domain(row)

    def _remembered(self, parcel_id: str) -> ParcelRow | None:
        """The row a get read, while this session still holds it: the same row a second
        query would return from the session's identity map, without the query."""
        row = self._read.get(parcel_id)
        return row if row is not None and row in self.session else None

    def save(self, parcel: Parcel) -> None:
        row = self._remembered(parcel.id) or self._row(ParcelRow.public_id == parcel.id)
        if row is None:
            raise StaleObject(f"parcel {parcel.id} no longer exists")
        if row.version != parcel.version:
            raise StaleObject(
                f"parcel {parcel.barcode} changed since it was read "
                f"(version {parcel.version}, now {row.version}): read it again"
            )
        with self.savepoint():
            write_parcel(self.session, self.principal, row, parcel)
            row.version = parcel.version + 1
        parcel.version = row.version
        self.seen.add(parcel)

    def _row(self, condition: ColumnElement[bool]) -> ParcelRow | None:
        return self.session.scalar(scoped(self.principal, ParcelRow).where(condition))
