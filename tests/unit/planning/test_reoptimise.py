"""Re-planning mid-day starts couriers where they are and keeps finished work out."""

from datetime import timedelta

import pytest

from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Capacity, GeoPoint
from doorstep.planning.check import check_plan
from doorstep.planning.model import Break, PlanningProblem
from doorstep.planning.params import PlannerParams
from doorstep.planning.plan_day import travel_matrices
from doorstep.planning.reoptimise import CourierState, remaining_problem, reoptimise
from tests.unit.planning.helpers import (
    MORNING,
    HaversineProvider,
    grid_stops,
    problem,
    vehicle,
)

NOW = MORNING + timedelta(hours=2)
FAST = PlannerParams(max_iterations=200, workers=1)


def day(n_stops: int, n_vans: int) -> PlanningProblem:
    vans = [vehicle(f"v{i}", capacity=Capacity(80, 800.0, 6000.0)) for i in range(n_vans)]
    return problem(grid_stops(n_stops, window=(0, 8)), vans)


def test_completed_and_in_progress_stops_are_not_planned_again() -> None:
    p = day(20, 2)
    states = {
        "v0": CourierState("v0", GeoPoint(51.52, -0.11), completed=("s0", "s1"), in_progress="s2"),
        "v1": CourierState("v1", GeoPoint(51.54, -0.13), completed=("s3",)),
    }
    plan = reoptimise(p, states, NOW, HaversineProvider(), FAST)
    routed = set(plan.routed_stop_ids) | set(plan.unassigned_reasons())
    assert routed == {f"s{i}" for i in range(4, 20)}


def test_couriers_restart_from_their_position_now() -> None:
    p = day(20, 2)
    states = {
        "v0": CourierState("v0", GeoPoint(51.52, -0.11)),
        "v1": CourierState("v1", GeoPoint(51.54, -0.13)),
    }
    rest = remaining_problem(p, states, NOW)
    provider = HaversineProvider()
    plan = reoptimise(p, states, NOW, provider, FAST)
    assert check_plan(rest, plan, travel_matrices(rest, provider)) == []
    assert {r.start_hub for r in plan.routes} <= {"now_v0", "now_v1"}
    assert all(r.start >= NOW for r in plan.routes)


def test_an_in_progress_stop_holds_its_courier_there_for_its_door_time() -> None:
    p = day(6, 1)
    states = {"v0": CourierState("v0", GeoPoint(51.0, 0.0), in_progress="s0")}
    rest = remaining_problem(p, states, NOW)
    assert rest.hubs[-1].point == p.stops[0].point
    assert rest.vehicles[0].shift_start > NOW


def test_replans_150_stops_on_5_routes_feasibly() -> None:
    # The time this takes under the default budget is measured by benchmarks/reoptimise.py.
    p = day(150, 5)
    states = {f"v{i}": CourierState(f"v{i}", GeoPoint(51.53 + i / 100, -0.12)) for i in range(5)}
    provider = HaversineProvider()
    plan = reoptimise(p, states, NOW, provider, FAST)
    rest = remaining_problem(p, states, NOW)
    assert check_plan(rest, plan, travel_matrices(rest, provider)) == []
    assert len(plan.routed_stop_ids) == 150


def test_a_break_already_taken_is_not_planned_again() -> None:
    lunch = Break(MORNING + timedelta(hours=3), MORNING + timedelta(hours=4), 1800)
    p = problem(grid_stops(5, window=(0, 8)), [vehicle("v0", break_=lunch)])
    fresh = remaining_problem(p, {"v0": CourierState("v0", GeoPoint(51.53, -0.12))}, NOW)
    rested = remaining_problem(
        p, {"v0": CourierState("v0", GeoPoint(51.53, -0.12), break_taken=True)}, NOW
    )
    assert fresh.vehicles[0].break_ == lunch
    assert rested.vehicles[0].break_ is None


def test_refuses_a_state_for_an_unknown_stop_naming_the_vehicle() -> None:
    p = day(3, 1)
    with pytest.raises(InvalidValue, match="states\\[v0\\]"):
        remaining_problem(
            p, {"v0": CourierState("v0", GeoPoint(51.5, -0.1), completed=("nope",))}, NOW
        )
