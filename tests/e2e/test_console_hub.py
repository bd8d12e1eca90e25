"""The console's hub scan station, the returns page and the delivery-policy form in a real
Chromium at desktop size against a real server.

A USB scanner types a barcode and presses Enter; the test does the same with the keyboard,
500 times at about two scans a second (the pace is set by bounded key delays, never
asserted): every scan is answered, none is lost or counted twice (the server's stored scans
say so), and refusals show in red. axe-core finds nothing serious or critical on each page.
Screenshots go to ``DOORSTEP_SCREENSHOT_DIR`` when set, else to the test's folder.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import create_engine, select

from doorstep.domain import ids
from doorstep.domain.model import Role
from doorstep.domain.parcel import ParcelAction
from doorstep.domain.preferences import london_day
from doorstep.services import accounts
from doorstep.store.migrate import upgrade
from doorstep.store.tables import HubScanRow
from tests import factories
from tests.courier_day import SYSTEM
from tests.e2e.console_browser import CHROMIUM, DESKTOP, accessible, log_in, shot
from tests.integration.live_server import PASSWORD, LiveApi, serve

pytestmark = pytest.mark.e2e
SCANS = 500
UNKNOWN_EVERY = 25  # every 25th scan is a barcode nobody knows: refused, in red
REPEAT_EVERY = 40  # every 40th scan repeats the one before: the parcel is already in


@dataclass
class Station:
    live: LiveApi
    hub_id: str
    brand_id: str
    barcodes: list[str]
    returning: str
    returned_on: str
    email: str
    url: str


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Station]:
    url = f"sqlite:///{tmp_path / 'doorstep.sqlite3'}"
    upgrade(url)
    with serve(url) as live:
        factory = live.container.uow_factory
        brand, hub = factories.brand(name="Camden Coffee Co"), factories.hub(name="Camden hub")
        orders = [factories.order(brand_id=brand.id) for _ in range(SCANS)]
        back = factories.order(brand_id=brand.id)
        at = live.container.clock.now() - timedelta(hours=2)
        parcel = back.parcels[0]
        parcel.apply(ParcelAction.RECEIVE, actor="system:tests", at=at)
        parcel.apply(
            ParcelAction.START_RETURN, actor="system:tests", at=at, reason_code="dispatcher"
        )
        with factory(SYSTEM) as uow:
            uow.brands.add(brand)
            uow.hubs.add(hub)
            uow.orders.add_all(orders)
            uow.orders.add(back)
            uow.commit()
        email = f"dispatcher-{ids.new_id('usr')[4:].lower()}@example.com"
        accounts.create_user(
            factory(SYSTEM),
            email=email,
            name="Dee Dispatcher",
            role=Role.DISPATCHER,
            password=PASSWORD,
            hasher=live.container.passwords,
        )
        barcodes = [o.parcels[0].barcode for o in orders]
        day = london_day(at).isoformat()
        yield Station(live, hub.id, brand.id, barcodes, parcel.barcode, day, email, url)


@pytest.fixture
def page(station: Station) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser: Browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        context = browser.new_context(viewport=DESKTOP, base_url=station.live.base_url)
        opened = context.new_page()
        log_in(opened, station.email)
        yield opened
        browser.close()


def _typed(station: Station) -> list[str]:
    """What the scanner reads, in order: known parcels, unknown ones, and repeats."""
    typed: list[str] = []
    for n in range(SCANS):
        if n % UNKNOWN_EVERY == UNKNOWN_EVERY - 1:
            typed.append(f"NOPE{n:06d}")
        elif n % REPEAT_EVERY == REPEAT_EVERY - 1 and typed:
            typed.append(typed[-1])
        else:
            typed.append(station.barcodes[n])
    return typed


@pytest.mark.slow
def test_five_hundred_scans_at_two_a_second_are_each_answered_once(
    station: Station, page: Page, tmp_path: Path
) -> None:
    page.goto("/console/hub")
    expect(page.locator("#scan")).to_be_focused()
    accessible(page)
    typed = _typed(station)
    for barcode in typed:
        # A scanner types fast; 10 ms a key and a pause after Enter make two a second or more.
        page.keyboard.type(barcode, delay=10)
        page.keyboard.press("Enter")
        page.wait_for_timeout(250)
    expect(page.locator("#done")).to_have_text(str(SCANS), timeout=120_000)
    expect(page.locator("#queued")).to_have_text("0")
    expect(page.locator("#scan")).to_be_focused()

    engine = create_engine(station.url)
    with engine.connect() as connection:  # every stored scan, with its id
        stored = connection.execute(select(HubScanRow.client_event_id, HubScanRow.barcode)).all()
    engine.dispose()
    assert len(stored) == SCANS
    assert len({event_id for event_id, _ in stored}) == SCANS  # none doubled
    assert Counter(barcode for _, barcode in stored) == Counter(typed)  # none lost
    refused = page.locator("#scans li.scan--refused")
    assert refused.count() >= 2  # the last 50 shown include unknown barcodes and repeats
    colour = refused.first.evaluate("e => getComputedStyle(e).color")
    assert colour == "rgb(138, 0, 24)"
    shot(page, "hub", tmp_path)


def test_a_refusal_is_red_and_a_receive_is_answered_large(
    station: Station, page: Page, tmp_path: Path
) -> None:
    page.goto("/console/hub")
    page.keyboard.type("NOPE000001", delay=10)
    page.keyboard.press("Enter")
    answer = page.locator("#answer")
    # The first scan may wait for the outbox relay's write transaction over the fixture's
    # 501 new orders (SQLite has one writer): a generous bound, never a speed claim.
    expect(answer).to_have_attribute("data-state", "refused", timeout=60_000)
    expect(answer).to_contain_text("Unknown barcode")
    assert answer.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(176, 0, 32)"
    page.keyboard.type(station.barcodes[0], delay=10)
    page.keyboard.press("Enter")
    expect(answer).to_have_attribute("data-state", "ok")
    expect(page.locator("#done")).to_have_text("2")
    accessible(page)
    shot(page, "hub", tmp_path)


def test_the_returns_page_hands_a_parcel_over(station: Station, page: Page, tmp_path: Path) -> None:
    page.goto(f"/console/returns?brand_id={station.brand_id}&date={station.returned_on}")
    expect(page.get_by_text(station.returning)).to_be_visible()
    accessible(page)
    shot(page, "returns", tmp_path)
    page.get_by_role("button", name="Record handover").click()
    expect(page.locator(".flash--notice")).to_contain_text("Handed over: 1 parcel")
    accessible(page)


def test_the_delivery_policy_form_saves_and_refuses_nonsense(
    station: Station, page: Page, tmp_path: Path
) -> None:
    page.goto("/console/settings/delivery-policy")
    accessible(page)
    page.get_by_label("Attempts allowed").fill("2")
    page.get_by_label("After the last attempt").select_option("hold_at_hub")
    page.get_by_role("button", name="Save Camden Coffee Co").click()
    expect(page.locator(".flash--notice")).to_contain_text("saved")
    expect(page.get_by_label("Attempts allowed")).to_have_value("2")
    shot(page, "delivery-policy", tmp_path)
