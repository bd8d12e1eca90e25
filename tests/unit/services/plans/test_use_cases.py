"""Plan use cases on the in-memory store, solved with straight-line travel times."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from doorstep.bootstrap import build_routing
from doorstep.config import Settings
from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import GeoPoint, Hub, Vehicle
from doorstep.domain.parcel import ParcelState
from doorstep.geo.road_network import UnknownNetwork
from doorstep.geo.straight_line import StraightLineProvider
from doorstep.geo.traffic import FREE_FLOW, LONDON
from doorstep.planning.params import PlannerParams
from doorstep.services import plans
from doorstep.services.errors import NotFound, PermissionDenied
from doorstep.services.plans.use_cases import RequestPlan, VehicleShift
from doorstep.services.ports import PlanStatus, Routing
from tests import factories
from tests.unit.fakes import FakeClock, FakeDatabase, uow_factory
from tests.unit.services.conftest import UowFor

DAY = date(2026, 11, 25)  # factories.MORNING's day: windows 10:00-12:00 UTC


SEARCH = PlannerParams(workers=1, max_iterations=200)


def routing(network: str) -> Routing:
    return Routing(StraightLineProvider(traffic=FREE_FLOW), FREE_FLOW)  # type: ignore[arg-type]


@pytest.fixture
def fleet(db: FakeDatabase, hub: Hub) -> Vehicle:
    made = factories.vehicle(hub_id=hub.id)
    db.vehicles[made.id] = made
    return made


def _orders(db: FakeDatabase, hub: Hub, count: int) -> list[str]:
    """Orders around Camden, one parcel each; returns the parcel ids."""
    parcel_ids = []
    for i in range(count):
        point = GeoPoint(51.545 + i * 0.002, -0.145 + i * 0.001)
        made = factories.order(
            hub_id=hub.id, address=factories.address(lines=(f"{i} High St",), point=point)
        )
        db.orders[made.id] = made
        parcel_ids += [p.id for p in made.parcels]
    return parcel_ids


def _request(hub: Hub, **overrides: object) -> RequestPlan:
    fields: dict[str, object] = {"hub_id": hub.id, "plan_date": DAY, "budget_s": 1}
    return RequestPlan(**(fields | overrides))  # type: ignore[arg-type]


def test_request_plan_queues_the_hubs_parcels_with_default_shifts(
    uow_for: UowFor, db: FakeDatabase, clock: FakeClock, admin: Principal, hub: Hub, fleet: Vehicle
) -> None:
    parcels = _orders(db, hub, 3)
    plan = plans.request_plan(uow_for(admin), _request(hub), clock)
    stored = db.plans[plan.id]
    assert stored.status is PlanStatus.QUEUED
    assert stored.request["parcel_ids"] == parcels
    assert stored.request["vehicles"][0]["vehicle_id"] == fleet.id
    assert stored.request["vehicles"][0]["shift_start"] == "08:00"
    assert stored.created_by == admin.actor


def test_request_plan_leaves_out_parcels_already_loaded_and_other_days(
    uow_for: UowFor, db: FakeDatabase, clock: FakeClock, admin: Principal, hub: Hub, fleet: Vehicle
) -> None:
    loaded, tomorrow, today = (factories.order(hub_id=hub.id) for _ in range(3))
    loaded.parcels[0].state = ParcelState.LOADED
    assert tomorrow.window is not None
    tomorrow.window = replace(
        tomorrow.window,
        start=tomorrow.window.start + timedelta(days=1),
        end=tomorrow.window.end + timedelta(days=1),
    )
    for made in (loaded, tomorrow, today):
        db.orders[made.id] = made
    plan = plans.request_plan(uow_for(admin), _request(hub), clock)
    assert plan.request["parcel_ids"] == [today.parcels[0].id]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"budget_s": 0}, "budget_s"),
        ({"budget_s": 301}, "budget_s"),
        ({"network": "narnia"}, "network"),
        ({"hub_id": "hub_0000000000000000"}, "hub_id"),
        ({"vehicles": ()}, "vehicles"),
        ({"vehicles": (VehicleShift("veh_0000000000000000"),)}, "vehicles[0].vehicle_id"),
    ],
)
def test_request_plan_names_the_field_it_refuses(
    uow_for: UowFor,
    clock: FakeClock,
    admin: Principal,
    hub: Hub,
    fleet: Vehicle,
    overrides: dict[str, object],
    field: str,
) -> None:
    with pytest.raises(InvalidValue) as refused:
        plans.request_plan(uow_for(admin), _request(hub, **overrides), clock)
    assert refused.value.field == field


def test_request_plan_refuses_a_shift_ending_before_it_starts(
    uow_for: UowFor, clock: FakeClock, admin: Principal, hub: Hub, fleet: Vehicle
) -> None:
    shift = VehicleShift(fleet.id, shift_start=time(14, 0), shift_end=time(9, 0))
    with pytest.raises(InvalidValue) as refused:
        plans.request_plan(uow_for(admin), _request(hub, vehicles=(shift,)), clock)
    assert refused.value.field == "vehicles[0].shift_end"


def test_brands_may_not_request_or_read_plans(
    uow_for: UowFor,
    clock: FakeClock,
    as_brand: Principal,
    admin: Principal,
    hub: Hub,
    fleet: Vehicle,
) -> None:
    with pytest.raises(PermissionDenied):
        plans.request_plan(uow_for(as_brand), _request(hub), clock)
    plan = plans.request_plan(uow_for(admin), _request(hub), clock)
    with pytest.raises(PermissionDenied):
        plans.get_plan(uow_for(as_brand), plan.id)


def test_run_plan_routes_every_parcel_once_and_is_a_no_op_when_run_again(
    db: FakeDatabase, clock: FakeClock, admin: Principal, hub: Hub, fleet: Vehicle
) -> None:
    parcels = _orders(db, hub, 6)
    factory = uow_factory(db)
    plan = plans.request_plan(factory(admin), _request(hub), clock)
    done = plans.run_plan(factory, plan.id, routing, clock, SEARCH)
    assert done.status is PlanStatus.SUCCEEDED, done.error
    assert done.result is not None
    routed = [p for r in done.result["routes"] for s in r["stops"] for p in s["parcel_ids"]]
    left = [p for u in done.result["unassigned"] for p in u["parcel_ids"]]
    assert sorted(routed + left) == sorted(parcels)
    clock.advance(minutes=5)
    again = plans.run_plan(factory, plan.id, routing, clock, SEARCH)
    assert again.finished_at == done.finished_at


def test_run_plan_reports_a_parcel_without_coordinates_as_unroutable(
    db: FakeDatabase, clock: FakeClock, admin: Principal, hub: Hub, fleet: Vehicle
) -> None:
    nowhere = factories.order(hub_id=hub.id, address=factories.address(point=None))
    db.orders[nowhere.id] = nowhere
    factory = uow_factory(db)
    plan = plans.request_plan(factory(admin), _request(hub), clock)
    done = plans.run_plan(factory, plan.id, routing, clock, SEARCH)
    assert done.result is not None
    assert done.result["unassigned"][0]["reason"] == "unroutable_address"
    assert done.result["unassigned"][0]["parcel_ids"] == [nowhere.parcels[0].id]


def test_run_plan_fails_with_a_dispatchers_reason_when_the_vehicle_is_gone(
    db: FakeDatabase, clock: FakeClock, admin: Principal, hub: Hub, fleet: Vehicle
) -> None:
    factory = uow_factory(db)
    plan = plans.request_plan(factory(admin), _request(hub), clock)
    del db.vehicles[fleet.id]
    done = plans.run_plan(factory, plan.id, routing, clock, SEARCH)
    assert done.status is PlanStatus.FAILED
    assert done.error is not None and fleet.id in done.error
    assert "Traceback" not in done.error


def test_an_empty_day_gives_an_empty_plan(
    db: FakeDatabase, clock: FakeClock, admin: Principal, hub: Hub, fleet: Vehicle
) -> None:
    factory = uow_factory(db)
    plan = plans.request_plan(factory(admin), _request(hub), clock)
    done = plans.run_plan(factory, plan.id, routing, clock, SEARCH)
    assert done.status is PlanStatus.SUCCEEDED
    assert done.result is not None and done.result["routes"] == []


def test_progress_is_time_since_start_over_the_budget(
    db: FakeDatabase, clock: FakeClock, admin: Principal, hub: Hub, fleet: Vehicle
) -> None:
    plan = plans.request_plan(uow_factory(db)(admin), _request(hub, budget_s=10), clock)
    assert plans.progress(plan, clock.now()) == (0.0, 0.0)
    running = replace(plan, status=PlanStatus.RUNNING, started_at=clock.now())
    assert plans.progress(running, clock.now() + timedelta(seconds=4)) == (4.0, 0.4)
    assert plans.progress(running, clock.now() + timedelta(seconds=40))[1] < 1.0


def test_a_plan_left_running_by_a_dead_worker_is_found_stale_and_rerun(
    db: FakeDatabase, clock: FakeClock, admin: Principal, hub: Hub, fleet: Vehicle
) -> None:
    factory = uow_factory(db)
    plan = plans.request_plan(factory(admin), _request(hub), clock)
    db.plans[plan.id] = replace(plan, status=PlanStatus.RUNNING, started_at=clock.now())
    assert plans.stale_plans(factory(admin), clock.now()) == []
    clock.advance(minutes=10)
    assert plans.stale_plans(factory(admin), clock.now()) == [plan.id]
    done = plans.run_plan(factory, plan.id, routing, clock, SEARCH)
    assert done.status is PlanStatus.SUCCEEDED


def test_reading_an_unknown_plan_is_not_found(uow_for: UowFor, admin: Principal) -> None:
    with pytest.raises(NotFound):
        plans.get_plan(uow_for(admin), "pln_0000000000000000")


def test_every_network_a_plan_may_name_is_routed_by_bootstrap_with_london_traffic(
    tmp_path: Path,
) -> None:
    settings = Settings(mode="test", secret_key="unit-test-secret-key", data_dir=tmp_path)
    routing_for = build_routing(settings)
    assert plans.known_networks()[0] == "straight_line"
    for name in plans.known_networks():
        assert routing_for(name).traffic is LONDON
    assert routing_for("straight_line") is routing_for("straight_line")
    with pytest.raises(UnknownNetwork):
        routing_for("straight")  # one name per network: the CLI's old one is gone
