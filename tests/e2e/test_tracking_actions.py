"""A recipient changes their delivery from the tracking page, in a real Chromium at phone
size against a real server: each form opened and sent by keyboard, with and without
JavaScript, each change confirmed on the page and seen on the courier's stop; a refusal
shown with its reason; axe finds nothing serious on any of these pages. Screenshots go to
``DOORSTEP_SCREENSHOT_DIR`` when set, else to the test's temporary folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from doorstep.domain.model import Order
from doorstep.domain.route import StopState
from doorstep.services.routes.views import get_route
from doorstep.store.migrate import upgrade
from tests.courier_day import SYSTEM, CourierDay, dispatched_day
from tests.integration.live_server import PASSWORD, LiveApi, serve

pytestmark = pytest.mark.e2e
CHROMIUM = Path("/usr/bin/chromium")
PHONE: ViewportSize = {"width": 390, "height": 844}


@dataclass
class Setting:
    live: LiveApi
    day: CourierDay

    def order(self, n: int) -> Order:
        with self.live.container.uow_factory(SYSTEM) as uow:
            found = uow.orders.get(self.day.order_ids[n])
        assert found is not None
        return found

    def url(self, n: int) -> str:
        return f"{self.live.base_url}/t/{self.order(n).tracking_token}"


@pytest.fixture
def setting(tmp_path: Path) -> Iterator[Setting]:
    url = f"sqlite:///{tmp_path / 'doorstep.sqlite3'}"
    upgrade(url)
    with serve(url) as live:
        start = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
        # Stop 1's parcels are on the van, stop 2's still in the hub.
        day = dispatched_day(
            live.container.uow_factory,
            stops=2,
            start=start,
            loaded_stops=1,
            password_hash=live.container.passwords.hash(PASSWORD),
        )
        yield Setting(live, day)


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        made = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield made
        made.close()


def _shot(page: Page, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("DOORSTEP_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"tracking-actions-{name}.png"), full_page=True)


def _no_serious_findings(page: Page) -> None:
    results = Axe().run(page)
    serious = [
        v["id"]
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]
    assert serious == [], results.generate_report()


def _open_by_keyboard(page: Page, summary: str) -> None:
    """Tab to the form's summary and open it with Enter, as a keyboard user does."""
    target = page.locator("summary", has_text=summary)
    target.focus()
    page.keyboard.press("Enter")
    assert target.locator("xpath=..").get_attribute("open") is not None


def _send(page: Page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).press("Enter")


def _confirmed(page: Page, action: str, words: str) -> None:
    assert page.url.endswith(f"?done={action}")
    assert words in page.get_by_role("status").first.inner_text()


def test_a_recipient_changes_each_thing_from_a_phone(
    setting: Setting, browser: Browser, tmp_path: Path
) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(setting.url(1))
    page.wait_for_selector("section.recipient-actions")
    _no_serious_findings(page)
    _shot(page, "page", tmp_path)

    _open_by_keyboard(page, "Leave it in a safe place")
    page.get_by_label("Back garden").check()
    page.get_by_label("A note for the courier").fill("Behind the blue gate")
    _send(page, "Save safe place")
    _confirmed(page, "safe-place", "safe place")
    _shot(page, "saved", tmp_path)

    _open_by_keyboard(page, "Leave it with a neighbour")
    page.get_by_label("Their house number or name").fill("07700 900123")
    _send(page, "Save neighbour")
    assert "not a phone number" in page.get_by_role("alert").inner_text()
    _no_serious_findings(page)  # the refusal page
    page.get_by_label("Their house number or name").fill("No. 14")
    _send(page, "Save neighbour")
    _confirmed(page, "neighbour", "neighbour")

    _open_by_keyboard(page, "Access note or door code")
    page.get_by_label("Access note (how to reach your door)").fill("Side door, ring twice")
    page.get_by_label("Door or gate code").fill("9137#")
    _send(page, "Save access details")
    _confirmed(page, "access", "access details")
    assert "9137" not in page.content()

    _open_by_keyboard(page, "I need longer to reach the door")
    page.get_by_label("I need longer to reach the door", exact=True).check()
    _send(page, "Save")
    _confirmed(page, "more-time", "how long you need")

    order = setting.order(1)
    assert (order.safe_place_choice, order.neighbour) == ("back_garden", "No. 14")
    assert (order.address.access_code, order.needs_more_time) == ("9137#", True)
    courier = setting.live.container.uow_factory(setting.day.courier_principal)
    stop = get_route(courier, setting.day.route_id).stops[1]
    assert stop.safe_place_preference == "Back garden: Behind the blue gate"
    assert (stop.neighbour, stop.needs_more_time) == ("No. 14", True)

    # Another day: the link when the page lists no days, or the list itself.
    _open_by_keyboard(page, "Choose another day")
    if page.locator("#ra-day").count() == 0:
        page.get_by_role("link", name="See the days you can choose").click()
        _no_serious_findings(page)
    chosen = page.locator("#ra-day option").first.get_attribute("value")
    _shot(page, "days", tmp_path)
    _send(page, "Move my delivery")
    _confirmed(page, "reschedule", "moved")
    assert setting.order(1).delivery_date is not None
    assert setting.order(1).delivery_date.isoformat() == chosen  # type: ignore[union-attr]
    route = get_route(courier, setting.day.route_id).route
    assert route.stop(setting.day.stop_ids[1]).state is StopState.REMOVED
    context.close()


def test_forms_work_without_javascript_and_a_refusal_says_why_there_too(
    setting: Setting, browser: Browser, tmp_path: Path
) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(setting.url(0))
    page.locator("summary", has_text="Leave it with a neighbour").click()
    page.get_by_label("Their house number or name").fill("ring 07700 900123")
    with page.expect_navigation():
        page.get_by_role("button", name="Save neighbour").click()
    alert = page.get_by_role("alert")
    assert "not a phone number" in alert.inner_text()
    assert page.locator("details#ra-neighbour").get_attribute("open") is not None
    _shot(page, "refused", tmp_path)

    page.get_by_label("Their house number or name").fill("Rose Cottage")
    with page.expect_navigation():
        page.get_by_role("button", name="Save neighbour").click()
    _confirmed(page, "neighbour", "neighbour")
    assert setting.order(0).neighbour == "Rose Cottage"
    context.close()


def test_the_courier_sees_on_the_stop_what_the_recipient_asked_for(
    setting: Setting, browser: Browser, tmp_path: Path
) -> None:
    from doorstep.services.tracking import actions

    uow, clock = setting.live.container.uow_factory, setting.live.container.clock
    token = setting.order(0).tracking_token
    actions.set_safe_place(
        uow, actions.SetSafePlace(token, "front_porch", "By the bench"), clock=clock
    )
    actions.set_neighbour(uow, actions.SetNeighbour(token, "No. 14"), clock=clock)
    actions.set_more_time(uow, actions.SetMoreTime(token, wanted=True), clock=clock)
    context = browser.new_context(viewport=PHONE, timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{setting.live.base_url}/courier")
    page.fill("input[name=email]", setting.day.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.click(f"[data-stop={setting.day.stop_ids[0]}]")
    page.wait_for_selector("section[data-screen=stop]:not([hidden])")
    detail = page.inner_text("#stop-detail")
    assert "Front porch: By the bench" in detail
    assert "No. 14" in detail
    assert "Needs longer to reach the door: wait at least 3 minutes" in detail
    assert "door code (reveal at the door)" in detail
    _shot(page, "courier-stop", tmp_path)
    context.close()
