"""The outbox relay on SQLite and PostgreSQL: every committed event reaches every handler
once, in order, with its row id; a failed batch is relayed again; two relays at once never
take the same row."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine

from doorstep.domain.events import DomainEvent
from doorstep.services.ports import UnitOfWork
from doorstep.services.relay import relay_pending
from tests import factories
from tests.integration.store.conftest import SYSTEM, UowFactory
from tests.unit.fakes import FakeClock


def _add_orders(uow_factory: UowFactory, count: int) -> list[str]:
    """``count`` orders (one ``order.created`` each), committed; their ids in order."""
    brand = factories.brand()
    orders = [factories.order(brand_id=brand.id) for _ in range(count)]
    with uow_factory(SYSTEM) as uow:
        uow.brands.add(brand)
        for order in orders:
            uow.orders.add(order)
        uow.commit()
    return [order.id for order in orders]


def _created(seen: Sequence[tuple[int, DomainEvent]]) -> list[str]:
    return [event.payload["order_id"] for _, event in seen if event.name == "order.created"]


def test_every_pending_event_reaches_every_handler_once_in_order(uow_factory: UowFactory) -> None:
    order_ids = _add_orders(uow_factory, 5)
    first: list[tuple[int, DomainEvent]] = []
    second: list[tuple[int, DomainEvent]] = []
    handlers = [
        lambda uow, outbox_id, event: first.append((outbox_id, event)),
        lambda uow, outbox_id, event: second.append((outbox_id, event)),
    ]

    relayed = relay_pending(uow_factory, FakeClock(), handlers, batch=2)

    assert relayed == len(first) >= 5
    assert _created(first) == order_ids
    assert first == second
    assert [outbox_id for outbox_id, _ in first] == sorted({i for i, _ in first})
    assert relay_pending(uow_factory, FakeClock(), handlers) == 0
    assert len(first) == relayed


def test_after_commit_hooks_get_the_batch_once_it_is_committed(uow_factory: UowFactory) -> None:
    _add_orders(uow_factory, 3)
    batches: list[int] = []

    def hook(rows: Sequence[tuple[int, DomainEvent]]) -> None:
        with uow_factory(SYSTEM).read_only() as uow:  # committed: another transaction sees it
            assert not uow.outbox.has_pending()
        batches.append(len(rows))

    def broken(rows: Sequence[tuple[int, DomainEvent]]) -> None:
        raise RuntimeError("the broadcaster is down")

    relayed = relay_pending(uow_factory, FakeClock(), [], after=[broken, hook])

    assert batches == [relayed]


def test_a_handler_that_fails_leaves_the_whole_batch_pending(uow_factory: UowFactory) -> None:
    order_ids = _add_orders(uow_factory, 3)
    seen: list[tuple[int, DomainEvent]] = []
    calls = 0

    def flaky(uow: UnitOfWork, outbox_id: int, event: DomainEvent) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("crash in the middle of a batch")
        seen.append((outbox_id, event))

    with pytest.raises(RuntimeError):
        relay_pending(uow_factory, FakeClock(), [flaky])
    with uow_factory(SYSTEM).read_only() as uow:
        assert uow.outbox.has_pending()
    seen.clear()

    relay_pending(uow_factory, FakeClock(), [flaky])

    assert _created(seen) == order_ids


def test_two_relays_at_once_never_hand_the_same_row_to_a_handler(uow_factory: UowFactory) -> None:
    _add_orders(uow_factory, 40)
    seen: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(2)

    def handler(uow: UnitOfWork, outbox_id: int, event: DomainEvent) -> None:
        with lock:
            seen.append(outbox_id)

    def relay(_: int) -> int:
        start.wait()
        return relay_pending(uow_factory, FakeClock(), [handler], batch=3)

    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = list(pool.map(relay, range(2)))

    assert sum(counts) == len(seen) >= 40
    assert len(set(seen)) == len(seen)


def test_a_second_relay_skips_the_rows_the_first_has_claimed(
    uow_factory: UowFactory, engine: Engine
) -> None:
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one writer: the second relay waits instead of skipping")
    _add_orders(uow_factory, 6)
    claimed = threading.Event()
    release = threading.Event()
    first: list[int] = []
    second: list[int] = []

    def slow(uow: UnitOfWork, outbox_id: int, event: DomainEvent) -> None:
        first.append(outbox_id)
        claimed.set()
        assert release.wait(30)

    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(relay_pending, uow_factory, FakeClock(), [slow], (), 3)
        assert claimed.wait(30)
        other = relay_pending(
            uow_factory, FakeClock(), [lambda uow, i, e: second.append(i)], batch=3
        )
        release.set()
        mine = running.result()

    assert other == len(second) >= 3
    assert mine == len(first)
    assert not set(first) & set(second)
