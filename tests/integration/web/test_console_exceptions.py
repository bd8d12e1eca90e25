"""The exception queue page over real HTTP, on SQLite and PostgreSQL: who may see it,
every action with and without its CSRF value (as a whole page and as an htmx fragment),
and bad notes answered with a clear message, never a 500.

The server's clock is fixed on the morning of the test's day, so "today's routes" are the
routes the test dispatched.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest

from doorstep.domain.exceptions import DispatchException, ExceptionKind, ExceptionState
from doorstep.domain.model import Role
from doorstep.domain.parcel import ParcelState
from doorstep.domain.route import StopState
from doorstep.planning.params import PlannerParams
from doorstep.services import exceptions
from doorstep.services.ports import StoreBusy
from doorstep.web.console.session import COOKIE, issue
from tests.courier_day import SYSTEM, CourierDay, dispatched_day
from tests.integration.live_server import HANG_GUARD_S, LiveApi, serve
from tests.integration.services.test_exceptions import T0, late_event, record, relay
from tests.integration.web.console_client import Visitor, make_user, visitor
from tests.unit.fakes import FakeClock

PATH = "/console/exceptions"
HX = {"HX-Request": "true"}


@dataclass
class World:
    live: LiveApi
    day: CourierDay
    other: CourierDay
    clock: FakeClock

    def late(self, stop: int) -> DispatchException:
        """Stop ``stop`` predicted late, raised through the relay as in service. The
        server's own relay job may take the event first (on PostgreSQL it then holds the
        row; on SQLite its write lock can outlast the busy timeout on a loaded machine, and
        the store says busy as it would to any caller): relay until the exception is there."""
        uow = self.live.container.uow_factory
        deadline = time.monotonic() + HANG_GUARD_S
        recorded = False
        while True:
            try:
                if not recorded:
                    record(uow, late_event(self.day, stop, self.clock))
                    recorded = True
                relay(uow, self.clock)
            except StoreBusy:
                assert time.monotonic() < deadline, "the store stayed busy"
                continue
            found = [
                e
                for e in exceptions.list_exceptions(uow(SYSTEM), "all")
                if e.kind is ExceptionKind.PREDICTED_LATE and e.stop_id == self.day.stop_ids[stop]
            ]
            if found or time.monotonic() > deadline:
                assert found, "the exception was never raised"
                return found[0]
            time.sleep(0.05)

    def get(self, exception_id: str) -> DispatchException:
        uow = self.live.container.uow_factory
        return exceptions.get_exception(uow(SYSTEM), exception_id)


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    clock = FakeClock(T0 - timedelta(minutes=20))
    with serve(
        database_url, clock=clock, planner=PlannerParams(max_iterations=200, workers=1)
    ) as live:
        uow = live.container.uow_factory
        # Stops 0-3 loaded on the van; stop 4's parcels still at the hub (cancellable).
        day = dispatched_day(uow, stops=5, loaded_stops=4)
        other = dispatched_day(uow, stops=1, hub_id=day.hub_id, vehicle_name="LK71 XYZ")
        yield World(live, day, other, clock)


def test_admin_and_dispatcher_see_the_queue_with_its_links(world: World) -> None:
    found = world.late(1)
    for role in (Role.ADMIN, Role.DISPATCHER):
        who = visitor(world.live, role)
        page = who.get(PATH)
        assert page.status_code == 200, page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert "<script>" not in page.text and "style=" not in page.text
        assert 'href="/console/exceptions" aria-current="page"' in page.text
        assert "Predicted late" in page.text and found.id in page.text
        assert f'href="/console/orders/{world.day.order_ids[1]}"' in page.text
        assert world.day.route_id in page.text and "20 min late" in page.text
        # Today's other route is offered to move the stop to; its own route is not.
        options = re.findall(r'<option value="(rte_[^"]+)"', page.text)
        assert options == [world.other.route_id]
        rows = who.get(f"{PATH}/rows?state=open")
        assert rows.status_code == 200 and "<html" not in rows.text and found.id in rows.text
    who = visitor(world.live, Role.DISPATCHER)
    assert found.id not in who.get(f"{PATH}?state=resolved").text
    assert found.id not in who.get(f"{PATH}?kind=attempt_failed").text
    assert found.id in who.get(f"{PATH}?state=all&kind=predicted_late").text
    # A stale or forged filter opens the default view, not an error.
    odd = who.get(f"{PATH}?state=%00x&kind=<script>")
    assert odd.status_code == 200 and found.id in odd.text and "<script>" not in odd.text


def test_couriers_brands_and_nobody_get_nothing(world: World) -> None:
    found = world.late(0)
    nobody = visitor(world.live)
    answer = nobody.get(PATH)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/login?next=/console/exceptions"
    assert nobody.get(f"{PATH}/rows", headers=HX).status_code == 401
    assert nobody.post(f"{PATH}/{found.id}/resolve", {"note": "x"}).status_code == 401
    courier = visitor(world.live)
    email = make_user(world.live, Role.COURIER)
    assert courier.log_in(email).status_code == 403  # no session for a courier ...
    with world.live.container.uow_factory(SYSTEM).read_only() as uow:
        user = uow.users.get_by_email(email)
    assert user is not None  # ... and a session forged with the server's key is refused
    courier.cookies[COOKIE] = issue(
        world.live.container.secret_key, user.id, world.clock.now() + timedelta(hours=1)
    )
    assert courier.get(PATH).status_code == 403
    assert courier.get(f"{PATH}/rows").status_code == 403
    courier.csrf = ""
    assert courier.post(f"{PATH}/{found.id}/resolve", {"note": "x"}).status_code == 403
    _, key = world.live.create_brand()
    brand = visitor(world.live)
    auth = {"Authorization": f"Bearer {key}"}
    assert brand.get(PATH, headers=auth).status_code == 303
    assert brand.post(f"{PATH}/replan-day", headers=auth).status_code == 401
    assert world.get(found.id).is_open


def _act(who: Visitor, world: World, exception_id: str, action: str, data: dict[str, str]) -> None:
    """The action refused without and with a wrong CSRF value, then done with it."""
    path = f"{PATH}/{exception_id}/{action}"
    data = {"state": "open", **data}
    for csrf in ("", "0" * 64):
        refused = who.post(path, data, csrf=csrf)
        assert refused.status_code == 403, (action, refused.text)
        assert "did not come from the console" in refused.text
        assert world.get(exception_id).is_open
    done = who.post(path, data)
    assert done.status_code == 200, (action, done.text)
    assert 'class="flash flash--notice"' in done.text
    assert world.get(exception_id).state is ExceptionState.RESOLVED


def test_every_action_needs_its_csrf_value_and_resolves(world: World) -> None:
    who = visitor(world.live, Role.DISPATCHER)
    who.get(PATH)
    raised = {n: world.late(n) for n in range(5)}
    _act(who, world, raised[0].id, "resolve", {"note": "Phoned: leave with No 12."})
    assert world.get(raised[0].id).note == "Phoned: leave with No 12."
    _act(who, world, raised[1].id, "move", {"to_route_id": world.other.route_id})
    _act(who, world, raised[2].id, "return", {})
    _act(who, world, raised[3].id, "replan", {"note": "Courier told."})
    _act(who, world, raised[4].id, "cancel", {})
    uow = world.live.container.uow_factory
    with uow(SYSTEM) as store:
        route = store.routes.get(world.day.route_id)
        order = store.orders.get(world.day.order_ids[4])
    assert route is not None and order is not None
    assert route.stop(world.day.stop_ids[1]).state is StopState.REMOVED  # moved
    assert route.stop(world.day.stop_ids[2]).state is StopState.REMOVED  # back to the hub
    assert {p.state for p in order.parcels} == {ParcelState.CANCELLED}
    assert "Re-planned the rest" in str(world.get(raised[3].id).note)
    # Every POST of the page refuses a missing value, the day's re-plan too.
    assert who.post(f"{PATH}/replan-day", {"state": "all"}, csrf="").status_code == 403
    day = who.post(f"{PATH}/replan-day", {"state": "all"})
    assert day.status_code == 200 and "Re-planned today&#39;s routes" in day.text


def test_htmx_gets_the_queue_alone_with_the_answer(world: World) -> None:
    found = world.late(0)
    other = world.late(2)
    who = visitor(world.live, Role.ADMIN)
    who.get(PATH)
    answer = who.post(
        f"{PATH}/{found.id}/resolve",
        {"note": "Neighbour took it.", "state": "all"},
        headers=HX,
    )
    assert answer.status_code == 200
    assert "<html" not in answer.text
    assert 'id="exception-queue"' in answer.text and "Resolved: predicted late." in answer.text
    assert "Neighbour took it." in answer.text  # the view kept its filter: all
    refused = who.post(f"{PATH}/{other.id}/move", {"to_route_id": ""}, headers=HX)
    assert refused.status_code == 422
    assert 'id="exception-queue"' in refused.text
    assert "The route to move to: choose one of today&#39;s routes." in refused.text
    assert world.get(other.id).is_open


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("", "The note: say what was done about it."),
        ("   ", "The note: say what was done about it."),
        ("Called\x00her", "contains control characters"),
        ("Called\x1bher", "contains control characters"),
        ("N" * 10_000, "The note: must be at most 1000 characters."),
        ("N" * 10_001, "is too long"),
    ],
    ids=["empty", "blank", "nul", "escape", "10k", "over-10k"],
)
def test_a_bad_note_gets_a_clear_message(world: World, note: str, message: str) -> None:
    found = world.late(0)
    who = visitor(world.live, Role.DISPATCHER)
    who.get(PATH)
    answer = who.post(f"{PATH}/{found.id}/resolve", {"note": note})
    assert answer.status_code == 422, answer.text
    assert message in answer.text
    assert "Traceback" not in answer.text
    assert world.get(found.id).is_open


def test_refusals_from_the_rules_are_words_on_the_page(world: World) -> None:
    found = world.late(0)
    who = visitor(world.live, Role.DISPATCHER)
    who.get(PATH)
    missing = who.post(f"{PATH}/exc_{'0' * 16}/resolve", {"note": "x"})
    assert missing.status_code == 404 and "No exception with id" in missing.text
    unknown = who.post(f"{PATH}/{found.id}/explode", {"note": "x"})
    assert unknown.status_code == 404 and "No such action." in unknown.text
    foreign = who.post(f"{PATH}/{found.id}/move", {"to_route_id": "rte_" + "0" * 16})
    assert foreign.status_code == 422 and "The route to move to: no such route" in foreign.text
    assert who.post(f"{PATH}/{found.id}/resolve", {"note": "Done."}).status_code == 200
    again = who.post(f"{PATH}/{found.id}/resolve", {"note": "Done again."})
    assert again.status_code == 409 and "already resolved" in again.text
    assert world.get(found.id).note == "Done."
