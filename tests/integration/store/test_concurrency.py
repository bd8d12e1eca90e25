"""Two writers at once: neither loses the other's change, neither fails on a busy lock."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine

from doorstep.domain.parcel import ParcelAction, ParcelState
from doorstep.services.ports import OrderQuery, StaleObject
from tests import factories
from tests.integration.store.conftest import SYSTEM, Seeded, UowFactory


def test_concurrent_save_of_the_same_parcel_is_stale_for_the_second_writer(
    uow_factory: UowFactory, seeded: Seeded, engine: Engine
) -> None:
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises whole transactions (BEGIN IMMEDIATE): no interleaving")
    parcel_id = seeded.order.parcels[0].id
    with uow_factory(SYSTEM) as first, uow_factory(SYSTEM) as second:
        mine, theirs = first.parcels.get(parcel_id), second.parcels.get(parcel_id)
        assert mine is not None and theirs is not None
        theirs.apply(ParcelAction.RECEIVE, actor="usr_b", at=factories.MORNING)
        second.parcels.save(theirs)
        second.commit()
        mine.apply(ParcelAction.CANCEL, actor="usr_a", at=factories.MORNING)
        with pytest.raises(StaleObject):
            first.parcels.save(mine)
            first.commit()
    with uow_factory(SYSTEM) as uow:
        stored = uow.parcels.get(parcel_id)
    assert stored is not None and stored.state is ParcelState.AT_HUB


def test_concurrent_writers_queue_instead_of_failing(
    uow_factory: UowFactory, seeded: Seeded
) -> None:
    brand_id = seeded.brand.id
    start = threading.Barrier(4)

    def write(_: int) -> None:
        start.wait()
        for _ in range(5):
            with uow_factory(SYSTEM) as uow:
                uow.orders.add(factories.order(brand_id=brand_id))
                uow.commit()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, range(4)))

    with uow_factory(SYSTEM) as uow:
        page = uow.orders.list(OrderQuery(brand_id=brand_id, limit=100))
    assert len(page.items) == 1 + 4 * 5
