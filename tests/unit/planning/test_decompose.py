"""A big day in parts: sectors by bearing, the fleet shared by reach, left-outs retried."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pytest

from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Capacity, GeoPoint, VehicleType
from doorstep.geo.provider import TravelMatrix
from doorstep.planning.check import check_plan
from doorstep.planning.decompose import leftover_part, merge, split_day
from doorstep.planning.model import (
    Plan,
    PlanningHub,
    PlanningStop,
    Unassigned,
    UnassignedReason,
)
from doorstep.planning.params import PlannerParams
from doorstep.planning.plan_day import check_plan_by_route, plan_day, travel_matrices
from tests.unit.planning.helpers import HUB, HaversineProvider, grid_stops, problem, stop, vehicle

FAST = PlannerParams(max_iterations=150, workers=1, part_stops=10)
MICRO = PlanningHub("hub_micro", GeoPoint(51.5218, -0.1246))


def east_and_west(per_side: int) -> list[PlanningStop]:
    """Stops in two clusters, 3 km east and 3 km west of the hub."""
    rng = np.random.default_rng(3)
    east = [
        stop(f"e{i}", HUB.point.lat + rng.uniform(-0.004, 0.004), -0.097 + rng.uniform(0, 0.004))
        for i in range(per_side)
    ]
    west = [
        stop(f"w{i}", HUB.point.lat + rng.uniform(-0.004, 0.004), -0.187 + rng.uniform(0, 0.004))
        for i in range(per_side)
    ]
    return east + west


class CountingProvider(HaversineProvider):
    """Remembers the largest request, to show no matrix covers the whole day."""

    def __init__(self) -> None:
        super().__init__()
        self.largest = 0

    def matrix(
        self, points: Sequence[GeoPoint], profile: VehicleType, depart: datetime
    ) -> TravelMatrix:
        self.largest = max(self.largest, len(points))
        return super().matrix(points, profile, depart)


def test_a_day_that_fits_is_one_part_untouched() -> None:
    day = problem(grid_stops(10), [vehicle("a")])
    assert split_day(day, 10) == [day]


def test_every_stop_is_in_one_part_and_every_vehicle_in_at_most_one() -> None:
    day = problem(grid_stops(47), [vehicle(f"v{k}") for k in range(7)])
    parts = split_day(day, 10)
    assert len(parts) == 5 and all(len(p.stops) <= 10 for p in parts)
    assert sorted(s.id for p in parts for s in p.stops) == sorted(s.id for s in day.stops)
    vehicle_ids = [v.id for p in parts for v in p.vehicles]
    assert sorted(vehicle_ids) == sorted(v.id for v in day.vehicles)
    assert all(p.vehicles for p in parts)


def test_parts_are_areas_not_a_shuffle() -> None:
    day = problem(east_and_west(8), [vehicle("a"), vehicle("b")])
    parts = split_day(day, 8)
    sides = [{s.id[0] for s in p.stops} for p in parts]
    assert sorted(sides, key=sorted) == [{"e"}, {"w"}]


def test_walkers_go_to_the_part_near_their_micro_hub() -> None:
    # The micro-hub is 3 km south of the depot; the western stops are 5 km from it, the
    # eastern ones 4.5 km and the walkers' reach 3 km, so move the east cluster close.
    east = [stop(f"e{i}", 51.522 + i * 0.0003, -0.121) for i in range(8)]
    west = [stop(f"w{i}", 51.55 + i * 0.0003, -0.19) for i in range(8)]
    walkers = [
        vehicle(f"foot{k}", vehicle_type=VehicleType.ON_FOOT, start_hub=MICRO.id, end_hub=MICRO.id,
                capacity=Capacity(20, 30, 120))
        for k in range(2)
    ]  # fmt: skip
    day = problem(east + west, [vehicle("a"), vehicle("b"), *walkers], hubs=(HUB, MICRO))
    parts = split_day(day, 8)
    near = next(p for p in parts if p.stops[0].id.startswith("e"))
    assert {v.id for v in near.vehicles} >= {"foot0", "foot1"}


def test_two_depots_keep_their_own_vans_and_their_own_stops() -> None:
    far = PlanningHub("hub_far", GeoPoint(51.45, -0.12))  # about 11 km south
    south = [stop(f"s{i}", 51.45 + i * 0.0005, -0.12 + i * 0.0005) for i in range(12)]
    north = [stop(f"n{i}", 51.55 + i * 0.0005, -0.14 + i * 0.0005) for i in range(12)]
    vans = [vehicle("north_van"), vehicle("south_van", start_hub=far.id, end_hub=far.id)]
    parts = split_day(problem(north + south, vans, hubs=(HUB, far)), 12)
    by_van = {p.vehicles[0].id: {s.id[0] for s in p.stops} for p in parts}
    assert by_van == {"north_van": {"n"}, "south_van": {"s"}}


def test_a_parted_day_is_planned_whole_and_checks_without_a_whole_day_matrix() -> None:
    day = problem(grid_stops(40), [vehicle(f"v{k}") for k in range(4)])
    provider = CountingProvider()
    plan = plan_day(day, provider, FAST)
    assert provider.largest <= 10 + len(day.hubs)
    assert sorted(plan.routed_stop_ids) == sorted(s.id for s in day.stops)
    assert check_plan_by_route(day, plan, provider) == []
    assert check_plan(day, plan, travel_matrices(day, HaversineProvider())) == []


def test_what_a_part_cannot_carry_goes_to_a_van_another_part_left_idle() -> None:
    # Vans by room: big and small_2 share one side, small_1 has the other alone. The big
    # van alone serves its side; small_1's eight parcels fall two short of its side's ten,
    # and small_2, idle on the big van's side, takes those two.
    vans = [
        vehicle("big", fixed_cost=30.0),
        vehicle("small_1", capacity=Capacity(8, 800.0, 6000.0), fixed_cost=30.0),
        vehicle("small_2", capacity=Capacity(8, 800.0, 6000.0), fixed_cost=30.0),
    ]
    day = problem(east_and_west(10), vans)
    parts = split_day(day, 10)
    assert sorted([v.id for v in p.vehicles] for p in parts) == [["big", "small_2"], ["small_1"]]
    alone = next(p for p in parts if len(p.vehicles) == 1)
    plan = plan_day(day, HaversineProvider(), FAST)
    assert sorted(plan.routed_stop_ids) == sorted(s.id for s in day.stops)
    helper = next(r for r in plan.routes if r.vehicle_id == "small_2")
    assert {s.stop_id for s in helper.stops} <= {s.id for s in alone.stops}
    assert len(helper.stops) == 2
    assert check_plan(day, plan, travel_matrices(day, HaversineProvider())) == []


def test_the_leftover_part_takes_promises_first_and_only_retryable_reasons() -> None:
    day = problem(
        [stop("promised"), stop("next", service_level="next_day"), stop("heavy")],
        [vehicle("used"), vehicle("idle")],
    )
    parts_plan = Plan(
        (),
        (
            Unassigned("next", ("par_next",), UnassignedReason.DEFERRED_BY_COST),
            Unassigned("promised", ("par_promised",), UnassignedReason.NO_FEASIBLE_ROUTE),
            Unassigned("heavy", ("par_heavy",), UnassignedReason.TOO_HEAVY_FOR_EVERY_VEHICLE),
        ),
    )
    with_route = plan_day(problem([stop("x")], [vehicle("used")]), HaversineProvider(), FAST)
    extra = leftover_part(day, [parts_plan, with_route], part_stops=1)
    assert extra is not None
    assert [s.id for s in extra.stops] == ["promised"]
    assert [v.id for v in extra.vehicles] == ["idle"]
    merged = merge([parts_plan], Plan((), (Unassigned("promised", ("par_promised",),
                   UnassignedReason.DEFERRED_CAPACITY_SHORT),)))  # fmt: skip
    assert merged.unassigned_reasons()["promised"] is UnassignedReason.DEFERRED_CAPACITY_SHORT
    assert len(merged.unassigned) == 3


def test_no_idle_vehicle_means_no_leftover_part() -> None:
    day = problem([stop("a")], [vehicle("v")])
    plan = plan_day(day, HaversineProvider(), FAST)
    left = Plan(plan.routes, (Unassigned("a", ("par_a",), UnassignedReason.DEFERRED_BY_COST),))
    assert leftover_part(day, [left], part_stops=10) is None


def test_parts_smaller_than_ten_stops_are_refused() -> None:
    with pytest.raises(InvalidValue, match="part_stops"):
        PlannerParams(part_stops=9)


def test_two_small_kinds_do_not_crowd_into_one_sector() -> None:
    bike = vehicle("bike", vehicle_type=VehicleType.E_CARGO_BIKE)
    parts = split_day(problem(east_and_west(8), [vehicle("van"), bike]), 8)
    assert sorted(len(p.vehicles) for p in parts) == [1, 1]


def test_a_fleet_smaller_than_the_sectors_gets_bigger_parts_not_empty_ones() -> None:
    parts = split_day(problem(grid_stops(30), [vehicle("a"), vehicle("b")]), 10)
    assert len(parts) == 2 and all(p.vehicles for p in parts)
