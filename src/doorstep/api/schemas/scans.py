"""Hub scans as scanners send them and as the API answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import StringConstraints

from doorstep.api.schemas.common import Moment, Public, Strict, Token
from doorstep.domain.scan import ScanKind, ScanOutcome

# Anything a scanner can read: our DS barcodes and other carriers' labels alike.
Barcode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")]
Bay = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]{1,20}$")]


class ScanTargetIn(Strict):
    bay: Bay | None = None
    route_id: Token | None = None
    vehicle_id: Token | None = None


class ScanCreate(Strict):
    client_event_id: Token
    barcode: Barcode
    kind: ScanKind
    target: ScanTargetIn | None = None
    scanned_at: Moment


class ScanTargetPublic(Public):
    bay: str | None
    route_id: str | None
    vehicle_id: str | None


class ScanPublic(Public):
    id: str
    hub_id: str
    client_event_id: str
    barcode: str
    kind: ScanKind
    target: ScanTargetPublic
    outcome: ScanOutcome
    message: str
    parcel_id: str | None
    parcel_state: str | None
    scanned_at: datetime
    recorded_at: datetime
    # The hub follows the route: set when the parcel rides on a dispatched route not yet
    # finished. Load position 1 goes in first (the last stop's parcels).
    route_id: str | None = None
    vehicle_id: str | None = None
    vehicle_name: str | None = None
    load_position: int | None = None
    load_count: int | None = None
