"""Saved idempotent answers are purged once their 24-hour replay window has passed."""

from __future__ import annotations

from doorstep.domain.access import Principal
from doorstep.services.idempotency import (
    IdempotentRequest,
    SavedResponse,
    find_saved,
    purge_expired,
    run_idempotent,
)
from tests.integration.store.conftest import UowFactory
from tests.unit.fakes import FakeClock

CALLER = Principal.system("shop")


def _save(uow_factory: UowFactory, clock: FakeClock, key: str) -> IdempotentRequest:
    request = IdempotentRequest(key, f"hash-{key}")

    def action(hook: object) -> str:
        with uow_factory(CALLER) as uow:
            assert callable(hook)
            hook(uow, key)
            uow.commit()
        return key

    run_idempotent(
        uow_factory, CALLER, clock, request, action, lambda r: SavedResponse(201, r.encode())
    )
    return request


def test_records_older_than_the_replay_window_are_purged_and_newer_ones_kept(
    uow_factory: UowFactory,
) -> None:
    clock = FakeClock()
    old = _save(uow_factory, clock, "old")
    clock.advance(hours=2)
    new = _save(uow_factory, clock, "new")

    clock.advance(hours=23)  # "old" is 25 h old, "new" 23 h
    assert purge_expired(uow_factory, clock) == 1

    clock.advance(hours=-24)  # look both up as if within their windows: only "new" is left
    assert find_saved(uow_factory, CALLER, old, clock) is None
    assert find_saved(uow_factory, CALLER, new, clock) == SavedResponse(201, b"new")
    clock.advance(hours=26)
    assert purge_expired(uow_factory, clock) == 1
    assert purge_expired(uow_factory, clock) == 0
