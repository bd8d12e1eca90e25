"""kill -9 of the webhook worker in the middle of a send loses nothing.

The receiver takes the third message and then never answers; while that request hangs
the worker process is killed with SIGKILL (no clean-up, its claim left in the database).
A new worker, after the claim's lease, sends that message again under the same
``webhook-id``, then the rest: the receiver has every event, each under one id, and saw
the interrupted one twice with that same id (a receiver that keeps ids drops the repeat).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from doorstep.domain.webhooks import DeliveryStatus
from tests.integration.conftest import TEST_SECRET
from tests.integration.live_server import HANG_GUARD_S
from tests.integration.webhooks.receiver import receiving
from tests.integration.webhooks.world import (
    UowFactory,
    add_orders,
    deliveries,
    loopback_ports,
    relay,
    shop,
    start_clock,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
LEASE_S = 2


@contextmanager
def worker(database_url: str) -> Iterator[subprocess.Popen[bytes]]:
    env = os.environ | {
        "DOORSTEP_DATABASE_URL": database_url,
        "DOORSTEP_MODE": "test",
        "DOORSTEP_SECRET_KEY": TEST_SECRET,
        "WEBHOOK_LEASE_S": str(LEASE_S),
    }
    module = "tests.integration.webhooks.sender_process"
    process = subprocess.Popen([sys.executable, "-m", module], cwd=REPO_ROOT, env=env)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def _wait(condition: object, what: str) -> None:
    deadline = time.monotonic() + HANG_GUARD_S
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.05)


@pytest.mark.slow
def test_a_worker_killed_mid_send_loses_nothing_and_resends_under_the_same_id(
    database_url: str, uow_factory: UowFactory
) -> None:
    clock = start_clock()  # the worker runs on the real clock: start from now
    with receiving([]) as receiver:
        brand = shop(uow_factory, receiver.url, clock, loopback_ports())
        receiver.secrets = [brand.endpoint.secret]
        order_ids = add_orders(uow_factory, brand.brand_id, 5)
        relay(uow_factory, clock)
        receiver.hang_on = 3
        with worker(database_url) as first:
            assert receiver.hanging.wait(HANG_GUARD_S), "the third send never arrived"
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
        cut = receiver.seen[2]
        assert [d.status for d in deliveries(uow_factory) if d.id == cut] == [
            DeliveryStatus.PENDING
        ], "the killed send was not recorded: it is still to be delivered"
        with worker(database_url):
            _wait(
                lambda: {d.status for d in deliveries(uow_factory)} == {DeliveryStatus.DELIVERED},
                "every delivery acknowledged after the restart",
            )

    made = deliveries(uow_factory)
    assert sorted(d["data"]["order_id"] for d in receiver.taken.values()) == sorted(order_ids)
    assert set(receiver.seen) == {d.id for d in made} and len(made) == len(order_ids)
    seen = Counter(receiver.seen)
    assert seen[cut] == 2, "the interrupted message came again, under the same id"
    assert all(count == 1 for webhook_id, count in seen.items() if webhook_id != cut)
    assert receiver.bad_signatures == 0
