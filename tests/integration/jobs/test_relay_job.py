"""The relay on the job queue: enqueued after (never inside) each commit that wrote
events, swept every minute besides, and run by the queue's consumer to send messages."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from doorstep.bootstrap import build_container, build_jobs
from doorstep.config import Settings
from doorstep.domain.access import Principal
from doorstep.domain.model import Recipient
from doorstep.domain.notifications import Channel, MessageStatus
from doorstep.jobs.tasks import RELAY_JOB, RELAY_SWEEP, PlanJobs
from doorstep.notify.log_senders import LogEmailSender
from doorstep.services.container import Container
from tests import factories
from tests.unit.fakes import FakeClock

SYSTEM = Principal.system("tests")


@pytest.fixture
def wired(database_url: str, tmp_path: Path) -> Iterator[tuple[PlanJobs, Container]]:
    settings = Settings(mode="test", database_url=database_url, data_dir=tmp_path, redis_url=None)
    jobs = build_jobs(settings)
    container = dataclasses.replace(
        build_container(settings, jobs=jobs),
        clock=FakeClock(datetime(2026, 12, 2, 14, 0, tzinfo=UTC)),
    )
    jobs.bind(container)
    try:
        yield jobs, container
    finally:
        container.close()


def _queued(jobs: PlanJobs) -> list[str]:
    return [task.name for task in jobs.queue.pending()]


def test_a_commit_that_wrote_events_enqueues_the_relay_after_it_committed(
    wired: tuple[PlanJobs, Container],
) -> None:
    jobs, container = wired
    brand = factories.brand()
    with container.uow_factory(SYSTEM) as uow:
        uow.brands.add(brand)  # no event
        uow.commit()
    with container.uow_factory(SYSTEM) as uow:
        uow.orders.add(factories.order(brand_id=brand.id))  # rolled back: no event
    assert _queued(jobs) == []

    with container.uow_factory(SYSTEM) as uow:
        uow.orders.add(factories.order(brand_id=brand.id))
        uow.commit()
    assert _queued(jobs) == [RELAY_JOB]


def test_the_relay_job_relays_and_sends_and_is_cheap_when_nothing_waits(
    wired: tuple[PlanJobs, Container],
) -> None:
    jobs, container = wired
    brand = factories.brand()
    who = Recipient(name="Ada Lovelace", email="ada@example.com")
    order = factories.order(brand_id=brand.id, recipient=who)
    with container.uow_factory(SYSTEM) as uow:
        uow.brands.add(brand)
        uow.orders.add(order)
        uow.commit()

    [task] = jobs.queue.pending()
    assert jobs.queue.execute(task) == 1
    assert jobs.relay_job() == 0  # nothing pending: nothing relayed, nothing sent twice

    assert container.senders is not None
    email = container.senders.email
    assert isinstance(email, LogEmailSender)
    assert [sent.subject for sent in email.sent] == [
        f"Your Camden Coffee Co order {order.reference} is on its way to us"
    ]
    with container.uow_factory(SYSTEM).read_only() as uow:
        [message] = uow.notifications.list_for_order(order.id)
    assert (message.channel, message.status) == (Channel.EMAIL, MessageStatus.SENT)


def test_the_relay_is_swept_every_minute(wired: tuple[PlanJobs, Container]) -> None:
    jobs, _ = wired
    due = jobs.queue.read_periodic(datetime(2026, 12, 2, 14, 1, tzinfo=UTC))
    assert RELAY_SWEEP in [task.name for task in due]
