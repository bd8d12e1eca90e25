"""How often an open tracking page reads again: on every notice; every 15-30 s only while
the courier is near (for the position); otherwise only as a safety net for a lost notice."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest

from doorstep.web import tracking

WAKES = 20  # how many times the page wakes before the test closes it


@dataclass
class _View:
    courier_near: bool
    channels: tuple[str, ...] = ("order:ord_1",)
    live: bool = True


@dataclass
class _Subscription:
    notices: Iterator[str | None]
    wakes: int = 0

    async def receive(self, timeout: float) -> str | None:
        self.wakes += 1
        await asyncio.sleep(0)
        return next(self.notices, None)

    def close(self) -> None:
        return None


@dataclass
class _Request:
    subscription: _Subscription

    async def is_disconnected(self) -> bool:
        return self.subscription.wakes > WAKES


@dataclass
class _Reads:
    view: _View
    count: int = 0

    def __call__(self) -> _View:
        self.count += 1
        return self.view


def reads_of(view: _View, notices: list[str | None]) -> int:
    subscription = _Subscription(iter(notices))
    container: Any = SimpleNamespace(broadcaster=SimpleNamespace(subscribe=lambda _: subscription))
    read = _Reads(view)

    async def scenario() -> None:
        async for _ in tracking._updates(container, view, read, _Request(subscription)):  # type: ignore[arg-type]
            pass

    asyncio.run(scenario())
    return read.count


@pytest.fixture(autouse=True)
def plain_fragments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tracking, "fragments", lambda view: {"position": None})
    monkeypatch.setattr(tracking, "REFRESH_S", 0.0)


def test_a_page_far_from_the_courier_reads_only_on_a_notice() -> None:
    assert reads_of(_View(courier_near=False), []) == 0
    assert reads_of(_View(courier_near=False), [None, "look", None, "look", "look"]) == 3


def test_a_page_near_the_courier_reads_each_time_it_wakes_for_the_position() -> None:
    assert reads_of(_View(courier_near=True), []) == WAKES


def test_a_far_page_still_reads_now_and_then_in_case_a_notice_was_lost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tracking, "QUIET_REFRESH_S", 0.0)
    assert reads_of(_View(courier_near=False), []) == WAKES
