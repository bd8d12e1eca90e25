"""The plan document: what ``doorstep plan`` writes and ``GET /v1/plans/{id}`` returns.

Declared once, here, so that the CLI's JSON, the stored plan and the API's OpenAPI
schema are the same shape. It is self-contained (every coordinate, and for each stop
what a courier needs at the door: address lines, recipient's first name, parcels), so a
stored plan can be drawn, exported or printed as a manifest without the problem it was
solved from. Times are timezone-aware ISO 8601.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class PlanParcel(_Part):
    """One parcel on a stop, as a courier's manifest lists it."""

    parcel_id: str
    reference: str = Field(description="The brand's order reference.")
    barcode: str | None = Field(description="The label's barcode; null when none printed yet.")
    recipient_first_name: str
    address_lines: list[str]
    postcode: str


class PlanHub(_Part):
    id: str
    lat: float
    lon: float


class PlanLoad(_Part):
    parcels: int
    weight_kg: float
    volume_litres: float


class PlanBreak(_Part):
    start: dt.datetime
    duration_s: int
    after_stop: str | None = Field(description="The stop before the break; null: at the hub.")


class PlanReload(_Part):
    """Back at the start hub between two trips, loading the next one."""

    after_stop: str = Field(description="The last stop of the trip before it.")
    arrival: dt.datetime
    departure: dt.datetime


class PlanStop(_Part):
    """A visit: one door, one or more parcels handed over."""

    sequence: int = Field(description="1 for the first stop of the route.")
    stop_id: str
    lat: float
    lon: float
    postcode: str
    address_lines: list[str] = Field(default=[], description="The first parcel's address.")
    recipient_first_name: str = Field(default="", description="The first parcel's recipient.")
    parcel_ids: list[str]
    parcels: list[PlanParcel] = Field(default=[], description="In handing-over order.")
    arrival: dt.datetime
    service_start: dt.datetime = Field(description="Later than arrival when waiting.")
    departure: dt.datetime


class PlanRoute(_Part):
    """One vehicle's day; ``load`` is everything it carries, over all its trips."""

    vehicle_id: str
    vehicle_type: str
    start_hub: str
    end_hub: str
    start: dt.datetime
    end: dt.datetime
    distance_m: int
    duration_s: int
    load: PlanLoad
    co2_kg: float
    cost: float
    break_: PlanBreak | None = Field(alias="break")
    reloads: list[PlanReload] = Field(
        default=[], description="Second and later trips: each return to the hub to load."
    )
    stops: list[PlanStop]


class PlanTotals(_Part):
    routes: int
    stops: int
    parcels: int
    distance_m: int
    duration_s: int
    co2_kg: float
    cost: float
    unassigned_stops: int


class PlanUnassigned(_Part):
    """A stop on no route, with the reason a dispatcher can act on."""

    stop_id: str
    parcel_ids: list[str]
    reason: str = Field(description="unroutable_address, window_unreachable, ... (planning.md)")
    detail: str | None = Field(
        default=None, description="More about the reason, e.g. the unknown postcode."
    )
    lat: float | None
    lon: float | None


class PlanDocument(_Part):
    date: dt.date
    departure: dt.datetime
    hubs: list[PlanHub]
    routes: list[PlanRoute]
    totals: PlanTotals
    unassigned: list[PlanUnassigned]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data, with ``break`` spelled as in the document."""
        return self.model_dump(mode="json", by_alias=True)
