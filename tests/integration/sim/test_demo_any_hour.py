"""The demo seeds its London morning at any hour, on any day, including clock-change days.

The server and the demo share one injected clock, so "now" is whatever the test says; the
hub refuses scans from the future, which is what broke the demo before 07:50. Whatever the
hour, the courier the welcome text names logs in and finds their route loaded, and the
orders were placed the evening before the hub's morning, not after it.
"""

from __future__ import annotations

import re
import socket
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from doorstep.api import create_app
from doorstep.bootstrap import build_container
from doorstep.cli import demo
from doorstep.config import Settings
from doorstep.planning.params import PlannerParams
from doorstep.security import Argon2PasswordHasher
from doorstep.services.tracking.links import route_tracking_links
from doorstep.sim.client import DoorstepClient
from doorstep.sim.demo_clock import DemoClock
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


def _courier_login(welcome: str) -> tuple[str, str]:
    found = re.search(r"courier login (\S+@\S+) / (\S+)", welcome)
    assert found is not None, welcome
    return found.group(1), found.group(2)


@pytest.mark.parametrize("now", MOMENTS, ids=lambda m: m.strftime("%Y-%m-%d_%H%M"))
def test_the_demo_seeds_its_morning_whatever_the_time(
    tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(mode="demo", data_dir=tmp_path, database_url=None)
    migrate.upgrade(settings.effective_database_url)
    clock = DemoClock(FakeClock(now))
    container = replace(
        build_container(settings, passwords=Argon2PasswordHasher(time_cost=1, memory_cost=1024)),
        clock=clock,
        planner=PlannerParams(workers=1, max_iterations=300),  # the same plan on a busy box
    )
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    standing = demo.create_standing_data(container)
    server = demo.start_server(create_app(container), "127.0.0.1", port)
    try:
        day = demo.seed(base_url, standing, container, clock, ORDERS, 2026)
        with DoorstepClient(base_url, next(iter(standing.brand_keys.values()))) as brand:
            order = brand.request("GET", "/v1/orders?limit=1")["items"][0]
            parcel = order["parcels"][0]["id"]
            events = brand.request("GET", f"/v1/parcels/{parcel}/events")["items"]
        first_route = day.routes.couriers[0].route_id
        links = route_tracking_links(container.uow_factory, first_route, base_url)
        demo.print_welcome(base_url, standing, day, links)
        welcome = capsys.readouterr().out
        email, password = _courier_login(welcome)
        assert len(links) == 3 and all(link in welcome for link in links)
        opened = httpx.get(links[0])
        assert opened.status_code == 200 and "at our London hub" in opened.text
        with DoorstepClient.login(base_url, email, password) as courier:
            today = now.date().isoformat()
            listed = courier.request("GET", f"/v1/routes?date={today}")["items"]
            route = courier.request("GET", f"/v1/routes/{listed[0]['id']}")
            start = {
                "client_event_id": "demo-start-1",
                "device_time": now.isoformat(),
                "type": "start_route",
                "route_id": route["id"],
                "stop_id": None,
                "position": None,
                "data": {},
            }
            started = courier.request("POST", "/v1/courier/actions", json={"actions": [start]})
    finally:
        server.should_exit = True
        container.close()
    summary = day.summary
    assert summary.orders == ORDERS and summary.order_errors == ()
    # The orders came in the evening before; the hub's morning follows them, not precedes.
    created = datetime.fromisoformat(order["created_at"])
    assert created.astimezone(LONDON).date() < now.date()
    assert events and all(datetime.fromisoformat(e["at"]) > created for e in events)
    loaded = summary.parcels_on_routes
    assert loaded is not None and 0 < loaded <= summary.parcels
    # every parcel received and sorted, the routed ones loaded; the retried sort answers once
    assert summary.scans_accepted == 2 * summary.parcels + loaded + 1
    assert (summary.scans_refused, summary.scans_unknown) == (1, 1)
    assert [r["courier_id"] for r in listed] == [day.routes.couriers[0].courier_id]
    assert route["date"] == today and route["state"] == "assigned" and route["stops"]
    parcels = [p for stop in route["stops"] for p in stop["parcels"]]
    assert parcels and {p["state"] for p in parcels} == {"loaded"}
    assert [r["status"] for r in started["results"]] == ["applied"], started  # the van is ready
