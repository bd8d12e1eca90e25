"""The console's admin pages in a real Chromium at desktop size, against a real server.

Log in by keyboard alone, open each admin page, add a courier, a brand and a key through
the forms, and run axe-core on every page (no serious or critical finding). Screenshots
go to ``DOORSTEP_SCREENSHOT_DIR`` when set (``docs/img`` for ``docs/console.md``), else to
the test's temporary folder, named ``console-<page>.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from doorstep.domain.model import Role
from doorstep.store.migrate import upgrade
from tests.e2e.console_browser import CHROMIUM, DESKTOP, accessible, shot
from tests.integration.live_server import PASSWORD, LiveApi, serve
from tests.integration.web.console_client import make_user

pytestmark = pytest.mark.e2e
PAGES = [
    ("fleet", "/console/fleet", "Couriers and vehicles"),
    ("brands", "/console/brands", "Brands and API keys"),
    ("users", "/console/users", "Users"),
    ("webhooks", "/console/webhooks", "Webhook endpoints"),
    ("settings", "/console/settings", "Settings"),
    ("audit", "/console/audit", "Audit log"),
]


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveApi]:
    url = f"sqlite:///{tmp_path / 'doorstep.sqlite3'}"
    upgrade(url)
    with serve(url) as server:
        server.create_brand("Camden Coffee Co")
        yield server


@pytest.fixture
def page(live: LiveApi) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser: Browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        context = browser.new_context(viewport=DESKTOP, base_url=live.base_url)
        opened = context.new_page()
        errors: list[str] = []
        opened.on("pageerror", lambda error: errors.append(str(error)))
        opened.on(
            "console",
            lambda message: errors.append(message.text) if message.type == "error" else None,
        )
        yield opened
        browser.close()
        # No CSP refusal, no script error, nothing missing (a 403 page is a refusal asked for).
        assert not [e for e in errors if "status of 403" not in e], errors


def _log_in_by_keyboard(page: Page, email: str) -> None:
    page.goto("/console/fleet")
    expect(page).to_have_url("/console/login?next=/console/fleet")
    expect(page.locator("#email")).to_be_focused()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url("/console/fleet")


def test_an_admin_runs_every_admin_page_by_keyboard_and_screen_reader(
    live: LiveApi, page: Page, tmp_path: Path
) -> None:
    page.goto("/console/login")
    expect(page.get_by_role("heading", name="Doorstep console")).to_be_visible()
    accessible(page)
    shot(page, "login", tmp_path)
    _log_in_by_keyboard(page, make_user(live, Role.ADMIN))

    page.get_by_label("Name", exact=True).first.fill("Ada Lovelace")
    page.get_by_role("button", name="Add courier").click()
    expect(page.get_by_role("status")).to_have_text("Courier added.")
    page.locator("#vehicle-name").fill("Van 7")
    page.get_by_role("button", name="Add vehicle").click()
    expect(page.get_by_role("cell", name="Van 7")).to_be_visible()

    page.goto("/console/brands")
    page.get_by_role("button", name="Issue a key").click()
    expect(page.locator("#new-key")).to_contain_text("dsk_")
    for name, path, heading in PAGES:
        page.goto(path)
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        expect(page.locator(f'nav a[href="{path}"]')).to_have_attribute("aria-current", "page")
        accessible(page)
        shot(page, name, tmp_path)
    expect(page.get_by_role("cell", name="api_key.issued").first).to_be_visible()
    expect(page.get_by_role("cell", name="courier.created")).to_be_visible()


def test_a_dispatcher_sees_no_user_or_key_management(live: LiveApi, page: Page) -> None:
    _log_in_by_keyboard(page, make_user(live, Role.DISPATCHER))
    expect(page.locator('nav a[href="/console/users"]')).to_have_count(0)
    expect(page.locator('nav a[href="/console/brands"]')).to_have_count(0)
    answer = page.goto("/console/users")
    assert answer is not None and answer.status == 403
    expect(page.get_by_role("alert")).to_contain_text("Only an admin")
    accessible(page)
    page.goto("/console/settings")
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url("/console/login")
