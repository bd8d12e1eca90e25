"""A recorded day replayed through the courier's use cases and the ETA recompute, with an
injected clock: windows narrow from an hour to 30 and 15 minutes, are never moved
earlier, delays are raised once per announced window, pings recompute at most every 30 s.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime, timedelta
from typing import cast

import pytest

from doorstep.domain.eta import AnnouncedWindow
from doorstep.domain.events import PAYLOAD_FIELDS, EventName
from doorstep.domain.model import GeoPoint, TimeWindow
from doorstep.domain.pings import Ping
from doorstep.domain.route import Position
from doorstep.geo.provider import TravelTimeProvider
from doorstep.geo.straight_line import StraightLineProvider
from doorstep.geo.traffic import LONDON
from doorstep.services import routes
from doorstep.services.eta import latest_windows
from doorstep.services.eta.refresh import ETA, EtaRefresh
from doorstep.services.pings import record_pings
from doorstep.services.ports import Routing
from doorstep.services.routes.courier_actions import ActionKind, CourierActionIn, Outcome
from tests.courier_day import CourierDay, dispatched_day
from tests.eta_replay import DOORS, START, Step, recorded_day
from tests.unit.fakes import FakeClock, FakeDatabase, uow_factory

SIGNATURE = hashlib.sha256(b"signature").hexdigest()
WIDTHS = {"day": 60, "approaching": 30, "next": 15}


def _routing(network: str) -> Routing:
    # A frozen dataclass: its read-only ``name`` satisfies the protocol at run time.
    return Routing(cast(TravelTimeProvider, StraightLineProvider(traffic=LONDON)), LONDON)


class Replay:
    def __init__(self) -> None:
        self.db = FakeDatabase()
        self.factory = uow_factory(self.db)
        self.clock = FakeClock(START - timedelta(hours=1))
        self.day: CourierDay = dispatched_day(
            self.factory,
            stops=len(DOORS),
            doors=DOORS,
            order_overrides={n: {"window": None} for n in range(len(DOORS))},
        )
        self.refresh = EtaRefresh(self.factory, self.clock, _routing)

    def step(self, step: Step) -> None:
        self.clock.current = step.at + timedelta(seconds=2)
        if step.kind == "ping":
            assert step.point is not None
            ping = Ping(at=step.at, lat=step.point.lat, lon=step.point.lon, accuracy_m=8.0)
            record_pings(
                self.factory(self.day.courier_principal),
                [ping],
                self.clock,
                after=self.refresh.courier,
            )
            return
        [result] = routes.sync_actions(
            self.factory,
            self.day.courier_principal,
            [self._action(step)],
            clock=self.clock,
            blob_exists=lambda sha: sha == SIGNATURE,
            after_change=self.refresh.route,
        )
        assert result.status is Outcome.APPLIED, result

    def _action(self, step: Step) -> CourierActionIn:
        n = step.stop
        data: dict[str, object] = {}
        if step.kind == "complete":
            assert n is not None
            data = {
                "method": "recipient",
                "recipient_name": "Ada",
                "signature": SIGNATURE,
                "scanned_barcodes": self.day.barcodes[n],
            }
        door = DOORS[n] if n is not None else GeoPoint(51.5502, -0.1405)
        return CourierActionIn(
            client_event_id=f"{step.kind}-{n}",
            device_time=step.at,
            kind=ActionKind(step.kind),
            route_id=self.day.route_id,
            stop_id=None if n is None else self.day.stop_ids[n],
            position=Position(door, 8.0),
            data=data,
        )

    def windows(self) -> dict[str, list[AnnouncedWindow]]:
        found: dict[str, list[AnnouncedWindow]] = defaultdict(list)
        for _, window in self.db.eta_announcements:
            found[window.stop_id].append(window)
        return found


@pytest.fixture(scope="module")
def replayed() -> Replay:
    replay = Replay()
    for step in recorded_day():
        replay.step(step)
    return replay


@pytest.fixture(scope="module")
def late() -> Replay:
    """Twelve minutes at every door: the last stops arrive well after their hour."""
    replay = Replay()
    for step in recorded_day(door_time=timedelta(minutes=12)):
        replay.step(step)
    return replay


def test_at_route_start_every_stop_is_told_a_one_hour_window() -> None:
    replay = Replay()
    replay.step(recorded_day()[0])
    windows = replay.windows()
    assert list(windows) == replay.day.stop_ids
    for stop_windows in windows.values():
        assert stop_windows[0].kind == "day"
        assert stop_windows[0].end - stop_windows[0].start == timedelta(hours=1)
    # The first three are close already: narrowed at once, inside their hour.
    assert [w.kind for w in windows[replay.day.stop_ids[0]]] == ["day", "next"]
    assert [w.kind for w in windows[replay.day.stop_ids[2]]] == ["day", "approaching"]
    assert [w.kind for w in windows[replay.day.stop_ids[3]]] == ["day"]


def test_each_stop_narrows_from_an_hour_to_30_then_15_minutes(replayed: Replay) -> None:
    for n, stop_id in enumerate(replayed.day.stop_ids):
        kinds = [w.kind for w in replayed.windows()[stop_id]]
        assert kinds == sorted(kinds, key=list(WIDTHS).index), kinds
        assert kinds[0] == "day" and kinds[-1] == "next"
        assert ("approaching" in kinds) is (n > 0)  # the first is next from the start
        for window in replayed.windows()[stop_id]:
            assert window.end - window.start == timedelta(minutes=WIDTHS[window.kind])


@pytest.mark.parametrize("day", ["replayed", "late"])
def test_no_window_starts_earlier_than_the_one_announced_before_it(
    day: str, request: pytest.FixtureRequest
) -> None:
    replay: Replay = request.getfixturevalue(day)
    for stop_windows in replay.windows().values():
        starts = [w.start for w in stop_windows]
        assert starts == sorted(starts)


def test_a_courier_on_time_raises_no_delay(replayed: Replay) -> None:
    assert replayed.db.events(EventName.STOP_DELAY_PREDICTED) == []


def test_a_late_courier_raises_each_delay_once_per_announced_window(late: Replay) -> None:
    delays = late.db.events(EventName.STOP_DELAY_PREDICTED)
    assert delays, "twelve minutes a door is late by the end"
    keys = [(e.payload["stop_id"], e.payload["window_start"]) for e in delays]
    assert len(keys) == len(set(keys))
    for event in delays:
        assert event.payload["lateness_s"] >= 60
        assert event.payload["predicted_arrival"] > event.payload["window_end"]
        assert tuple(event.payload) == PAYLOAD_FIELDS[EventName.STOP_DELAY_PREDICTED]


def test_every_announcement_is_an_event_naming_the_stops_orders(replayed: Replay) -> None:
    events = replayed.db.events(EventName.STOP_WINDOW_ANNOUNCED)
    assert len(events) == len(replayed.db.eta_announcements)
    by_stop = dict(zip(replayed.day.stop_ids, replayed.day.order_ids, strict=True))
    for event in events:
        assert event.brand_id is None
        assert event.payload["order_ids"] == [by_stop[event.payload["stop_id"]]]
        assert tuple(event.payload) == PAYLOAD_FIELDS[EventName.STOP_WINDOW_ANNOUNCED]


def test_the_last_windows_held_most_arrivals(replayed: Replay) -> None:
    """The narrow windows are placed late enough once the route's lateness is measured."""
    with replayed.factory(ETA) as uow:
        route = uow.routes.get(replayed.day.route_id)
    assert route is not None
    inside = 0
    for stop in route.stops:
        last = replayed.windows()[stop.id][-1]
        assert stop.arrived_at is not None
        inside += last.start <= stop.arrived_at <= last.end
    assert inside == len(route.stops)


def test_pings_recompute_a_route_at_most_once_per_30_seconds() -> None:
    replay = Replay()
    steps = recorded_day()
    replay.step(steps[0])
    computed = replay.db.eta_states[replay.day.route_id].computed_at
    first_ping = next(s for s in steps if s.kind == "ping")
    replay.step(Step(START + timedelta(seconds=10), "ping", point=first_ping.point))
    assert replay.db.eta_states[replay.day.route_id].computed_at == computed
    replay.step(first_ping)  # a minute after the start
    assert replay.db.eta_states[replay.day.route_id].computed_at > computed


def test_a_repeated_action_is_answered_duplicate_and_recomputes_nothing() -> None:
    replay = Replay()
    start = recorded_day()[0]
    replay.step(start)
    before = len(replay.db.eta_announcements)
    replay.clock.advance(minutes=5)
    [again] = routes.sync_actions(
        replay.factory,
        replay.day.courier_principal,
        [replay._action(start)],
        clock=replay.clock,
        blob_exists=lambda sha: False,
        after_change=lambda route_id: pytest.fail("recomputed on a duplicate"),
    )
    assert again.status is Outcome.DUPLICATE
    assert len(replay.db.eta_announcements) == before


def test_a_broken_routing_back_end_never_fails_the_courier_action() -> None:
    replay = Replay()

    def broken(network: str) -> Routing:
        raise RuntimeError("routing back-end down")

    replay.refresh = EtaRefresh(replay.factory, replay.clock, broken)
    replay.step(recorded_day()[0])  # asserts the start was applied
    assert replay.db.eta_announcements == []


def test_latest_windows_gives_each_order_its_stops_last_window(replayed: Replay) -> None:
    with replayed.factory(ETA) as uow:
        found = latest_windows(uow, replayed.day.order_ids)
    windows = replayed.windows()
    assert found == {
        order_id: windows[stop_id][-1]
        for order_id, stop_id in zip(replayed.day.order_ids, replayed.day.stop_ids, strict=True)
    }


def test_a_promise_about_to_be_missed_raises_a_delay_even_inside_the_window() -> None:
    replay = Replay()
    last = len(DOORS) - 1
    order = replay.db.orders[replay.day.order_ids[last]]  # promised by 07:20, not 07:30
    order.window = TimeWindow(START - timedelta(hours=2), START + timedelta(minutes=20))
    replay.step(recorded_day()[0])
    [delay] = replay.db.events(EventName.STOP_DELAY_PREDICTED)
    assert delay.payload["stop_id"] == replay.day.stop_ids[last]
    assert delay.payload["order_ids"] == [order.id]
    promised_end = START + timedelta(minutes=20)
    expected = datetime.fromisoformat(delay.payload["predicted_arrival"])
    assert delay.payload["lateness_s"] == round((expected - promised_end).total_seconds())
    # Recomputed again (the next action): the same window, so no second delay.
    replay.step(next(s for s in recorded_day() if s.kind == "arrive"))
    assert len(replay.db.events(EventName.STOP_DELAY_PREDICTED)) == 1


def test_a_recipient_who_needs_longer_at_the_door_pushes_the_later_stops_back() -> None:
    """The extra door time the planner gives a "needs longer" stop is in the ETAs too."""
    last_arrivals = []
    for needs_longer in (False, True):
        replay = Replay()
        if needs_longer:
            first = replay.db.orders[replay.day.order_ids[0]]
            first.needs_more_time = True
        replay.step(next(s for s in recorded_day() if s.kind == "start_route"))
        state = replay.db.eta_states[replay.day.route_id]
        last_arrivals.append(state.predictions[replay.day.stop_ids[-1]])
    plain, longer = last_arrivals
    assert longer > plain
