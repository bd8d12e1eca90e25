"""The independent checker catches each kind of broken promise."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from doorstep.domain.model import Capacity
from doorstep.planning.check import check_plan
from doorstep.planning.model import Break, Plan, PlanningProblem
from doorstep.planning.params import PlannerParams
from doorstep.planning.solve import solve
from tests.unit.planning.helpers import MORNING, grid_stops, matrices_for, problem, vehicle

LUNCH = Break(MORNING + timedelta(minutes=30), MORNING + timedelta(hours=1), 900)


@pytest.fixture(scope="module")
def solved() -> tuple[PlanningProblem, Plan]:
    p = problem(grid_stops(12, window=(0, 8)), [vehicle(break_=LUNCH)])
    plan = solve(p, matrices_for(p), PlannerParams(max_iterations=200, workers=1))
    assert len(plan.routes) == 1 and not plan.unassigned
    return p, plan


def kinds(p: PlanningProblem, plan: Plan) -> set[str]:
    return {v.kind for v in check_plan(p, plan, matrices_for(p))}


def with_route(plan: Plan, **changes: object) -> Plan:
    return replace(plan, routes=(replace(plan.routes[0], **changes),))  # type: ignore[arg-type]


def test_accepts_the_solver_plan(solved: tuple[PlanningProblem, Plan]) -> None:
    assert kinds(*solved) == set()


def test_catches_a_stop_served_after_its_window(solved: tuple[PlanningProblem, Plan]) -> None:
    p, plan = solved
    first = plan.routes[0].stops[0]
    late = MORNING + timedelta(hours=9)
    moved = replace(first, arrival=late, service_start=late, departure=late)
    broken = with_route(plan, stops=(moved, *plan.routes[0].stops[1:]))
    assert "window" in kinds(p, broken)


def test_catches_an_arrival_faster_than_travel(solved: tuple[PlanningProblem, Plan]) -> None:
    p, plan = solved
    second = plan.routes[0].stops[1]
    too_soon = plan.routes[0].stops[0].departure
    moved = replace(second, arrival=too_soon)
    stops = plan.routes[0].stops
    assert "travel" in kinds(p, with_route(plan, stops=(stops[0], moved, *stops[2:])))


def test_catches_an_overloaded_vehicle(solved: tuple[PlanningProblem, Plan]) -> None:
    p, plan = solved
    tiny = replace(p.vehicles[0], capacity=Capacity(parcels=3, weight_kg=5.0, volume_litres=10.0))
    assert "capacity" in kinds(replace(p, vehicles=(tiny,)), plan)


def test_catches_a_route_ending_after_the_shift(solved: tuple[PlanningProblem, Plan]) -> None:
    p, plan = solved
    assert "shift" in kinds(p, with_route(plan, end=p.vehicles[0].shift_end + timedelta(minutes=1)))


def test_catches_a_route_longer_than_allowed(solved: tuple[PlanningProblem, Plan]) -> None:
    p, plan = solved
    strict = replace(p.vehicles[0], max_route_duration_s=600)
    assert "duration" in kinds(replace(p, vehicles=(strict,)), plan)


def test_catches_a_missing_break(solved: tuple[PlanningProblem, Plan]) -> None:
    p, plan = solved
    assert "break" in kinds(p, with_route(plan, break_=None))


def test_catches_a_break_outside_its_window(solved: tuple[PlanningProblem, Plan]) -> None:
    p, plan = solved
    taken = plan.routes[0].break_
    assert taken is not None
    shifted = replace(taken, start=LUNCH.latest_start + timedelta(minutes=5))
    assert "break" in kinds(p, with_route(plan, break_=shifted))


def test_catches_a_parcel_neither_routed_nor_reported(solved: tuple[PlanningProblem, Plan]) -> None:
    p, plan = solved
    assert "parcels" in kinds(p, with_route(plan, stops=plan.routes[0].stops[1:]))


def test_catches_a_parcel_routed_twice(solved: tuple[PlanningProblem, Plan]) -> None:
    p, plan = solved
    stops = plan.routes[0].stops
    assert "parcels" in kinds(p, replace(plan, routes=(plan.routes[0], plan.routes[0])))
    assert len(stops) > 1


def test_catches_a_route_from_the_wrong_hub(solved: tuple[PlanningProblem, Plan]) -> None:
    p, plan = solved
    assert "hub" in kinds(p, with_route(plan, end_hub="hub_elsewhere"))


def test_catches_door_time_cut_short(solved: tuple[PlanningProblem, Plan]) -> None:
    p, plan = solved
    first = plan.routes[0].stops[0]
    rushed = replace(first, departure=first.service_start + timedelta(seconds=5))
    stops = plan.routes[0].stops
    assert "service" in kinds(p, with_route(plan, stops=(rushed, *stops[1:])))


def test_a_break_is_due_only_while_the_courier_works_past_its_latest_start() -> None:
    brk = Break(MORNING + timedelta(hours=4), MORNING + timedelta(hours=6), 1800)

    def at(hours: float) -> datetime:
        return MORNING + timedelta(hours=hours)

    assert brk.due(at(0), at(6.5))
    assert brk.due(at(5), at(7))
    assert not brk.due(at(0), at(5.9))  # home before it must start
    assert not brk.due(at(6.1), at(9))  # leaves after it must have started
