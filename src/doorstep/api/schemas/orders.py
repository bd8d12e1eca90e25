"""Orders and parcels as the API accepts and returns them."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    Field,
    StringConstraints,
    model_validator,
)

from doorstep.api.schemas.common import (
    Latitude,
    Longitude,
    LongText,
    Moment,
    Public,
    Strict,
    Text,
    Token,
)
from doorstep.domain.model import AddressType, Priority, ServiceLevel
from doorstep.domain.parcel import ParcelState

# Outward code (area, district) and inward code (sector, unit), e.g. "WC2A 3HP", "E1 6AN".
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][ABD-HJLNP-UW-Z]{2})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_WEIGHT_KG = 70.0  # what one courier may carry alone (manual handling guidance)
MAX_SIDE_CM = 300.0


def _postcode(value: str) -> str:
    compact = value.replace(" ", "").upper()
    match = _POSTCODE.match(compact)
    if match is None:
        raise ValueError("not a UK postcode")
    return f"{match.group(1)} {match.group(2)}"


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError("not an e-mail address")
    return value.lower()


Postcode = Annotated[str, StringConstraints(max_length=10), AfterValidator(_postcode)]
Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 ()\-]{5,19}$")]
Reference = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:/#\-]{1,64}$")]
Weight = Annotated[float, Field(gt=0, le=MAX_WEIGHT_KG, description="kilograms")]
Side = Annotated[float, Field(gt=0, le=MAX_SIDE_CM, description="centimetres")]


class RecipientIn(Strict):
    name: Text
    phone: Phone | None = None
    email: Email | None = None


class AddressIn(Strict):
    lines: list[Text] = Field(min_length=1, max_length=4)
    postcode: Postcode
    city: Text = "London"
    lat: Latitude | None = None
    lon: Longitude | None = None
    address_type: AddressType = AddressType.HOUSE
    access_notes: LongText | None = None
    access_code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9#*]{1,20}$")] | None = None

    @model_validator(mode="after")
    def _both_coordinates(self) -> Self:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        return self


class WindowIn(Strict):
    start: Moment
    end: Moment

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class ParcelIn(Strict):
    weight_kg: Weight
    length_cm: Side | None = None
    width_cm: Side | None = None
    height_cm: Side | None = None

    @model_validator(mode="after")
    def _all_dimensions_or_none(self) -> Self:
        given = [self.length_cm, self.width_cm, self.height_cm]
        if any(side is not None for side in given) and any(side is None for side in given):
            raise ValueError("give length_cm, width_cm and height_cm together, or none")
        return self


class OrderCreate(Strict):
    reference: Reference
    brand_id: Token | None = None
    recipient: RecipientIn
    address: AddressIn
    service_level: ServiceLevel = ServiceLevel.NEXT_DAY
    window: WindowIn | None = None
    priority: Priority = Priority.NORMAL
    hub_id: Token | None = None
    parcels: list[ParcelIn] = Field(min_length=1, max_length=50)


class RecipientPublic(Public):
    name: str
    phone: str | None
    email: str | None


class AddressPublic(Public):
    """The address without its access code, which only the courier's app reveals."""

    lines: list[str]
    postcode: str
    city: str
    lat: float | None
    lon: float | None
    address_type: AddressType
    access_notes: str | None


class WindowPublic(Public):
    start: datetime
    end: datetime


class ParcelPublic(Public):
    id: str
    order_id: str
    barcode: str
    state: ParcelState
    weight_kg: float
    length_cm: float | None
    width_cm: float | None
    height_cm: float | None
    bay: str | None
    vehicle_id: str | None
    attempts: int
    label_url: str


class OrderPublic(Public):
    id: str
    reference: str
    brand_id: str
    status: str
    tracking_url: str
    created_at: datetime
    recipient: RecipientPublic
    address: AddressPublic
    service_level: ServiceLevel
    window: WindowPublic | None
    priority: Priority
    hub_id: str | None
    parcels: list[ParcelPublic]


class ParcelEventPublic(Public):
    sequence: int
    action: str
    from_state: ParcelState
    to_state: ParcelState
    at: datetime
    actor: str
    place: str | None
    reason_code: str | None
    details: dict[str, str]


class BatchCreate(Strict):
    orders: list[dict[str, object]] = Field(min_length=1, max_length=1000)


class FieldErrorPublic(Public):
    field: str
    reason: str


class BatchResult(Public):
    index: int
    status: int
    order: OrderPublic | None = None
    detail: str | None = None
    errors: list[FieldErrorPublic] | None = None


class BatchPublic(Public):
    created: int
    failed: int
    results: list[BatchResult]


class CancelRequest(Strict):
    reason_code: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")] | None = None
