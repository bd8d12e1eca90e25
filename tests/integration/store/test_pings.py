"""Couriers' positions in the database: written in bulk, read back exactly, scoped to the
courier (office staff see all, brands none), and purged by age."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Courier, Role
from doorstep.domain.pings import Ping
from tests.integration.store.conftest import SYSTEM, Seeded, UowFactory

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
DAY = (T0 - timedelta(days=1), T0 + timedelta(days=1))


def _couriers(uow_factory: UowFactory) -> tuple[Courier, Courier]:
    mine = Courier(id=ids.new_id("cou"), name="Kit", phone=None)
    other = Courier(id=ids.new_id("cou"), name="Lou", phone=None)
    with uow_factory(SYSTEM) as uow:
        uow.couriers.add(mine)
        uow.couriers.add(other)
        uow.commit()
    return mine, other


def _as(courier: Courier) -> Principal:
    return Principal.user(ids.new_id("usr"), Role.COURIER, courier_id=courier.id)


def _batch(start: datetime, count: int) -> list[Ping]:
    return [
        Ping(at=start + timedelta(seconds=5 * i), lat=51.55 + i / 10_000, lon=-0.14,
             accuracy_m=7.5, speed_mps=4.0 if i % 2 else None, heading_deg=90.0)
        for i in range(count)
    ]  # fmt: skip


def _send(uow_factory: UowFactory, courier: Courier, batch: list[Ping]) -> int:
    with uow_factory(_as(courier)) as uow:
        stored = uow.pings.add_many(courier.id, batch, received_at=T0)
        uow.commit()
    return stored


def test_a_batch_is_stored_and_read_back_in_time_order(uow_factory: UowFactory) -> None:
    mine, _ = _couriers(uow_factory)
    batch = _batch(T0, 20)

    assert _send(uow_factory, mine, list(reversed(batch))) == 20

    with uow_factory(_as(mine)) as uow:
        assert uow.pings.list_for(mine.id, *DAY) == batch
        assert uow.pings.list_for(mine.id, batch[5].at, batch[8].at) == batch[5:8]


def test_a_courier_reads_only_their_own_positions(uow_factory: UowFactory) -> None:
    mine, other = _couriers(uow_factory)
    _send(uow_factory, mine, _batch(T0, 3))
    _send(uow_factory, other, _batch(T0, 4))

    with uow_factory(_as(mine)) as uow:
        assert len(uow.pings.list_for(mine.id, *DAY)) == 3
        assert uow.pings.list_for(other.id, *DAY) == []
    dispatcher = Principal.user(ids.new_id("usr"), Role.DISPATCHER)
    with uow_factory(dispatcher) as uow:
        assert len(uow.pings.list_for(other.id, *DAY)) == 4


def test_a_brand_reads_no_position(uow_factory: UowFactory, seeded: Seeded) -> None:
    mine, _ = _couriers(uow_factory)
    _send(uow_factory, mine, _batch(T0, 3))
    with uow_factory(seeded.brand_principal) as uow:
        assert uow.pings.list_for(mine.id, *DAY) == []
        assert uow.pings.purge(before=T0 + timedelta(days=1)) == 0
    with uow_factory(SYSTEM) as uow:  # the rows are there: the scoping hid them
        assert len(uow.pings.list_for(mine.id, *DAY)) == 3


def test_nobody_writes_positions_for_a_courier_they_cannot_see(
    uow_factory: UowFactory, seeded: Seeded
) -> None:
    mine, other = _couriers(uow_factory)
    for principal in (_as(mine), seeded.brand_principal):
        with uow_factory(principal) as uow, pytest.raises(InvalidValue) as refused:
            uow.pings.add_many(other.id, _batch(T0, 1), received_at=T0)
        assert refused.value.field == "courier_id"
    with uow_factory(SYSTEM) as uow:
        assert uow.pings.list_for(other.id, *DAY) == []


def test_the_purge_deletes_positions_taken_before_the_cut_off(uow_factory: UowFactory) -> None:
    mine, other = _couriers(uow_factory)
    _send(uow_factory, mine, _batch(T0 - timedelta(days=31), 3))
    _send(uow_factory, other, _batch(T0 - timedelta(days=31), 2))
    kept = _batch(T0 - timedelta(days=29), 4)
    _send(uow_factory, mine, kept)

    with uow_factory(SYSTEM) as uow:
        assert uow.pings.purge(before=T0 - timedelta(days=30)) == 5
        uow.commit()

    with uow_factory(SYSTEM) as uow:
        assert uow.pings.list_for(mine.id, T0 - timedelta(days=60), T0) == kept
        assert uow.pings.list_for(other.id, T0 - timedelta(days=60), T0) == []


def test_a_courier_purges_only_their_own_positions(uow_factory: UowFactory) -> None:
    mine, other = _couriers(uow_factory)
    _send(uow_factory, mine, _batch(T0, 2))
    _send(uow_factory, other, _batch(T0, 3))
    with uow_factory(_as(mine)) as uow:
        assert uow.pings.purge(before=T0 + timedelta(days=1)) == 2
        uow.commit()
    with uow_factory(SYSTEM) as uow:
        assert len(uow.pings.list_for(other.id, *DAY)) == 3
