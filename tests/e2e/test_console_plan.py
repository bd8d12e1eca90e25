"""The Plan page in real Chromium at desktop size against a real server: upload a CSV,
plan, see the routes on the map and in the table, move a stop, re-plan, dispatch.

axe-core finds nothing serious or critical on each state. Screenshots go to
``DOORSTEP_SCREENSHOT_DIR`` when set, else to the test's temporary folder:
``console-plan-upload.png`` (the import report) and ``console-plan.png`` (the review).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from doorstep.domain.model import Role
from doorstep.store.migrate import upgrade
from tests.e2e.console_browser import DESKTOP, accessible, browser, log_in, shot
from tests.integration.live_server import LiveApi, serve
from tests.integration.web.console_client import make_user
from tests.integration.web.test_console_plan import BOUNDED, DAY, _standing, csv_rows

__all__ = ["browser"]  # the fixture, used by name


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveApi]:
    url = f"sqlite:///{tmp_path / 'doorstep.sqlite3'}"
    upgrade(url)
    with serve(url, planner=BOUNDED) as running:
        yield running


def test_a_dispatcher_plans_a_day_in_the_browser(
    live: LiveApi, browser: Browser, tmp_path: Path
) -> None:
    hub_id, _, _, _ = _standing(live)
    email = make_user(live, Role.DISPATCHER)
    orders = tmp_path / "orders.csv"
    orders.write_bytes(csv_rows(hub_id, 10))
    page = browser.new_page(viewport=DESKTOP)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    log_in(page, email, base_url=live.base_url, then=f"/console/plan?hub={hub_id}&day={DAY}")
    expect(page.locator("h1")).to_have_text("Plan a day")

    page.set_input_files("#file", str(orders))
    page.click("#upload-form button[type=submit]")
    report = page.locator("#import-report")
    expect(report).to_contain_text("10 accepted")
    expect(report).to_contain_text("2 rejected")
    expect(page.locator("#waiting")).to_contain_text("10 orders")
    accessible(page)
    shot(page, "plan-upload", tmp_path)

    page.fill("#budget", "2")
    page.click("#plan-form button[type=submit]")
    expect(page.locator("#routes-table")).to_be_visible(timeout=120_000)
    expect(page.locator("#plan-map[data-ready=true]")).to_be_attached(timeout=30_000)
    rows = page.locator("#routes-table tbody tr")
    assert rows.count() >= 2
    drawn = page.locator("#plan-map").get_attribute("data-routes")
    assert drawn == str(rows.count())
    expect(page.locator("#plan-map canvas").first).to_be_attached()
    expect(page.locator("#plan-map[data-streets=true]")).to_be_attached(timeout=30_000)
    accessible(page)
    shot(page, "plan", tmp_path)

    first = page.locator("details.route-stops").first
    move = first.locator("form.move-form").last
    moved_stop = move.locator("input[name=stop]").get_attribute("value")
    move.locator("button").click()
    expect(page.locator(".flash--notice")).to_contain_text("stays there")
    expect(page.locator("#changes")).to_contain_text("stop moved")

    page.click("#replan")
    expect(page.locator("#routes-table")).to_be_visible(timeout=120_000)
    assert moved_stop is not None
    expect(page.locator("details.route-stops .badge--warn").first).to_have_text("locked")

    page.click("#dispatch")
    expect(page.locator("#dispatched")).to_be_visible()
    expect(page.locator("#dispatched a")).to_have_attribute("href", "/console/today")
    accessible(page)
    assert [e for e in errors if "Content Security Policy" in e] == []
