"""The schedule leaves the hub as late as the sequence allows, and never breaks a promise."""

from datetime import timedelta

from doorstep.planning.check import check_plan
from doorstep.planning.model import Break, PlanningProblem
from doorstep.planning.params import PlannerParams, free_flow
from doorstep.planning.schedule import RouteInputs, plan_timeline, tighten
from doorstep.planning.solve import solve
from tests.unit.planning.helpers import MORNING, matrices_for, problem, stop, vehicle


def inputs(day: PlanningProblem) -> RouteInputs:
    durations = matrices_for(day)[day.vehicles[0].vehicle_type].durations_s
    sequence = list(range(len(day.stops)))
    return RouteInputs(day, day.vehicles[0], sequence, durations, [120] * len(sequence), free_flow)


def test_a_courier_waits_at_the_hub_not_at_the_door() -> None:
    day = problem([stop("late_shop", 51.54, -0.13, window=(3, 4))], [vehicle()])
    route = inputs(day)
    early = plan_timeline(route, MORNING)
    assert early.stops[0].service_start - early.stops[0].arrival > timedelta(hours=2)
    start, timeline = tighten(route, MORNING, early)
    visit = timeline.stops[0]
    assert visit.arrival == visit.service_start == MORNING + timedelta(hours=3)
    assert timeline.end == early.end
    assert start - MORNING == early.stops[0].service_start - early.stops[0].arrival


def test_a_window_closing_soon_limits_the_delay() -> None:
    soon = stop("soon", 51.54, -0.13, window=(0, 0.5))
    day = problem([soon, stop("later", 51.545, -0.125, window=(3, 4))], [vehicle()])
    route = inputs(day)
    early = plan_timeline(route, MORNING)
    start, timeline = tighten(route, MORNING, early)
    room = MORNING + timedelta(hours=0.5) - early.stops[0].service_start
    assert start - MORNING == room
    assert timeline.stops[0].service_start == MORNING + timedelta(hours=0.5)
    assert timeline.feasible and timeline.end == early.end


def test_the_break_keeps_its_latest_start() -> None:
    brk = Break(MORNING + timedelta(hours=1), MORNING + timedelta(hours=1, minutes=30), 1800)
    day = problem(
        [stop("a", 51.54, -0.13), stop("b", 51.545, -0.125, window=(4, 5))],
        [vehicle(break_=brk)],
    )
    route = inputs(day)
    early = plan_timeline(route, MORNING)
    assert early.break_ is not None
    start, timeline = tighten(route, MORNING, early)
    assert timeline.feasible and timeline.break_ is not None
    assert timeline.break_.start <= brk.latest_start
    assert start > MORNING and timeline.end == early.end


def test_a_route_with_nothing_to_wait_for_leaves_on_time() -> None:
    day = problem([stop("a", 51.54, -0.13), stop("b", 51.545, -0.125)], [vehicle()])
    route = inputs(day)
    early = plan_timeline(route, MORNING)
    assert tighten(route, MORNING, early) == (MORNING, early)


def test_solved_routes_do_not_wait_at_the_door_when_the_solver_saw_slower_roads() -> None:
    day = problem([stop("late_shop", 51.54, -0.13, window=(3, 4))], [vehicle()])
    m = matrices_for(day)
    plan = solve(day, m, PlannerParams(max_iterations=100, workers=1, solver_traffic_factor=2.0))
    assert check_plan(day, plan, m) == []
    (visit,) = plan.routes[0].stops
    assert visit.service_start == visit.arrival
