"""The Orders pages in a real Chromium (1366x900): search, the results, an order's page
with its timeline and proof (photo through a signed link, the map of where); axe-core
finds nothing serious; screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.courier_day import SYSTEM
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


def test_search_then_open_an_order_with_its_proof(
    browser: Browser, setting: ConsoleSetting, tmp_path: Path
) -> None:
    day = setting.today.day
    with setting.live.container.uow_factory(SYSTEM) as uow:
        order = uow.orders.get(day.order_ids[0])
    assert order is not None
    page = logged_in(browser, setting, "/console/orders")
    page.fill("#q", order.recipient.name[:5])
    page.select_option("#in", "name")
    page.click("form[role=search] button[type=submit]")
    expect(page.locator("#order-results")).to_contain_text(order.reference)
    accessible(page)
    shot(page, "orders", tmp_path)

    page.click(f"a[href='/console/orders/{order.id}']")
    expect(page.locator("h1")).to_contain_text(order.reference)
    expect(page.locator("#timeline")).to_contain_text("deliver")
    photo = page.locator("#proof .photos img").first
    expect(photo).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth > 0", photo.element_handle())
    page.wait_for_selector("#proof-map[data-drawn=true]")
    accessible(page)
    shot(page, "order", tmp_path)
