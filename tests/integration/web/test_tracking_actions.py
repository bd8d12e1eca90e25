"""The recipient's forms over real HTTP, on SQLite and PostgreSQL: each change reaches the
order, the outbox, the audit log and the courier's route; refusals are clear 4xx pages."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, select

from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.domain.model import Order, Role
from doorstep.domain.parcel import ParcelAction
from doorstep.domain.route import Route, RouteStop, StopState
from doorstep.services.ports import UnitOfWork
from doorstep.store.tables import OrderRow, OutboxRow
from doorstep.web import csrf
from tests import factories
from tests.courier_day import SYSTEM, CourierDay, dispatched_day
from tests.integration.live_server import LiveApi, serve
from tests.unit.fakes import FakeClock

SECRET = "integration-test-secret-key"  # the live server's secret_key
# Wednesday 25 November 2026, 08:00 in London (GMT): the day's route is dispatched.
NOW = factories.MORNING + timedelta(hours=1)
Factory = Callable[[Principal], UnitOfWork]


@dataclass
class Live:
    api: LiveApi
    clock: FakeClock
    url: str

    @property
    def uow(self) -> Factory:
        return self.api.container.uow_factory

    def order(self, order_id: str) -> Order:
        with self.uow(SYSTEM) as uow:
            found = uow.orders.get(order_id)
        assert found is not None
        return found

    def token(self, order_id: str) -> str:
        return self.order(order_id).tracking_token

    def post(self, token: str, action: str, form: dict[str, str], **kw: Any) -> httpx.Response:
        body = {"csrf": csrf.issue(SECRET, token)} | form
        return self.api.client().post(f"/t/{token}/{action}", data=body, **kw)

    def events(self, name: str) -> list[dict[str, Any]]:
        engine = create_engine(self.url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    select(OutboxRow.payload).where(OutboxRow.name == name).order_by(OutboxRow.id)
                )
                return [dict(row[0]) for row in rows]
        finally:
            engine.dispose()

    def route(self, route_id: str) -> Route:
        with self.uow(SYSTEM) as uow:
            found = uow.routes.get(route_id)
        assert found is not None
        return found


@pytest.fixture
def live(database_url: str) -> Iterator[Live]:
    clock = FakeClock(NOW)
    with serve(database_url, clock=clock) as api:
        yield Live(api, clock, database_url)


def _day(live: Live, **kw: Any) -> CourierDay:
    return dispatched_day(live.uow, start=factories.MORNING, **kw)


def _courier_stop(live: Live, day: CourierDay, n: int) -> dict[str, Any]:
    """Stop ``n`` as the courier's phone reads it at its next sync (GET /v1/routes/{id})."""
    token = live.api.create_operator(Role.COURIER, courier_id=day.courier_id)
    answer = live.api.client(token).get(f"/v1/routes/{day.route_id}")
    assert answer.status_code == 200, answer.text
    stop: dict[str, Any] = answer.json()["stops"][n]
    return stop


# -- the preferences ----------------------------------------------------------------------


def test_each_preference_reaches_the_courier_at_the_next_sync_named_but_not_quoted(
    live: Live,
) -> None:
    day = _day(live, stops=2)
    order_id = day.order_ids[1]
    token = live.token(order_id)
    forms = [
        ("safe-place", {"choice": "back_garden", "note": "Behind the blue gate"}),
        ("neighbour", {"neighbour": "No. 14"}),
        ("access", {"note": "Side door, ring twice", "code": "9137#"}),
        ("more-time", {"needs_more_time": "1"}),
    ]
    for action, form in forms:
        answer = live.post(token, action, form)
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == f"/t/{token}?done={action}"

    stop = _courier_stop(live, day, 1)
    assert stop["safe_place_preference"] == "Back garden: Behind the blue gate"
    assert stop["neighbour"] == "No. 14"
    assert stop["has_access_notes"] and stop["has_access_code"]
    assert stop["instructions"] == "Side door, ring twice"
    assert stop["needs_more_time"] and stop["wait_s"] > _courier_stop(live, day, 0)["wait_s"]
    assert "9137" not in str(stop)

    changed = live.events("order.preferences_changed")
    assert [e["changed"] for e in changed] == [
        ["safe_place"],
        ["neighbour"],
        ["access_notes", "access_code"],
        ["needs_more_time"],
    ]
    assert {e["actor"] for e in changed} == {f"recipient:{order_id}"}
    assert not any("9137" in str(e) or "blue gate" in str(e) for e in changed)
    with live.uow(SYSTEM) as uow:
        audited = uow.audit.list_for(order_id)
    assert [a.action for a in audited] == ["order.preferences_changed"] * 4


def test_a_door_code_given_on_the_page_is_stored_encrypted(live: Live, database_url: str) -> None:
    day = _day(live, stops=1)
    token = live.token(day.order_ids[0])
    assert live.post(token, "access", {"code": "5550*"}).status_code == 303
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            raw = connection.execute(
                select(OrderRow.access_code, OrderRow.safe_place_choice).where(
                    OrderRow.public_id == day.order_ids[0]
                )
            ).one()
    finally:
        engine.dispose()
    assert raw.access_code.startswith("enc1:") and "5550" not in raw.access_code
    assert live.order(day.order_ids[0]).address.access_code == "5550*"


@pytest.mark.parametrize(
    ("action", "form", "field"),
    [
        ("neighbour", {"neighbour": "No.\x0014"}, "neighbour"),
        ("safe-place", {"choice": "front_porch", "note": "porch\x1b[2J"}, "note about"),
        ("access", {"code": "12\x0734"}, "door code"),
        ("neighbour", {"neighbour": "call 07700 900123"}, "phone number"),
        ("safe-place", {"choice": "roof"}, "safe place"),
    ],
)
def test_what_is_typed_wrongly_is_refused_with_the_reason_and_changes_nothing(
    live: Live, action: str, form: dict[str, str], field: str
) -> None:
    day = _day(live, stops=1)
    token = live.token(day.order_ids[0])
    answer = live.post(token, action, form)
    assert answer.status_code == 422
    assert field in answer.text
    assert 'role="alert"' in answer.text
    assert "\x00" not in answer.text and "\x1b" not in answer.text
    assert live.events("order.preferences_changed") == []


# -- who may change what -----------------------------------------------------------------------


def test_a_missing_or_wrong_csrf_value_is_refused(live: Live) -> None:
    day = _day(live, stops=2)
    mine, other = (live.token(o) for o in day.order_ids)
    client = live.api.client()
    missing = client.post(f"/t/{mine}/neighbour", data={"neighbour": "No. 3"})
    wrong = client.post(f"/t/{mine}/neighbour", data={"neighbour": "No. 3", "csrf": "0" * 64})
    borrowed = client.post(
        f"/t/{other}/neighbour", data={"neighbour": "No. 3", "csrf": csrf.issue(SECRET, mine)}
    )
    assert [r.status_code for r in (missing, wrong, borrowed)] == [403, 403, 403]
    assert all(live.order(o).neighbour is None for o in day.order_ids)


def test_a_token_no_order_has_is_not_found_and_says_nothing_of_it(live: Live) -> None:
    _day(live, stops=1)
    unknown = ids.new_tracking_token()
    answer = live.post(unknown, "neighbour", {"neighbour": "No. 3"})
    assert answer.status_code == 404
    assert unknown not in answer.text
    assert live.post("x" * 3, "neighbour", {"neighbour": "No. 3"}).status_code == 404


def test_each_token_changes_its_own_order_only(live: Live) -> None:
    day = _day(live, stops=2)
    first, second = day.order_ids
    live.post(live.token(second), "neighbour", {"neighbour": "No. 9"})
    assert live.order(second).neighbour == "No. 9"
    assert live.order(first).neighbour is None


def _deliver(live: Live, order_id: str) -> None:
    vehicle = factories.vehicle()
    with live.uow(SYSTEM) as uow:
        uow.vehicles.add(vehicle)
        order = uow.orders.get(order_id)
        assert order is not None
        for parcel in order.parcels:
            factories.deliver(parcel, at=NOW, vehicle_id=vehicle.id)
        uow.orders.save(order)
        uow.commit()


def test_nothing_changes_once_the_parcel_is_delivered(live: Live) -> None:
    order = factories.order()
    with live.uow(SYSTEM) as uow:
        uow.brands.add(factories.brand(id=order.brand_id))
        uow.orders.add(order)
        uow.commit()
    _deliver(live, order.id)
    for action, form in [
        ("safe-place", {"choice": "shed"}),
        ("reschedule", {"date": "2026-11-26"}),
    ]:
        answer = live.post(order.tracking_token, action, form)
        assert answer.status_code == 409
        assert "delivered" in answer.text
    assert live.order(order.id).safe_place_choice is None


def test_the_link_expires_thirty_days_after_the_delivery(live: Live) -> None:
    order = factories.order()
    with live.uow(SYSTEM) as uow:
        uow.brands.add(factories.brand(id=order.brand_id))
        uow.orders.add(order)
        uow.commit()
    _deliver(live, order.id)
    live.clock.advance(days=31)
    answer = live.post(order.tracking_token, "more-time", {"needs_more_time": "1"})
    assert answer.status_code == 410
    assert "expired" in answer.text
    assert live.api.client().get(f"/t/{order.tracking_token}/reschedule").status_code == 410


# -- another day ----------------------------------------------------------------------------


def test_a_parcel_not_yet_loaded_leaves_its_route_cleanly_for_the_day_chosen(live: Live) -> None:
    day = _day(live, stops=2, loaded_stops=1)  # stop 2's parcels are in the hub
    order_id = day.order_ids[1]
    token = live.token(order_id)
    page = live.api.client().get(f"/t/{token}/reschedule")
    assert page.status_code == 200 and 'value="2026-11-26"' in page.text
    assert 'value="2026-11-29"' not in page.text  # a Sunday
    assert live.post(token, "reschedule", {"date": "2026-11-27"}).status_code == 303

    order = live.order(order_id)
    assert order.delivery_date == date(2026, 11, 27)
    assert order.window is not None and order.window.start.date() == date(2026, 11, 27)
    route = live.route(day.route_id)
    assert route.stop(day.stop_ids[1]).state is StopState.REMOVED
    assert route.stop(day.stop_ids[0]).state is StopState.PENDING
    (event,) = live.events("order.rescheduled")
    assert event | {"order_id": ""} == {
        "order_id": "",
        "reference": order.reference,
        "actor": f"recipient:{order_id}",
        "from_date": "2026-11-25",
        "to_date": "2026-11-27",
        "loaded": False,
    }
    assert live.events("route.stop_removed")[0]["stop_id"] == day.stop_ids[1]


def test_a_loaded_parcel_stays_on_the_van_and_the_dispatcher_and_courier_are_told(
    live: Live,
) -> None:
    day = _day(live, stops=2)
    token = live.token(day.order_ids[0])
    assert live.post(token, "reschedule", {"date": "2026-11-30"}).status_code == 303
    (event,) = live.events("order.rescheduled")
    assert event["loaded"] is True
    assert live.route(day.route_id).stop(day.stop_ids[0]).state is StopState.PENDING
    assert _courier_stop(live, day, 0)["rescheduled_to"] == "2026-11-30"


def test_a_day_not_offered_is_refused(live: Live) -> None:
    day = _day(live, stops=1, loaded_stops=0)
    token = live.token(day.order_ids[0])
    for chosen in ("2026-11-29", "2026-12-25", "2026-11-25", "not-a-date"):
        answer = live.post(token, "reschedule", {"date": chosen})
        assert answer.status_code == 422, chosen
    assert live.events("order.rescheduled") == []


def test_a_stop_shared_with_another_order_keeps_that_orders_parcels(live: Live) -> None:
    brand, hub, vehicle = factories.brand(), factories.hub(), factories.vehicle()
    courier = factories.courier(vehicle_id=vehicle.id)
    leaving, staying = (factories.order(brand_id=brand.id) for _ in range(2))
    both = tuple(p.id for o in (leaving, staying) for p in o.parcels)
    stop = RouteStop(
        id=ids.new_id("stp"),
        sequence=1,
        point=factories.address().point or hub.point,
        postcode="WC2A 3HP",
        address_lines=("12 Gate Street",),
        recipient_first_name="Ada",
        parcel_ids=both,
        planned_arrival=factories.MORNING,
    )
    route = Route.dispatch(
        id=ids.new_id("rte"), plan_id=None, hub_id=hub.id, route_date=NOW.date(),
        courier_id=courier.id, vehicle_id=vehicle.id, stops=[stop], actor="system:tests",
        at=NOW,
    )  # fmt: skip
    with live.uow(SYSTEM) as uow:
        for made in (brand, hub, vehicle, courier):
            getattr(uow, type(made).__name__.lower() + "s").add(made)
        uow.orders.add_all([leaving, staying])
        uow.routes.add(route)
        uow.commit()
    assert (
        live.post(leaving.tracking_token, "reschedule", {"date": "2026-11-26"}).status_code == 303
    )
    kept = live.route(route.id).stop(stop.id)
    assert kept.state is StopState.PENDING
    assert kept.parcel_ids == tuple(p.id for p in staying.parcels)
    (removed,) = live.events("route.parcels_removed")
    assert removed["parcel_ids"] == [p.id for p in leaving.parcels]


def test_two_tabs_racing_a_reschedule_leave_one_consistent_story(live: Live) -> None:
    day = _day(live, stops=1, loaded_stops=0)
    token = live.token(day.order_ids[0])
    start = threading.Barrier(2)
    answers: dict[str, int] = {}

    def tab(chosen: str) -> None:
        start.wait()
        answers[chosen] = live.post(token, "reschedule", {"date": chosen}).status_code

    tabs = [threading.Thread(target=tab, args=(d,)) for d in ("2026-11-26", "2026-11-27")]
    for t in tabs:
        t.start()
    for t in tabs:
        t.join()
    assert set(answers.values()) <= {303, 409}, answers
    moved = live.events("order.rescheduled")
    assert len(moved) == list(answers.values()).count(303) >= 1
    assert moved[0]["from_date"] == "2026-11-25"
    for before, after in itertools.pairwise(moved):
        assert after["from_date"] == before["to_date"]
    assert live.order(day.order_ids[0]).delivery_date == date.fromisoformat(moved[-1]["to_date"])


def test_the_refusal_page_keeps_the_forms_labelled_and_never_shows_the_code(live: Live) -> None:
    day = _day(live, stops=1)
    token = live.token(day.order_ids[0])
    answer = live.post(token, "access", {"code": "bad code!", "note": "Gate at the side"})
    assert answer.status_code == 422
    assert "bad code!" not in answer.text
    assert "Gate at the side" in answer.text  # what they typed is kept for them
    assert answer.headers["x-robots-tag"].startswith("noindex")
    assert "form-action 'self'" in answer.headers["content-security-policy"]


def test_the_tracking_page_offers_the_forms_and_confirms_a_change_after_the_redirect(
    live: Live,
) -> None:
    day = _day(live, stops=1)
    token = live.token(day.order_ids[0])
    page = live.api.client().get(f"/t/{token}")
    assert page.status_code == 200
    assert f'action="/t/{token}/safe-place"' in page.text
    assert f'name="csrf" value="{csrf.issue(SECRET, token)}"' in page.text
    done = live.post(token, "neighbour", {"neighbour": "No. 7"}, follow_redirects=True)
    assert done.status_code == 200
    assert 'role="status"' in done.text and "neighbour you named" in done.text


def test_the_planner_gives_the_stop_of_a_recipient_who_needs_longer_more_door_time(
    live: Live,
) -> None:
    from doorstep.planning.door_time import DoorTimeParams, door_time_s
    from doorstep.services.plans.request import StoredPlanRequest, planning_problem
    from doorstep.services.ports import PlanRecord, PlanStatus

    day = _day(live, stops=2, loaded_stops=0)  # received at the hub: still plannable
    live.post(live.token(day.order_ids[1]), "more-time", {"needs_more_time": "1"})
    with live.uow(SYSTEM) as uow:
        orders = [uow.orders.get(o) for o in day.order_ids]
        request = StoredPlanRequest.model_validate(
            {
                "hub_id": day.hub_id, "date": "2026-11-26", "depart": "08:00", "budget_s": 1,
                "network": "straight_line", "vehicles": [], "order_ids": day.order_ids,
                "parcel_ids": [p.id for o in orders if o for p in o.parcels],
            }
        )  # fmt: skip
        plan = PlanRecord(
            id=ids.new_id("pln"), hub_id=day.hub_id, plan_date=date(2026, 11, 26),
            status=PlanStatus.QUEUED, request=request.to_json(), budget_s=1,
            network="straight_line", created_at=NOW, created_by="system:tests",
        )  # fmt: skip
        built = planning_problem(uow, plan)
    params = DoorTimeParams()
    plain, longer = (
        next(s for s in built.problem.stops if set(s.parcel_ids) == {p.id for p in o.parcels})
        for o in orders
        if o is not None
    )
    assert longer.needs_longer and not plain.needs_longer
    assert door_time_s(longer, params) == door_time_s(plain, params) + params.needs_longer_s


def test_a_careless_or_hostile_post_gets_a_clear_4xx_never_a_500(live: Live) -> None:
    day = _day(live, stops=1)
    token = live.token(day.order_ids[0])
    client = live.api.client()
    good = csrf.issue(SECRET, token)
    as_json = client.post(f"/t/{token}/neighbour", json={"csrf": good, "neighbour": "No. 3"})
    with_file = client.post(
        f"/t/{token}/neighbour",
        data={"csrf": good, "neighbour": "No. 3"},
        files={"photo": ("a.png", b"\x89PNG", "image/png")},
    )
    bad_bytes = client.post(
        f"/t/{token}/neighbour",
        content=b"csrf=" + good.encode() + b"&neighbour=%FF%FE%00",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    unknown_days = client.get(f"/t/{ids.new_tracking_token()}/reschedule")
    assert as_json.status_code == 415
    assert with_file.status_code == 400
    assert bad_bytes.status_code == 422
    assert unknown_days.status_code == 404
    assert live.order(day.order_ids[0]).neighbour is None


def test_after_a_failed_attempt_the_recipient_chooses_the_next_day(live: Live) -> None:
    day = _day(live, stops=1)
    order_id = day.order_ids[0]
    with live.uow(SYSTEM) as uow:
        route = uow.routes.get(day.route_id)
        order = uow.orders.get(order_id)
        assert route is not None and order is not None
        route.start(at=NOW, actor="system:tests", unloaded_barcodes=[])
        route.fail(day.stop_ids[0], at=NOW, actor="system:tests", reason="recipient_not_home")
        for parcel in order.parcels:
            parcel.apply(ParcelAction.DEPART, actor="system:tests", at=NOW)
            parcel.apply(
                ParcelAction.FAIL_ATTEMPT,
                actor="system:tests",
                at=NOW,
                reason_code="recipient_not_home",
            )
        uow.routes.save(route)
        uow.orders.save(order)
        uow.commit()
    token = live.token(order_id)
    page = live.api.client().get(f"/t/{token}/reschedule")
    assert 'value="2026-11-25"' not in page.text  # the route has started: not today
    assert live.post(token, "reschedule", {"date": "2026-11-26"}).status_code == 303
    (event,) = live.events("order.rescheduled")
    assert (event["from_date"], event["to_date"], event["loaded"]) == (
        "2026-11-25",
        "2026-11-26",
        False,
    )
    assert live.route(day.route_id).stop(day.stop_ids[0]).state is StopState.FAILED
