"""The solver keeps every promise, and says why when it cannot."""

from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import pytest

from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Capacity, GeoPoint, Priority, ServiceLevel, VehicleType
from doorstep.planning.check import check_plan
from doorstep.planning.model import Break, Plan, PlanningHub, PlanningProblem, UnassignedReason
from doorstep.planning.params import PlannerParams
from doorstep.planning.solve import solve
from tests.unit.planning.helpers import (
    HUB,
    MORNING,
    HaversineProvider,
    grid_stops,
    matrices_for,
    problem,
    stop,
    vehicle,
)

FAST = PlannerParams(max_iterations=300, workers=1, seed=3)


def solved(p: PlanningProblem, provider: HaversineProvider | None = None) -> Plan:
    """Solve quickly and insist the independent checker accepts the plan."""
    m = matrices_for(p, provider)
    plan = solve(p, m, FAST)
    assert check_plan(p, plan, m) == []
    return plan


def test_a_window_no_shift_can_reach_is_reported_window_unreachable() -> None:
    far = stop("far", 51.9, -0.9, window=(0.0, 0.25))  # ~70 km away, window closes 08:15
    plan = solved(problem([far, stop("near")], [vehicle()]))
    assert plan.unassigned_reasons() == {"far": UnassignedReason.WINDOW_UNREACHABLE}
    assert plan.routed_stop_ids == ["near"]


def test_a_window_already_closed_is_reported_window_in_past() -> None:
    late = problem(
        [stop("gone", window=(0, 1))], [vehicle()], departure=MORNING + timedelta(hours=2)
    )
    assert solved(late).unassigned_reasons() == {"gone": UnassignedReason.WINDOW_IN_PAST}


def test_a_point_far_from_every_hub_is_outside_the_service_area_on_any_network() -> None:
    swapped = stop("swapped", -0.12, 51.53)  # latitude and longitude the wrong way round
    plan = solved(problem([stop("here"), swapped], [vehicle()]))
    (left,) = plan.unassigned
    assert left.reason is UnassignedReason.OUTSIDE_SERVICE_AREA
    assert left.detail is not None and "km from the nearest hub" in left.detail


def test_a_parcel_heavier_than_every_vehicle_is_too_heavy_for_every_vehicle() -> None:
    plan = solved(problem([stop("piano", kg=900.0), stop("book")], [vehicle()]))
    assert plan.unassigned_reasons() == {"piano": UnassignedReason.TOO_HEAVY_FOR_EVERY_VEHICLE}


def test_capacity_shortfall_defers_next_day_parcels_but_keeps_same_day_and_priority() -> None:
    small = vehicle(capacity=Capacity(parcels=4, weight_kg=100.0, volume_litres=500.0))
    urgent = [stop(f"u{i}") for i in range(2)] + [
        stop("vip", service_level=ServiceLevel.NEXT_DAY, priority=Priority.HIGH)
    ]
    later = [stop(f"n{i}", 51.52 + i / 500, service_level=ServiceLevel.NEXT_DAY) for i in range(4)]
    plan = solved(problem(urgent + later, [small]))
    assert {"u0", "u1", "vip"} <= set(plan.routed_stop_ids)
    reasons = plan.unassigned_reasons()
    assert len(reasons) == 3
    assert set(reasons.values()) == {UnassignedReason.DEFERRED_CAPACITY_SHORT}


def test_more_promises_than_room_keeps_as_many_as_fit_and_says_the_fleet_is_full() -> None:
    """Six same-day parcels for a van that holds four: a plan with four on time, never one
    with six where two are late (which the search used to end on and then cut)."""
    van = vehicle(capacity=Capacity(parcels=4, weight_kg=100.0, volume_litres=500.0))
    plan = solved(problem(grid_stops(6), [van]))
    assert len(plan.routed_stop_ids) == 4
    assert [(u.reason, u.detail) for u in plan.unassigned] == [
        (
            UnassignedReason.NO_FEASIBLE_ROUTE,
            "every vehicle that can carry it is full or out of shift time",
        )
    ] * 2


def test_a_stop_left_while_a_vehicle_had_room_is_deferred_by_cost_not_capacity() -> None:
    """A next-day parcel 40 km out, worth almost nothing to deliver today, with a second
    van standing idle: the fleet is not short, the price said wait."""
    far = stop("far", 51.85, -0.12, service_level=ServiceLevel.NEXT_DAY)
    p = problem([stop("near"), far], [vehicle("van_a"), vehicle("van_b")])
    m = matrices_for(p)
    plan = solve(p, m, replace(FAST, deferral_penalty=0.01))
    assert check_plan(p, plan, m) == []
    (left,) = plan.unassigned
    assert left.stop_id == "far" and left.reason is UnassignedReason.DEFERRED_BY_COST
    assert left.detail is not None and "had room" in left.detail


def test_a_route_home_before_the_break_must_start_takes_no_break() -> None:
    lunch = Break(MORNING + timedelta(hours=2), MORNING + timedelta(hours=4), 1800)
    plan = solved(problem(grid_stops(5), [vehicle(break_=lunch)]))
    (route,) = plan.routes
    assert route.end < lunch.latest_start and route.break_ is None


def test_routes_return_before_the_shift_ends() -> None:
    short = vehicle(shift_end=MORNING + timedelta(hours=1))
    plan = solved(problem(grid_stops(30), [short]))
    assert plan.routes and plan.routes[0].end <= short.shift_end
    assert plan.unassigned  # one hour cannot serve 30 stops


def test_the_break_is_taken_inside_its_window() -> None:
    lunch = Break(MORNING + timedelta(hours=1), MORNING + timedelta(hours=1, minutes=30), 1800)
    plan = solved(problem(grid_stops(25), [vehicle(break_=lunch)]))
    taken = plan.routes[0].break_
    assert taken is not None
    assert lunch.earliest_start <= taken.start <= lunch.latest_start
    assert taken.duration_s == 1800


def test_a_bike_is_timed_with_its_own_matrix() -> None:
    provider = HaversineProvider()
    bike = vehicle(
        "bike", vehicle_type=VehicleType.E_CARGO_BIKE, capacity=Capacity(30, 120.0, 400.0)
    )
    p = problem(grid_stops(10), [bike])
    plan = solved(p, provider)
    assert provider.calls == [VehicleType.E_CARGO_BIKE]
    r = plan.routes[0]
    first_leg_m = r.distance_m  # whole route at bike speed (4 m/s) must take at least this long
    assert (r.end - r.start).total_seconds() >= first_leg_m / 4.0


def test_a_mixed_fleet_uses_one_matrix_per_profile() -> None:
    provider = HaversineProvider()
    bike = vehicle("bike", vehicle_type=VehicleType.E_CARGO_BIKE, capacity=Capacity(5, 50.0, 200.0))
    plan = solved(problem(grid_stops(12), [bike, vehicle("van")]), provider)
    assert sorted(provider.calls) == sorted([VehicleType.E_CARGO_BIKE, VehicleType.VAN])
    assert not plan.unassigned


def test_each_vehicle_starts_and_ends_at_its_own_hub() -> None:
    south = PlanningHub("hub_south", GeoPoint(51.45, -0.10))
    north_van = vehicle("north")
    south_van = vehicle("south", start_hub=south.id, end_hub=south.id)
    stops = grid_stops(10) + [stop(f"x{i}", 51.45 + i / 1000, -0.1) for i in range(10)]
    plan = solved(problem(stops, [north_van, south_van], hubs=(HUB, south)))
    hubs = {r.vehicle_id: (r.start_hub, r.end_hub) for r in plan.routes}
    assert hubs == {"north": (HUB.id, HUB.id), "south": (south.id, south.id)}
    south_route = next(r for r in plan.routes if r.vehicle_id == "south")
    assert {s.stop_id for s in south_route.stops} >= {f"x{i}" for i in range(10)}


def test_waits_for_a_window_that_opens_later() -> None:
    plan = solved(problem([stop("noon", window=(4, 5))], [vehicle()]))
    visit = plan.routes[0].stops[0]
    assert visit.service_start >= MORNING + timedelta(hours=4)


def test_alternative_windows_are_both_usable() -> None:
    two = stop("shop", window=(0, 0.05))
    two = replace(
        two,
        windows=(
            two.windows[0],
            replace(
                two.windows[0], start=MORNING + timedelta(hours=3), end=MORNING + timedelta(hours=4)
            ),
        ),
    )
    plan = solved(problem([two], [vehicle(shift_start=MORNING + timedelta(hours=2))]))
    assert plan.routes[0].stops[0].service_start >= MORNING + timedelta(hours=3)


def test_same_seed_and_iterations_give_the_same_plan() -> None:
    p = problem(grid_stops(25, window=(0, 6)), [vehicle("a"), vehicle("b")])
    m = matrices_for(p)
    params = PlannerParams(max_iterations=100, workers=2, seed=11)
    assert solve(p, m, params) == solve(p, m, params)


def test_two_workers_are_at_least_as_good_as_one_with_the_same_first_seed() -> None:
    p = problem(grid_stops(30), [vehicle("a"), vehicle("b")])
    m = matrices_for(p)
    one = solve(p, m, PlannerParams(max_iterations=100, workers=1, seed=5))
    two = solve(p, m, PlannerParams(max_iterations=100, workers=2, seed=5))
    assert two.cost <= one.cost + 1e-9


def test_refuses_a_non_positive_budget_naming_the_field() -> None:
    with pytest.raises(InvalidValue, match="time_budget_s"):
        PlannerParams(time_budget_s=0)


def test_refuses_matrices_of_the_wrong_size_naming_the_profile() -> None:
    p = problem([stop("a")], [vehicle()])
    m = matrices_for(problem([stop("a"), stop("b")], [vehicle()]))
    with pytest.raises(ValueError, match="matrices\\[van\\]"):
        solve(p, m, FAST)


def rush_hour(at: datetime) -> float:
    """Twice the free-flow time before 09:00."""
    return 2.0 if at < MORNING + timedelta(hours=1) else 1.0


def test_arrivals_are_timed_with_the_traffic_factor_at_departure() -> None:
    p = problem([stop("a", 51.56, -0.10)], [vehicle()])
    m = matrices_for(p)
    plan = solve(p, m, FAST, leg_factor=rush_hour)
    assert check_plan(p, plan, m, leg_factor=rush_hour) == []
    route = plan.routes[0]
    free = int(m[VehicleType.VAN].durations_s[0, 1])
    assert route.stops[0].arrival - route.start == timedelta(seconds=2 * free)


def test_a_plan_timed_without_traffic_fails_the_check_with_traffic() -> None:
    p = problem([stop("a", 51.56, -0.10, window=(0, 0.25))], [vehicle()])
    m = matrices_for(p)
    plan = solve(p, m, FAST)  # free flow: makes the window
    free = int(m[VehicleType.VAN].durations_s[0, 1])
    assert free < 900 < 2 * free
    assert {v.kind for v in check_plan(p, plan, m, leg_factor=rush_hour)} >= {"travel"}


def test_a_window_only_free_flow_could_make_is_not_promised_in_traffic() -> None:
    p = problem([stop("a", 51.56, -0.10, window=(0, 0.25))], [vehicle()])
    m = matrices_for(p)
    plan = solve(p, m, FAST, leg_factor=rush_hour)
    assert check_plan(p, plan, m, leg_factor=rush_hour) == []
    assert plan.unassigned_reasons() == {"a": UnassignedReason.NO_FEASIBLE_ROUTE}


def test_without_vehicles_every_stop_is_reported_not_routed() -> None:
    p = problem([stop("a"), stop("b")], [])
    plan = solve(p, matrices_for(p), FAST)
    assert plan.routes == ()
    assert set(plan.unassigned_reasons().values()) == {UnassignedReason.NO_FEASIBLE_ROUTE}


def test_lunch_breaks_do_not_push_promised_stops_out_of_their_windows() -> None:
    """Busy routes with windows all day and a 30-minute break to take between 12 and 14:
    the break must be planned for, not discovered afterwards at the cost of stops."""
    rng = np.random.default_rng(4)
    stops = [
        stop(
            f"s{i}",
            51.53 + rng.uniform(-0.03, 0.03),
            -0.12 + rng.uniform(-0.05, 0.05),
            window=(float(start), float(start) + 2.0) if i % 2 == 0 else (4.0, 7.0),
        )
        for i, start in enumerate(1 + rng.integers(0, 7, size=60))
    ]
    lunch = Break(MORNING + timedelta(hours=4), MORNING + timedelta(hours=6), 1800)
    fleet = [
        vehicle(f"v{i}", break_=lunch, shift_end=MORNING + timedelta(hours=10)) for i in range(2)
    ]
    p = problem(stops, fleet)
    m = matrices_for(p)
    plan = solve(p, m, PlannerParams(max_iterations=1000, workers=1, seed=1))
    assert check_plan(p, plan, m) == []
    assert plan.unassigned == ()
    over_lunch = [r for r in plan.routes if r.start <= lunch.latest_start < r.end]
    assert over_lunch and all(r.break_ is not None for r in over_lunch)


def test_a_parcel_above_a_crew_limit_goes_to_a_vehicle_that_may_handle_it() -> None:
    """A rider may handle 25 kg; the 40 kg box rides in the van even though the bike is
    cheaper and has the payload, and the checker would say so if it did not."""
    box = stop("box", kg=40.0)
    bike = vehicle(
        "bike",
        vehicle_type=VehicleType.E_CARGO_BIKE,
        capacity=Capacity(parcels=50, weight_kg=150.0, volume_litres=1200.0),
        max_parcel_kg=25.0,
        cost_per_km=0.05,
    )
    van = vehicle("van", fixed_cost=30.0)
    day = problem([box, *grid_stops(4)], [bike, van])
    plan = solved(day)
    (carrying,) = [r for r in plan.routes if "box" in {s.stop_id for s in r.stops}]
    assert carrying.vehicle_id == "van"
    on_the_bike = Plan((replace(carrying, vehicle_id="bike"),), plan.unassigned)
    assert "handling" in {v.kind for v in check_plan(day, on_the_bike, matrices_for(day))}
    alone = solved(problem([box], [bike]))
    assert alone.unassigned_reasons() == {"box": UnassignedReason.TOO_HEAVY_FOR_EVERY_VEHICLE}
