"""What every console browser test shares: Chromium at desktop size, logging in through
the form, axe-core and screenshots; and a real server over a day in progress with a
dispatcher logged in (the Today and Orders pages)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from doorstep.domain.model import Role
from doorstep.services import accounts, blobs
from doorstep.store.migrate import upgrade
from tests.courier_day import SYSTEM
from tests.integration.live_server import PASSWORD, LiveApi, serve
from tests.tracking_day import TrackingDay, tracking_day
from tests.unit.fakes import FakeClock

CHROMIUM = Path("/usr/bin/chromium")
DESKTOP: ViewportSize = {"width": 1366, "height": 900}
PHOTO = Path(__file__).parents[2] / "src/doorstep/web/static/courier/icon-512.png"
DISPATCHER_EMAIL = "dispatcher@example.com"


@dataclass
class ConsoleSetting:
    live: LiveApi
    today: TrackingDay


@pytest.fixture
def setting(tmp_path: Path) -> Iterator[ConsoleSetting]:
    """A started route of five stops (one delivered with a photo, one failed), and a
    dispatcher who may log in."""
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
        today.start()
        today.deliver(0)
        today.fail(1)
        accounts.create_user(
            live.container.uow_factory(SYSTEM),
            email=DISPATCHER_EMAIL,
            name="Dispatcher",
            role=Role.DISPATCHER,
            password=PASSWORD,
            hasher=live.container.passwords,
        )
        yield ConsoleSetting(live, today)


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        launched.close()


def log_in(page: Page, email: str, *, base_url: str = "", then: str | None = None) -> None:
    """Log in through the console's form as ``email`` (password :data:`PASSWORD`), going on
    to ``then`` when given (the login page's ``next``)."""
    asked = f"?next={quote(then, safe='/')}" if then else ""
    page.goto(f"{base_url}/console/login{asked}")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/console/login" not in page.url, page.content()[:2000]


def logged_in(browser: Browser, setting: ConsoleSetting, path: str) -> Page:
    """A desktop page logged in as the dispatcher, on ``path``."""
    page = browser.new_page(viewport=DESKTOP)
    log_in(page, DISPATCHER_EMAIL, base_url=setting.live.base_url, then=path)
    page.wait_for_url(f"**{path}*")
    return page


def accessible(page: Page) -> None:
    results = Axe().run(page)
    bad = [
        (v["id"], v["impact"], v["help"])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], bad


def shot(page: Page, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("DOORSTEP_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"console-{name}.png"), full_page=True)
