"""Use cases on the in-memory unit of work: a database, a clock, and principals to act as."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.domain.model import Brand, Hub, Role, Vehicle
from doorstep.services.ports import UnitOfWork
from tests import factories
from tests.unit.fakes import FakeClock, FakeDatabase, FakeUnitOfWork

UowFor = Callable[[Principal], UnitOfWork]


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def uow_for(db: FakeDatabase) -> UowFor:
    def make(principal: Principal) -> UnitOfWork:
        return FakeUnitOfWork(db, principal)

    return make


@pytest.fixture
def admin() -> Principal:
    return Principal.user(ids.new_id("usr"), Role.ADMIN)


@pytest.fixture
def dispatcher() -> Principal:
    return Principal.user(ids.new_id("usr"), Role.DISPATCHER)


@pytest.fixture
def brand(db: FakeDatabase) -> Brand:
    made = factories.brand()
    db.brands[made.id] = made
    return made


@pytest.fixture
def other_brand(db: FakeDatabase) -> Brand:
    made = factories.brand(name="Peckham Plants")
    db.brands[made.id] = made
    return made


@pytest.fixture
def as_brand(brand: Brand) -> Principal:
    return Principal.brand(brand.id, ids.new_id("key"))


@pytest.fixture
def as_other_brand(other_brand: Brand) -> Principal:
    return Principal.brand(other_brand.id, ids.new_id("key"))


@pytest.fixture
def hub(db: FakeDatabase) -> Hub:
    made = factories.hub()
    db.hubs[made.id] = made
    return made


@pytest.fixture
def van(db: FakeDatabase) -> Vehicle:
    made = factories.vehicle()
    db.vehicles[made.id] = made
    return made
