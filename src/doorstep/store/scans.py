"""Hub scans, idempotent by (hub, client_event_id), and the hub's exception list."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.domain.events import SeenAggregates
from doorstep.domain.scan import HubScan, ScanKind, ScanOutcome, ScanTarget
from doorstep.store.base import SqlRepository
from doorstep.store.crypto import FieldCipher
from doorstep.store.scoping import pk_of, scoped
from doorstep.store.tables import HubRow, HubScanRow, ParcelRow


def _scan(row: HubScanRow) -> HubScan:
    return HubScan(
        id=row.public_id,
        hub_id=row.hub.public_id,
        client_event_id=row.client_event_id,
        barcode=row.barcode,
        kind=ScanKind(row.kind),
        target=ScanTarget(
            bay=row.target_bay, route_id=row.target_route_id, vehicle_id=row.target_vehicle_id
        ),
        scanned_at=row.scanned_at,
        recorded_at=row.recorded_at,
        actor=row.actor,
        outcome=ScanOutcome(row.outcome),
        message=row.message,
        parcel_id=row.parcel.public_id if row.parcel else None,
        parcel_state=row.parcel_state,
    )


class SqlScanRepository(SqlRepository):
    """Scans carry the scanned parcel's brand, so a brand sees the scans of its parcels only."""

    def __init__(
        self, session: Session, principal: Principal, cipher: FieldCipher, *, seen: SeenAggregates
    ) -> None:
        super().__init__(session, principal, cipher)
        self.seen = seen

    def get(self, hub_id: str, client_event_id: str) -> HubScan | None:
        query = (
            scoped(self.principal, HubScanRow)
            .join(HubRow, HubScanRow.hub_pk == HubRow.pk)
            .where(HubRow.public_id == hub_id, HubScanRow.client_event_id == client_event_id)
        )
        row = self.session.scalar(query)
        return None if row is None else _scan(row)

    def add(self, scan: HubScan) -> None:
        with self.savepoint():
            hub_pk = pk_of(self.session, self.principal, HubRow, scan.hub_id, "hub_id")
            parcel_pk = brand_pk = None
            if scan.parcel_id is not None:
                found = self.session.execute(
                    select(ParcelRow.pk, ParcelRow.brand_pk).where(
                        ParcelRow.public_id == scan.parcel_id
                    )
                ).first()
                if found is None:
                    raise InvalidValue("parcel_id", f"no such parcel: {scan.parcel_id}")
                parcel_pk, brand_pk = found
            self.session.add(
                HubScanRow(
                    public_id=scan.id,
                    hub_pk=hub_pk,
                    client_event_id=scan.client_event_id,
                    barcode=scan.barcode,
                    kind=scan.kind.value,
                    target_bay=scan.target.bay,
                    target_route_id=scan.target.route_id,
                    target_vehicle_id=scan.target.vehicle_id,
                    scanned_at=scan.scanned_at,
                    recorded_at=scan.recorded_at,
                    actor=scan.actor,
                    outcome=scan.outcome.value,
                    message=scan.message,
                    parcel_pk=parcel_pk,
                    parcel_state=scan.parcel_state,
                    brand_pk=brand_pk,
                )
            )
        self.seen.add(scan)

    def list_exceptions(self, hub_id: str, limit: int = 100) -> list[HubScan]:
        """Scans a person must look at (refused, unknown barcode), newest first."""
        query = (
            scoped(self.principal, HubScanRow)
            .join(HubRow, HubScanRow.hub_pk == HubRow.pk)
            .where(HubRow.public_id == hub_id, HubScanRow.outcome != ScanOutcome.ACCEPTED.value)
            .order_by(HubScanRow.recorded_at.desc(), HubScanRow.pk.desc())
            .limit(limit)
        )
        return [_scan(row) for row in self.session.scalars(query)]
