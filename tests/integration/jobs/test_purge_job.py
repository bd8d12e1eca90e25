"""The purges are periodic jobs on the queue every consumer reads: expired idempotency
records go once the replay window no longer covers them, couriers' positions and the files
of photos once past the retention the settings give (the clock is injected)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

from doorstep.bootstrap import build_container, build_jobs
from doorstep.config import Settings
from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.domain.model import Courier, Role
from doorstep.domain.pings import Ping
from doorstep.jobs.tasks import PHOTO_PURGE_JOB, PING_PURGE_JOB, PURGE_JOB
from doorstep.services import blobs
from doorstep.services.idempotency import IdempotentRequest, SavedResponse, run_idempotent
from doorstep.services.pings import record_pings
from doorstep.services.ports import BlobVariant, UnitOfWork
from tests.courier_day import put_on_duty
from tests.images import photo, sha256
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


def test_the_periodic_ping_purge_deletes_positions_past_the_retention_setting(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        mode="test",
        database_url=database_url,
        data_dir=tmp_path,
        redis_url=None,
        ping_retention_days=2,
    )
    jobs = build_jobs(settings)
    clock = FakeClock()
    container = dataclasses.replace(build_container(settings, jobs=jobs), clock=clock)
    jobs.bind(container)
    try:
        courier = Courier(id=ids.new_id("cou"), name="Kit")
        with container.uow_factory(Principal.system("tests")) as uow:
            uow.couriers.add(courier)
            uow.commit()
        put_on_duty(container.uow_factory, courier.id)
        principal = Principal.user("usr_kit", Role.COURIER, courier_id=courier.id)
        batch = [Ping(at=clock.now(), lat=51.55, lon=-0.14, accuracy_m=5.0)] * 3
        record_pings(container.uow_factory(principal), batch, clock)

        due = jobs.queue.read_periodic(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))
        purge = [task for task in due if task.name == PING_PURGE_JOB]
        assert len(purge) == 1, [task.name for task in due]
        clock.advance(days=2, seconds=-1)
        assert jobs.queue.execute(purge[0]) == 0
        clock.advance(seconds=2)
        assert jobs.queue.execute(purge[0]) == 3
        with container.uow_factory(principal) as uow:
            start = clock.now() - timedelta(days=10)
            assert uow.pings.list_for(courier.id, start, clock.now()) == []
    finally:
        container.close()


def test_the_periodic_photo_purge_deletes_files_past_the_retention_setting(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        mode="test",
        database_url=database_url,
        data_dir=tmp_path,
        redis_url=None,
        photo_retention_days=30,
    )
    jobs = build_jobs(settings)
    clock = FakeClock()
    container = dataclasses.replace(build_container(settings, jobs=jobs), clock=clock)
    jobs.bind(container)
    try:
        data = photo()
        name = sha256(data)
        blobs.upload_blob(
            container.uow_factory(CALLER),
            container.blobs,
            clock,
            sha256=name,
            data=data,
            content_type="image/jpeg",
        )
        assert (tmp_path / "blobs" / name[:2] / name[2:4] / name).read_bytes() == data

        due = jobs.queue.read_periodic(datetime(2026, 11, 27, 7, 7, tzinfo=UTC))
        purge = [task for task in due if task.name == PHOTO_PURGE_JOB]
        assert len(purge) == 1, [task.name for task in due]
        clock.advance(days=29)
        assert jobs.queue.execute(purge[0]) == 0
        clock.advance(days=2)
        assert jobs.queue.execute(purge[0]) == 1
        assert not any(container.blobs.exists(name, variant) for variant in BlobVariant)
        with container.uow_factory(CALLER).read_only() as uow:
            record = uow.blobs.get(name)
        assert record is not None and record.purged_at == clock.now()
    finally:
        container.close()
