"""Mis-sorts and unroutable addresses raised at once from their events (``scan.refused``,
``plan.finished``) on a real store (SQLite and PostgreSQL), with an injected clock; the
one-minute sweep, kept as a safety net, raises neither a second time, whichever runs
first."""

from __future__ import annotations

from datetime import date, timedelta

from doorstep.domain.access import Principal
from doorstep.domain.events import EventName
from doorstep.domain.exceptions import ExceptionKind
from doorstep.domain.scan import ScanKind, ScanTarget
from doorstep.geo.straight_line import StraightLineProvider
from doorstep.geo.traffic import FREE_FLOW
from doorstep.planning.params import PlannerParams
from doorstep.services import exceptions, plans
from doorstep.services.plans.use_cases import RequestPlan
from doorstep.services.ports import PlanStatus, Routing
from doorstep.services.scans import RecordScan, record_hub_scan
from tests import factories
from tests.courier_day import SYSTEM, dispatched_day
from tests.integration.services.test_exceptions import T0, Factory, of_kind, relay
from tests.unit.fakes import FakeClock

SEARCH = PlannerParams(workers=1, max_iterations=100)
ADMIN = Principal.system("tests")


def _pending(factory: Factory) -> list[tuple[str, dict[str, object]]]:
    with factory(SYSTEM) as uow:
        return [(e.name, dict(e.payload)) for _, e in uow.outbox.pending(1000)]


def _scan(factory: Factory, clock: FakeClock, hub_id: str, event_id: str, barcode: str,
          kind: ScanKind, vehicle_id: str | None = None) -> str:  # fmt: skip
    made = record_hub_scan(
        factory(SYSTEM),
        RecordScan(hub_id, event_id, barcode, kind, clock.now(), ScanTarget(vehicle_id=vehicle_id)),
        clock=clock,
    )
    return made.scan.outcome.value


def test_a_load_onto_the_wrong_van_is_raised_from_its_event_and_the_sweep_adds_nothing(
    uow_factory: Factory,
) -> None:
    day = dispatched_day(uow_factory, stops=1, loaded_stops=0)
    other = dispatched_day(uow_factory, stops=1, hub_id=day.hub_id, vehicle_name="LK72 XYZ")
    clock = FakeClock(T0 - timedelta(minutes=30))
    barcode = day.barcodes[0][0]
    assert _scan(uow_factory, clock, day.hub_id, "sort-1", barcode, ScanKind.SORT) == "accepted"
    relay(uow_factory, clock)
    wrong = _scan(uow_factory, clock, day.hub_id, "load-1", barcode, ScanKind.LOAD,
                  other.vehicle_id)  # fmt: skip
    assert wrong == "refused"
    [(_, payload)] = [p for p in _pending(uow_factory) if p[0] == EventName.SCAN_REFUSED]
    assert (payload["reason"], payload["kind"], payload["barcode"]) == ("refused", "load", barcode)

    relay(uow_factory, clock)
    [mis] = of_kind(uow_factory, ExceptionKind.MIS_SORT)
    assert mis.order_ids == (day.order_ids[0],) and len(mis.parcel_ids) == 1
    assert mis.details.startswith("Load scan at ") and mis.raised_at == clock.now()
    clock.advance(minutes=1)
    assert exceptions.sweep_exceptions(uow_factory, clock) == 0  # the same key: raised once
    assert len(of_kind(uow_factory, ExceptionKind.MIS_SORT)) == 1


def test_the_sweep_first_then_the_event_still_raises_a_mis_sort_once(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=1, loaded_stops=0)
    other = dispatched_day(uow_factory, stops=1, hub_id=day.hub_id, vehicle_name="LK72 XYZ")
    clock = FakeClock(T0 - timedelta(minutes=30))
    barcode = day.barcodes[0][0]
    _scan(uow_factory, clock, day.hub_id, "sort-1", barcode, ScanKind.SORT)
    _scan(uow_factory, clock, day.hub_id, "load-1", barcode, ScanKind.LOAD, other.vehicle_id)
    assert exceptions.sweep_exceptions(uow_factory, clock) == 1
    relay(uow_factory, clock)
    assert len(of_kind(uow_factory, ExceptionKind.MIS_SORT)) == 1


def test_a_refusal_that_is_no_mis_sort_is_announced_but_raises_nothing(
    uow_factory: Factory,
) -> None:
    day = dispatched_day(uow_factory, stops=1, loaded_stops=0)  # received only: at the hub
    clock = FakeClock(T0 - timedelta(minutes=30))
    barcode = day.barcodes[0][0]
    assert _scan(uow_factory, clock, day.hub_id, "unload-1", barcode, ScanKind.UNLOAD) == "refused"
    assert [p["kind"] for n, p in _pending(uow_factory) if n == EventName.SCAN_REFUSED] == [
        "unload"
    ]
    relay(uow_factory, clock)
    assert of_kind(uow_factory, ExceptionKind.MIS_SORT) == []


def test_a_finished_plans_unroutable_address_is_raised_from_its_event_once(
    uow_factory: Factory,
) -> None:
    hub, clock = factories.hub(), FakeClock(T0 - timedelta(hours=3))
    vehicle = factories.vehicle(hub_id=hub.id)
    nowhere = factories.order(hub_id=hub.id, address=factories.address(point=None))
    with uow_factory(SYSTEM) as uow:
        uow.brands.add(factories.brand(id=nowhere.brand_id))
        uow.hubs.add(hub)
        uow.vehicles.add(vehicle)
        uow.orders.add_all([nowhere])
        uow.commit()
    relay(uow_factory, clock)
    plan = plans.request_plan(
        uow_factory(ADMIN), RequestPlan(hub_id=hub.id, plan_date=T0.date(), budget_s=1), clock
    )
    done = plans.run_plan(uow_factory, plan.id, _straight_line, clock, SEARCH)
    assert done.status is PlanStatus.SUCCEEDED, done.error
    [(_, payload)] = [p for p in _pending(uow_factory) if p[0] == EventName.PLAN_FINISHED]
    assert payload["status"] == "succeeded" and payload["unassigned"] == {"unroutable_address": 1}
    assert payload["plan_date"] == date.isoformat(T0.date())
    assert len(payload["unroutable_stop_ids"]) == 1  # type: ignore[arg-type]

    relay(uow_factory, clock)
    [lost] = of_kind(uow_factory, ExceptionKind.ADDRESS_UNROUTABLE)
    assert lost.order_ids == (nowhere.id,) and lost.raised_at == clock.now()
    assert exceptions.sweep_exceptions(uow_factory, clock) == 0
    relay(uow_factory, clock)
    assert len(of_kind(uow_factory, ExceptionKind.ADDRESS_UNROUTABLE)) == 1


def _straight_line(network: str) -> Routing:
    return Routing(StraightLineProvider(traffic=FREE_FLOW), FREE_FLOW)  # type: ignore[arg-type]
