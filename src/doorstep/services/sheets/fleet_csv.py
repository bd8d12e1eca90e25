"""The fleet for one planning run, from a CSV file: one row per vehicle and its shift.

Rows become plain :class:`FleetRow` values (times already placed on the plan date in
London time); :mod:`doorstep.services.plans.from_files` turns them into planning vehicles. As
with orders, row numbers are a spreadsheet's (header = row 1) and every problem of every
row is reported at once, naming row and column. The columns are in ``docs/planning.md``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final

from doorstep.domain.model import GeoPoint, VehicleType
from doorstep.domain.text import has_control
from doorstep.planning.model import MAX_RELOADS
from doorstep.services.sheets.byte_lines import ByteLines, UnreadableFile, has_undecodable
from doorstep.services.sheets.order_csv import _column_name
from doorstep.services.sheets.order_rows import RowError
from doorstep.services.sheets.values import parse_decimal, parse_moment, parse_range

REQUIRED: Final = (
    "vehicle_id", "vehicle_type", "capacity_parcels", "capacity_kg", "capacity_litres",
    "shift_start", "shift_end",
)  # fmt: skip
OPTIONAL: Final = (
    "break_earliest", "break_latest", "break_minutes", "max_route_hours", "start_hub",
    "end_hub", "cost_per_km", "cost_per_hour", "fixed_cost", "co2_kg_per_km", "max_trips",
    "reload_minutes", "max_parcel_kg",
)  # fmt: skip
DEFAULT_COST_PER_KM: Final = 0.5
DEFAULT_COST_PER_HOUR: Final = 15.0
DEFAULT_FIXED_COST: Final = 0.0
DEFAULT_RELOAD_MINUTES: Final = 15.0
_CLOCK: Final = re.compile(r"(\d{1,2}):(\d{2})")
_MAX_LINE_BYTES: Final = 16 * 1024


@dataclass(frozen=True, slots=True)
class FleetBreak:
    earliest: datetime
    latest: datetime
    minutes: float


@dataclass(frozen=True, slots=True)
class FleetRow:
    """One vehicle as the file gives it; hubs None mean "the plan's hub"."""

    row: int
    vehicle_id: str
    vehicle_type: VehicleType
    capacity_parcels: int
    capacity_kg: float
    capacity_litres: float
    shift_start: datetime
    shift_end: datetime
    break_: FleetBreak | None = None
    max_route_hours: float | None = None
    start_hub: GeoPoint | None = None
    end_hub: GeoPoint | None = None
    cost_per_km: float = DEFAULT_COST_PER_KM
    cost_per_hour: float = DEFAULT_COST_PER_HOUR
    fixed_cost: float = DEFAULT_FIXED_COST
    co2_kg_per_km: float | None = None
    max_trips: int = 1
    reload_minutes: float = DEFAULT_RELOAD_MINUTES
    max_parcel_kg: float | None = None


@dataclass(frozen=True, slots=True)
class FleetFile:
    """Every valid row, and every problem; a plan needs ``errors`` to be empty."""

    rows: tuple[FleetRow, ...]
    errors: tuple[RowError, ...] = field(default_factory=tuple)


def parse_fleet(chunks: Iterable[bytes], plan_date: date) -> FleetFile:
    """Read a fleet CSV (UTF-8, optional byte-order mark) for a plan on ``plan_date``."""
    lines = ByteLines(chunks, _MAX_LINE_BYTES)
    try:
        table = [cells for cells in csv.reader(lines)]
    except (UnreadableFile, csv.Error) as exc:
        reason = exc.reason if isinstance(exc, UnreadableFile) else f"not CSV: {exc}"
        return FleetFile((), (RowError(lines.lines_read, None, reason),))
    numbered = [(n, cells) for n, cells in enumerate(table, 1) if any(c.strip() for c in cells)]
    if not numbered:
        return FleetFile((), (RowError(1, None, "the fleet file is empty; it needs a header"),))
    header_row, header_cells = numbered[0]
    header = [_column_name(cell) for cell in header_cells]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        reason = f"required columns are missing: {', '.join(missing)}"
        return FleetFile((), (RowError(header_row, ", ".join(missing), reason),))
    rows: list[FleetRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for number, cells in numbered[1:]:
        read = _FleetCells(number, dict(zip(header, cells, strict=False)), plan_date)
        result = read.vehicle()
        vehicle_id = read.cells.get("vehicle_id", "").strip()
        if vehicle_id in seen:
            read.fail("vehicle_id", f"{vehicle_id!r} is already used in row {seen[vehicle_id]}")
        seen.setdefault(vehicle_id, number)
        errors += read.errors
        if result is not None and not read.errors:
            rows.append(result)
    if not rows and not errors:
        errors.append(RowError(header_row, None, "the fleet file has no vehicles"))
    return FleetFile(tuple(rows), tuple(errors))


class _FleetCells:
    """One row's cells; each reader records a problem and returns None on bad input."""

    def __init__(self, row: int, cells: dict[str, str], plan_date: date) -> None:
        self.row, self.cells, self.plan_date = row, cells, plan_date
        self.errors: list[RowError] = []

    def fail(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.row, column, reason))

    def text(self, column: str, *, required: bool = False) -> str | None:
        value = self.cells.get(column, "").strip()
        if has_undecodable(value):
            self.fail(column, "not valid UTF-8 (save the file as 'CSV UTF-8')")
            return None
        if has_control(value):
            self.fail(column, "contains a line break or control character")
            return None
        if not value and required:
            self.fail(column, "is required")
        return value or None

    def number(
        self, column: str, *, required: bool = False, positive: bool = False
    ) -> float | None:
        value = self.text(column, required=required)
        if value is None:
            return None
        try:
            number = parse_decimal(value, above=float("-inf"), at_most=1e9)
        except ValueError as exc:
            self.fail(column, str(exc))
            return None
        if number < 0 or (positive and number == 0):
            self.fail(column, f"must be {'positive' if positive else 'zero or more'}, not {value}")
            return None
        return number

    def clock(self, column: str, *, required: bool = False) -> datetime | None:
        value = self.text(column, required=required)
        if value is None:
            return None
        match = _CLOCK.fullmatch(value)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            self.fail(column, f"{value!r} is not a time of day (HH:MM, like 08:00)")
            return None
        try:
            return parse_moment(f"{self.plan_date.isoformat()} {int(match[1]):02d}:{match[2]}")
        except ValueError as exc:
            self.fail(column, str(exc))
            return None

    def point(self, column: str) -> GeoPoint | None:
        value = self.text(column)
        if value is None:
            return None
        parts = value.split(",")
        try:
            if len(parts) != 2:
                raise ValueError(f"{value!r} is not 'lat,lon' (like 51.5353,-0.1426)")
            lat = parse_range(parts[0].strip(), low=-90, high=90)
            return GeoPoint(lat, parse_range(parts[1].strip(), low=-180, high=180))
        except ValueError as exc:
            self.fail(column, str(exc))
            return None

    def vehicle_type(self) -> VehicleType | None:
        value = self.text("vehicle_type", required=True)
        if value is None:
            return None
        try:
            return VehicleType(re.sub(r"[\s-]+", "_", value.lower()))
        except ValueError:
            allowed = ", ".join(member.value for member in VehicleType)
            self.fail("vehicle_type", f"{value!r} is not one of {allowed}")
            return None

    def shift(self) -> tuple[datetime, datetime] | None:
        start = self.clock("shift_start", required=True)
        end = self.clock("shift_end", required=True)
        if start is None or end is None:
            return None
        if end <= start:
            self.fail("shift_end", f"{end:%H:%M} is not after the shift start {start:%H:%M}")
            return None
        return start, end

    def break_(self) -> FleetBreak | None:
        names = ("break_earliest", "break_latest", "break_minutes")
        given = [name for name in names if self.cells.get(name, "").strip()]
        if not given:
            return None
        for name in names:
            if name not in given:
                self.fail(name, "is empty; give break_earliest, break_latest and break_minutes")
        earliest, latest = self.clock("break_earliest"), self.clock("break_latest")
        minutes = self.number("break_minutes", positive=True)
        if earliest is None or latest is None or minutes is None:
            return None
        if latest < earliest:
            self.fail("break_latest", f"{latest:%H:%M} is before break_earliest {earliest:%H:%M}")
            return None
        return FleetBreak(earliest, latest, minutes)

    def capacity(self) -> tuple[int, float, float] | None:
        parcels = self.number("capacity_parcels", required=True)
        if parcels is not None and not parcels.is_integer():
            self.fail("capacity_parcels", f"must be a whole number, not {parcels:g}")
            parcels = None
        weight = self.number("capacity_kg", required=True)
        volume = self.number("capacity_litres", required=True)
        if parcels is None or weight is None or volume is None:
            return None
        return int(parcels), weight, volume

    def trips(self) -> int:
        """Trips in the shift (1 = no return to the hub to load again)."""
        value = self.number("max_trips", positive=True)
        if value is None:
            return 1
        if value != int(value) or value > MAX_RELOADS + 1:
            self.fail("max_trips", f"must be a whole number from 1 to {MAX_RELOADS + 1}")
            return 1
        return int(value)

    def vehicle(self) -> FleetRow | None:
        vehicle_id = self.text("vehicle_id", required=True)
        kind, capacity, shift = self.vehicle_type(), self.capacity(), self.shift()
        brk, hours = self.break_(), self.number("max_route_hours", positive=True)
        start_hub, end_hub = self.point("start_hub"), self.point("end_hub")
        costs = [self.number(c) for c in ("cost_per_km", "cost_per_hour", "fixed_cost")]
        co2 = self.number("co2_kg_per_km")
        trips, reload_minutes = self.trips(), self.number("reload_minutes")
        heaviest = self.number("max_parcel_kg", positive=True)
        if vehicle_id is None or kind is None or capacity is None or shift is None:
            return None
        return FleetRow(
            self.row, vehicle_id, kind, *capacity, *shift,
            break_=brk, max_route_hours=hours, start_hub=start_hub, end_hub=end_hub,
            cost_per_km=DEFAULT_COST_PER_KM if costs[0] is None else costs[0],
            cost_per_hour=DEFAULT_COST_PER_HOUR if costs[1] is None else costs[1],
            fixed_cost=DEFAULT_FIXED_COST if costs[2] is None else costs[2],
            co2_kg_per_km=co2, max_trips=trips,
            reload_minutes=DEFAULT_RELOAD_MINUTES if reload_minutes is None else reload_minutes,
            max_parcel_kg=heaviest,
        )  # fmt: skip
