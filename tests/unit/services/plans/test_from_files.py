from __future__ import annotations

from datetime import date, datetime
from typing import cast
from zoneinfo import ZoneInfo

import pytest

from doorstep.domain.model import GeoPoint, VehicleType
from doorstep.geo.postcodes import PostcodeLookup
from doorstep.geo.provider import TravelTimeProvider
from doorstep.geo.straight_line import StraightLineProvider
from doorstep.geo.traffic import LONDON
from doorstep.planning import PlannerParams
from doorstep.services.plans.from_files import PlanInput, PlanInputError, build_plan_input
from doorstep.services.plans.run import solve_input, traffic_leg_factor
from doorstep.services.sheets.fleet_csv import FleetRow, parse_fleet
from doorstep.services.sheets.order_csv import AcceptedRow, parse_orders

LONDON_TZ = ZoneInfo("Europe/London")
DAY = date(2026, 11, 26)
DEPART = datetime(2026, 11, 26, 8, 0, tzinfo=LONDON_TZ)
HUB = GeoPoint(51.5353, -0.1426)
ORDER_HEADER = (
    "reference,recipient_name,address_line1,postcode,lat,lon,service_level,"
    "window_start,window_end,parcel_count,weight_kg\n"
)
FLEET = (
    "vehicle_id,vehicle_type,capacity_parcels,capacity_kg,capacity_litres,shift_start,shift_end\n"
)
LOOKUP = PostcodeLookup()


def straight_line() -> TravelTimeProvider:
    # A frozen dataclass's read-only ``name`` does not match the protocol's plain attribute.
    return cast(TravelTimeProvider, StraightLineProvider(traffic=LONDON))


def orders(*rows: str) -> list[AcceptedRow]:
    parsed = list(parse_orders([(ORDER_HEADER + "\n".join(rows) + "\n").encode()]))
    assert all(isinstance(r, AcceptedRow) for r in parsed), parsed
    return [r for r in parsed if isinstance(r, AcceptedRow)]


def fleet(*rows: str) -> list[FleetRow]:
    parsed = parse_fleet([(FLEET + "\n".join(rows) + "\n").encode()], DAY)
    assert parsed.errors == ()
    return list(parsed.rows)


VAN = "V1,van,50,500,2000,08:00,17:00"


def build(order_rows: list[AcceptedRow], fleet_rows: list[FleetRow]) -> PlanInput:
    return build_plan_input(
        order_rows, fleet_rows, hub=HUB, plan_date=DAY, departure=DEPART, postcodes=LOOKUP
    )


def test_one_request_per_parcel_grouped_into_stops_with_rows_kept() -> None:
    made = build(
        orders(
            "A,Ann,1 High St,NW1 9LL,51.54,-0.14,next_day,,,2,1.5",
            "B,Bob,2 High St,NW1 9LL,51.541,-0.141,same_day,2026-11-26 09:00,2026-11-26 12:00,1,2",
        ),
        fleet(VAN),
    )
    stops = made.problem.stops
    assert [s.parcel_ids for s in stops] == [("A-1", "A-2"), ("B-1",)]
    assert stops[1].windows[0].start == datetime(2026, 11, 26, 9, 0, tzinfo=LONDON_TZ)
    assert made.stop_rows(stops[1].id) == [3]
    assert [h.id for h in made.problem.hubs] == ["hub"]


def test_a_heavy_order_is_its_own_stop_with_a_plain_warning_and_spares_its_neighbour() -> None:
    made = build(
        orders(
            "P,Pat,1 High St,NW1 9LL,51.54,-0.14,next_day,,,1,45",
            "S,Sam,1 High St,NW1 9LL,51.54,-0.14,same_day,,,1,0.7",
        ),
        fleet(VAN),
    )
    assert sorted(s.parcel_ids for s in made.problem.stops) == [("P-1",), ("S-1",)]
    (warning,) = made.warnings
    assert (warning.row, warning.column) == (2, "weight_kg")
    assert "two people" in warning.reason


def test_geocodes_a_row_without_coordinates_from_its_postcode() -> None:
    made = build(orders("A,Ann,1 Palace Rd,SW1A 1AA,,,next_day,,,1,1"), fleet(VAN))
    point = made.problem.stops[0].point
    assert abs(point.lat - 51.50101) < 1e-4
    assert made.geocoded_rows == {2}


def test_an_unknown_postcode_is_a_warning_and_its_parcels_unroutable_with_the_reason() -> None:
    made = build(
        orders(
            "A,Ann,1 Piccadilly,M1 1AE,,,next_day,,,1,1",
            "B,Bob,2 High St,NW1 9LL,51.541,-0.141,next_day,,,1,1",
        ),
        fleet(VAN),
    )
    (warning,) = made.warnings
    assert (warning.where, warning.row, warning.column) == ("orders", 2, "postcode")
    assert "M1 1AE" in warning.reason
    plan, _ = solve_input(made, straight_line(), PlannerParams(max_iterations=50, workers=1))
    (left,) = plan.unassigned
    assert (left.parcel_ids, left.reason.value) == (("A-1",), "unroutable_address")
    assert left.detail is not None and "M1 1AE" in left.detail
    assert made.stop_rows(left.stop_id) == [2]


def test_a_window_over_before_departure_names_row_and_window_end() -> None:
    rows = orders(
        "A,Ann,1 High St,NW1 9LL,51.54,-0.14,same_day,2026-11-26 06:00,2026-11-26 07:30,1,1"
    )
    with pytest.raises(PlanInputError) as caught:
        build(rows, fleet(VAN))
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (2, "window_end")
    assert "past" in problem.reason


def test_an_empty_fleet_is_refused() -> None:
    with pytest.raises(PlanInputError, match="no vehicles"):
        build(orders("A,Ann,1 High St,NW1 9LL,51.54,-0.14,next_day,,,1,1"), [])


def test_a_parcel_heavier_than_every_vehicle_is_a_warning_naming_the_row() -> None:
    made = build(
        orders("A,Ann,1 High St,NW1 9LL,51.54,-0.14,next_day,,,1,70"),
        fleet("B1,e_cargo_bike,30,60,300,08:00,16:00"),
    )
    (warning,) = made.warnings
    assert (warning.row, warning.column) == (2, "weight_kg")
    plan, _ = solve_input(made, straight_line(), PlannerParams(max_iterations=50))
    assert [u.reason.value for u in plan.unassigned] == ["too_heavy_for_every_vehicle"]


def test_a_point_off_the_network_names_its_order_row() -> None:
    from doorstep.geo.road_network import RoadNetworkProvider, load_network

    made = build(
        orders(
            "A,Ann,1 High St,NW1 9LL,51.54,-0.14,next_day,,,1,1",
            "B,Bob,At sea,NW1 9LL,50.0,-1.0,next_day,,,1,1",
        ),
        fleet(VAN),
    )
    provider = RoadNetworkProvider(load_network("camden"))
    with pytest.raises(PlanInputError) as caught:
        solve_input(made, provider, PlannerParams(max_iterations=50))
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (3, "lat, lon")


def test_the_leg_factor_is_relative_to_the_departure_band_for_vans_only() -> None:
    van = traffic_leg_factor(LONDON, DEPART, [VehicleType.VAN, VehicleType.E_CARGO_BIKE])
    assert van(DEPART) == 1.0
    # 17:00 is the PM peak (0.60) against the AM peak of departure (0.67): slower.
    assert van(datetime(2026, 11, 26, 17, 0, tzinfo=LONDON_TZ)) == pytest.approx(0.67 / 0.60)
    bikes = traffic_leg_factor(LONDON, DEPART, [VehicleType.E_CARGO_BIKE])
    assert bikes(datetime(2026, 11, 26, 17, 0, tzinfo=LONDON_TZ)) == 1.0


def test_a_solved_input_passes_the_independent_check_with_london_traffic() -> None:
    from doorstep.planning import check_plan

    made = build(
        orders(
            "A,Ann,1 High St,NW1 9LL,51.54,-0.14,next_day,,,2,1.5",
            "B,Bob,9 Low St,NW1 1RH,51.534,-0.132,same_day,2026-11-26 09:00,2026-11-26 12:00,1,2",
            "C,Cy,3 Mid St,WC1B 3EG,51.5186,-0.1312,next_day,2026-11-26 13:00,2026-11-26 17:00,1,3",
        ),
        fleet(VAN),
    )
    legs = traffic_leg_factor(LONDON, DEPART, made.problem.profiles())
    plan, matrices = solve_input(
        made, straight_line(), PlannerParams(max_iterations=200), leg_factor=legs
    )
    assert matrices is not None
    assert check_plan(made.problem, plan, matrices, leg_factor=legs) == []
    assert sorted(p for r in plan.routes for s in r.stops for p in s.parcel_ids) == [
        "A-1", "A-2", "B-1", "C-1",
    ]  # fmt: skip


def test_a_day_in_parts_names_every_point_off_the_network_in_one_run() -> None:
    from doorstep.geo.road_network import RoadNetworkProvider, load_network

    camden = [
        f"R{k},Ann,{k} High St,NW1 9LL,{51.535 + (k % 5) * 0.004},{-0.16 + (k // 5) * 0.01},"
        "next_day,,,1,1"
        for k in range(20)
    ]
    greenwich = "G,Gil,Park Row,SE10 9NF,51.4826,-0.0077,next_day,,,1,1"
    wimbledon = "W,Wyn,High St,SW19 5DX,51.4214,-0.2064,next_day,,,1,1"
    made = build(
        orders(*camden, greenwich, wimbledon), fleet(VAN, "V2,van,50,500,2000,08:00,17:00")
    )
    params = PlannerParams(max_iterations=50, part_stops=10)
    with pytest.raises(PlanInputError) as caught:
        solve_input(made, RoadNetworkProvider(load_network("camden")), params)
    assert sorted(p.row or 0 for p in caught.value.problems) == [22, 23]


def test_a_day_in_parts_from_files_serves_every_order() -> None:
    rows = [
        f"R{k},Ann,{k} High St,NW1 9LL,{51.53 + (k % 6) * 0.003},{-0.15 + (k // 6) * 0.008},"
        "same_day,,,1,1"
        for k in range(30)
    ]
    made = build(orders(*rows), fleet(VAN, "V2,van,50,500,2000,08:00,17:00"))
    plan, matrices = solve_input(
        made, straight_line(), PlannerParams(max_iterations=50, part_stops=10)
    )
    assert matrices is None  # no one matrix covers a day in parts
    assert len(plan.routed_stop_ids) == 30 and plan.unassigned == ()


def test_a_shop_shut_for_lunch_is_not_visited_while_shut() -> None:
    header = ORDER_HEADER.strip() + ",closed_start,closed_end\n"
    line = (
        "S,Shop,1 High St,NW1 9LL,51.54,-0.14,scheduled,2026-11-26 08:00,2026-11-26 12:00,"
        "1,1,2026-11-26 08:01,2026-11-26 11:00\n"
    )
    parsed = list(parse_orders([(header + line).encode()]))
    accepted = [r for r in parsed if isinstance(r, AcceptedRow)]
    assert len(accepted) == 1, parsed
    made = build(accepted, fleet(VAN))
    (stop,) = made.problem.stops
    assert [(w.start.hour, w.start.minute, w.end.hour) for w in stop.windows] == [
        (8, 0, 8), (11, 0, 12),
    ]  # fmt: skip
    plan, _ = solve_input(made, straight_line(), PlannerParams(max_iterations=50, workers=1))
    (visit,) = plan.routes[0].stops
    assert visit.service_start >= datetime(2026, 11, 26, 11, 0, tzinfo=LONDON_TZ)
