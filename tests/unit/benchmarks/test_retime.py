"""The benchmark's own clock: re-timed sequences keep every promise and are priced alike."""

from datetime import UTC, date, datetime, timedelta

import numpy as np
from benchmarks._retime import (
    DEFERRAL_PENALTY,
    MISSED_PROMISE_PENALTY,
    plan_cost,
    to_plan,
)

from doorstep.domain.model import Capacity, GeoPoint, ServiceLevel, TimeWindow, VehicleType
from doorstep.geo.provider import TravelMatrix
from doorstep.planning import (
    Break,
    ParcelLoad,
    PlanningHub,
    PlanningProblem,
    PlanningStop,
    PlanningVehicle,
    check_plan,
)

EIGHT = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def hours(h: float) -> datetime:
    return EIGHT + timedelta(hours=h)


def day(windows: list[tuple[float, float] | None], *, lunch: bool = False) -> PlanningProblem:
    stops = tuple(
        PlanningStop(
            id=f"s{k}",
            point=GeoPoint(51.53, -0.12),
            parcels=(ParcelLoad(f"p{k}", 1.0, 2.0),),
            windows=(TimeWindow(hours(w[0]), hours(w[1])),) if w else (),
            service_level=ServiceLevel.SCHEDULED if w else ServiceLevel.NEXT_DAY,
            door_time_s=600,
        )
        for k, w in enumerate(windows)
    )
    van = PlanningVehicle(
        id="van", vehicle_type=VehicleType.VAN, capacity=Capacity(10, 100.0, 100.0),
        shift_start=hours(0), shift_end=hours(10), start_hub="hub", end_hub="hub",
        break_=Break(hours(4), hours(6), 1800) if lunch else None,
        cost_per_km=1.0, cost_per_hour=10.0, fixed_cost=5.0,
    )  # fmt: skip
    hub = PlanningHub("hub", GeoPoint(51.55, -0.14))
    return PlanningProblem(date(2026, 3, 10), hours(-0.5), (hub,), stops, (van,))


def matrices(size: int) -> dict[VehicleType, TravelMatrix]:
    legs = np.full((size, size), 900, dtype=np.int64)  # 15 minutes, 3 km between any two
    np.fill_diagonal(legs, 0)
    return {VehicleType.VAN: TravelMatrix(legs, legs * 10 // 3)}


def test_departs_as_late_as_the_first_window_allows_instead_of_waiting() -> None:
    problem = day([(2, 3), None])
    m = matrices(3)
    plan = to_plan(problem, {"van": [0, 1]}, m, [600, 600])
    (route,) = plan.routes
    assert route.start == hours(2) - timedelta(minutes=15)
    assert route.stops[0].service_start == hours(2)
    assert route.end == hours(2) + timedelta(minutes=10 + 15 + 10 + 15)
    assert check_plan(problem, plan, m) == []


def test_takes_the_break_in_its_window_on_a_route_that_spans_it() -> None:
    problem = day([(0, 1), (6, 7)], lunch=True)
    m = matrices(3)
    plan = to_plan(problem, {"van": [0, 1]}, m, [600, 600])
    (route,) = plan.routes
    assert route.break_ is not None
    assert hours(4) <= route.break_.start <= hours(6)
    assert check_plan(problem, plan, m) == []


def test_prices_routes_and_leftovers_with_one_formula() -> None:
    problem = day([(2, 3), None, (5, 6)])
    m = matrices(4)
    plan = to_plan(problem, {"van": [0]}, m, [600] * 3)
    (route,) = plan.routes
    travel = 5.0 + 1.0 * route.distance_m / 1000 + 10.0 * route.duration_s / 3600
    assert plan_cost(problem, plan) == travel + DEFERRAL_PENALTY + MISSED_PROMISE_PENALTY
    assert {u.stop_id for u in plan.unassigned} == {"s1", "s2"}
