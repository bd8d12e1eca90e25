"""The exception queue in a real Chromium at desktop size, against a real server.

A dispatcher opens the queue; the test records a failed attempt through the courier's
services and runs the relay (its handler raises the exception, its after-commit hook
tells open consoles), and the new exception appears without a reload. The dispatcher
resolves it with a note in place. axe-core finds nothing serious or critical; the
screenshot ``console-exceptions.png`` goes to ``DOORSTEP_SCREENSHOT_DIR`` when set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from doorstep.domain.model import GeoPoint, Role
from doorstep.domain.route import Position
from doorstep.services import exceptions, routes
from doorstep.services.console.live import publish_console
from doorstep.services.relay import relay_pending
from doorstep.services.routes.courier_actions import ActionKind, CourierActionIn
from doorstep.store.migrate import upgrade
from tests.courier_day import CourierDay, dispatched_day
from tests.integration.live_server import PASSWORD, LiveApi, serve
from tests.integration.services.test_exceptions import late_event, record
from tests.integration.web.console_client import make_user
from tests.unit.fakes import FakeClock

pytestmark = pytest.mark.e2e
CHROMIUM = Path("/usr/bin/chromium")
DESKTOP: ViewportSize = {"width": 1366, "height": 900}
DOOR = Position(GeoPoint(51.5412, -0.1460), 8.0)


@dataclass
class Setting:
    live: LiveApi
    day: CourierDay
    other: CourierDay
    start: datetime

    def relay(self) -> None:
        """The relay as the server runs it: exceptions raised, open consoles told. Twice:
        the first run raises the exception (its event joins the outbox), the second
        relays that event."""
        container = self.live.container
        clock = FakeClock(datetime.now(UTC))
        for _ in range(2):
            relay_pending(
                container.uow_factory,
                clock,
                [exceptions.exception_handler(clock)],
                after=[publish_console(container.broadcaster)],
            )

    def courier(self, *actions: tuple[ActionKind, int | None, int, dict[str, object]]) -> None:
        """The courier's phone syncs ``(kind, stop, minutes after the start, data)``."""
        day = self.day
        sent = [
            CourierActionIn(
                client_event_id=f"{kind.value}-{stop}-{minutes}",
                device_time=self.start + timedelta(minutes=minutes),
                kind=kind,
                route_id=day.route_id,
                stop_id=None if stop is None else day.stop_ids[stop],
                position=DOOR,
                data=data,
            )
            for kind, stop, minutes, data in actions
        ]
        results = routes.sync_actions(
            self.live.container.uow_factory,
            day.courier_principal,
            sent,
            clock=FakeClock(datetime.now(UTC)),
            blob_exists=lambda sha: True,
        )
        assert all(r.status.value == "applied" for r in results), results


@pytest.fixture
def setting(tmp_path: Path) -> Iterator[Setting]:
    url = f"sqlite:///{tmp_path / 'doorstep.sqlite3'}"
    upgrade(url)
    with serve(url) as live:
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=40)
        uow = live.container.uow_factory
        day = dispatched_day(uow, stops=4, start=start)
        other = dispatched_day(
            uow, stops=2, start=start, hub_id=day.hub_id, vehicle_name="LK71 XYZ"
        )
        yield Setting(live, day, other, start)


@pytest.fixture
def page(setting: Setting) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser: Browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        context = browser.new_context(viewport=DESKTOP, base_url=setting.live.base_url)
        opened = context.new_page()
        errors: list[str] = []
        opened.on("pageerror", lambda error: errors.append(str(error)))
        opened.on(
            "console",
            lambda message: errors.append(message.text) if message.type == "error" else None,
        )
        yield opened
        browser.close()
        assert not errors, errors  # no CSP refusal, no script error


def _shot(page: Page, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("DOORSTEP_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"console-{name}.png"), full_page=True)


def _accessible(page: Page) -> None:
    results = Axe().run(page)
    bad = [
        (v["id"], v["impact"], v["help"])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == []


def _log_in(page: Page, email: str) -> None:
    page.goto("/console/exceptions")
    expect(page).to_have_url("/console/login?next=/console/exceptions")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url("/console/exceptions")


def test_a_failed_attempt_appears_live_and_is_resolved_with_a_note(
    setting: Setting, page: Page, tmp_path: Path
) -> None:
    # Something already in the queue when the dispatcher arrives: stop 2 predicted late.
    setting.courier((ActionKind.START_ROUTE, None, 0, {}))
    record(setting.live.container.uow_factory, late_event(setting.day, 2, FakeClock(setting.start)))
    setting.relay()

    _log_in(page, make_user(setting.live, Role.DISPATCHER))
    expect(page.get_by_role("heading", level=1, name="Exceptions")).to_be_visible()
    expect(page.locator('nav a[href="/console/exceptions"]')).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator("#exception-queue tbody tr")).to_have_count(1)
    expect(page.get_by_role("cell", name="Predicted late")).to_be_visible()
    page.wait_for_selector("body[data-live=ready]")
    page.evaluate("window.stillTheSamePage = true")

    # The courier fails stop 1; the relay raises the exception and tells the console.
    setting.courier(
        (ActionKind.ARRIVE, 1, 30, {}),
        (ActionKind.FAIL, 1, 35, {"reason": "recipient_not_home"}),
    )
    setting.relay()
    failed = page.locator("#exception-queue tbody tr", has_text="Failed attempt")
    expect(failed).to_be_visible()
    expect(failed).to_contain_text("recipient not home")
    expect(failed.get_by_role("link", name=f"Order {setting.day.order_ids[1]}")).to_have_attribute(
        "href", f"/console/orders/{setting.day.order_ids[1]}"
    )
    assert page.evaluate("window.stillTheSamePage") is True  # no reload
    _accessible(page)

    failed.get_by_text("Act on it").click()
    expect(failed.get_by_label("Move the stop to")).to_be_visible()
    options = failed.get_by_label("Move the stop to").locator("option")
    expect(options).to_have_count(2)  # the prompt and the other route of the day
    failed.get_by_label("What was done").fill("Called Sam: we try again tomorrow morning.")
    _accessible(page)
    _shot(page, "exceptions", tmp_path)

    failed.get_by_role("button", name="Mark resolved").click()
    expect(page.get_by_role("status").filter(has_text="Resolved: failed attempt.")).to_be_visible()
    expect(page.locator("#exception-queue tbody tr", has_text="Failed attempt")).to_have_count(0)
    assert page.evaluate("window.stillTheSamePage") is True  # swapped in place

    page.get_by_label("All").check()
    page.get_by_role("button", name="Filter").click()
    done = page.locator("#exception-queue tbody tr", has_text="Failed attempt")
    expect(done).to_contain_text("Called Sam: we try again tomorrow morning.")
    expect(done).to_contain_text("Resolved")
    _accessible(page)
