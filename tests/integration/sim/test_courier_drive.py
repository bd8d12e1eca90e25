"""The demo's simulated couriers drive a real route over HTTP, as the courier app would:
started, positions on the way to each stop, every stop served or failed, then finished."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from doorstep.services.routes import views
from doorstep.sim.client import DoorstepClient
from doorstep.sim.courier_drive import FIRST_FAILURE, TICKS_PER_LEG, Driver, catch_up
from tests.courier_day import SYSTEM, dispatched_day
from tests.integration.live_server import PASSWORD, LiveApi

STOPS = 4
HUB = (51.5486, -0.1389)
MORNING = datetime.now(UTC)
LATER = MORNING + timedelta(days=1)


def test_a_driven_courier_serves_every_stop_and_finishes(live_api: LiveApi) -> None:
    container = live_api.container
    day = dispatched_day(
        container.uow_factory, stops=STOPS, password_hash=container.passwords.hash(PASSWORD)
    )
    client = DoorstepClient.login(live_api.base_url, day.email, PASSWORD)
    driver = Driver(client, day.route_id, HUB, random.Random(1))
    try:
        catch_up([driver], 0.5)
        half = views.get_route(container.uow_factory(SYSTEM), day.route_id)
        ticks = 0
        while driver.tick():
            ticks += 1
            assert ticks <= STOPS * TICKS_PER_LEG + 1  # bounded: one step at a time
    finally:
        client.close()

    done = views.get_route(container.uow_factory(SYSTEM), day.route_id)
    assert [s.stop.state.value for s in half.stops][:2] != ["pending", "pending"]
    assert done.route.state.value == "finished"
    states = [s.stop.state.value for s in done.stops]
    assert states[FIRST_FAILURE] == "failed"
    assert set(states) <= {"completed", "failed"} and states.count("completed") >= 1
    uow = container.uow_factory(SYSTEM)
    with uow:
        sent = uow.pings.list_for(day.courier_id, since=MORNING - timedelta(days=1), until=LATER)
    assert len(sent) == STOPS * TICKS_PER_LEG  # every step on the way was a position
