"""Failed attempts and returns on a real store (SQLite and PostgreSQL): a failed parcel
received back at the hub is re-queued for the next working day's plan with its history; a
brand's last attempt sends it back, onto the day's returns manifest, and the handover
records it returned to the sender, once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from doorstep.domain.access import Principal
from doorstep.domain.delivery_policy import AfterLastAttempt, DeliveryPolicy
from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Role
from doorstep.domain.parcel import ParcelState
from doorstep.domain.scan import ScanKind
from doorstep.services import plans, returns, scans
from doorstep.services.plans.request import RequestPlan, VehicleShift
from doorstep.services.ports import UnitOfWork
from doorstep.services.routes.courier_actions import ActionKind
from tests import factories
from tests.courier_day import SYSTEM, CourierDay, dispatched_day
from tests.integration.services.test_courier_day import act, sync
from tests.unit.fakes import FakeClock

Factory = Callable[[Principal], UnitOfWork]
T0 = factories.MORNING  # Wednesday 25 November 2026
DISPATCHER = Principal.user("usr_dispatcher", Role.DISPATCHER)
CLOCK = FakeClock(T0 + timedelta(hours=10))


def _fail_first_stop(factory: Factory, day: CourierDay) -> None:
    results = sync(
        factory,
        day,
        act(ActionKind.START_ROUTE, day),
        act(ActionKind.ARRIVE, day, 0, 10),
        act(ActionKind.FAIL, day, 0, 12, reason="recipient_not_home"),
    )
    assert all(r.status.value == "applied" for r in results), results


def _receive(factory: Factory, day: CourierDay, barcode: str, event_id: str) -> scans.ScanResult:
    return scans.record_hub_scan(
        factory(DISPATCHER),
        scans.RecordScan(
            hub_id=day.hub_id,
            client_event_id=event_id,
            barcode=barcode,
            kind=ScanKind.RECEIVE,
            scanned_at=T0 + timedelta(hours=9),
        ),
        clock=CLOCK,
    )


def _planned(factory: Factory, day: CourierDay, on: date) -> list[str]:
    plan = plans.request_plan(
        factory(DISPATCHER),
        RequestPlan(day.hub_id, on, vehicles=(VehicleShift(day.vehicle_id),)),
        CLOCK,
    )
    return list(plan.request["parcel_ids"])


def test_a_failed_parcel_received_back_is_requeued_for_the_next_working_days_plan(
    uow_factory: Factory,
) -> None:
    day = dispatched_day(uow_factory, stops=2)
    with uow_factory(SYSTEM) as uow:  # the recipient said so on the tracking page
        wished = uow.orders.get(day.order_ids[0])
        assert wished is not None
        wished.needs_more_time = True
        uow.orders.save_wishes(wished)
        uow.commit()
    _fail_first_stop(uow_factory, day)
    barcode = day.barcodes[0][0]

    answer = _receive(uow_factory, day, barcode, "rcv-1")

    assert answer.scan.outcome.value == "accepted", answer.scan.message
    assert answer.scan.parcel_state == "at_hub"
    assert "attempt 1 of 3 failed; next attempt on Thu 26 Nov" in answer.scan.message
    assert _receive(uow_factory, day, barcode, "rcv-1").replayed  # the scanner's repeat
    with uow_factory(SYSTEM).read_only() as uow:
        order = uow.orders.get(day.order_ids[0])
        assert order is not None and order.window is not None
        parcel = order.parcels[0]
        # The history stays with the parcel: the failure, then the decision.
        assert [e.action.value for e in parcel.events][-2:] == ["fail_attempt", "receive"]
        assert parcel.events[-1].details["next_step"] == "reattempt"
        assert parcel.events[-1].details["reattempt_on"] == "2026-11-26"
        # Same London hours, the next working day; "needs longer" goes with it to the planner.
        assert order.window.start.date() == date(2026, 11, 26)
        assert order.needs_more_time
        assert order.delivery_date is None
    parcel_id = parcel.id
    assert parcel_id in _planned(uow_factory, day, date(2026, 11, 26))
    assert parcel_id not in _planned(uow_factory, day, date(2026, 11, 25))


def test_the_last_attempt_returns_the_parcel_onto_the_manifest_and_the_handover_closes_it(
    uow_factory: Factory,
) -> None:
    day = dispatched_day(uow_factory, stops=2)
    returns.set_delivery_policy(
        uow_factory(DISPATCHER), day.brand_id, DeliveryPolicy(attempts_allowed=1), clock=CLOCK
    )
    _fail_first_stop(uow_factory, day)
    # The courier finishes the route with the parcel on the van: the policy decides there too.
    sync(uow_factory, day, act(ActionKind.FINISH_ROUTE, day, None, 60))
    barcode = day.barcodes[0][0]
    with uow_factory(SYSTEM).read_only() as uow:
        parcel = uow.parcels.get_by_barcode(barcode)
        assert parcel is not None and parcel.state is ParcelState.RETURNING
        assert parcel.events[-1].reason_code == "max_attempts"
        assert parcel.events[-1].details["next_step"] == "return_to_sender"

    manifest = returns.returns_manifest(uow_factory(DISPATCHER), day.brand_id, T0.date())
    assert [(line.barcode, line.state, line.attempts) for line in manifest.lines] == [
        (barcode, "returning", 1)
    ]
    assert manifest.waiting == 1
    assert (
        returns.returns_manifest(uow_factory(DISPATCHER), day.brand_id, date(2026, 11, 24)).lines
        == ()
    )
    brand_view = returns.returns_manifest(
        uow_factory(Principal.brand(day.brand_id, "key_x")), day.brand_id, T0.date()
    )
    assert len(brand_view.lines) == 1

    done = returns.handover(uow_factory(DISPATCHER), day.brand_id, [barcode], clock=CLOCK)
    assert [(d.barcode, d.already) for d in done] == [(barcode, False)]
    again = returns.handover(uow_factory(DISPATCHER), day.brand_id, [parcel.id], clock=CLOCK)
    assert [(d.barcode, d.already) for d in again] == [(barcode, True)]
    with uow_factory(SYSTEM).read_only() as uow:
        handed = uow.parcels.get(parcel.id)
        assert handed is not None and handed.state is ParcelState.RETURNED_TO_SENDER
        assert [e.action.value for e in handed.events].count("complete_return") == 1
    after = returns.returns_manifest(uow_factory(DISPATCHER), day.brand_id, T0.date())
    assert after.lines[0].handed_over_at is not None and after.waiting == 0


def test_a_handover_refuses_another_brands_parcel_and_one_not_returning_whole(
    uow_factory: Factory,
) -> None:
    day = dispatched_day(uow_factory, stops=2)
    other = dispatched_day(uow_factory, stops=1, hub_id=day.hub_id, vehicle_name="LK71 XYZ")
    with pytest.raises(InvalidValue) as refused:
        returns.handover(
            uow_factory(DISPATCHER),
            day.brand_id,
            [day.barcodes[1][0], other.barcodes[0][0], "NOPE-1"],
            clock=CLOCK,
        )
    assert refused.value.field == "parcels"
    assert "not returning" in refused.value.reason
    assert "another brand" in refused.value.reason
    assert "no such parcel" in refused.value.reason


def test_a_held_parcel_waits_at_the_hub_and_no_plan_takes_it(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=2)
    policy = DeliveryPolicy(attempts_allowed=1, after_last_attempt=AfterLastAttempt.HOLD_AT_HUB)
    returns.set_delivery_policy(uow_factory(DISPATCHER), day.brand_id, policy, clock=CLOCK)
    assert returns.delivery_policy(uow_factory(DISPATCHER), day.brand_id) == policy
    _fail_first_stop(uow_factory, day)

    answer = _receive(uow_factory, day, day.barcodes[0][0], "rcv-hold")

    assert "held for collection until" in answer.scan.message
    with uow_factory(SYSTEM).read_only() as uow:
        parcel = uow.parcels.get_by_barcode(day.barcodes[0][0])
        assert parcel is not None and parcel.state is ParcelState.AT_HUB
    for on in (date(2026, 11, 25), date(2026, 11, 26)):
        assert parcel.id not in _planned(uow_factory, day, on)
    # Nobody came: the dispatcher sends it back.
    returns.start_return(uow_factory(DISPATCHER), parcel.id, "not collected", clock=CLOCK)
    manifest = returns.returns_manifest(uow_factory(DISPATCHER), day.brand_id, date(2026, 11, 25))
    assert [line.reason for line in manifest.lines] == ["dispatcher"]
