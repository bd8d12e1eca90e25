"""Second trips: a small vehicle goes back to its hub to load again when that serves more."""

from dataclasses import replace

import pytest

from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Capacity, ServiceLevel
from doorstep.planning.check import check_plan
from doorstep.planning.model import Plan, PlanningProblem, Route
from doorstep.planning.params import PlannerParams
from doorstep.planning.solve import solve
from tests.unit.planning.helpers import grid_stops, matrices_for, problem, vehicle

FAST = PlannerParams(max_iterations=400, workers=1, seed=2)
TRIKE = Capacity(parcels=5, weight_kg=150.0, volume_litres=1200.0)


def bike_day(max_reloads: int) -> PlanningProblem:
    stops = grid_stops(12, seed=5, service_level=ServiceLevel.NEXT_DAY)
    return problem(stops, [vehicle("bike", capacity=TRIKE, max_reloads=max_reloads, reload_s=600)])


def solved(p: PlanningProblem) -> Plan:
    m = matrices_for(p)
    plan = solve(p, m, FAST)
    assert check_plan(p, plan, m) == []
    return plan


def test_a_bike_that_may_reload_serves_every_stop_in_trips_of_its_capacity() -> None:
    plan = solved(bike_day(max_reloads=2))
    (route,) = plan.routes
    assert plan.unassigned == () and len(route.stops) == 12
    assert len(route.reloads) == 2
    for reload in route.reloads:
        assert (reload.departure - reload.arrival).total_seconds() >= 600


def test_without_reloads_the_same_bike_carries_one_load() -> None:
    plan = solved(bike_day(max_reloads=0))
    assert len(plan.routed_stop_ids) == 5 and plan.routes[0].reloads == ()


def test_the_checker_counts_each_trip_and_the_loading_time() -> None:
    p = bike_day(max_reloads=2)
    plan = solved(p)
    (route,) = plan.routes

    def kinds(changed: Route) -> set[str]:
        return {v.kind for v in check_plan(p, Plan((changed,), plan.unassigned), matrices_for(p))}

    assert "capacity" in kinds(replace(route, reloads=()))
    first = route.reloads[0]
    rushed = replace(first, departure=first.arrival)
    assert "reload" in kinds(replace(route, reloads=(rushed, *route.reloads[1:])))


@pytest.mark.parametrize("bad", [-1, 21])
def test_a_reload_limit_out_of_range_is_refused(bad: int) -> None:
    with pytest.raises(InvalidValue, match="max_reloads"):
        vehicle("bike", max_reloads=bad)
