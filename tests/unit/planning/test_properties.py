"""Random small days: every plan passes the checker and accounts for every stop once."""

from collections import Counter
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doorstep.domain.model import Capacity, Priority, ServiceLevel
from doorstep.planning.check import check_plan
from doorstep.planning.model import Break, PlanningProblem
from doorstep.planning.params import PlannerParams
from doorstep.planning.solve import solve
from tests.unit.planning.helpers import MORNING, matrices_for, problem, stop, vehicle


@st.composite
def small_days(draw: st.DrawFn) -> PlanningProblem:
    n = draw(st.integers(1, 12))
    stops = []
    for i in range(n):
        start = draw(st.floats(-2.0, 8.0))
        window = draw(st.none() | st.just((start, start + draw(st.floats(0.2, 4.0)))))
        stops.append(
            stop(
                f"s{i}",
                51.53 + draw(st.floats(-0.05, 0.05)),
                -0.12 + draw(st.floats(-0.08, 0.08)),
                kg=draw(st.floats(0.1, 60.0)),
                window=window,
                service_level=draw(st.sampled_from(ServiceLevel)),
                priority=draw(st.sampled_from(Priority)),
            )
        )
    vans = []
    for j in range(draw(st.integers(1, 3))):
        lunch = draw(st.booleans())
        vans.append(
            vehicle(
                f"v{j}",
                capacity=Capacity(draw(st.integers(1, 10)), draw(st.floats(10, 200)), 500.0),
                shift_end=MORNING + timedelta(hours=draw(st.floats(0.5, 9.0))),
                break_=Break(MORNING + timedelta(hours=1), MORNING + timedelta(hours=2), 1200)
                if lunch
                else None,
            )
        )
    return problem(stops, vans, departure=MORNING + timedelta(minutes=draw(st.integers(0, 60))))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_days())
def test_every_plan_passes_the_checker_and_places_every_stop_once(p: PlanningProblem) -> None:
    m = matrices_for(p)
    plan = solve(p, m, PlannerParams(max_iterations=100, workers=1))
    assert check_plan(p, plan, m) == []
    placed = Counter(plan.routed_stop_ids + [u.stop_id for u in plan.unassigned])
    assert placed == Counter(s.id for s in p.stops)
