"""Pinned stops stay first on their vehicle, in order; the planner fills in the rest."""

import pytest

from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Capacity
from doorstep.planning.check import check_plan
from doorstep.planning.model import PlanningProblem, UnassignedReason
from doorstep.planning.params import PlannerParams
from doorstep.planning.pinned import plan_pinned
from doorstep.planning.plan_day import travel_matrices
from tests.unit.planning.helpers import HaversineProvider, grid_stops, problem, stop, vehicle

FAST = PlannerParams(max_iterations=200, workers=1)


def day(n_stops: int, n_vans: int) -> PlanningProblem:
    vans = [vehicle(f"v{i}", capacity=Capacity(80, 800.0, 6000.0)) for i in range(n_vans)]
    return problem(grid_stops(n_stops, window=(0, 8)), vans)


def stops_of(plan_routes: object, vehicle_id: str) -> list[str]:
    route = next(r for r in plan_routes if r.vehicle_id == vehicle_id)  # type: ignore[attr-defined]
    return [s.stop_id for s in route.stops]


def test_pinned_stops_come_first_on_their_vehicle_in_the_given_order() -> None:
    p = day(16, 2)
    provider = HaversineProvider()
    plan = plan_pinned(p, {"v1": ["s5", "s0", "s9"]}, provider, FAST)
    assert stops_of(plan.routes, "v1")[:3] == ["s5", "s0", "s9"]
    routed = set(plan.routed_stop_ids) | set(plan.unassigned_reasons())
    assert routed == {f"s{i}" for i in range(16)}
    assert check_plan(p, plan, travel_matrices(p, provider)) == []


def test_the_rest_of_the_day_is_still_shared_across_the_fleet() -> None:
    p = day(20, 2)
    plan = plan_pinned(p, {"v0": ["s3"]}, HaversineProvider(), FAST)
    assert stops_of(plan.routes, "v0")[0] == "s3"
    assert not plan.unassigned
    assert sum(len(r.stops) for r in plan.routes) == 20


def test_a_pinned_vehicle_does_not_carry_more_than_it_can() -> None:
    vans = [vehicle("v0", capacity=Capacity(3, 800.0, 6000.0)), vehicle("v1")]
    p = problem(grid_stops(8, window=(0, 8)), vans)
    plan = plan_pinned(p, {"v0": ["s0", "s1"]}, HaversineProvider(), FAST)
    assert len(stops_of(plan.routes, "v0")) <= 3
    assert stops_of(plan.routes, "v0")[:2] == ["s0", "s1"]


def test_a_pinned_stop_that_cannot_keep_its_window_there_is_reported_not_moved() -> None:
    early = stop("late", 51.53, -0.12, window=(0, 0.05))
    p = problem([*grid_stops(4, window=(0, 8)), early], [vehicle("v0"), vehicle("v1")])
    plan = plan_pinned(p, {"v0": ["s0", "s1", "s2", "s3", "late"]}, HaversineProvider(), FAST)
    reasons = plan.unassigned_reasons()
    assert reasons.get("late") is UnassignedReason.NO_FEASIBLE_ROUTE
    assert "late" not in plan.routed_stop_ids
    detail = next(u.detail for u in plan.unassigned if u.stop_id == "late")
    assert detail is not None and "pinned to v0" in detail


def test_no_pins_plans_the_day_as_usual() -> None:
    p = day(10, 2)
    plan = plan_pinned(p, {}, HaversineProvider(), FAST)
    assert sorted(plan.routed_stop_ids) == sorted(f"s{i}" for i in range(10))


@pytest.mark.parametrize(
    ("pins", "words"),
    [
        ({"nope": ["s0"]}, "no such vehicle"),
        ({"v0": ["zz"]}, "unknown stop"),
        ({"v0": ["s0"], "v1": ["s0"]}, "pinned twice"),
    ],
)
def test_refuses_pins_that_name_nothing_or_twice(pins: dict[str, list[str]], words: str) -> None:
    with pytest.raises(InvalidValue, match=words):
        plan_pinned(day(4, 2), pins, HaversineProvider(), FAST)
