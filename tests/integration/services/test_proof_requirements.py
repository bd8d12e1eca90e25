"""An order's PIN and minimum age at the door, on a real store (SQLite and PostgreSQL):
the wrong PIN or an under-age recipient is refused, the right one delivers."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, timedelta

from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.domain.model import GeoPoint
from doorstep.domain.parcel import ParcelState
from doorstep.domain.proof import hash_pin
from doorstep.domain.route import Position
from doorstep.services import routes
from doorstep.services.ports import UnitOfWork
from doorstep.services.routes.courier_actions import ActionKind, CourierActionIn, Outcome
from tests import factories
from tests.courier_day import SYSTEM, CourierDay, dispatched_day
from tests.unit.fakes import FakeClock

Factory = Callable[[Principal], UnitOfWork]
SIGNATURE = hashlib.sha256(b"signature").hexdigest()
T0 = factories.MORNING
PIN = "0427"


def _action(day: CourierDay, n: int, kind: ActionKind, **data: object) -> CourierActionIn:
    return CourierActionIn(
        client_event_id=ids.new_id("act"),  # each attempt a new event
        device_time=T0 + timedelta(minutes=10 + n),
        kind=kind,
        route_id=day.route_id,
        stop_id=None if kind is ActionKind.START_ROUTE else day.stop_ids[n],
        position=Position(GeoPoint(51.5391, -0.1427), 8.0),
        data=data,
    )


def _hand_over(day: CourierDay, n: int, **proof: object) -> CourierActionIn:
    return _action(
        day,
        n,
        ActionKind.COMPLETE,
        method="recipient",
        recipient_name="Ada",
        signature=SIGNATURE,
        scanned_barcodes=day.barcodes[n],
        **proof,
    )


def _sync(factory: Factory, day: CourierDay, action: CourierActionIn) -> routes.ActionResult:
    [result] = routes.sync_actions(
        factory,
        day.courier_principal,
        [action],
        clock=FakeClock(T0 + timedelta(hours=1)),
        blob_exists=lambda sha: sha == SIGNATURE,
    )
    return result


def _started(factory: Factory, overrides: dict[int, dict[str, object]]) -> CourierDay:
    day = dispatched_day(factory, stops=2, order_overrides=overrides)
    assert _sync(factory, day, _action(day, 0, ActionKind.START_ROUTE)).status is Outcome.APPLIED
    return day


def _delivered(factory: Factory, order_id: str) -> bool:
    with factory(SYSTEM) as uow:
        order = uow.orders.get(order_id)
    assert order is not None
    return {p.state for p in order.parcels} == {ParcelState.DELIVERED}


def test_a_pin_order_needs_the_right_pin(uow_factory: Factory) -> None:
    order_id = ids.new_id("ord")
    day = _started(uow_factory, {0: {"id": order_id, "delivery_pin_hash": hash_pin(PIN, order_id)}})

    missing = _sync(uow_factory, day, _hand_over(day, 0))
    wrong = _sync(uow_factory, day, _hand_over(day, 0, pin="9999"))
    assert (missing.status, wrong.status) == (Outcome.REFUSED, Outcome.REFUSED)
    assert "PIN" in (missing.message or "") and "does not match" in (wrong.message or "")
    assert not _delivered(uow_factory, order_id)
    neighbour = _action(
        day,
        0,
        ActionKind.COMPLETE,
        method="neighbour",
        neighbour_name="Bo",
        neighbour_house="14",
        signature=SIGNATURE,
        scanned_barcodes=day.barcodes[0],
        pin=PIN,
    )
    assert _sync(uow_factory, day, neighbour).status is Outcome.REFUSED  # in person only

    right = _sync(uow_factory, day, _hand_over(day, 0, pin=PIN))
    assert right.status is Outcome.APPLIED, right.message
    assert _delivered(uow_factory, order_id)
    # The other order asked for no PIN: handed over without one.
    plain = _sync(uow_factory, day, _hand_over(day, 1))
    assert plain.status is Outcome.APPLIED, plain.message


def test_an_age_restricted_order_is_refused_to_someone_under_age(uow_factory: Factory) -> None:
    day = _started(uow_factory, {0: {"minimum_age": 18}})
    today = T0.date()
    seventeen = date(today.year - 17, today.month, today.day)
    eighteen = date(today.year - 18, today.month, today.day)

    no_id = _sync(uow_factory, day, _hand_over(day, 0))
    young = _sync(uow_factory, day, _hand_over(day, 0, date_of_birth=seventeen.isoformat()))
    assert (no_id.status, young.status) == (Outcome.REFUSED, Outcome.REFUSED)
    assert "under 18" in (young.message or "")
    assert not _delivered(uow_factory, day.order_ids[0])

    adult = _sync(uow_factory, day, _hand_over(day, 0, date_of_birth=eighteen.isoformat()))
    assert adult.status is Outcome.APPLIED, adult.message
    assert _delivered(uow_factory, day.order_ids[0])
