"""The health check reports a database that cannot be read, instead of failing itself."""

from __future__ import annotations

from typing import Any, cast

from doorstep.domain.access import Principal
from doorstep.services.health import check_health
from doorstep.services.ports import UnitOfWork
from tests.unit.fakes import FakeDatabase, FakeUnitOfWork


class _Unreachable:
    """A unit of work whose database refused the connection."""

    def read_only(self) -> _Unreachable:
        return self

    def __enter__(self) -> _Unreachable:
        raise ConnectionRefusedError("connection refused")

    def __exit__(self, *exc: Any) -> None:
        return None


def test_a_database_that_answers_is_healthy() -> None:
    uow = FakeUnitOfWork(FakeDatabase(), Principal.system("health"))
    found = check_health(uow, "1.2.3")
    assert (found.ok, found.database, found.as_dict()["status"]) == (True, "ok", "ok")


def test_a_database_that_refuses_makes_the_server_unavailable_and_says_why() -> None:
    found = check_health(cast(UnitOfWork, _Unreachable()), "1.2.3")
    assert not found.ok
    assert found.as_dict() == {
        "status": "unavailable",
        "version": "1.2.3",
        "database": "ConnectionRefusedError",
    }
