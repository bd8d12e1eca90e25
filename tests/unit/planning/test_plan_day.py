"""One call from problem and travel-time back-end to a plan."""

from collections.abc import Sequence
from datetime import datetime

import pytest

from doorstep.domain.model import GeoPoint, VehicleType
from doorstep.geo.provider import TravelMatrix, UnroutablePoint
from doorstep.planning.check import check_plan
from doorstep.planning.model import PlanningHub, UnassignedReason
from doorstep.planning.params import PlannerParams
from doorstep.planning.plan_day import plan_day, travel_matrices
from tests.unit.planning.helpers import (
    HUB,
    HaversineProvider,
    grid_stops,
    problem,
    stop,
    vehicle,
)

FAST = PlannerParams(max_iterations=100, workers=1)
THAMES = GeoPoint(51.5055, -0.0754)


class NoRiverProvider(HaversineProvider):
    """Refuses points in the river, as a road back-end does for unsnappable points."""

    def matrix(
        self, points: Sequence[GeoPoint], profile: VehicleType, depart: datetime
    ) -> TravelMatrix:
        for i, point in enumerate(points):
            if point == THAMES:
                raise UnroutablePoint(i, point, "no road within 200 m")
        return super().matrix(points, profile, depart)


def test_plans_a_day_in_one_call_and_the_plan_checks() -> None:
    p = problem(grid_stops(15), [vehicle("a"), vehicle("b")])
    provider = HaversineProvider()
    plan = plan_day(p, provider, FAST)
    assert sorted(plan.routed_stop_ids) == sorted(s.id for s in p.stops)
    assert check_plan(p, plan, travel_matrices(p, provider)) == []
    assert plan.co2_kg > 0 and plan.distance_m > 0


def test_a_stop_the_back_end_cannot_route_is_reported_and_the_rest_planned() -> None:
    p = problem([*grid_stops(5), stop("boat", THAMES.lat, THAMES.lon)], [vehicle()])
    plan = plan_day(p, NoRiverProvider(), FAST)
    assert plan.unassigned_reasons() == {"boat": UnassignedReason.UNROUTABLE_ADDRESS}
    assert len(plan.routed_stop_ids) == 5


def test_an_unroutable_hub_is_an_error_naming_the_hub() -> None:
    p = problem(grid_stops(3), [vehicle()], hubs=(PlanningHub(HUB.id, THAMES),))
    with pytest.raises(ValueError, match=f"hub {HUB.id}"):
        plan_day(p, NoRiverProvider(), FAST)
