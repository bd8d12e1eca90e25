"""The recorded day through the real HTTP API on SQLite and PostgreSQL: starting the
route, pings and completions announce windows, store every one with its event, and the
route's stops show the window and prediction to the courier and the office."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from doorstep.domain.events import EventName
from doorstep.domain.model import Role
from doorstep.services.eta import latest_windows
from doorstep.store.database import create_engine_for
from doorstep.store.tables import OutboxRow
from tests.courier_day import SYSTEM, CourierDay, dispatched_day
from tests.eta_replay import DOORS, START, Step, recorded_day
from tests.images import photo, sha256
from tests.integration.live_server import LiveApi, serve
from tests.unit.fakes import FakeClock

SIGNED = photo()
SIGNATURE = sha256(SIGNED)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START - timedelta(hours=1))


@pytest.fixture
def api(database_url: str, clock: FakeClock) -> Iterator[LiveApi]:
    with serve(database_url, clock=clock) as live:
        yield live


def _outbox_names(database_url: str) -> list[str]:
    """Every event written, relayed or not (the server's consumer relays as it goes)."""
    engine = create_engine_for(database_url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(select(OutboxRow.name).order_by(OutboxRow.id)))
    finally:
        engine.dispose()


def _day(api: LiveApi) -> CourierDay:
    return dispatched_day(
        api.container.uow_factory,
        stops=len(DOORS),
        doors=DOORS,
        order_overrides={n: {"window": None} for n in range(len(DOORS))},
    )


def _send(courier: httpx.Client, day: CourierDay, step: Step) -> None:
    if step.kind == "ping":
        assert step.point is not None
        ping = {"lat": step.point.lat, "lon": step.point.lon, "accuracy_m": 8.0}
        answer = courier.post(
            "/v1/courier/pings", json={"pings": [ping | {"at": step.at.isoformat()}]}
        )
        assert answer.status_code == 202, answer.text
        return
    action: dict[str, Any] = {
        "client_event_id": f"{step.kind}-{step.stop}",
        "device_time": step.at.isoformat(),
        "type": step.kind,
        "route_id": day.route_id,
    }
    if step.stop is not None:
        action["stop_id"] = day.stop_ids[step.stop]
    if step.kind == "complete":
        assert step.stop is not None
        action["data"] = {
            "method": "recipient",
            "recipient_name": "Ada",
            "signature": SIGNATURE,
            "scanned_barcodes": day.barcodes[step.stop],
        }
    answer = courier.post("/v1/courier/actions", json={"actions": [action]})
    assert answer.status_code == 200, answer.text
    [result] = answer.json()["results"]
    assert result["status"] == "applied", result


def test_a_day_over_http_announces_windows_that_narrow_and_shows_them(
    api: LiveApi, clock: FakeClock, database_url: str
) -> None:
    day = _day(api)
    courier = api.client(api.create_operator(Role.COURIER, courier_id=day.courier_id))
    office = api.client(api.create_operator(Role.DISPATCHER))
    clock.current = START
    stored = courier.put(
        f"/v1/blobs/{SIGNATURE}", content=SIGNED, headers={"Content-Type": "image/jpeg"}
    )
    assert stored.status_code in (200, 201), stored.text
    for step in recorded_day():
        if step.at > START + timedelta(minutes=25):
            break
        clock.current = step.at + timedelta(seconds=2)
        _send(courier, day, step)

    with api.container.uow_factory(SYSTEM) as uow:
        announced = uow.eta.list_for_route(day.route_id)
        found = latest_windows(uow, day.order_ids)
    kinds = Counter(w.kind for w in announced)
    assert kinds["day"] == len(DOORS)
    assert kinds["approaching"] >= 3 and kinds["next"] >= 3
    told = [name for name in _outbox_names(database_url) if name == EventName.STOP_WINDOW_ANNOUNCED]
    assert len(told) == len(announced)
    assert set(found) == set(day.order_ids)

    route = office.get(f"/v1/routes/{day.route_id}").json()
    mine = courier.get(f"/v1/routes/{day.route_id}").json()
    assert route["stops"] == mine["stops"]
    done = [s for s in route["stops"] if s["state"] == "completed"]
    open_ = [s for s in route["stops"] if s["state"] == "pending"]
    assert done and open_
    assert all(s["predicted_arrival"] is None for s in done)
    assert all(s["predicted_arrival"] is not None for s in open_)
    assert open_[0]["announced_window"]["kind"] == "next"
    assert open_[-1]["announced_window"]["kind"] == "day"
    last = {w.stop_id: w for w in announced}
    for stop in route["stops"]:
        window = stop["announced_window"]
        assert window["start"] == last[stop["id"]].start.isoformat().replace("+00:00", "Z")


def test_a_ping_batch_recomputes_a_route_not_recomputed_for_30_seconds(
    api: LiveApi, clock: FakeClock
) -> None:
    day = _day(api)
    courier = api.client(api.create_operator(Role.COURIER, courier_id=day.courier_id))
    steps = recorded_day()
    clock.current = START + timedelta(seconds=2)
    _send(courier, day, steps[0])  # start: recomputed
    first_ping = next(s for s in steps if s.kind == "ping")
    for seconds, recomputed in ((20, False), (40, True)):
        clock.current = START + timedelta(seconds=seconds)
        _send(
            courier, day, Step(clock.current - timedelta(seconds=1), "ping", None, first_ping.point)
        )
        with api.container.uow_factory(SYSTEM) as uow:
            state = uow.eta.state(day.route_id)
        assert state is not None
        assert (state.computed_at == clock.current) is recomputed
