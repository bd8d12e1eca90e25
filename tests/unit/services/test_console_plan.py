"""The Plan page's changes: audited, replayed over the solved plan, kept by the re-plan."""

from __future__ import annotations

from datetime import date

import pytest

from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Capacity, GeoPoint, Hub
from doorstep.geo.straight_line import StraightLineProvider
from doorstep.geo.traffic import FREE_FLOW
from doorstep.planning.document import PlanDocument
from doorstep.planning.params import PlannerParams
from doorstep.services import plans
from doorstep.services.console import plan as console_plan
from doorstep.services.errors import PermissionDenied
from doorstep.services.plans.use_cases import RequestPlan
from doorstep.services.ports import PlanRecord, PlanStatus, Routing
from tests import factories
from tests.unit.fakes import FakeClock, FakeDatabase, uow_factory
from tests.unit.services.conftest import UowFor

DAY = date(2026, 11, 25)
SEARCH = PlannerParams(workers=1, max_iterations=200)


def routing(network: str) -> Routing:
    return Routing(StraightLineProvider(traffic=FREE_FLOW), FREE_FLOW)  # type: ignore[arg-type]


def _day(db: FakeDatabase, hub: Hub, orders: int = 10, vans: int = 2, seats: int = 6) -> None:
    """``orders`` one-parcel orders and ``vans`` vans of ``seats`` parcels each: the
    small capacity makes the day need every van."""
    for _ in range(vans):
        made = factories.vehicle(hub_id=hub.id, capacity=Capacity(seats, 800.0, 6000.0))
        db.vehicles[made.id] = made
    for i in range(orders):
        point = GeoPoint(51.545 + (i % 5) * 0.004, -0.145 + (i // 5) * 0.02)
        order = factories.order(
            hub_id=hub.id, address=factories.address(lines=(f"{i} High St",), point=point)
        )
        db.orders[order.id] = order


def _solved(db: FakeDatabase, clock: FakeClock, who: Principal, cmd: RequestPlan) -> PlanRecord:
    asked = plans.request_plan(uow_factory(db)(who), cmd, clock)
    done = plans.run_plan(uow_factory(db), asked.id, routing, clock, SEARCH)
    assert done.status is PlanStatus.SUCCEEDED, done.error
    return done


@pytest.fixture
def solved(db: FakeDatabase, clock: FakeClock, dispatcher: Principal, hub: Hub) -> PlanRecord:
    _day(db, hub)
    return _solved(db, clock, dispatcher, RequestPlan(hub.id, DAY, budget_s=1))


def _doc(plan: PlanRecord) -> PlanDocument:
    assert plan.result is not None
    return PlanDocument.model_validate(plan.result)


def test_counts_the_orders_and_parcels_a_plan_of_the_day_would_take(
    uow_for: UowFor, db: FakeDatabase, dispatcher: Principal, hub: Hub
) -> None:
    _day(db, hub, orders=4)
    found = console_plan.plannable(uow_for(dispatcher), hub.id, DAY)
    assert (found.orders, found.parcels) == (4, 4)
    assert console_plan.plannable(uow_for(dispatcher), hub.id, date(2026, 11, 26)).orders == 0


def test_every_change_is_audited_with_who_and_when(
    uow_for: UowFor, db: FakeDatabase, clock: FakeClock, dispatcher: Principal, solved: PlanRecord
) -> None:
    doc = _doc(solved)
    first, second = doc.routes[0], doc.routes[1]
    stop = first.stops[-1].stop_id
    console_plan.move_stop(uow_for(dispatcher), solved.id, stop, second.vehicle_id, clock)
    console_plan.lock_stop(uow_for(dispatcher), solved.id, first.stops[0].stop_id, clock)
    entries = [e for e in db.audit if e.target_id == solved.id]
    assert [e.action for e in entries] == [console_plan.MOVED, console_plan.LOCKED]
    assert {e.actor for e in entries} == {dispatcher.actor}
    assert all(e.at == clock.now() for e in entries)


def test_replay_shows_a_moved_stop_kept_first_on_its_new_vehicle(
    uow_for: UowFor, clock: FakeClock, dispatcher: Principal, solved: PlanRecord
) -> None:
    doc = _doc(solved)
    first, second = doc.routes[0], doc.routes[1]
    stop = first.stops[1].stop_id
    console_plan.move_stop(uow_for(dispatcher), solved.id, stop, second.vehicle_id, clock)
    edits = console_plan.edits(uow_for(dispatcher), solved.id)
    assert edits.routes[second.vehicle_id].stops[0].stop_id == stop
    assert edits.locked(stop)
    assert stop not in [s.stop_id for s in edits.routes[first.vehicle_id].stops]
    assert edits.pins() == {second.vehicle_id: doc.routes[0].stops[1].parcel_ids}


def test_replan_keeps_moves_and_locks_and_leaves_removed_vehicles_out(
    uow_for: UowFor, db: FakeDatabase, clock: FakeClock, dispatcher: Principal, hub: Hub
) -> None:
    _day(db, hub, orders=12, vans=3, seats=5)
    solved = _solved(db, clock, dispatcher, RequestPlan(hub.id, DAY, budget_s=1))
    doc = _doc(solved)
    a, b = doc.routes[0], doc.routes[1]
    moved = a.stops[0].stop_id
    locked = b.stops[1]
    fleet = {shift["vehicle_id"] for shift in solved.request["vehicles"]}
    gone = sorted(fleet - {a.vehicle_id, b.vehicle_id})[0]
    console_plan.lock_stop(uow_for(dispatcher), solved.id, locked.stop_id, clock)
    console_plan.move_stop(uow_for(dispatcher), solved.id, moved, b.vehicle_id, clock)
    console_plan.remove_vehicle(uow_for(dispatcher), solved.id, gone, clock)
    asked = console_plan.replan(uow_factory(db), dispatcher, solved.id, clock)
    done = plans.run_plan(uow_factory(db), asked.id, routing, clock, SEARCH)
    new = _doc(done)
    on_b = next(r for r in new.routes if r.vehicle_id == b.vehicle_id)
    expected = [*(s.parcel_ids for s in b.stops[:2]), a.stops[0].parcel_ids]
    assert [s.parcel_ids for s in on_b.stops[:3]] == expected
    assert gone not in {r.vehicle_id for r in new.routes}
    assert new.totals.stops + new.totals.unassigned_stops == doc.totals.stops + len(doc.unassigned)
    # the new plan shows its kept stops as locked, and the old one is closed to changes
    kept = console_plan.edits(uow_for(dispatcher), done.id)
    assert kept.routes[b.vehicle_id].pinned == 3 and not kept.pending
    assert console_plan.replanned_as(uow_for(dispatcher), solved.id) == done.id
    with pytest.raises(InvalidValue, match="re-planned"):
        console_plan.lock_stop(uow_for(dispatcher), solved.id, locked.stop_id, clock)
    with pytest.raises(InvalidValue, match="re-planned"):
        console_plan.replan(uow_factory(db), dispatcher, solved.id, clock)


def test_refuses_changes_that_name_nothing_or_leave_no_vehicle(
    uow_for: UowFor, db: FakeDatabase, clock: FakeClock, dispatcher: Principal, hub: Hub
) -> None:
    _day(db, hub, orders=3, vans=1)
    solved = _solved(db, clock, dispatcher, RequestPlan(hub.id, DAY, budget_s=1))
    route = _doc(solved).routes[0]
    uow = uow_for(dispatcher)
    with pytest.raises(InvalidValue, match="no such stop"):
        console_plan.move_stop(uow, solved.id, "stop_nope", route.vehicle_id, clock)
    with pytest.raises(InvalidValue, match="already on that vehicle"):
        console_plan.move_stop(uow, solved.id, route.stops[0].stop_id, route.vehicle_id, clock)
    with pytest.raises(InvalidValue, match="fleet"):
        console_plan.move_stop(uow, solved.id, route.stops[0].stop_id, "veh_nope", clock)
    with pytest.raises(InvalidValue, match="at least one vehicle"):
        console_plan.remove_vehicle(uow, solved.id, route.vehicle_id, clock)
    with pytest.raises(InvalidValue, match="only a stop on a route"):
        console_plan.lock_stop(uow, solved.id, "stop_nope", clock)
    assert not [e for e in db.audit if e.target_id == solved.id]


def test_brands_and_couriers_may_not_change_a_plan(
    uow_for: UowFor, clock: FakeClock, solved: PlanRecord, as_brand: Principal
) -> None:
    stop = _doc(solved).routes[0].stops[0].stop_id
    with pytest.raises(PermissionDenied):
        console_plan.lock_stop(uow_for(as_brand), solved.id, stop, clock)


def test_unassigned_reasons_read_as_plain_words() -> None:
    assert console_plan.reason_in_words("window_unreachable", None) == (
        "No vehicle can reach it within its delivery window."
    )
    assert "unknown postcode" in console_plan.reason_in_words(
        "unroutable_address", "unknown postcode"
    )
    assert console_plan.reason_in_words("something_new", None) == "Something new."
