"""The courier's day on a real store (SQLite and PostgreSQL): dispatch, start, arrive,
deliver with proof, fail with a reason, finish; each action stored once."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select

from doorstep.domain.access import Principal
from doorstep.domain.model import GeoPoint
from doorstep.domain.parcel import ParcelState
from doorstep.domain.route import Position, RouteState, StopState
from doorstep.services import routes
from doorstep.services.ports import Conflict, UnitOfWork
from doorstep.services.routes.access_codes import RevealAccessCode, reveal_access_code
from doorstep.services.routes.courier_actions import ActionKind, CourierActionIn, Outcome
from doorstep.store.tables import CourierActionRow, OutboxRow
from tests import factories
from tests.courier_day import SYSTEM, CourierDay, dispatched_day
from tests.unit.fakes import FakeClock

Factory = Callable[[Principal], UnitOfWork]
PHOTO = hashlib.sha256(b"photo").hexdigest()
SIGNATURE = hashlib.sha256(b"signature").hexdigest()
T0 = factories.MORNING


def act(
    kind: ActionKind, day: CourierDay, n: int | None = None, minutes: int = 0, **data: object
) -> CourierActionIn:
    return CourierActionIn(
        client_event_id=f"{kind.value}-{n}-{minutes}",
        device_time=T0 + timedelta(minutes=minutes),
        kind=kind,
        route_id=day.route_id,
        stop_id=None if n is None else day.stop_ids[n],
        position=Position(GeoPoint(51.5391, -0.1427), 8.0),
        data=data,
    )


def sync(factory: Factory, day: CourierDay, *actions: CourierActionIn) -> list[routes.ActionResult]:
    return routes.sync_actions(
        factory,
        day.courier_principal,
        list(actions),
        clock=FakeClock(T0 + timedelta(hours=3)),
        blob_exists=lambda sha: sha in {PHOTO, SIGNATURE},
    )


@pytest.fixture
def day(uow_factory: Factory) -> CourierDay:
    return dispatched_day(uow_factory, stops=3)


def test_a_whole_day_is_applied_once_with_parcels_and_proofs(
    uow_factory: Factory, engine: Engine, day: CourierDay
) -> None:
    actions = [
        act(ActionKind.START_ROUTE, day),
        act(ActionKind.ARRIVE, day, 0, 10),
        act(
            ActionKind.COMPLETE,
            day,
            0,
            12,
            method="recipient",
            recipient_name="Ada",
            signature=SIGNATURE,
            scanned_barcodes=day.barcodes[0],
        ),
        act(ActionKind.ARRIVE, day, 1, 20),
        act(ActionKind.FAIL, day, 1, 22, reason="recipient_not_home", card_number="C-17"),
        act(
            ActionKind.COMPLETE,
            day,
            2,
            30,
            method="safe_place",
            safe_place="front porch",
            photos=[PHOTO],
            scanned_barcodes=day.barcodes[2],
        ),
        act(ActionKind.FINISH_ROUTE, day, None, 40),
    ]
    first = sync(uow_factory, day, *actions)
    assert [r.status for r in first] == [Outcome.APPLIED] * len(actions), first
    again = sync(uow_factory, day, *actions)
    assert [r.status for r in again] == [Outcome.DUPLICATE] * len(actions)

    with uow_factory(SYSTEM) as uow:
        route = uow.routes.get(day.route_id)
        assert route is not None and route.state is RouteState.FINISHED
        assert [s.state for s in route.stops] == [
            StopState.COMPLETED,
            StopState.FAILED,
            StopState.COMPLETED,
        ]
        delivered = uow.orders.get(day.order_ids[0])
        failed = uow.orders.get(day.order_ids[1])
        assert delivered is not None and failed is not None
        assert {p.state for p in delivered.parcels} == {ParcelState.DELIVERED}
        # The failed parcel came back to the hub for a re-attempt (first failure of three).
        assert {p.state for p in failed.parcels} == {ParcelState.AT_HUB}
        proofs = uow.proofs.list_for_order(day.order_ids[0])
        assert [(p.outcome, p.method, p.signature) for p in proofs] == [
            ("delivered", "recipient", SIGNATURE)
        ]
        assert proofs[0].device_time == T0 + timedelta(minutes=12)
        assert proofs[0].recorded_at == T0 + timedelta(hours=3)
        assert proofs[0].evidence["recipient_name"] == "Ada"
        failed_proof = uow.proofs.list_for_order(day.order_ids[1])
        assert [(p.outcome, p.reason) for p in failed_proof] == [("failed", "recipient_not_home")]
    with engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(CourierActionRow))
        names = list(connection.scalars(select(OutboxRow.name).order_by(OutboxRow.id)))
    assert stored == len(actions)
    for name in (
        "route.started",
        "stop.arrived",
        "parcel.delivered",
        "stop.failed",
        "route.finished",
    ):
        assert name in names
    assert names.count("route.started") == 1


def test_refusals_are_final_and_say_why(uow_factory: Factory, day: CourierDay) -> None:
    before_start = sync(uow_factory, day, act(ActionKind.ARRIVE, day, 0, 1))
    assert before_start[0].status is Outcome.REFUSED
    assert "start it" in (before_start[0].message or "")
    # The same action again gets the same refusal, even after the route started.
    sync(uow_factory, day, act(ActionKind.START_ROUTE, day))
    assert sync(uow_factory, day, act(ActionKind.ARRIVE, day, 0, 1))[0].status is Outcome.REFUSED
    unsigned = act(
        ActionKind.COMPLETE,
        day,
        0,
        5,
        method="recipient",
        recipient_name="Ada",
        scanned_barcodes=day.barcodes[0],
    )
    result = sync(uow_factory, day, unsigned)[0]
    assert result.status is Outcome.REFUSED and "signature" in (result.message or "")
    unscanned = act(ActionKind.COMPLETE, day, 0, 6, method="letterbox", photos=[PHOTO])
    assert "scan every parcel" in (sync(uow_factory, day, unscanned)[0].message or "")


def test_a_photo_not_yet_uploaded_is_retried_not_stored(
    uow_factory: Factory, day: CourierDay
) -> None:
    sync(uow_factory, day, act(ActionKind.START_ROUTE, day))
    missing = hashlib.sha256(b"not uploaded").hexdigest()
    waiting = act(
        ActionKind.COMPLETE,
        day,
        0,
        5,
        method="letterbox",
        photos=[missing],
        scanned_barcodes=day.barcodes[0],
    )
    assert sync(uow_factory, day, waiting)[0].status is Outcome.RETRY
    with uow_factory(SYSTEM) as uow:
        assert uow.courier_actions.get(day.courier_id, waiting.client_event_id) is None


def test_start_is_refused_while_a_parcel_is_still_in_the_hub(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=2)
    with uow_factory(SYSTEM) as uow:
        parcel = uow.parcels.get_by_barcode(day.barcodes[1][0])
        assert parcel is not None
        from doorstep.domain.parcel import ParcelAction

        parcel.apply(ParcelAction.UNLOAD, actor="system:tests", at=T0)
        uow.parcels.save(parcel)
        uow.commit()
    result = sync(uow_factory, day, act(ActionKind.START_ROUTE, day))[0]
    assert result.status is Outcome.REFUSED
    assert day.barcodes[1][0] in (result.message or "")


def test_another_courier_sees_nothing_of_the_route(uow_factory: Factory, day: CourierDay) -> None:
    other = dispatched_day(uow_factory, stops=1)
    with uow_factory(other.courier_principal) as uow:
        assert uow.routes.get(day.route_id) is None
        assert uow.orders.get(day.order_ids[0]) is None
        assert uow.routes.get(other.route_id) is not None
    result = sync(uow_factory, other, act(ActionKind.START_ROUTE, day))
    assert result[0].status is Outcome.REFUSED


def test_dispatching_twice_is_refused(uow_factory: Factory, day: CourierDay) -> None:
    with uow_factory(SYSTEM) as uow:
        route = uow.routes.get(day.route_id)
        assert route is not None and route.plan_id is not None
        plan_id = route.plan_id
    with pytest.raises(Conflict):
        routes.dispatch_plan(
            uow_factory(SYSTEM),
            routes.DispatchPlan(plan_id, [routes.RouteAssignment(0, day.courier_id)]),
            clock=FakeClock(T0),
        )


def test_access_code_near_the_stop_only_once_started(uow_factory: Factory, day: CourierDay) -> None:
    near = Position(GeoPoint(51.5391, -0.1427), 10.0)
    far = Position(GeoPoint(51.5500, -0.1200), 10.0)
    clock = FakeClock(T0)

    def reveal(position: Position, reason: str | None = None) -> str:
        return reveal_access_code(
            uow_factory(day.courier_principal),
            RevealAccessCode(day.stop_ids[0], position, reason),
            clock=clock,
        )

    from doorstep.domain.errors import RouteRefused
    from doorstep.services.errors import PermissionDenied

    with pytest.raises(RouteRefused):
        reveal(near)
    sync(uow_factory, day, act(ActionKind.START_ROUTE, day))
    assert reveal(near) == "4721#"
    with pytest.raises(PermissionDenied):
        reveal(far)
    assert reveal(far, "GPS drifting between tall buildings") == "4721#"
    with uow_factory(SYSTEM) as uow:
        audit = uow.audit.list_for(day.stop_ids[0])
    assert [a.action for a in audit] == ["access_code.revealed"] * 2


def test_actions_after_one_waiting_for_a_photo_wait_too(
    uow_factory: Factory, day: CourierDay
) -> None:
    """A finish must not overtake a delivery whose photo is still on its way."""
    missing = hashlib.sha256(b"still uploading").hexdigest()
    results = sync(
        uow_factory,
        day,
        act(ActionKind.START_ROUTE, day),
        act(
            ActionKind.COMPLETE,
            day,
            0,
            5,
            method="letterbox",
            photos=[missing],
            scanned_barcodes=day.barcodes[0],
        ),
        act(ActionKind.FINISH_ROUTE, day, None, 40),
    )
    assert [r.status for r in results] == [Outcome.APPLIED, Outcome.RETRY, Outcome.RETRY]
    with uow_factory(SYSTEM) as uow:
        route = uow.routes.get(day.route_id)
        assert route is not None and route.state is RouteState.STARTED
