"""The Today page in a real Chromium (1366x900) against a real server: the map is drawn,
a position sent through the ping API arrives live and moves the courier's marker, a click
on a stop shows its details; axe-core finds nothing serious; a screenshot."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from doorstep.domain.model import Role
from tests.e2e.console_browser import (
    ConsoleSetting,
    accessible,
    browser,
    logged_in,
    setting,
    shot,
)

pytestmark = pytest.mark.e2e
__all__ = ["browser", "setting"]  # the fixtures, used by name

MOVED_TO = (51.5444, -0.1412)


def test_today_draws_the_day_moves_the_courier_live_and_shows_a_stop(
    browser: Browser, setting: ConsoleSetting, tmp_path: Path
) -> None:
    page = logged_in(browser, setting, "/console/today")
    page.wait_for_selector("#today-map[data-drawn=true][data-live=true]")
    route_id = setting.today.day.route_id
    expect(page.locator(f"#route-{route_id}")).to_contain_text("1")
    assert page.evaluate("performance.getEntriesByName('today:drawn').length") == 1

    courier = setting.live.create_operator(Role.COURIER, setting.today.day.courier_id)
    now = datetime.now(UTC).isoformat()
    sent = setting.live.client(courier).post(
        "/v1/courier/pings",
        json={"pings": [{"at": now, "lat": MOVED_TO[0], "lon": MOVED_TO[1], "accuracy_m": 5}]},
    )
    assert sent.status_code == 202
    expect(page.locator("#today-map")).to_have_attribute("data-moved", "1")
    where = page.evaluate(
        "(id) => { const m = window.doorstepToday.map.couriers[id].getLatLng();"
        " return [m.lat, m.lng]; }",
        route_id,
    )
    assert where == pytest.approx(list(MOVED_TO))

    stop_id = setting.today.day.stop_ids[2]
    point = page.evaluate(
        "(s) => { const p = window.doorstepToday.map.map.latLngToContainerPoint([s.lat, s.lon]);"
        " return [p.x, p.y]; }",
        _stop(page, stop_id),
    )
    box = page.locator("#today-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    expect(page.locator("#stop-details")).to_contain_text(setting.today.day.barcodes[2][0])
    accessible(page)
    shot(page, "today", tmp_path)


def _stop(page: object, stop_id: str) -> dict[str, float]:
    data = page.evaluate("JSON.parse(document.getElementById('today-data').textContent)")  # type: ignore[attr-defined]
    for route in data["routes"]:
        for stop in route["stops"]:
            if stop["id"] == stop_id:
                return {"lat": stop["lat"], "lon": stop["lon"]}
    raise AssertionError(f"no stop {stop_id} on the map")
