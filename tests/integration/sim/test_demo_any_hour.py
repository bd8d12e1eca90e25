"""The demo seeds its London morning at any hour, on any day, including clock-change days.

The server and the demo share one injected clock, so "now" is whatever the test says; the
hub refuses scans from the future, which is what broke the demo before 07:50.
"""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from doorstep.api import create_app
from doorstep.bootstrap import build_container
from doorstep.cli import demo
from doorstep.config import Settings
from doorstep.security import Argon2PasswordHasher
from doorstep.store import migrate
from tests.unit.fakes import FakeClock

LONDON = ZoneInfo("Europe/London")
ORDERS = 12

MOMENTS = [
    datetime(2026, 12, 3, 0, 30, tzinfo=LONDON),
    datetime(2026, 12, 3, 7, 0, tzinfo=LONDON),
    datetime(2026, 12, 3, 12, 0, tzinfo=LONDON),
    datetime(2026, 12, 3, 23, 55, tzinfo=LONDON),
    datetime(2026, 3, 29, 0, 30, tzinfo=LONDON),  # clocks go forward at 01:00
    datetime(2026, 10, 25, 0, 30, tzinfo=LONDON),  # clocks go back at 02:00
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("now", MOMENTS, ids=lambda m: m.strftime("%Y-%m-%d_%H%M"))
def test_the_demo_seeds_its_morning_whatever_the_time(tmp_path: Path, now: datetime) -> None:
    settings = Settings(mode="demo", data_dir=tmp_path, database_url=None)
    migrate.upgrade(settings.effective_database_url)
    clock = FakeClock(now)
    container = replace(
        build_container(settings, passwords=Argon2PasswordHasher(time_cost=1, memory_cost=1024)),
        clock=clock,
    )
    port = _free_port()
    standing = demo.create_standing_data(container)
    server = demo.start_server(create_app(container), "127.0.0.1", port)
    try:
        summary = demo.seed(f"http://127.0.0.1:{port}", standing, clock.now(), ORDERS, 2026)
    finally:
        server.should_exit = True
        container.close()
    assert summary.orders == ORDERS and summary.order_errors == ()
    assert summary.scans_accepted == 3 * summary.parcels + 1  # the retried sort answers once
    assert (summary.scans_refused, summary.scans_unknown) == (1, 1)
