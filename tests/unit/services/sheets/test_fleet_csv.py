from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from doorstep.domain.model import GeoPoint, VehicleType
from doorstep.services.sheets.fleet_csv import DEFAULT_COST_PER_HOUR, parse_fleet

DAY = date(2026, 7, 1)  # BST: 08:00 London is 07:00 UTC
HEADER = (
    "vehicle_id,vehicle_type,capacity_parcels,capacity_kg,capacity_litres,"
    "shift_start,shift_end,break_earliest,break_latest,break_minutes,start_hub\n"
)


def parse(*rows: str, header: str = HEADER):  # type: ignore[no-untyped-def]
    return parse_fleet([(header + "\n".join(rows) + "\n").encode()], DAY)


def test_reads_a_vehicle_with_shift_in_london_time_and_defaults() -> None:
    result = parse('V1,van,100,800,3000,08:00,17:00,11:30,13:30,30,"51.5,-0.14"')
    assert result.errors == ()
    (row,) = result.rows
    assert row.vehicle_type is VehicleType.VAN
    assert row.shift_start == datetime(2026, 7, 1, 8, 0, tzinfo=ZoneInfo("Europe/London"))
    assert row.shift_start.utcoffset() is not None and row.shift_start.utcoffset().seconds == 3600
    assert row.break_ is not None and row.break_.minutes == 30
    assert row.start_hub == GeoPoint(51.5, -0.14) and row.end_hub is None
    assert row.cost_per_hour == DEFAULT_COST_PER_HOUR


def test_a_file_with_a_header_but_no_vehicles_is_a_file_error() -> None:
    result = parse()
    assert result.rows == ()
    assert [(e.row, e.column) for e in result.errors] == [(1, None)]
    assert "no vehicles" in result.errors[0].reason


def test_refuses_a_shift_ending_before_it_starts_naming_row_and_column() -> None:
    result = parse("V1,van,100,800,3000,08:00,17:00", "V2,van,100,800,3000,17:00,08:00")
    assert [(e.row, e.column) for e in result.errors] == [(3, "shift_end")]
    assert [r.vehicle_id for r in result.rows] == ["V1"]


def test_refuses_negative_capacity_and_unknown_type_in_one_pass() -> None:
    result = parse("V1,hovercraft,100,-5,3000,08:00,17:00")
    found = {(e.row, e.column) for e in result.errors}
    assert found == {(2, "vehicle_type"), (2, "capacity_kg")}
    assert "van, e_cargo_bike, on_foot" in next(
        e.reason for e in result.errors if e.column == "vehicle_type"
    )


def test_refuses_a_vehicle_id_used_twice_naming_the_first_row() -> None:
    result = parse("V1,van,100,800,3000,08:00,17:00", "V1,van,100,800,3000,08:00,17:00")
    assert [(e.row, e.column) for e in result.errors] == [(3, "vehicle_id")]
    assert "row 2" in result.errors[0].reason


def test_a_break_needs_all_three_columns_and_a_hub_needs_lat_lon() -> None:
    result = parse("V1,van,100,800,3000,08:00,17:00,11:00,,,51.5")
    found = {(e.row, e.column) for e in result.errors}
    assert found == {(2, "break_latest"), (2, "break_minutes"), (2, "start_hub")}


def test_missing_required_columns_are_named_before_any_row() -> None:
    result = parse("V1,van", header="vehicle_id,vehicle_type\n")
    assert len(result.errors) == 1
    assert "capacity_parcels" in (result.errors[0].column or "")


def test_refuses_a_control_character_naming_the_column() -> None:
    result = parse("V\x001,van,100,800,3000,08:00,17:00")
    assert result.rows == ()
    assert [(e.row, e.column) for e in result.errors] == [(2, "vehicle_id")]
    assert "control character" in result.errors[0].reason


def test_reads_trips_and_loading_time_and_refuses_what_is_not_a_trip_count() -> None:
    header = "vehicle_id,vehicle_type,capacity_parcels,capacity_kg,capacity_litres,"
    header += "shift_start,shift_end,max_trips,reload_minutes\n"
    result = parse(
        "B1,e_cargo_bike,50,150,1200,08:00,18:00,3,10",
        "B2,e_cargo_bike,50,150,1200,08:00,18:00,,",
        "B3,e_cargo_bike,50,150,1200,08:00,18:00,1.5,",
        "B4,e_cargo_bike,50,150,1200,08:00,18:00,22,",
        "B5,e_cargo_bike,50,150,1200,08:00,18:00,0,",
        header=header,
    )
    rows = {r.vehicle_id: r for r in result.rows}
    assert (rows["B1"].max_trips, rows["B1"].reload_minutes) == (3, 10)
    assert (rows["B2"].max_trips, rows["B2"].reload_minutes) == (1, 15)
    assert [(e.row, e.column) for e in result.errors] == [(r, "max_trips") for r in (4, 5, 6)]


def test_reads_a_crew_handling_limit_and_refuses_zero() -> None:
    header = HEADER.replace("start_hub\n", "start_hub,max_parcel_kg\n")
    result = parse(
        "B1,e_cargo_bike,50,150,1200,08:00,18:00,,,,,25",
        "B2,e_cargo_bike,50,150,1200,08:00,18:00,,,,,0",
        header=header,
    )
    assert [r.max_parcel_kg for r in result.rows] == [25]
    assert [(e.row, e.column) for e in result.errors] == [(3, "max_parcel_kg")]
