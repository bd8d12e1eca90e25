"""One CSV row to one :class:`OrderDraft`: every column checked, every problem named.

A row is checked completely rather than stopping at its first problem, so a brand fixes
all of a row's mistakes in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, TypedDict, TypeVar

from doorstep.domain import ids
from doorstep.domain.model import AddressType, Priority, ServiceLevel
from doorstep.services._byte_lines import has_undecodable
from doorstep.services._csv_values import parse_count, parse_decimal, parse_moment, parse_range
from doorstep.services.order_draft import OrderDraft, ParcelDraft
from doorstep.services.postcodes import NotAPostcode, normalise_postcode

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")

MAX_PARCELS: Final = 99
MAX_WEIGHT_KG: Final = 500.0
MAX_SIDE_CM: Final = 500.0
_PHONE: Final = re.compile(r"\+?\d{7,15}")
_PHONE_PUNCTUATION: Final = re.compile(r"[\s().-]")
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc
_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in one row: ``row`` counts the header as 1; ``column`` is None for the row."""

    row: int
    column: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    required: bool
    max_length: int


COLUMNS: Final = (
    Column("reference", True, 100),
    Column("recipient_name", True, 200),
    Column("recipient_phone", False, 32),
    Column("recipient_email", False, 254),
    Column("address_line1", True, 200),
    Column("address_line2", False, 200),
    Column("address_line3", False, 200),
    Column("city", False, 100),
    Column("postcode", True, 16),
    Column("lat", False, 32),
    Column("lon", False, 32),
    Column("address_type", False, 32),
    Column("access_notes", False, 500),
    Column("access_code", False, 32),
    Column("service_level", True, 32),
    Column("window_start", False, 40),
    Column("window_end", False, 40),
    Column("priority", False, 32),
    Column("hub_id", False, 40),
    Column("parcel_count", False, 8),
    Column("weight_kg", True, 32),
    Column("length_cm", False, 32),
    Column("width_cm", False, 32),
    Column("height_cm", False, 32),
)
_LIMITS: Final = {column.name: column.max_length for column in COLUMNS}


class _Cells:
    """Reads cleaned cells of one row and collects the problems it finds."""

    def __init__(self, row: int, cells: Mapping[str, str]) -> None:
        self.row = row
        self.cells = cells
        self.errors: list[RowError] = []

    def fail(self, column: str | None, reason: str) -> None:
        self.errors.append(RowError(self.row, column, reason))

    def text(self, column: str) -> str | None:
        """The cell stripped, or None when empty, too long, not UTF-8 or holding controls."""
        value = self.cells.get(column, "").strip()
        if not value:
            return None
        if has_undecodable(value):
            self.fail(column, "not valid UTF-8 (save the file as 'CSV UTF-8')")
            return None
        if len(value) > _LIMITS[column]:
            self.fail(column, f"is {len(value)} characters long; at most {_LIMITS[column]}")
            return None
        if _CONTROL.search(value):
            if column != "access_notes":
                self.fail(column, "contains a line break or control character")
                return None
            value = " ".join(value.split())
        return value

    def required(self, column: str) -> str | None:
        value = self.text(column)
        if value is None and not any(e.column == column for e in self.errors):
            self.fail(column, "is required")
        return value

    def parsed(self, column: str, parse: Callable[[str], T], *, required: bool = False) -> T | None:
        value = self.required(column) if required else self.text(column)
        if value is None:
            return None
        try:
            return parse(value)
        except ValueError as exc:
            self.fail(column, str(exc))
            return None

    def choice(self, column: str, kind: type[E], default: E | None) -> E | None:
        value = self.required(column) if default is None else self.text(column)
        if value is None:
            return default
        key = re.sub(r"[\s-]+", "_", value.lower())
        try:
            return kind(key)
        except ValueError:
            allowed = ", ".join(member.value for member in kind)
            self.fail(column, f"{value!r} is not one of {allowed}")
            return default

    def pair(
        self, first: str, second: str, parse: Callable[[str], T], parse_second: Callable[[str], T]
    ) -> tuple[T, T] | None:
        """Two columns that are given together or not at all (lat/lon, window)."""
        a, b = self.parsed(first, parse), self.parsed(second, parse_second)
        if a is not None and b is not None:
            return a, b
        for column, value in ((first, a), (second, b)):
            other = self.cells.get(second if column == first else first, "").strip()
            if value is None and other and not self.cells.get(column, "").strip():
                self.fail(column, f"is empty; give both {first} and {second}, or neither")
        return None


def build_draft(row: int, cells: Mapping[str, str]) -> OrderDraft | list[RowError]:
    """Check one row (``cells`` by column name) and return the draft or every problem."""
    read = _Cells(row, cells)
    reference = read.required("reference")
    name = read.required("recipient_name")
    first_line = read.required("address_line1")
    more_lines = (read.text("address_line2"), read.text("address_line3"))
    lines = tuple(line for line in (first_line, *more_lines) if line)
    postcode = read.parsed("postcode", _postcode, required=True)
    service_level = read.choice("service_level", ServiceLevel, None)
    point = read.pair("lat", "lon", _latitude, _longitude)
    window = read.pair("window_start", "window_end", parse_moment, parse_moment)
    if window is not None and window[1] <= window[0]:
        read.fail("window_end", f"{window[1]:%Y-%m-%d %H:%M} is not after the window start")
        window = None
    parcels = _parcels(read)
    optional = _optional_fields(read)
    if read.errors:
        return read.errors
    assert reference and name and lines and postcode and service_level and parcels
    return OrderDraft(
        reference=reference,
        recipient_name=name,
        address_lines=lines,
        postcode=postcode,
        service_level=service_level,
        parcels=parcels,
        lat=point[0] if point else None,
        lon=point[1] if point else None,
        window_start=window[0] if window else None,
        window_end=window[1] if window else None,
        **optional,
    )


class _OptionalFields(TypedDict):
    recipient_phone: str | None
    recipient_email: str | None
    city: str
    address_type: AddressType
    access_notes: str | None
    access_code: str | None
    priority: Priority
    hub_id: str | None


def _optional_fields(read: _Cells) -> _OptionalFields:
    return {
        "recipient_phone": read.parsed("recipient_phone", _phone),
        "recipient_email": read.parsed("recipient_email", _email),
        "city": read.text("city") or "London",
        "address_type": read.choice("address_type", AddressType, AddressType.HOUSE)
        or AddressType.HOUSE,
        "access_notes": read.text("access_notes"),
        "access_code": read.text("access_code"),
        "priority": read.choice("priority", Priority, Priority.NORMAL) or Priority.NORMAL,
        "hub_id": read.parsed("hub_id", _hub_id),
    }


def _parcels(read: _Cells) -> tuple[ParcelDraft, ...] | None:
    count = read.parsed("parcel_count", lambda t: parse_count(t, at_most=MAX_PARCELS))
    weight = read.parsed(
        "weight_kg", lambda t: parse_decimal(t, above=0, at_most=MAX_WEIGHT_KG), required=True
    )
    sides = [read.parsed(c, _side) for c in ("length_cm", "width_cm", "height_cm")]
    given = [c for c in ("length_cm", "width_cm", "height_cm") if read.cells.get(c, "").strip()]
    if given and len(given) < 3:
        missing = sorted({"length_cm", "width_cm", "height_cm"} - set(given))
        for column in missing:
            read.fail(column, "is empty; give length_cm, width_cm and height_cm, or none")
    if weight is None:
        return None
    length, width, height = sides if len(given) == 3 else (None, None, None)
    return (ParcelDraft(weight, length, width, height),) * (count or 1)


def _side(text: str) -> float:
    return parse_decimal(text, above=0, at_most=MAX_SIDE_CM)


def _latitude(text: str) -> float:
    return parse_range(text, low=-90.0, high=90.0)


def _longitude(text: str) -> float:
    return parse_range(text, low=-180.0, high=180.0)


def _postcode(text: str) -> str:
    try:
        return normalise_postcode(text)
    except NotAPostcode as exc:
        raise ValueError(exc.reason) from None


def _phone(text: str) -> str:
    compact = _PHONE_PUNCTUATION.sub("", text)
    if not _PHONE.fullmatch(compact):
        raise ValueError(f"{text!r} is not a phone number (7 to 15 digits, + allowed)")
    return compact


def _email(text: str) -> str:
    if not _EMAIL.fullmatch(text):
        raise ValueError(f"{text!r} is not an email address")
    return text


def _hub_id(text: str) -> str:
    if not ids.has_prefix(text, "hub"):
        raise ValueError(f"{text!r} is not a hub id (hub_ followed by 16 letters and digits)")
    return text
