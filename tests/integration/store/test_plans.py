"""The plans table on SQLite and PostgreSQL: stored, updated, hidden from brands."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Hub
from doorstep.services.ports import PlanRecord, PlanStatus
from tests import factories
from tests.integration.store.conftest import SYSTEM, UowFactory

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


@pytest.fixture
def hub(uow_factory: UowFactory) -> Hub:
    made = factories.hub()
    with uow_factory(SYSTEM) as uow:
        uow.hubs.add(made)
        uow.commit()
    return made


def _plan(hub: Hub) -> PlanRecord:
    return PlanRecord(
        id=ids.new_id("pln"),
        hub_id=hub.id,
        plan_date=date(2026, 11, 25),
        status=PlanStatus.QUEUED,
        request={"vehicles": [{"vehicle_id": "veh_x", "shift_start": "08:00"}], "parcel_ids": []},
        budget_s=5,
        network="camden",
        created_at=NOW,
        created_by="usr_test",
    )


def test_a_plan_round_trips_and_its_result_is_saved(uow_factory: UowFactory, hub: Hub) -> None:
    plan = _plan(hub)
    with uow_factory(SYSTEM) as uow:
        uow.plans.add(plan)
        uow.commit()
    document = {"routes": [], "totals": {"parcels": 0}, "unassigned": []}
    done = replace(
        plan,
        status=PlanStatus.SUCCEEDED,
        started_at=NOW + timedelta(seconds=1),
        finished_at=NOW + timedelta(seconds=6),
        result=document,
    )
    with uow_factory(SYSTEM) as uow:
        assert uow.plans.get(plan.id) == plan
        uow.plans.save(done)
        uow.commit()
    with uow_factory(SYSTEM) as uow:
        assert uow.plans.get(plan.id) == done


def test_unfinished_plans_are_listed_oldest_first(uow_factory: UowFactory, hub: Hub) -> None:
    first, second, finished = _plan(hub), _plan(hub), _plan(hub)
    second = replace(second, created_at=NOW + timedelta(minutes=1), status=PlanStatus.RUNNING)
    finished = replace(finished, status=PlanStatus.FAILED, error="no vehicles")
    with uow_factory(SYSTEM) as uow:
        for plan in (second, finished, first):
            uow.plans.add(plan)
        uow.commit()
    with uow_factory(SYSTEM) as uow:
        assert [p.id for p in uow.plans.list_unfinished()] == [first.id, second.id]


def test_a_brand_neither_reads_nor_writes_plans(uow_factory: UowFactory, hub: Hub) -> None:
    plan = _plan(hub)
    with uow_factory(SYSTEM) as uow:
        uow.plans.add(plan)
        uow.commit()
    brand = Principal.brand(ids.new_id("brd"), "key_test")
    with uow_factory(brand) as uow:
        assert uow.plans.get(plan.id) is None
        assert uow.plans.list_unfinished() == []
        with pytest.raises(InvalidValue):
            uow.plans.add(_plan(hub))


def test_a_plan_for_an_unknown_hub_names_the_field(uow_factory: UowFactory) -> None:
    with uow_factory(SYSTEM) as uow, pytest.raises(InvalidValue) as refused:
        uow.plans.add(_plan(factories.hub()))
    assert refused.value.field == "hub_id"


def test_orders_for_planning_are_the_hubs_or_unassigned_within_the_day(
    uow_factory: UowFactory, hub: Hub
) -> None:
    brand = factories.brand()
    other_hub = factories.hub()
    mine, no_hub, elsewhere = (
        factories.order(brand_id=brand.id, hub_id=hub.id),
        factories.order(brand_id=brand.id),
        factories.order(brand_id=brand.id, hub_id=other_hub.id),
    )
    with uow_factory(SYSTEM) as uow:
        uow.brands.add(brand)
        uow.hubs.add(other_hub)
        for made in (mine, no_hub, elsewhere):
            uow.orders.add(made)
        uow.commit()
    day = datetime(2026, 11, 25, tzinfo=UTC)
    with uow_factory(SYSTEM) as uow:
        found = uow.orders.list_for_planning(hub.id, day, day + timedelta(days=1))
        assert {o.id for o in found} == {mine.id, no_hub.id}
        later = uow.orders.list_for_planning(
            hub.id, day + timedelta(days=1), day + timedelta(days=2)
        )
        assert later == []
