"""Routes read from the stops a unit of work committed (store/route_cache.py) are never
stale: another writer's change, or a save rolled back, is read from the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine

from doorstep.domain.access import Principal
from doorstep.domain.route import StopState
from doorstep.services import routes
from doorstep.services.routes.courier_actions import ActionKind, CourierActionIn, Outcome
from doorstep.store.crypto import FernetCipher
from doorstep.store.uow import SqlUnitOfWork, make_uow_factory
from tests import factories
from tests.courier_day import SYSTEM, CourierDay, dispatched_day
from tests.integration.conftest import TEST_SECRET
from tests.unit.fakes import FakeClock

Factory = Callable[[Principal], SqlUnitOfWork]
T0 = factories.MORNING


def _sync(factory: Factory, day: CourierDay, kind: ActionKind, stop: int | None = None) -> Outcome:
    action = CourierActionIn(
        client_event_id=f"{kind.value}-{stop}",
        device_time=T0 + timedelta(minutes=1 if stop is None else 2 + stop),
        kind=kind,
        route_id=day.route_id,
        stop_id=None if stop is None else day.stop_ids[stop],
    )
    [result] = routes.sync_actions(
        factory,
        day.courier_principal,
        [action],
        clock=FakeClock(T0 + timedelta(hours=3)),
        blob_exists=lambda sha: False,
    )
    return result.status


def test_a_change_made_elsewhere_is_read_not_the_stops_kept(
    uow_factory: Factory, engine: Engine
) -> None:
    day = dispatched_day(uow_factory, stops=3)
    assert _sync(uow_factory, day, ActionKind.START_ROUTE) is Outcome.APPLIED
    assert _sync(uow_factory, day, ActionKind.ARRIVE, 0) is Outcome.APPLIED
    # Another process (its own units of work, nothing shared) takes stop 1 off the route.
    elsewhere = make_uow_factory(engine, FernetCipher(TEST_SECRET))
    with elsewhere(SYSTEM) as uow:
        route = uow.routes.get(day.route_id)
        assert route is not None
        route.remove_stop(day.stop_ids[1], at=T0, actor="system:tests", reason="moved")
        uow.routes.save(route)
        uow.commit()
    assert _sync(uow_factory, day, ActionKind.ARRIVE, 1) is Outcome.REFUSED
    with uow_factory(SYSTEM) as uow:
        route = uow.routes.get(day.route_id)
        assert route is not None
        assert [s.state for s in route.stops] == [
            StopState.ARRIVED,
            StopState.REMOVED,
            StopState.PENDING,
        ]


def test_a_save_rolled_back_leaves_the_committed_stops(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=2)
    assert _sync(uow_factory, day, ActionKind.START_ROUTE) is Outcome.APPLIED
    with uow_factory(day.courier_principal) as uow:
        route = uow.routes.get(day.route_id)
        assert route is not None
        route.skip(day.stop_ids[0], at=T0, actor="courier", note="never committed")
        uow.routes.save(route)
        uow.rollback()
    with uow_factory(day.courier_principal) as uow:
        route = uow.routes.get(day.route_id)
        assert route is not None
        assert [s.state for s in route.stops] == [StopState.PENDING, StopState.PENDING]
        assert route.stops[0].note is None
    assert _sync(uow_factory, day, ActionKind.ARRIVE, 0) is Outcome.APPLIED


def test_two_saves_in_one_unit_of_work_share_the_last(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=2)
    assert _sync(uow_factory, day, ActionKind.START_ROUTE) is Outcome.APPLIED
    with uow_factory(day.courier_principal) as uow:
        route = uow.routes.get(day.route_id)
        assert route is not None
        route.skip(day.stop_ids[0], at=T0, actor="courier", note="first")
        uow.routes.save(route)
        route.skip(day.stop_ids[1], at=T0, actor="courier", note="second")
        uow.routes.save(route)
        uow.commit()
    with uow_factory(day.courier_principal) as uow:
        route = uow.routes.get(day.route_id)
        assert route is not None
        assert [(s.state, s.note) for s in route.stops] == [
            (StopState.SKIPPED, "first"),
            (StopState.SKIPPED, "second"),
        ]
