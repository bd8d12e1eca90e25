"""The plan job on a Redis-backed queue (the multi-machine set-up), with a real consumer."""

from __future__ import annotations

import secrets
import time
from datetime import date
from pathlib import Path

import pytest
import redis

from doorstep.bootstrap import build_container
from doorstep.config import Settings
from doorstep.domain.access import Principal
from doorstep.jobs.consumer import start_in_process
from doorstep.jobs.queue import make_queue
from doorstep.jobs.tasks import PlanJobs
from doorstep.services import fleet, plans
from doorstep.services.plans.use_cases import RequestPlan
from doorstep.services.ports import PlanStatus
from tests import factories
from tests.integration.live_server import HANG_GUARD_S
from tests.integration.redis_server import redis_url

SYSTEM = Principal.system("tests")


@pytest.mark.redis
def test_a_plan_job_runs_from_a_redis_queue(database_url: str, tmp_path: Path) -> None:
    url = redis_url()
    settings = Settings(mode="test", database_url=database_url, data_dir=tmp_path, redis_url=url)
    name = f"doorstep-test-{secrets.token_hex(6)}"
    jobs = PlanJobs(lambda: make_queue(settings, name=name))
    container = build_container(settings, jobs=jobs)
    consumer = None
    try:
        uow = container.uow_factory
        standing = factories.hub()
        hours = standing.opening_hours
        hub = fleet.create_hub(
            uow(SYSTEM),
            fleet.CreateHub("Hub", standing.point, "Regis Road", hours.opens, hours.closes),
        )
        fleet.create_vehicle(
            uow(SYSTEM),
            fleet.CreateVehicle(
                "Van", factories.vehicle().vehicle_type, factories.vehicle().capacity, hub.id
            ),
        )
        plan = plans.request_plan(
            uow(SYSTEM), RequestPlan(hub.id, date(2026, 11, 26), budget_s=1), container.clock
        )
        container.enqueue_plan(plan.id)
        assert jobs.queue.pending_count() == 1
        consumer = start_in_process(jobs.queue)
        deadline = time.monotonic() + HANG_GUARD_S  # gives up on a stuck job
        while time.monotonic() < deadline:
            found = plans.get_plan(uow(SYSTEM), plan.id)
            if found.status.finished:
                break
            time.sleep(0.1)
        assert found.status is PlanStatus.SUCCEEDED, found.error
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)
        jobs.queue.flush()
        container.close()
    assert not redis.Redis.from_url(url).keys(f"*{name}*")
