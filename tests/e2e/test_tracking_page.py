"""The recipient's tracking page in a real Chromium at phone size, against a real server.

With script and without, a live update arriving over Server-Sent Events while the page is
open (the test changes the day through the services and runs the relay, whose after-commit
hook publishes the notice), and axe-core on every state with no serious or critical finding.
Screenshots of each state go to ``DOORSTEP_SCREENSHOT_DIR`` when set (``docs/img`` for
``docs/tracking.md``), else to the test's temporary folder.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from doorstep.domain.eta import AnnouncedWindow
from doorstep.services import blobs
from doorstep.services.relay import relay_pending
from doorstep.services.tracking.live import publish_for
from doorstep.store.migrate import upgrade
from tests.courier_day import SYSTEM
from tests.integration.live_server import LiveApi, serve
from tests.tracking_day import TrackingDay, tracking_day
from tests.unit.fakes import FakeClock

pytestmark = pytest.mark.e2e
CHROMIUM = Path("/usr/bin/chromium")
PHONE: ViewportSize = {"width": 390, "height": 844}
PHOTO = Path(__file__).parents[2] / "src/doorstep/web/static/courier/icon-512.png"


@dataclass
class Setting:
    live: LiveApi
    today: TrackingDay


@pytest.fixture
def setting(tmp_path: Path) -> Iterator[Setting]:
    url = f"sqlite:///{tmp_path / 'doorstep.sqlite3'}"
    upgrade(url)
    with serve(url) as live:
        now = datetime.now(UTC).replace(microsecond=0)
        today = tracking_day(
            live.container.uow_factory, clock=FakeClock(now), start=now - timedelta(minutes=30)
        )
        data = PHOTO.read_bytes()
        today.photo = hashlib.sha256(data).hexdigest()
        blobs.upload_blob(
            live.container.uow_factory(SYSTEM),
            live.container.blobs,
            today.clock,
            sha256=today.photo,
            data=data,
            content_type="image/png",
        )
        yield Setting(live, today)


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        launched.close()


def _shot(page: Page, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("DOORSTEP_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"tracking-{name}.png"), full_page=True)


def _accessible(page: Page) -> None:
    results = Axe().run(page)
    bad = [
        (v["id"], v["impact"], v["help"])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == []


def _announce(setting: Setting, stop: int) -> None:
    today, now = setting.today, setting.today.clock.now()
    window = AnnouncedWindow(
        stop_id=today.day.stop_ids[stop],
        kind="day",
        start=now + timedelta(minutes=40),
        end=now + timedelta(minutes=100),
        predicted_arrival=now + timedelta(minutes=70),
        announced_at=now,
    )
    with setting.live.container.uow_factory(SYSTEM) as uow:
        uow.eta.add(today.day.route_id, window)
        uow.commit()


def _relay(setting: Setting) -> None:
    container = setting.live.container
    relay_pending(
        container.uow_factory, container.clock, [], after=[publish_for(container.broadcaster)]
    )


def test_each_state_reads_well_with_and_without_script(
    setting: Setting, browser: Browser, tmp_path: Path
) -> None:
    base, today = setting.live.base_url, setting.today
    today.start()
    _announce(setting, 4)
    _announce(setting, 0)
    today.ping(at=today.clock.now() - timedelta(seconds=45))
    context = browser.new_context(viewport=PHONE, device_scale_factor=2)
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(base) else outside.append(r.url))

    page.goto(f"{base}/t/{today.tokens[4]}")
    page.wait_for_selector("body[data-live=on]")
    assert page.locator(".window strong").inner_text()
    _accessible(page)
    _shot(page, "out-for-delivery", tmp_path)

    page.goto(f"{base}/t/{today.tokens[0]}")
    page.wait_for_selector(".map-box:not(.hidden) .leaflet-interactive")
    page.wait_for_selector("body[data-streets=drawn]")
    assert "You're the next stop" in page.locator("h1").inner_text()
    _accessible(page)
    _shot(page, "next-stop", tmp_path)

    today.deliver(0)
    page.goto(f"{base}/t/{today.tokens[0]}")
    page.wait_for_function("() => document.querySelector('img.photo')?.naturalWidth > 0")
    _accessible(page)
    _shot(page, "delivered", tmp_path)

    today.fail(1)
    page.goto(f"{base}/t/{today.tokens[1]}")
    assert "We couldn't deliver" in page.locator("h1").inner_text()
    _accessible(page)
    _shot(page, "attempt-failed", tmp_path)

    page.goto(f"{base}/t/{'Z' * 24}")
    _accessible(page)
    _shot(page, "not-found", tmp_path)
    assert outside == []

    quiet = browser.new_context(viewport=PHONE, java_script_enabled=False).new_page()
    quiet.goto(f"{base}/t/{today.tokens[3]}")
    assert "Your parcel is out for delivery" in quiet.locator("h1").inner_text()
    assert "Progress" in quiet.locator("[data-live=timeline]").inner_text()
    assert quiet.locator(".window strong").count() == 0 or quiet.locator(".window").is_visible()
    # axe needs script in the page: the same HTML was checked above with script on.


def test_a_delivery_reaches_the_open_page_over_server_sent_events(
    setting: Setting, browser: Browser
) -> None:
    today = setting.today
    today.start()
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(f"{setting.live.base_url}/t/{today.tokens[0]}")
    page.wait_for_selector("body[data-live=on]")
    assert "next stop" in page.locator("h1").inner_text()

    today.deliver(0)
    _relay(setting)

    expect(page.locator("h1")).to_contain_text("Delivered", timeout=20_000)
    assert page.evaluate("document.body.dataset.updates") == "1"
    assert "front porch" in page.locator("[data-live=proof]").inner_text()
