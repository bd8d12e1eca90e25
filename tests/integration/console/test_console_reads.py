"""The console's read models against the real store (SQLite and PostgreSQL): the Today
page's day (progress, predictions, late risk, positions), a stop's details, the order
search by each field, an order's page and the office's actions on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

import pytest

from doorstep.domain.access import Principal
from doorstep.domain.delivery_policy import DeliveryPolicy
from doorstep.domain.errors import InvalidValue
from doorstep.domain.events import DomainEvent, EventName
from doorstep.domain.model import Role
from doorstep.domain.parcel import ParcelState
from doorstep.geo.provider import TravelTimeProvider
from doorstep.geo.straight_line import StraightLineProvider
from doorstep.geo.traffic import LONDON
from doorstep.services import returns
from doorstep.services.console.orders import order_page, search_orders
from doorstep.services.console.today import is_late, route_view, stop_details, today_view
from doorstep.services.errors import NotFound, PermissionDenied
from doorstep.services.eta.refresh import EtaRefresh
from doorstep.services.orders.window import change_window
from doorstep.services.ports import RouteEtaState, Routing, UnitOfWork
from tests import factories
from tests.courier_day import SYSTEM
from tests.tracking_day import T0, TrackingDay, tracking_day

Factory = Callable[[Principal], UnitOfWork]
DISPATCHER = Principal.user("usr_dispatcher", Role.DISPATCHER)
DAY = T0.date()
LONDON_TZ = ZoneInfo("Europe/London")


def _routing(network: str) -> Routing:
    return Routing(cast(TravelTimeProvider, StraightLineProvider(traffic=LONDON)), LONDON)


def _recompute(factory: Factory, day: TrackingDay) -> None:
    EtaRefresh(factory, day.clock, _routing).route(day.day.route_id)


def test_today_shows_each_route_with_progress_prediction_and_position(
    uow_factory: Factory,
) -> None:
    day = tracking_day(uow_factory, stops=4)
    day.start()
    day.deliver(0)
    day.fail(1)
    day.ping()
    _recompute(uow_factory, day)
    view = today_view(uow_factory(DISPATCHER), DAY)
    [route] = view.routes
    assert route.id == day.day.route_id
    assert (route.done, route.failed, route.left) == (1, 1, 2)
    assert route.state == "started"
    assert route.courier_name and route.vehicle_name == "LK71 ABC"
    assert [s.sequence for s in route.stops] == sorted(s.sequence for s in route.stops)
    assert route.position is not None
    assert route.position.point.lat == pytest.approx(51.5395)
    open_stops = [s for s in route.stops if s.state in ("pending", "arrived")]
    assert all(s.predicted is not None for s in open_stops)
    assert route.predicted_finish == max(s.predicted for s in open_stops if s.predicted)


def test_a_stop_predicted_after_its_window_is_at_risk(uow_factory: Factory) -> None:
    day = tracking_day(uow_factory, stops=2)
    day.start()
    _recompute(uow_factory, day)
    late_stop = day.day.stop_ids[1]
    with uow_factory(SYSTEM) as uow:
        state = uow.eta.state(day.day.route_id)
        assert state is not None
        uow.eta.save_state(
            RouteEtaState(
                route_id=state.route_id,
                computed_at=state.computed_at,
                predictions={**state.predictions, late_stop: T0 + timedelta(hours=20)},
                delays_raised=state.delays_raised,
                version=state.version,
            )
        )
        uow.commit()
    [route] = today_view(uow_factory(DISPATCHER), DAY).routes
    assert [s.id for s in route.stops if s.late] == [late_stop]
    assert route.late_stops == 1
    alone = route_view(uow_factory(DISPATCHER), DAY, day.day.route_id, index=3)
    assert alone.late_stops == 1 and alone.index == 3 and alone.colour != route.colour


def test_lateness_needs_a_minute_past_the_earliest_end() -> None:
    end = datetime(2026, 1, 1, 12, 0, tzinfo=T0.tzinfo)
    assert not is_late(end + timedelta(seconds=59), [end])
    assert is_late(end + timedelta(minutes=1), [end, end + timedelta(hours=1)])
    assert not is_late(end + timedelta(hours=1), [])
    assert not is_late(None, [end])


def test_today_of_another_day_or_hub_is_empty(uow_factory: Factory) -> None:
    tracking_day(uow_factory, stops=1)
    assert today_view(uow_factory(DISPATCHER), date(2020, 1, 1)).routes == ()
    assert today_view(uow_factory(DISPATCHER), DAY, hub_id="hub_nothere").routes == ()


def test_stop_details_list_parcels_history_and_prediction(uow_factory: Factory) -> None:
    day = tracking_day(uow_factory, stops=2)
    day.start()
    _recompute(uow_factory, day)
    details = stop_details(uow_factory(DISPATCHER), day.day.stop_ids[0])
    assert [p.barcode for p in details.parcels] == day.day.barcodes[0]
    assert details.predicted is not None and details.announced is not None
    assert [e.to_state.value for _, e in details.history][-1] == "out_for_delivery"
    with pytest.raises(NotFound):
        stop_details(uow_factory(DISPATCHER), "stp_missing")


@pytest.mark.parametrize(
    ("field", "text"),
    [("reference", "REF"), ("barcode", "BARCODE"), ("postcode", "nw17a"), ("name", "NAME")],
)
def test_search_finds_an_order_by_each_field(uow_factory: Factory, field: str, text: str) -> None:
    day = tracking_day(uow_factory, stops=2)
    with uow_factory(SYSTEM) as uow:
        order = uow.orders.get(day.day.order_ids[1])
    assert order is not None
    wanted = {
        "REF": order.reference.upper(),
        "BARCODE": order.parcels[0].barcode.lower(),
        "NAME": order.recipient.name[1:-1].upper(),
    }.get(text, text)
    for searched_in in (field, "all"):
        found = search_orders(uow_factory(DISPATCHER), wanted, field=searched_in)
        assert order.id in [o.id for o in found.items], (searched_in, wanted)


def test_search_takes_wildcards_literally_and_refuses_bad_input(uow_factory: Factory) -> None:
    tracking_day(uow_factory, stops=1)
    assert search_orders(uow_factory(DISPATCHER), "%", field="name").items == []
    assert search_orders(uow_factory(DISPATCHER), "_", field="postcode").items == []
    with pytest.raises(InvalidValue):
        search_orders(uow_factory(DISPATCHER), "a\x00b")
    with pytest.raises(InvalidValue):
        search_orders(uow_factory(DISPATCHER), "x", field="phone")
    with pytest.raises(InvalidValue):
        search_orders(uow_factory(DISPATCHER), "x" * 101)


def test_search_pages_by_cursor(uow_factory: Factory) -> None:
    tracking_day(uow_factory, stops=1)
    brand = factories.brand()
    orders = [factories.order(brand_id=brand.id, reference=f"page-{n}") for n in range(30)]
    with uow_factory(SYSTEM) as uow:
        uow.brands.add(brand)
        uow.orders.add_all(orders)
        uow.commit()
    first = search_orders(uow_factory(DISPATCHER), "")
    assert len(first.items) == 25 and first.next_cursor
    second = search_orders(uow_factory(DISPATCHER), "", cursor=first.next_cursor)
    assert {o.id for o in first.items}.isdisjoint(o.id for o in second.items)


def test_a_brand_searches_only_its_own_orders(uow_factory: Factory) -> None:
    day = tracking_day(uow_factory, stops=1)
    other = Principal.brand("brd_other", "key_x")
    assert search_orders(uow_factory(other), "", field="all").items == []
    own = Principal.brand(day.day.brand_id, "key_y")
    assert len(search_orders(uow_factory(own), "").items) == 1


def test_order_page_has_timeline_proof_and_audited_actions(uow_factory: Factory) -> None:
    day = tracking_day(uow_factory, stops=2)
    day.start()
    day.deliver(0)
    day.fail(1)
    page = order_page(uow_factory(DISPATCHER), day.day.order_ids[0])
    assert [a.outcome for a in page.attempts] == ["delivered"]
    assert page.attempts[0].photos == (day.photo,)
    assert [e.what for e in page.timeline][-1] == "deliver"

    failed_order = day.day.order_ids[1]
    failed = order_page(uow_factory(DISPATCHER), failed_order).order.parcels[0]
    assert failed.state is ParcelState.ATTEMPT_FAILED
    with pytest.raises(InvalidValue):  # not a working day ahead
        returns.reattempt(uow_factory(DISPATCHER), failed_order, failed.id, DAY, clock=day.clock)
    next_day = date(2026, 11, 26)
    returns.reattempt(uow_factory(DISPATCHER), failed_order, failed.id, next_day, clock=day.clock)
    with pytest.raises(InvalidValue):  # a parcel of another order
        returns.start_return(
            uow_factory(DISPATCHER), failed.id, "refused", clock=day.clock,
            order_id=day.day.order_ids[0],
        )  # fmt: skip
    returns.start_return(
        uow_factory(DISPATCHER), failed.id, "refused", clock=day.clock, order_id=failed_order
    )
    page = order_page(uow_factory(DISPATCHER), failed_order)
    assert page.order.parcels[0].state is ParcelState.RETURNING
    assert page.order.delivery_date == next_day
    assert page.order.window is not None
    assert page.order.window.start.astimezone(LONDON_TZ).date() == next_day
    whats = [e.what for e in page.timeline]
    assert "parcel.reattempt_queued" in whats and "parcel.return_started" in whats
    assert {e.who for e in page.timeline if e.what.startswith("parcel.")} == {"usr_dispatcher"}
    assert "refused" in [e.reason for e in page.timeline]
    moved = _events(uow_factory, failed_order, EventName.ORDER_WINDOW_CHANGED)
    assert [e.payload["reason"] for e in moved] == ["reattempt"]
    assert moved[0].payload["delivery_date"] == next_day.isoformat()
    with pytest.raises(InvalidValue):  # returning, no longer failed
        returns.start_return(
            uow_factory(DISPATCHER), failed.id, "again", clock=day.clock, order_id=failed_order
        )


def test_reattempt_is_refused_when_the_brands_policy_has_no_attempt_left(
    uow_factory: Factory,
) -> None:
    day = tracking_day(uow_factory, stops=2)
    day.start()
    day.fail(1)
    failed_order = day.day.order_ids[1]
    failed = order_page(uow_factory(DISPATCHER), failed_order).order.parcels[0]
    admin = Principal.user("usr_admin", Role.ADMIN)
    returns.set_delivery_policy(
        uow_factory(admin), day.day.brand_id, DeliveryPolicy(attempts_allowed=1), clock=day.clock
    )
    with pytest.raises(InvalidValue, match="no other attempt"):
        returns.reattempt(
            uow_factory(DISPATCHER), failed_order, failed.id, date(2026, 11, 26), clock=day.clock
        )
    assert _events(uow_factory, failed_order, EventName.ORDER_WINDOW_CHANGED) == []


def _events(factory: Factory, order_id: str, name: EventName) -> list[DomainEvent]:
    with factory(SYSTEM) as uow:
        rows = uow.outbox.pending(1000)
    return [e for _, e in rows if e.name == name and e.aggregate_id == order_id]


def test_change_window_is_audited_and_checked(uow_factory: Factory) -> None:
    day = tracking_day(uow_factory, stops=1)
    order_id = day.day.order_ids[0]
    start = T0 + timedelta(days=1)
    with pytest.raises(InvalidValue):
        change_window(uow_factory(DISPATCHER), order_id, start, start, clock=day.clock)
    with pytest.raises(InvalidValue):
        change_window(
            uow_factory(DISPATCHER), order_id, start, start + timedelta(days=2), clock=day.clock
        )
    for _ in range(2):  # the same window twice: one change, one event
        change_window(
            uow_factory(DISPATCHER), order_id, start, start + timedelta(hours=2), clock=day.clock
        )
    page = order_page(uow_factory(DISPATCHER), order_id)
    assert page.order.window is not None and page.order.window.start == start
    assert "order.window_changed" in [e.what for e in page.timeline]
    [event] = _events(uow_factory, order_id, EventName.ORDER_WINDOW_CHANGED)
    assert event.payload["reason"] == "office" and event.payload["actor"] == "usr_dispatcher"
    assert event.payload["start"] == start.isoformat() and event.payload["delivery_date"] is None
    courier = day.day.courier_principal
    with pytest.raises(PermissionDenied):
        change_window(
            uow_factory(courier), order_id, start, start + timedelta(hours=1), clock=day.clock
        )
