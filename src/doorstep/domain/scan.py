"""Hub scans: what a hub worker's scanner reports, and what became of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from doorstep.domain.parcel import ParcelAction


class ScanKind(StrEnum):
    RECEIVE = "receive"
    SORT = "sort"
    LOAD = "load"
    UNLOAD = "unload"

    @property
    def action(self) -> ParcelAction:
        return ParcelAction(self.value)


class ScanOutcome(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"  # the state machine said no; the parcel is unchanged
    UNKNOWN_BARCODE = "unknown_barcode"  # recorded as an exception for a person to resolve


@dataclass(frozen=True, slots=True)
class ScanTarget:
    bay: str | None = None
    route_id: str | None = None
    vehicle_id: str | None = None


@dataclass(frozen=True, slots=True)
class HubScan:
    """One scan as stored: idempotent by (hub_id, client_event_id)."""

    id: str
    hub_id: str
    client_event_id: str
    barcode: str
    kind: ScanKind
    target: ScanTarget
    scanned_at: datetime
    recorded_at: datetime
    actor: str
    outcome: ScanOutcome
    message: str
    parcel_id: str | None = None
    parcel_state: str | None = None
