"""Couriers' positions reach the console at most once per 5 s each, and never fail a batch."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from doorstep.domain.pings import Ping
from doorstep.services.console.positions import _Throttle, publish_position
from doorstep.services.ports import Subscription

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


class _Clock:
    def __init__(self) -> None:
        self.current = T0

    def now(self) -> datetime:
        return self.current


class _Broadcaster:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def publish(self, channel: str, message: str) -> None:
        self.sent.append((channel, message))

    def subscribe(self, channels: Sequence[str]) -> Subscription:
        raise NotImplementedError

    def listen(self, hear: Callable[[str], None]) -> None:
        raise NotImplementedError


class _Reads:
    def __init__(self, route_id: str | None) -> None:
        self.route_id = route_id

    def started_route(self, courier_id: str) -> str | None:
        return self.route_id


class _Uow:
    def __init__(self, route_id: str | None) -> None:
        self.console = _Reads(route_id)

    def read_only(self) -> _Uow:
        return self

    def __enter__(self) -> _Uow:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def _factory(route_id: str | None) -> Any:
    return lambda principal: _Uow(route_id)


def _ping(at: datetime, lat: float = 51.5) -> Ping:
    return Ping(at=at, lat=lat, lon=-0.12, accuracy_m=5.0)


def test_the_throttle_lets_one_position_through_per_interval_and_courier() -> None:
    throttle, step = _Throttle(), timedelta(seconds=5)
    assert throttle.take("cou_a", T0, step)
    assert not throttle.take("cou_a", T0 + timedelta(seconds=4), step)
    assert throttle.take("cou_b", T0 + timedelta(seconds=4), step)
    assert throttle.take("cou_a", T0 + step, step)
    assert throttle.take("cou_a", T0, step)  # a clock moved back never silences a courier


def test_publishes_the_latest_position_with_its_route_and_nothing_else() -> None:
    clock, broadcaster = _Clock(), _Broadcaster()
    batch = [_ping(T0, 51.51), _ping(T0 - timedelta(seconds=3), 51.49)]
    assert publish_position(_factory("rte_1"), broadcaster, clock, "cou_pub1", batch)
    [(channel, message)] = broadcaster.sent
    assert channel == "console"
    assert json.loads(message) == {
        "event": "courier.position",
        "route_id": "rte_1",
        "courier_id": "cou_pub1",
        "lat": 51.51,
        "lon": -0.12,
        "at": T0.isoformat(),
    }
    clock.current += timedelta(seconds=1)
    assert not publish_position(_factory("rte_1"), broadcaster, clock, "cou_pub1", batch)
    assert len(broadcaster.sent) == 1


def test_no_started_route_or_a_broken_broadcaster_publishes_nothing_and_raises_nothing() -> None:
    clock = _Clock()
    assert not publish_position(_factory(None), _Broadcaster(), clock, "cou_pub2", [_ping(T0)])

    class Broken(_Broadcaster):
        def publish(self, channel: str, message: str) -> None:
            raise ConnectionError("redis went away")

    assert not publish_position(_factory("rte_2"), Broken(), clock, "cou_pub3", [_ping(T0)])
    assert not publish_position(_factory("rte_2"), _Broadcaster(), clock, "cou_pub4", [])
