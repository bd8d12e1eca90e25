"""One CSV row to one :class:`CreateOrder`: every column checked, every problem named.

A row is checked completely rather than stopping at its first problem, so a brand fixes
all of a row's mistakes in one pass. Each value is checked by ``domain.order_rules``,
the same rules the JSON API applies; this module only reads cells (numbers with a dot,
dates as spreadsheets write them) and names the column of each refusal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import partial
from typing import Final, TypeVar

from doorstep.domain import order_rules as rules
from doorstep.domain.errors import DomainError, InvalidValue
from doorstep.domain.model import (
    Address,
    AddressType,
    GeoPoint,
    Priority,
    Recipient,
    ServiceLevel,
    TimeWindow,
)
from doorstep.domain.order_rules import OrderField, RuleBroken
from doorstep.domain.parcel import Dimensions
from doorstep.services.orders.use_cases import CreateOrder, ParcelSpec
from doorstep.services.sheets.byte_lines import has_undecodable
from doorstep.services.sheets.values import parse_count, parse_moment, parse_number

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")


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


_REQUIRED_COLUMNS: Final = frozenset(
    {"reference", "recipient_name", "address_line1", "postcode", "service_level", "weight_kg"}
)
COLUMNS: Final = tuple(
    Column(name, name in _REQUIRED_COLUMNS)
    for name in (
        "reference",
        "recipient_name",
        "recipient_phone",
        "recipient_email",
        "address_line1",
        "address_line2",
        "address_line3",
        "city",
        "postcode",
        "lat",
        "lon",
        "address_type",
        "access_notes",
        "access_code",
        "service_level",
        "window_start",
        "window_end",
        "closed_start",
        "closed_end",
        "priority",
        "hub_id",
        "parcel_count",
        "weight_kg",
        "length_cm",
        "width_cm",
        "height_cm",
        "delivery_pin",
        "minimum_age",
        "safe_place",
    )
)


class _Cells:
    """Reads cleaned cells of one row and collects the problems it finds."""

    def __init__(self, row: int, cells: Mapping[str, str]) -> None:
        self.row = row
        self.cells = cells
        self.errors: list[RowError] = []

    def fail(self, column: str | None, reason: str) -> None:
        self.errors.append(RowError(self.row, column, reason))

    def given(self, column: str) -> bool:
        return bool(self.cells.get(column, "").strip())

    def text(self, column: str) -> str | None:
        """The cell stripped, or None when empty or not UTF-8."""
        value = self.cells.get(column, "").strip()
        if not value:
            return None
        if has_undecodable(value):
            self.fail(column, "not valid UTF-8 (save the file as 'CSV UTF-8')")
            return None
        return value

    def parsed(self, column: str, parse: Callable[[str], T], *, required: bool = False) -> T | None:
        """The cell read by ``parse``, which raises ValueError (or RuleBroken) with a reason."""
        value = self.text(column)
        if value is None:
            if required and not any(e.column == column for e in self.errors):
                self.fail(column, "is required")
            return None
        try:
            return parse(value)
        except RuleBroken as broken:
            self.fail(broken.column, broken.reason)
        except ValueError as exc:
            self.fail(column, str(exc))
        return None

    def choice(self, column: str, kind: type[E], default: E | None) -> E | None:
        value = self.text(column)
        if value is None:
            if default is None and not any(e.column == column for e in self.errors):
                self.fail(column, "is required")
            return default
        key = re.sub(r"[\s-]+", "_", value.lower())
        try:
            return kind(key)
        except ValueError:
            allowed = ", ".join(member.value for member in kind)
            self.fail(column, f"{value!r} is not one of {allowed}")
            return default

    def together(self, *fields: OrderField) -> bool:
        """Columns given together or not at all (lat/lon, the three sides): True when all."""
        given = {field: self.given(rules.PLACES[field].csv) for field in fields}
        for broken in rules.together(given):
            self.fail(broken.column, broken.reason)
        return all(given.values())


def build_command(row: int, cells: Mapping[str, str]) -> CreateOrder | list[RowError]:
    """Check one row (``cells`` by column name) and return the command or every problem.

    The command is the one the JSON API makes (``brand_id`` is left for the importer).
    """
    read = _Cells(row, cells)
    reference = read.parsed("reference", rules.reference, required=True)
    recipient = _recipient(read)
    address = _address(read)
    service_level = read.choice("service_level", ServiceLevel, None)
    window = _window(read)
    closed = _closed(read, window)
    parcels = _parcels(read)
    priority = read.choice("priority", Priority, Priority.NORMAL) or Priority.NORMAL
    hub_id = read.parsed("hub_id", rules.hub_id)
    pin = read.parsed("delivery_pin", rules.delivery_pin)
    minimum_age = read.parsed("minimum_age", lambda t: rules.minimum_age(parse_count(t)))
    safe_place = read.parsed("safe_place", rules.safe_place)
    if read.errors:
        return read.errors
    assert reference and recipient and address and service_level and parcels
    try:
        return CreateOrder(
            reference=reference,
            recipient=recipient(),
            address=address(),
            service_level=service_level,
            parcels=parcels,
            window=window() if window else None,
            closed=closed() if closed else None,
            priority=priority,
            hub_id=hub_id,
            delivery_pin=pin,
            minimum_age=minimum_age,
            safe_place=safe_place,
        )
    except InvalidValue as error:  # the value objects check their rules once more
        column = error.field if error.field in _COLUMN_NAMES else None
        return [RowError(row, column, error.reason)]
    except DomainError as error:
        return [RowError(row, None, error.message)]


_COLUMN_NAMES: Final = frozenset(column.name for column in COLUMNS)


def _recipient(read: _Cells) -> Callable[[], Recipient] | None:
    name = read.parsed("recipient_name", rules.recipient_name, required=True)
    phone = read.parsed("recipient_phone", rules.phone)
    email = read.parsed("recipient_email", rules.email)
    if name is None:
        return None
    return lambda: Recipient(name, phone, email)


def _address(read: _Cells) -> Callable[[], Address] | None:
    lines = [
        read.parsed(rules.PLACES[field].csv, partial(rules.address_line, field=field))
        for field in rules.ADDRESS_LINES
    ]
    if lines[0] is None and not read.given("address_line1"):
        read.fail("address_line1", "is required")
    postcode = read.parsed("postcode", rules.postcode, required=True)
    city = read.parsed("city", rules.city) or "London"
    both = read.together(OrderField.LAT, OrderField.LON)
    lat = read.parsed("lat", lambda t: rules.latitude(parse_number(t)))
    lon = read.parsed("lon", lambda t: rules.longitude(parse_number(t)))
    address_type = read.choice("address_type", AddressType, AddressType.HOUSE) or AddressType.HOUSE
    notes = read.parsed("access_notes", rules.access_notes)
    code = read.parsed("access_code", rules.access_code)
    if lines[0] is None or postcode is None:
        return None
    point = GeoPoint(lat, lon) if both and lat is not None and lon is not None else None
    given = tuple(line for line in lines if line)
    return lambda: Address(given, postcode, point, address_type, notes, code, city)


def _moments(read: _Cells, first: OrderField, last: OrderField) -> tuple[datetime, datetime] | None:
    """Two date-time columns given together, each read (so each bad one is named)."""
    together = read.together(first, last)
    start = read.parsed(rules.PLACES[first].csv, parse_moment)
    end = read.parsed(rules.PLACES[last].csv, parse_moment)
    if not together or start is None or end is None:
        return None
    return start, end


def _window(read: _Cells) -> Callable[[], TimeWindow] | None:
    moments = _moments(read, OrderField.WINDOW_START, OrderField.WINDOW_END)
    if moments is None:
        return None
    start, end = moments
    try:
        rules.window(start, end)
    except RuleBroken as broken:
        read.fail(broken.column, broken.reason)
        return None
    return lambda: TimeWindow(start, end)


def _closed(
    read: _Cells, window: Callable[[], TimeWindow] | None
) -> Callable[[], TimeWindow] | None:
    moments = _moments(read, OrderField.CLOSED_START, OrderField.CLOSED_END)
    if moments is None:
        return None
    start, end = moments
    if window is None and (read.given("window_start") or read.given("window_end")):
        return None  # the window's own problem is reported on its columns
    try:
        rules.closed(window() if window else None, start, end)
    except RuleBroken as broken:
        read.fail(broken.column, broken.reason)
        return None
    except InvalidValue:
        return None  # the window's moments are refused on its columns
    return lambda: TimeWindow(start, end)


def _parcels(read: _Cells) -> tuple[ParcelSpec, ...] | None:
    count = read.parsed("parcel_count", lambda t: rules.parcel_count(parse_count(t)))
    weight = read.parsed("weight_kg", lambda t: rules.weight_kg(parse_number(t)), required=True)
    all_sides = read.together(*rules.SIDES)
    sides = [
        read.parsed(rules.PLACES[field].csv, partial(_side, field=field)) for field in rules.SIDES
    ]
    if weight is None:
        return None
    length, width, height = sides
    dimensions = None
    if all_sides and length is not None and width is not None and height is not None:
        dimensions = Dimensions(length, width, height)
    return (ParcelSpec(weight, dimensions),) * (count or 1)


def _side(text: str, field: OrderField) -> float:
    return rules.side_cm(parse_number(text), field)
