"""Recording a courier's positions: only the courier themself, all or nothing, and old
positions purged by the retention given."""

from __future__ import annotations

from datetime import timedelta

import pytest

from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Courier, Role
from doorstep.domain.pings import Ping
from doorstep.services.errors import PermissionDenied
from doorstep.services.pings import purge_old_pings, record_pings, require_on_duty
from tests.courier_day import started_route
from tests.unit.fakes import FakeClock, FakeDatabase, uow_factory
from tests.unit.services.conftest import UowFor


@pytest.fixture
def courier(db: FakeDatabase) -> Courier:
    made = Courier(id=ids.new_id("cou"), name="Kit", phone=None)
    db.couriers[made.id] = made
    _, route = started_route(made.id)
    db.routes[route.id] = route  # on duty: positions are recorded only on a started route
    return made


@pytest.fixture
def as_courier(courier: Courier) -> Principal:
    return Principal.user(ids.new_id("usr"), Role.COURIER, courier_id=courier.id)


def pings(clock: FakeClock, count: int, **change: float) -> list[Ping]:
    """``count`` readings taken now, a few metres apart."""
    return [
        Ping(at=clock.now(), lat=51.5 + i / 10_000, lon=-0.1, accuracy_m=10.0, **change)
        for i in range(count)
    ]


def test_a_courier_records_a_batch_of_their_own_positions(
    uow_for: UowFor, as_courier: Principal, courier: Courier, clock: FakeClock, db: FakeDatabase
) -> None:
    batch = pings(clock, 20, speed_mps=4.5)

    assert record_pings(uow_for(as_courier), batch, clock) == 20

    assert [s.ping for s in db.pings] == batch
    assert {(s.courier_id, s.received_at) for s in db.pings} == {(courier.id, clock.now())}


def test_one_bad_position_refuses_the_whole_batch(
    uow_for: UowFor, as_courier: Principal, clock: FakeClock, db: FakeDatabase
) -> None:
    batch = pings(clock, 5)
    batch[3] = Ping(at=clock.now(), lat=51.5, lon=-0.1, accuracy_m=-3.0)

    with pytest.raises(InvalidValue) as refused:
        record_pings(uow_for(as_courier), batch, clock)

    assert refused.value.field == "pings[3].accuracy_m"
    assert db.pings == []


def test_the_retention_given_decides_what_is_too_old(
    uow_for: UowFor, as_courier: Principal, clock: FakeClock
) -> None:
    two_days_old = [Ping(at=clock.now() - timedelta(days=2), lat=51.5, lon=-0.1, accuracy_m=5)]

    with pytest.raises(InvalidValue, match=r"\(1 day\)"):
        record_pings(uow_for(as_courier), two_days_old, clock, retention=timedelta(days=1))
    assert record_pings(uow_for(as_courier), two_days_old, clock) == 1  # 30 days by default


@pytest.mark.parametrize("who", ["admin", "dispatcher", "as_brand"])
def test_nobody_but_a_courier_may_send_positions(
    who: str, request: pytest.FixtureRequest, uow_for: UowFor, clock: FakeClock, db: FakeDatabase
) -> None:
    principal: Principal = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        record_pings(uow_for(principal), pings(clock, 1), clock)
    assert db.pings == []


def test_a_courier_user_linked_to_no_courier_record_is_refused(
    uow_for: UowFor, clock: FakeClock
) -> None:
    unlinked = Principal.user(ids.new_id("usr"), Role.COURIER)
    with pytest.raises(PermissionDenied):
        record_pings(uow_for(unlinked), pings(clock, 1), clock)


def test_the_system_is_not_on_duty(uow_for: UowFor) -> None:
    system = Principal.system("tests")
    with pytest.raises(PermissionDenied):
        require_on_duty(uow_for(system), system)


def test_on_duty_answers_whose_positions_these_are(
    uow_for: UowFor, as_courier: Principal, courier: Courier
) -> None:
    assert require_on_duty(uow_for(as_courier), as_courier) == courier.id


def test_the_purge_deletes_only_positions_past_retention(
    uow_for: UowFor, as_courier: Principal, clock: FakeClock, db: FakeDatabase
) -> None:
    record_pings(uow_for(as_courier), pings(clock, 3), clock)
    clock.advance(days=1)
    record_pings(uow_for(as_courier), pings(clock, 2), clock)

    clock.advance(days=29, seconds=-1)  # the first batch is 30 days old less a second
    assert purge_old_pings(uow_factory(db), clock) == 0
    clock.advance(seconds=4)
    assert purge_old_pings(uow_factory(db), clock) == 3
    assert purge_old_pings(uow_factory(db), clock, retention=timedelta(hours=1)) == 2
    assert db.pings == []
