"""The windows others read (``services.eta.latest_windows``), on both databases: the
latest announcement of each order's stop, kept with every earlier one, scoped like the
orders, and gone once the route is finished."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.domain.eta import AnnouncedWindow
from doorstep.domain.route import RouteState
from doorstep.services.eta import latest_windows
from doorstep.services.ports import Conflict, RouteEtaState, StaleObject
from doorstep.store.uow import SqlUnitOfWork
from tests import factories
from tests.courier_day import SYSTEM, dispatched_day

Factory = Callable[[Principal], SqlUnitOfWork]
T0 = factories.MORNING


def _window(stop_id: str, kind: str, minutes: int, told: int) -> AnnouncedWindow:
    start = T0 + timedelta(minutes=minutes)
    width = {"day": 60, "approaching": 30, "next": 15}[kind]
    return AnnouncedWindow(
        stop_id=stop_id,
        kind=kind,
        start=start,
        end=start + timedelta(minutes=width),
        predicted_arrival=start + timedelta(minutes=width / 2),
        announced_at=T0 + timedelta(minutes=told),
    )


def test_each_order_gets_the_latest_window_of_its_stop_and_every_one_is_kept(
    uow_factory: Factory,
) -> None:
    day = dispatched_day(uow_factory, stops=2)
    first = _window(day.stop_ids[0], "day", 30, 0)
    narrowed = _window(day.stop_ids[0], "next", 45, 40)
    second = _window(day.stop_ids[1], "day", 60, 0)
    with uow_factory(SYSTEM) as uow:
        uow.eta.add(day.route_id, first)
        uow.eta.add(day.route_id, second)
        uow.commit()
    with uow_factory(SYSTEM) as uow:
        uow.eta.add(day.route_id, narrowed)
        uow.commit()
    with uow_factory(SYSTEM) as uow:
        found = latest_windows(uow, [*day.order_ids, "ord_missing"])
        stored = uow.eta.list_for_route(day.route_id)
    assert found == {day.order_ids[0]: narrowed, day.order_ids[1]: second}
    assert stored == [first, second, narrowed]


def test_a_brand_reads_only_its_own_orders_windows(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=1)
    other = dispatched_day(uow_factory, stops=1, hub_id=day.hub_id)
    with uow_factory(SYSTEM) as uow:
        uow.eta.add(day.route_id, _window(day.stop_ids[0], "day", 30, 0))
        uow.eta.add(other.route_id, _window(other.stop_ids[0], "day", 30, 0))
        uow.commit()
    with uow_factory(Principal.brand(day.brand_id, "key_test")) as uow:
        found = latest_windows(uow, [day.order_ids[0], other.order_ids[0]])
    assert list(found) == [day.order_ids[0]]


def test_a_finished_route_has_no_window_to_read(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=1)
    with uow_factory(SYSTEM) as uow:
        uow.eta.add(day.route_id, _window(day.stop_ids[0], "day", 30, 0))
        route = uow.routes.get(day.route_id)
        assert route is not None
        route.state = RouteState.FINISHED
        uow.routes.save(route)
        uow.commit()
    with uow_factory(SYSTEM) as uow:
        assert latest_windows(uow, day.order_ids) == {}
        assert len(uow.eta.list_for_route(day.route_id)) == 1  # kept for measuring


def test_a_stop_of_another_route_is_refused(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=1)
    other = dispatched_day(uow_factory, stops=1, hub_id=day.hub_id)
    with uow_factory(SYSTEM) as uow, pytest.raises(InvalidValue):
        uow.eta.add(day.route_id, _window(other.stop_ids[0], "day", 30, 0))


def test_a_courier_reads_no_other_route_state(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=1)
    other = dispatched_day(uow_factory, stops=1, hub_id=day.hub_id)
    with uow_factory(SYSTEM) as uow:
        uow.eta.save_state(RouteEtaState(other.route_id, T0))
        uow.commit()
    with uow_factory(day.courier_principal) as uow:
        assert uow.eta.state(other.route_id) is None
        assert uow.eta.list_for_route(other.route_id) == []


def test_two_recomputes_of_one_route_cannot_both_save(uow_factory: Factory) -> None:
    day = dispatched_day(uow_factory, stops=1)
    stop = day.stop_ids[0]
    with uow_factory(SYSTEM) as uow:
        uow.eta.save_state(RouteEtaState(day.route_id, T0, {stop: T0}))
        uow.commit()
    with uow_factory(SYSTEM) as uow:
        state = uow.eta.state(day.route_id)
    assert state is not None and state.version == 1
    assert state.predictions == {stop: T0}
    moved = RouteEtaState(day.route_id, T0, {stop: T0 + timedelta(minutes=5)}, {stop: T0}, 1)
    with uow_factory(SYSTEM) as uow:
        uow.eta.save_state(moved)
        uow.commit()
    with uow_factory(SYSTEM) as uow, pytest.raises(StaleObject):
        uow.eta.save_state(moved)  # read at version 1, saved by someone else meanwhile
        uow.commit()
    with uow_factory(SYSTEM) as uow, pytest.raises(Conflict):
        uow.eta.save_state(RouteEtaState(day.route_id, T0))
        uow.commit()
    with uow_factory(SYSTEM) as uow:
        final = uow.eta.state(day.route_id)
    assert final is not None and final.version == 2 and final.delays_raised == {stop: T0}
