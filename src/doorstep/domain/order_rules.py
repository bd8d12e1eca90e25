"""The rules an order meets, whichever door it comes through (JSON API, CSV import, CLI).

Each rule is written once here; the API schema and the CSV reader both call it, so an
order valid through one door is valid through the other, and a refusal has the same
reason. A refusal is a :class:`RuleBroken` naming an :class:`OrderField`, the rule's
identity; :data:`PLACES` says where that field sits in each door (the JSON path of
``POST /v1/orders`` and the column of the order CSV), so both doors name the same thing.

The limits are those of a London van delivery operation (see ``docs/api.md``):
- 70 kg per parcel: the most two people carry to a door; heavier goods go on pallets,
  which is freight, not parcel delivery.
- 300 cm per side: what fits lengthways in a long-wheelbase van (rugs, curtain poles).
- 99 parcels per order: one delivery to one door; more is a pallet or a second order.

Proof asked of the delivery: a ``delivery_pin`` (the recipient's code, 4 to 8 digits, kept
only as its hash), a ``minimum_age`` (1 to 99, checked on ID at the door) and the
recipient's ``safe_place`` (where they would like it left; a preference, not a method).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from doorstep.domain import ids
from doorstep.domain.errors import InvalidValue
from doorstep.domain.postcodes import NotAPostcode, normalise_postcode
from doorstep.domain.proof import check_pin_format
from doorstep.domain.text import check_text

if TYPE_CHECKING:  # the model imports this module's limits
    from doorstep.domain.model import TimeWindow

MAX_WEIGHT_KG: Final = 70.0
MAX_SIDE_CM: Final = 300.0
MAX_PARCELS_PER_ORDER: Final = 99
MAX_ADDRESS_LINES: Final = 3
MAX_REFERENCE: Final = 64
MAX_NAME: Final = 200
MAX_ADDRESS_LINE: Final = 200
MAX_CITY: Final = 100
MAX_ACCESS_NOTES: Final = 500
MAX_EMAIL: Final = 254
MAX_SAFE_PLACE: Final = 200
MIN_AGE: Final = 1  # an age check below 1 or above 99 is a typing mistake
MAX_AGE: Final = 99

_REFERENCE: Final = re.compile(r"[A-Za-z0-9#][A-Za-z0-9_.:/#\-]*")
_ACCESS_CODE: Final = re.compile(r"[A-Za-z0-9#*]{1,20}")
_PHONE: Final = re.compile(r"\+?\d{7,15}")
_PHONE_PUNCTUATION: Final = re.compile(r"[\s().-]")
_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


class OrderField(StrEnum):
    """The identity of each checked field of an order (its CSV column name)."""

    REFERENCE = "reference"
    RECIPIENT_NAME = "recipient_name"
    RECIPIENT_PHONE = "recipient_phone"
    RECIPIENT_EMAIL = "recipient_email"
    ADDRESS_LINE1 = "address_line1"
    ADDRESS_LINE2 = "address_line2"
    ADDRESS_LINE3 = "address_line3"
    CITY = "city"
    POSTCODE = "postcode"
    LAT = "lat"
    LON = "lon"
    ACCESS_NOTES = "access_notes"
    ACCESS_CODE = "access_code"
    WINDOW_START = "window_start"
    WINDOW_END = "window_end"
    CLOSED_START = "closed_start"
    CLOSED_END = "closed_end"
    HUB_ID = "hub_id"
    PARCEL_COUNT = "parcel_count"
    WEIGHT_KG = "weight_kg"
    LENGTH_CM = "length_cm"
    WIDTH_CM = "width_cm"
    HEIGHT_CM = "height_cm"
    DELIVERY_PIN = "delivery_pin"
    MINIMUM_AGE = "minimum_age"
    SAFE_PLACE = "safe_place"


@dataclass(frozen=True, slots=True)
class Place:
    """Where a field sits in each door; ``[]`` in ``api`` stands for a parcel's index."""

    api: str
    csv: str


PLACES: Final[dict[OrderField, Place]] = {
    OrderField.REFERENCE: Place("reference", "reference"),
    OrderField.RECIPIENT_NAME: Place("recipient.name", "recipient_name"),
    OrderField.RECIPIENT_PHONE: Place("recipient.phone", "recipient_phone"),
    OrderField.RECIPIENT_EMAIL: Place("recipient.email", "recipient_email"),
    OrderField.ADDRESS_LINE1: Place("address.lines[0]", "address_line1"),
    OrderField.ADDRESS_LINE2: Place("address.lines[1]", "address_line2"),
    OrderField.ADDRESS_LINE3: Place("address.lines[2]", "address_line3"),
    OrderField.CITY: Place("address.city", "city"),
    OrderField.POSTCODE: Place("address.postcode", "postcode"),
    OrderField.LAT: Place("address.lat", "lat"),
    OrderField.LON: Place("address.lon", "lon"),
    OrderField.ACCESS_NOTES: Place("address.access_notes", "access_notes"),
    OrderField.ACCESS_CODE: Place("address.access_code", "access_code"),
    OrderField.WINDOW_START: Place("window.start", "window_start"),
    OrderField.WINDOW_END: Place("window.end", "window_end"),
    OrderField.CLOSED_START: Place("closed.start", "closed_start"),
    OrderField.CLOSED_END: Place("closed.end", "closed_end"),
    OrderField.HUB_ID: Place("hub_id", "hub_id"),
    OrderField.PARCEL_COUNT: Place("parcels", "parcel_count"),
    OrderField.WEIGHT_KG: Place("parcels[].weight_kg", "weight_kg"),
    OrderField.LENGTH_CM: Place("parcels[].length_cm", "length_cm"),
    OrderField.WIDTH_CM: Place("parcels[].width_cm", "width_cm"),
    OrderField.HEIGHT_CM: Place("parcels[].height_cm", "height_cm"),
    OrderField.DELIVERY_PIN: Place("delivery_pin", "delivery_pin"),
    OrderField.MINIMUM_AGE: Place("minimum_age", "minimum_age"),
    OrderField.SAFE_PLACE: Place("safe_place", "safe_place"),
}
_BY_API_PATH: Final = {place.api: field for field, place in PLACES.items()}
ADDRESS_LINES: Final = (
    OrderField.ADDRESS_LINE1,
    OrderField.ADDRESS_LINE2,
    OrderField.ADDRESS_LINE3,
)
SIDES: Final = (OrderField.LENGTH_CM, OrderField.WIDTH_CM, OrderField.HEIGHT_CM)


class RuleBroken(ValueError):
    """A value an order may not have; ``reason`` completes the sentence "<field> ..."."""

    def __init__(self, field: OrderField, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason

    def api_path(self, parcel: int = 0) -> str:
        return PLACES[self.field].api.replace("[]", f"[{parcel}]")

    @property
    def column(self) -> str:
        return PLACES[self.field].csv


def field_at(api_path: str) -> OrderField | None:
    """The field an API error path names (``parcels[3].weight_kg``), if it is an order's."""
    return _BY_API_PATH.get(re.sub(r"^parcels\[\d+\]", "parcels[]", api_path))


def _text(field: OrderField, value: str, max_length: int, line_breaks: bool = False) -> str:
    try:
        return check_text(value, max_length=max_length, line_breaks=line_breaks)
    except ValueError as error:
        raise RuleBroken(field, str(error)) from None


def _shown(value: str) -> str:
    """A value quoted in a reason, cut short so a huge input gives a short message."""
    return repr(value if len(value) <= 40 else value[:40] + "...")


def reference(value: str) -> str:
    text = _text(OrderField.REFERENCE, value, MAX_REFERENCE)
    if not _REFERENCE.fullmatch(text):
        reason = (
            f"{_shown(text)} is not a reference: letters, digits and _ . : / # - "
            "starting with a letter, digit or #"
        )
        raise RuleBroken(OrderField.REFERENCE, reason)
    return text


def recipient_name(value: str) -> str:
    return _text(OrderField.RECIPIENT_NAME, value, MAX_NAME)


def address_line(value: str, field: OrderField = OrderField.ADDRESS_LINE1) -> str:
    return _text(field, value, MAX_ADDRESS_LINE)


def city(value: str) -> str:
    return _text(OrderField.CITY, value, MAX_CITY)


def access_notes(value: str) -> str:
    """Delivery notes may span lines ("Ring twice\\nParcel box round the back")."""
    return _text(OrderField.ACCESS_NOTES, value, MAX_ACCESS_NOTES, line_breaks=True)


def access_code(value: str) -> str:
    text = _text(OrderField.ACCESS_CODE, value, 20)
    if not _ACCESS_CODE.fullmatch(text):
        reason = "is not a door code: 1 to 20 letters, digits, # or *"
        raise RuleBroken(OrderField.ACCESS_CODE, reason)
    return text


def phone(value: str) -> str:
    """Normal form: digits with an optional leading ``+`` (spaces and brackets dropped)."""
    text = _text(OrderField.RECIPIENT_PHONE, value, 32)
    compact = _PHONE_PUNCTUATION.sub("", text)
    if not _PHONE.fullmatch(compact):
        reason = f"{_shown(text)} is not a phone number (7 to 15 digits, + allowed)"
        raise RuleBroken(OrderField.RECIPIENT_PHONE, reason)
    return compact


def email(value: str) -> str:
    """Normal form: lower case, so ``Ada@Example.com`` and ``ada@example.com`` are one."""
    text = _text(OrderField.RECIPIENT_EMAIL, value, MAX_EMAIL)
    if not _EMAIL.fullmatch(text):
        raise RuleBroken(OrderField.RECIPIENT_EMAIL, f"{_shown(text)} is not an email address")
    return text.lower()


def postcode(value: str) -> str:
    """Normal form: upper case with one space before the inward code (``NW1 9LL``)."""
    text = _text(OrderField.POSTCODE, value, 16)
    try:
        return normalise_postcode(text)
    except NotAPostcode as error:
        raise RuleBroken(OrderField.POSTCODE, error.reason) from None


def hub_id(value: str) -> str:
    if not ids.has_prefix(value, "hub"):
        reason = f"{_shown(value)} is not a hub id (hub_ followed by 16 letters and digits)"
        raise RuleBroken(OrderField.HUB_ID, reason)
    return value


def latitude(value: float) -> float:
    return _between(OrderField.LAT, value, -90.0, 90.0)


def longitude(value: float) -> float:
    return _between(OrderField.LON, value, -180.0, 180.0)


def _between(field: OrderField, value: float, low: float, high: float) -> float:
    if not low <= value <= high:
        raise RuleBroken(field, f"must be between {low:g} and {high:g}, not {value:g}")
    return value


def weight_kg(value: float) -> float:
    return _positive_at_most(OrderField.WEIGHT_KG, value, MAX_WEIGHT_KG, "kg")


def side_cm(value: float, field: OrderField = OrderField.LENGTH_CM) -> float:
    return _positive_at_most(field, value, MAX_SIDE_CM, "cm")


def _positive_at_most(field: OrderField, value: float, limit: float, unit: str) -> float:
    if not value > 0:
        raise RuleBroken(field, f"must be greater than 0 {unit}, not {value:g}")
    if value > limit:
        raise RuleBroken(field, f"must be at most {limit:g} {unit}, not {value:g}")
    return value


def parcel_count(count: int) -> int:
    if not 1 <= count <= MAX_PARCELS_PER_ORDER:
        reason = f"an order has 1 to {MAX_PARCELS_PER_ORDER} parcels, not {count}"
        raise RuleBroken(OrderField.PARCEL_COUNT, reason)
    return count


def delivery_pin(value: str) -> str:
    """The recipient's code, digits only; the courier asks for it at the door. Never
    quoted back in a reason: it is a secret the moment it is given."""
    try:
        return check_pin_format(value)
    except InvalidValue as error:
        raise RuleBroken(OrderField.DELIVERY_PIN, error.reason) from None


def minimum_age(value: int) -> int:
    if not MIN_AGE <= value <= MAX_AGE:
        raise RuleBroken(OrderField.MINIMUM_AGE, f"must be between {MIN_AGE} and {MAX_AGE}")
    return value


def safe_place(value: str) -> str:
    """Where the recipient would like the parcel left when out ("behind the bins")."""
    return _text(OrderField.SAFE_PLACE, value, MAX_SAFE_PLACE)


def window(start: datetime, end: datetime) -> None:
    """A delivery window ends after it starts (both moments carry a timezone)."""
    if end <= start:
        reason = f"{end.isoformat(' ', 'minutes')} is not after the window start"
        raise RuleBroken(OrderField.WINDOW_END, reason)


def closed(window: TimeWindow | None, start: datetime, end: datetime) -> None:
    """A closed period (a shop shut for lunch) lies inside the delivery window and leaves
    time open on both sides of it: the window less the period is the promise, two windows.
    Two slots (08:00-10:00 and 18:00-20:00) are the window 08:00-20:00 closed 10:00-18:00.
    """
    if window is None:
        reason = "needs a delivery window around it (window_start and window_end)"
        raise RuleBroken(OrderField.CLOSED_START, reason)
    if end <= start:
        reason = f"{end.isoformat(' ', 'minutes')} is not after the closed start"
        raise RuleBroken(OrderField.CLOSED_END, reason)
    if start <= window.start:
        reason = f"{start.isoformat(' ', 'minutes')} must be after the window start"
        raise RuleBroken(OrderField.CLOSED_START, reason)
    if end >= window.end:
        reason = f"{end.isoformat(' ', 'minutes')} must be before the window end"
        raise RuleBroken(OrderField.CLOSED_END, reason)


def together(given: dict[OrderField, bool]) -> list[RuleBroken]:
    """Fields that go together (lat and lon; the three sides): all given, or none.

    Returns one refusal per missing field, naming the ones to give.
    """
    if all(given.values()) or not any(given.values()):
        return []
    names = [PLACES[f].csv for f in given]
    if len(names) == 2:
        what = f"both {names[0]} and {names[1]}, or neither"
    else:
        what = f"{', '.join(names[:-1])} and {names[-1]}, or none"
    return [
        RuleBroken(field, f"is empty; give {what}")
        for field, present in given.items()
        if not present
    ]
