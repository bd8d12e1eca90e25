"""Orders and parcels as the API accepts and returns them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints

from doorstep.api.schemas.common import Moment, Public, Strict, Token
from doorstep.domain import order_rules as rules
from doorstep.domain.model import AddressType, Priority, ServiceLevel
from doorstep.domain.parcel import ParcelState

# Every rule is checked by ``domain.order_rules``, the same functions the CSV import calls;
# the JSON Schema keywords given with them only describe those rules in the OpenAPI document.


def _described(**keywords: Any) -> Any:
    return Field(json_schema_extra=keywords)


Reference = Annotated[
    str,
    AfterValidator(rules.reference),
    _described(maxLength=rules.MAX_REFERENCE, pattern=r"^[A-Za-z0-9#][A-Za-z0-9_.:/#\-]*$"),
]
Name = Annotated[str, AfterValidator(rules.recipient_name), _described(maxLength=rules.MAX_NAME)]
AddressLine = Annotated[
    str, AfterValidator(rules.address_line), _described(maxLength=rules.MAX_ADDRESS_LINE)
]
City = Annotated[str, AfterValidator(rules.city), _described(maxLength=rules.MAX_CITY)]
AccessNotes = Annotated[
    str, AfterValidator(rules.access_notes), _described(maxLength=rules.MAX_ACCESS_NOTES)
]
AccessCode = Annotated[
    str, AfterValidator(rules.access_code), _described(pattern=r"^[A-Za-z0-9#*]{1,20}$")
]
Postcode = Annotated[str, AfterValidator(rules.postcode), _described(examples=["NW1 9LL"])]
Email = Annotated[
    str, AfterValidator(rules.email), _described(maxLength=rules.MAX_EMAIL, format="email")
]
Phone = Annotated[str, AfterValidator(rules.phone), _described(examples=["+44 7700 900123"])]
DeliveryPin = Annotated[
    str,
    AfterValidator(rules.delivery_pin),
    _described(
        pattern=r"^[0-9]{4,8}$",
        writeOnly=True,
        description="The recipient's code, asked for at the door; stored only as a hash.",
    ),
]
MinimumAge = Annotated[
    int,
    AfterValidator(rules.minimum_age),
    _described(
        minimum=rules.MIN_AGE,
        maximum=rules.MAX_AGE,
        description="Years; the courier checks ID and hands over in person only.",
    ),
]
SafePlace = Annotated[
    str,
    AfterValidator(rules.safe_place),
    _described(maxLength=rules.MAX_SAFE_PLACE, examples=["behind the bins"]),
]
HubId = Annotated[
    str, AfterValidator(rules.hub_id), _described(pattern=r"^hub_[0-9a-hjkmnp-tv-z]{16}$")
]
Latitude = Annotated[float, AfterValidator(rules.latitude), _described(minimum=-90, maximum=90)]
Longitude = Annotated[float, AfterValidator(rules.longitude), _described(minimum=-180, maximum=180)]
Weight = Annotated[
    float,
    AfterValidator(rules.weight_kg),
    _described(exclusiveMinimum=0, maximum=rules.MAX_WEIGHT_KG, description="kilograms"),
]
Side = Annotated[
    float,
    AfterValidator(rules.side_cm),
    _described(exclusiveMinimum=0, maximum=rules.MAX_SIDE_CM, description="centimetres"),
]


class RecipientIn(Strict):
    name: Name
    phone: Phone | None = None
    email: Email | None = None


class AddressIn(Strict):
    """The address; lat and lon go together (checked with the command, as in the CSV)."""

    lines: list[AddressLine] = Field(min_length=1, max_length=rules.MAX_ADDRESS_LINES)
    postcode: Postcode
    city: City = "London"
    lat: Latitude | None = None
    lon: Longitude | None = None
    address_type: AddressType = AddressType.HOUSE
    access_notes: AccessNotes | None = None
    access_code: AccessCode | None = None


class WindowIn(Strict):
    """The delivery promise: give both ends (checked with the command, as in the CSV)."""

    start: Moment | None = None
    end: Moment | None = None


class ParcelIn(Strict):
    """One parcel; the three sides go together (checked with the command)."""

    weight_kg: Weight
    length_cm: Side | None = None
    width_cm: Side | None = None
    height_cm: Side | None = None


def _parcel_count(parcels: list[ParcelIn]) -> list[ParcelIn]:
    rules.parcel_count(len(parcels))
    return parcels


Parcels = Annotated[
    list[ParcelIn],
    AfterValidator(_parcel_count),
    _described(minItems=1, maxItems=rules.MAX_PARCELS_PER_ORDER),
]


class OrderCreate(Strict):
    reference: Reference
    brand_id: Token | None = None
    recipient: RecipientIn
    address: AddressIn
    service_level: ServiceLevel = ServiceLevel.NEXT_DAY
    window: WindowIn | None = None
    closed: WindowIn | None = Field(
        default=None,
        description="A period inside the window when nobody can receive it (a shop shut "
        "for lunch): the promise is the window less this period. Needs a window.",
    )
    priority: Priority = Priority.NORMAL
    hub_id: HubId | None = None
    parcels: Parcels
    delivery_pin: DeliveryPin | None = Field(default=None, repr=False)
    minimum_age: MinimumAge | None = None
    safe_place: SafePlace | None = None


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
    closed: WindowPublic | None = Field(
        description="Inside the window, when nobody can receive it (the window less this "
        "is the promise)."
    )
    priority: Priority
    hub_id: str | None
    parcels: list[ParcelPublic]
    pin_required: bool = Field(description="The courier must be given the recipient's PIN.")
    minimum_age: int | None
    safe_place: str | None


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
