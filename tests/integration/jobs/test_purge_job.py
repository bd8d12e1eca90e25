"""The purge of expired idempotency records is a periodic job on the queue every consumer
reads, and it deletes what the replay window no longer covers (the clock is injected)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

from doorstep.bootstrap import build_container, build_jobs
from doorstep.config import Settings
from doorstep.domain.access import Principal
from doorstep.jobs.tasks import PURGE_JOB
from doorstep.services.idempotency import IdempotentRequest, SavedResponse, run_idempotent
from doorstep.services.ports import UnitOfWork
from tests.unit.fakes import FakeClock

CALLER = Principal.system("shop")


def test_the_periodic_purge_job_deletes_records_past_their_window(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(mode="test", database_url=database_url, data_dir=tmp_path, redis_url=None)
    jobs = build_jobs(settings)
    clock = FakeClock()
    container = dataclasses.replace(build_container(settings, jobs=jobs), clock=clock)
    jobs.bind(container)
    try:

        def action(hook: object) -> str:
            with container.uow_factory(CALLER) as uow:
                assert callable(hook)
                hook(uow, "made")
                uow.commit()
            return "made"

        request = IdempotentRequest("k-1", "hash")
        render = lambda made: SavedResponse(201, made.encode())  # noqa: E731
        run_idempotent(container.uow_factory, CALLER, clock, request, action, render)

        due = jobs.queue.read_periodic(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))
        purge = [task for task in due if task.name == PURGE_JOB]
        assert len(purge) == 1, [task.name for task in due]
        clock.advance(hours=23)
        assert jobs.queue.execute(purge[0]) == 0
        clock.advance(hours=2)
        assert jobs.queue.execute(purge[0]) == 1
        with container.uow_factory(CALLER) as uow:
            assert _saved(uow) is None
    finally:
        container.close()


def _saved(uow: UnitOfWork) -> object:
    return uow.idempotency.get(CALLER.actor, "k-1", not_before=datetime(2000, 1, 1, tzinfo=UTC))
