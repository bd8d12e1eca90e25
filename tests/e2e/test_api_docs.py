"""``/docs`` in a real Chromium with no way out to the internet: the operations render.

Every request that does not go to the test server is aborted and recorded, so a page
that still reached for a CDN fails here instead of showing a blank page behind a
firewall. The screenshot is kept for docs/img/api-docs.png.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Route, sync_playwright

from doorstep.store.migrate import upgrade
from tests.integration.live_server import LiveApi, serve

pytestmark = pytest.mark.e2e
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveApi]:
    url = f"sqlite:///{tmp_path / 'doorstep.sqlite3'}"
    upgrade(url)
    with serve(url) as api:
        yield api


def test_api_docs_render_every_operation_offline(live: LiveApi, tmp_path: Path) -> None:
    if not CHROMIUM.is_file():
        if os.environ.get("DOORSTEP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium required (DOORSTEP_REQUIRE_BROWSER=1) but {CHROMIUM} is missing")
        pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    blocked: list[str] = []

    def local_only(route: Route) -> None:
        if route.request.url.startswith(live.base_url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", local_only)
            page.goto(f"{live.base_url}/docs")
            page.wait_for_selector(".opblock", timeout=30_000)
            operations = page.locator(".opblock").count()
            title = page.locator(".info .title").inner_text()
            page.screenshot(path=str(tmp_path / "api-docs.png"))
        finally:
            browser.close()
    assert blocked == []
    assert "Doorstep API" in title
    assert operations >= 10
