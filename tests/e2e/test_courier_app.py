"""A courier's day in the app, in a real Chromium at phone size, against a real server.

The courier logs in, sees the route as a list and a map, starts it, is refused a door
code far from the stop and shown it near, then loses the network: the app reloads from
its service worker, and three deliveries (signature drawn with the mouse, photos from
files) and one failed attempt are recorded offline, and the route is finished. Back
online the queue is sent: the server holds each action exactly once with the phone's
times, the brand's proof API shows every attempt with its files, and every order's
records verify. Screenshots of each screen go to ``DOORSTEP_SCREENSHOT_DIR`` when set
(``docs/img`` for the courier guide), else to the test's temporary folder.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    BrowserContext,
    Geolocation,
    Page,
    Request,
    Route,
    ViewportSize,
    expect,
    sync_playwright,
)
from sqlalchemy import select

from doorstep.domain import ids
from doorstep.domain.proof import hash_pin
from doorstep.domain.route import RouteState, StopState
from doorstep.services import accounts
from doorstep.store.database import create_engine_for
from doorstep.store.migrate import upgrade
from doorstep.store.tables import CourierActionRow
from tests.courier_day import DOORS, SYSTEM, CourierDay, dispatched_day
from tests.integration.live_server import PASSWORD, LiveApi, serve

pytestmark = pytest.mark.e2e
CHROMIUM = Path("/usr/bin/chromium")
PHONE: ViewportSize = {"width": 390, "height": 844}
FAR: Geolocation = {"latitude": 51.5560, "longitude": -0.1780}  # Hampstead, 3 km from the doors
NEAR: Geolocation = {"latitude": DOORS[0].lat, "longitude": DOORS[0].lon}
PHOTO = Path(__file__).parents[2] / "src/doorstep/web/static/courier/icon-512.png"


@dataclass
class Setting:
    live: LiveApi
    day: CourierDay
    database_url: str


@pytest.fixture
def setting(tmp_path: Path) -> Iterator[Setting]:
    url = f"sqlite:///{tmp_path / 'doorstep.sqlite3'}"
    upgrade(url)
    with serve(url) as live:
        start = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
        day = dispatched_day(
            live.container.uow_factory,
            stops=4,
            start=start,
            password_hash=live.container.passwords.hash(PASSWORD),
        )
        yield Setting(live, day, url)


def _shots() -> Path | None:
    folder = os.environ.get("DOORSTEP_SCREENSHOT_DIR")
    return Path(folder) if folder else None


def _shot(page: Page, name: str, tmp_path: Path, at: str | None = None) -> None:
    """The screen from its top, or scrolled down to the element ``at``."""
    folder = _shots() or tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    if at:
        page.locator(at).evaluate("(el) => el.scrollIntoView({block: 'end'})")
    page.screenshot(path=str(folder / f"courier-{name}.png"))


def _screen(page: Page, name: str) -> None:
    page.wait_for_selector(f"section[data-screen={name}]:not([hidden])")


def _open_stop(page: Page, stop_id: str) -> None:
    page.click(f"[data-stop={stop_id}]")
    _screen(page, "stop")


def _scan(page: Page, barcodes: list[str]) -> None:
    for barcode in barcodes:
        page.fill("input[name=barcode]", barcode.lower())  # typed as it comes
        page.click("#stop-detail form button[type=submit]")
        page.wait_for_selector(f".parcels li.scanned:has-text('{barcode}')")


def _sign(page: Page) -> None:
    pad = page.locator("canvas.signature")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    x, y = box["x"], box["y"]
    page.mouse.move(x + 30, y + 120)
    page.mouse.down()
    for dx, dy in ((80, 40), (140, 150), (200, 60), (280, 130), (320, 80)):
        page.mouse.move(x + dx, y + dy, steps=6)
    page.mouse.up()


def _photo(page: Page, form: str) -> None:
    page.set_input_files(f"{form} input[type=file]", str(PHOTO))
    page.wait_for_selector(f"{form} .thumbs img")


def _deliver(page: Page, stop_id: str, barcodes: list[str], method: str) -> None:
    _open_stop(page, stop_id)
    page.click("#stop-detail button:text-is('Arrived')")
    page.wait_for_selector(".stop-state:has-text('Arrived')")
    _scan(page, barcodes)
    page.click("#stop-detail button:text-is('Deliver')")
    _screen(page, "deliver")
    page.check(f"input[name=method][value={method}]")
    if method == "recipient":
        page.fill("input[name=recipient_name]", "Ana")
        _sign(page)
    elif method == "safe_place":
        page.fill("input[name=safe_place]", "Porch")
        _photo(page, "#deliver-form")
    else:
        _photo(page, "#deliver-form")


def _complete(page: Page) -> None:
    page.click("button:text-is('Complete delivery')")
    _screen(page, "today")


# What the app keeps: the keys in its IndexedDB store and the service worker's caches.
KEPT_ON_PHONE = """async () => {
  const db = await new Promise((ok, fail) => {
    const opening = indexedDB.open("keyval-store");
    opening.onsuccess = () => ok(opening.result);
    opening.onerror = () => fail(opening.error);
  });
  const keys = await new Promise((ok) => {
    const counting = db.transaction("keyval").objectStore("keyval").count();
    counting.onsuccess = () => ok(counting.result);
  });
  db.close();
  return { keys, caches: (await caches.keys()).length };
}"""


def _wait_for_pings(page: Page, live: LiveApi, day: CourierDay) -> None:
    """The first position reaches the server soon after the start (then every 15 s)."""
    now = datetime.now(UTC)
    for _ in range(300):
        with live.container.uow_factory(SYSTEM) as uow:
            found = uow.pings.list_for(
                day.courier_id, now - timedelta(hours=1), now + timedelta(hours=1)
            )
        if found:
            break
        page.wait_for_timeout(100)
    assert found and abs(found[0].lat - FAR["latitude"]) < 1e-6


def _wait_until_started(page: Page, live: LiveApi, day: CourierDay) -> None:
    """The start has reached the server and its answer the phone (nothing left waiting)."""
    for _ in range(600):
        with live.container.uow_factory(SYSTEM) as uow:
            route = uow.routes.get(day.route_id)
        if route is not None and route.state is RouteState.STARTED:
            break
        page.wait_for_timeout(100)
    page.wait_for_selector("#sync[data-waiting='0']")


def _sent_ids(requests: list[Request]) -> list[str]:
    ids: list[str] = []
    for request in requests:
        body = json.loads(request.post_data or "{}")
        ids += [a["client_event_id"] for a in body.get("actions", [])]
    return ids


def test_a_courier_runs_the_route_offline_and_syncs_once(setting: Setting, tmp_path: Path) -> None:
    if not CHROMIUM.is_file():
        if os.environ.get("DOORSTEP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium required (DOORSTEP_REQUIRE_BROWSER=1) but {CHROMIUM} is missing")
        pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    live, day = setting.live, setting.day
    posted: list[Request] = []
    pinged: list[str] = []
    outside: list[str] = []
    broken: list[str] = []  # uncaught errors in the page, and anything its policy blocked
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            context: BrowserContext = browser.new_context(
                viewport=PHONE,
                device_scale_factor=2,
                is_mobile=True,
                has_touch=True,
                timezone_id="UTC",
                geolocation=FAR,
                permissions=["geolocation"],
                service_workers="allow",
            )

            def local_only(route: Route) -> None:
                if route.request.url.startswith(live.base_url):
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            context.route("**/*", local_only)
            page = context.new_page()
            page.on("pageerror", lambda error: broken.append(str(error)))
            page.on(
                "console",
                lambda m: broken.append(m.text) if "Content Security Policy" in m.text else None,
            )
            page.on(
                "request",
                lambda r: posted.append(r) if r.url.endswith("/v1/courier/actions") else None,
            )
            page.on(
                "request",
                lambda r: pinged.append(r.url) if r.url.endswith("/v1/courier/pings") else None,
            )
            page.goto(f"{live.base_url}/courier")
            _screen(page, "login")
            _shot(page, "login", tmp_path)
            page.fill("input[name=email]", day.email)
            page.fill("input[name=password]", PASSWORD)
            page.click("#login-form button[type=submit]")
            page.wait_for_selector(".stop-row")
            assert page.locator(".stop-row").count() == 4
            assert "Blue door" not in page.inner_text("#stop-list")  # details on the stop
            _shot(page, "today", tmp_path)

            page.click("[data-tab=map]")
            page.wait_for_selector("#map .leaflet-tooltip.stop-number")
            page.wait_for_selector(".leaflet-control-attribution:has-text('OpenStreetMap')")
            _shot(page, "map", tmp_path)
            page.click("[data-tab=list]")

            # The worker controls the page and has kept the shell before the network goes.
            # (Polled from here: the page's policy forbids the eval wait_for_function uses.)
            page.evaluate("async () => { await navigator.serviceWorker.ready; }")
            for _ in range(600):
                if page.evaluate("() => navigator.serviceWorker.controller !== null"):
                    break
                page.wait_for_timeout(100)
            assert page.evaluate("() => navigator.serviceWorker.controller !== null")

            assert pinged == []  # off duty: no position leaves the phone
            page.click("button:text-is('Start route')")
            page.wait_for_selector("#location:not([hidden])")
            assert page.inner_text("#location") == "Location shared"
            _wait_for_pings(page, live, day)

            # Far from the door the code is refused, with the server's reason.
            _open_stop(page, day.stop_ids[0])
            assert "Blue door, ring twice" in page.inner_text("#stop-detail")
            page.click("button:text-is('Reveal code')")
            refusal = page.wait_for_selector(".refusal")
            assert refusal is not None and "m" in refusal.inner_text()
            assert page.locator("input[name=override_reason]").count() == 1
            assert page.locator(".code").count() == 0
            # At the door it is shown, on this screen only.
            context.set_geolocation(NEAR)
            page.wait_for_timeout(500)  # the position watch hears of the move
            page.click("button:text-is('Reveal code')")
            page.wait_for_selector(".code")
            assert page.inner_text(".code") == day.access_code
            _shot(page, "stop", tmp_path)
            page.click("#back")
            _screen(page, "today")

            # No network from here: the app reloads from its worker and keeps working.
            context.set_offline(True)
            page.reload()
            page.wait_for_selector(".stop-row")
            assert page.locator(".stop-row").count() == 4

            _deliver(page, day.stop_ids[0], day.barcodes[0], "recipient")
            _shot(page, "deliver", tmp_path, at="#deliver-form button[type=submit]")
            _complete(page)
            _deliver(page, day.stop_ids[1], day.barcodes[1], "safe_place")
            _complete(page)
            _deliver(page, day.stop_ids[2], day.barcodes[2], "letterbox")
            _complete(page)

            _open_stop(page, day.stop_ids[3])
            page.click("#stop-detail button:text-is('Arrived')")
            page.wait_for_selector(".stop-state:has-text('Arrived')")
            page.click("button:text-is('Could not deliver')")
            _screen(page, "fail")
            page.check("input[name=reason][value=recipient_not_home]")
            page.fill("textarea[name=note]", "No answer, van parked opposite")
            page.fill("input[name=card_number]", "C-17")
            _photo(page, "#fail-form")
            _shot(page, "fail", tmp_path, at="#fail-form button[type=submit]")
            page.click("button:text-is('Record failed attempt')")
            _screen(page, "today")
            assert page.inner_text("#route-summary").startswith("4 of 4 stops done")
            page.click("button:text-is('Finish route')")
            page.wait_for_selector(".done-banner")

            waiting = int(page.get_attribute("#sync", "data-waiting") or "0")
            assert waiting == 9  # 4 arrivals, 3 deliveries, 1 failure, the finish
            page.click("#sync")
            _screen(page, "sync")
            _shot(page, "sync", tmp_path)

            # The network is back: everything goes, in order, once.
            context.set_offline(False)
            page.wait_for_selector("#sync[data-waiting='0']", timeout=60_000)
            page.click("#back")
            _screen(page, "today")
            _shot(page, "done", tmp_path)

            # Log out: nothing of the day stays on the phone.
            page.click("#logout")
            _screen(page, "login")
            assert page.evaluate(KEPT_ON_PHONE) == {"keys": 0, "caches": 0}
            # Signing in again keeps the shell for offline use again.
            page.fill("input[name=email]", day.email)
            page.fill("input[name=password]", PASSWORD)
            page.click("#login-form button[type=submit]")
            page.wait_for_selector(".done-banner")
            shell = "async () => (await caches.keys()).some((n) => n.startsWith('courier-shell-'))"
            for _ in range(300):
                if page.evaluate(shell):
                    break
                page.wait_for_timeout(100)
            assert page.evaluate(shell)
        finally:
            browser.close()

    assert outside == []
    assert broken == []
    sent = _sent_ids(posted)
    engine = create_engine_for(setting.database_url)
    try:
        with engine.connect() as connection:
            stored = list(connection.execute(select(CourierActionRow)))
    finally:
        engine.dispose()
    stored_ids = [row.client_event_id for row in stored]
    assert len(stored_ids) == len(set(stored_ids)) == len(set(sent)) == 10  # and the start
    assert set(stored_ids) == set(sent)
    with live.container.uow_factory(SYSTEM) as uow:
        route = uow.routes.get(day.route_id)
        assert route is not None and route.state is RouteState.FINISHED
        assert [s.state for s in route.stops] == [StopState.COMPLETED] * 3 + [StopState.FAILED]
        proofs = [p for order in day.order_ids for p in uow.proofs.list_for_order(order)]
    assert sorted((p.outcome, p.method or p.reason) for p in proofs) == [
        ("delivered", "letterbox"),
        ("delivered", "recipient"),
        ("delivered", "safe_place"),
        ("failed", "recipient_not_home"),
    ]
    signed = next(p for p in proofs if p.method == "recipient")
    assert signed.signature is not None and signed.evidence["recipient_name"] == "Ana"
    assert all(p.device_time < p.recorded_at for p in proofs)  # taken offline, sent later
    _brand_sees_the_proofs(live, day)


def _brand_sees_the_proofs(live: LiveApi, day: CourierDay) -> None:
    """The brand's API shows each attempt with its files, and every record verifies."""
    key = accounts.issue_api_key(
        live.container.uow_factory(SYSTEM), day.brand_id, clock=live.container.clock
    )
    brand = live.client(key.token)
    methods = []
    for order_id in day.order_ids:
        proof = brand.get(f"/v1/orders/{order_id}/proof")
        assert proof.status_code == 200, proof.text
        (attempt,) = proof.json()["attempts"]
        methods.append(attempt["method"] or attempt["reason"])
        files = [*attempt["photos"], *([attempt["signature"]] if attempt["signature"] else [])]
        if attempt["outcome"] == "delivered":
            assert files, attempt
        for link in files:
            signed = urlsplit(link["url"])  # on this server (public_url names no port here)
            image = live.client().get(f"{signed.path}?{signed.query}")  # no bearer needed
            assert image.status_code == 200 and image.headers["content-type"].startswith("image/")
        verified = brand.get(f"/v1/orders/{order_id}/verify").json()
        assert (verified["ok"], verified["problems"]) == (True, []), verified
    assert methods == ["recipient", "safe_place", "letterbox", "recipient_not_home"]


def test_an_action_the_server_refuses_is_shown_and_dropped(
    setting: Setting, tmp_path: Path
) -> None:
    if not CHROMIUM.is_file():
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    live, day = setting.live, setting.day
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            context = browser.new_context(
                viewport=PHONE, timezone_id="UTC", geolocation=NEAR, permissions=["geolocation"]
            )
            page = context.new_page()
            page.goto(f"{live.base_url}/courier")
            page.fill("input[name=email]", day.email)
            page.fill("input[name=password]", PASSWORD)
            page.click("#login-form button[type=submit]")
            page.click("button:text-is('Start route')")
            _wait_until_started(page, live, day)

            context.set_offline(True)
            _open_stop(page, day.stop_ids[0])
            page.click("button:text-is('Could not deliver')")
            page.check("input[name=reason][value=no_access]")
            page.click("button:text-is('Record failed attempt')")
            page.wait_for_selector("#sync[data-waiting='1']")

            # Meanwhile the stop is dealt with from elsewhere (here: the same courier's
            # other phone), so the failed attempt queued here no longer applies.
            token = live.client().post(
                "/v1/auth/token", json={"email": day.email, "password": PASSWORD}
            )
            other = live.client(token.json()["access_token"])
            skipped = other.post(
                "/v1/courier/actions",
                json={
                    "actions": [
                        {
                            "client_event_id": "other-phone-1",
                            "device_time": datetime.now(UTC).isoformat(),
                            "type": "skip",
                            "route_id": day.route_id,
                            "stop_id": day.stop_ids[0],
                            "data": {"note": "from the other phone"},
                        }
                    ]
                },
            )
            assert skipped.json()["results"][0]["status"] == "applied", skipped.text

            context.set_offline(False)
            page.wait_for_selector("#sync[data-waiting='0']", timeout=60_000)
            notice = page.wait_for_selector("#notice:has-text('Not accepted')")
            assert notice is not None
            page.click("#sync")
            _screen(page, "sync")
            refused = page.inner_text(".refused")
            assert "Fail" in refused and "stop 1" in refused
            page.click("#back")
            _screen(page, "today")
            # The route as the server has it, once the app has read it again (on a loaded
            # machine the list may first show the queued attempt for a moment).
            row = page.locator(f"[data-stop={day.stop_ids[0]}]")
            expect(row).to_contain_text("Skipped", timeout=30_000)
        finally:
            browser.close()
    with live.container.uow_factory(SYSTEM) as uow:
        route = uow.routes.get(day.route_id)
        assert route is not None and route.stops[0].state is StopState.SKIPPED


EXPIRE_SESSION = """async () => {
  const db = await new Promise((ok) => {
    const opening = indexedDB.open("keyval-store");
    opening.onsuccess = () => ok(opening.result);
  });
  await new Promise((ok) => {
    const store = db.transaction("keyval", "readwrite").objectStore("keyval");
    const reading = store.get("session");
    reading.onsuccess = () => {
      store.put({ ...reading.result, expires_at: "2000-01-01T00:00:00Z" }, "session");
      store.transaction.oncomplete = ok;
    };
  });
  db.close();
}"""


def test_actions_queued_when_the_session_ends_are_sent_after_signing_in_again(
    setting: Setting,
) -> None:
    if not CHROMIUM.is_file():
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    live, day = setting.live, setting.day
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            context = browser.new_context(
                viewport=PHONE, timezone_id="UTC", geolocation=NEAR, permissions=["geolocation"]
            )
            page = context.new_page()
            page.goto(f"{live.base_url}/courier")
            page.fill("input[name=email]", day.email)
            page.fill("input[name=password]", PASSWORD)
            page.click("#login-form button[type=submit]")
            page.click("button:text-is('Start route')")
            _wait_until_started(page, live, day)
            context.set_offline(True)
            _open_stop(page, day.stop_ids[1])
            page.click("#stop-detail button:text-is('Arrived')")
            page.wait_for_selector("#sync[data-waiting='1']")
            page.evaluate(EXPIRE_SESSION)  # twelve hours later, say

            context.set_offline(False)
            _screen(page, "login")
            assert page.get_attribute("#sync", "data-waiting") == "1"  # still on the phone
            page.fill("input[name=email]", day.email)
            page.fill("input[name=password]", PASSWORD)
            page.click("#login-form button[type=submit]")
            page.wait_for_selector("#sync[data-waiting='0']", timeout=60_000)
        finally:
            browser.close()
    with live.container.uow_factory(SYSTEM) as uow:
        route = uow.routes.get(day.route_id)
        assert route is not None and route.stops[1].state is StopState.ARRIVED


@pytest.fixture
def checked_order(tmp_path: Path) -> Iterator[Setting]:
    """A day whose first stop's order needs the recipient's PIN (2468) and an 18+ check."""
    url = f"sqlite:///{tmp_path / 'doorstep.sqlite3'}"
    upgrade(url)
    order_id = ids.new_id("ord")
    with serve(url) as live:
        start = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
        day = dispatched_day(
            live.container.uow_factory,
            stops=1,
            start=start,
            password_hash=live.container.passwords.hash(PASSWORD),
            order_overrides={
                0: {
                    "id": order_id,
                    "delivery_pin_hash": hash_pin("2468", order_id),
                    "minimum_age": 18,
                }
            },
        )
        yield Setting(live, day, url)


def test_pin_and_age_are_checked_before_the_parcel_counts_as_delivered(
    checked_order: Setting,
) -> None:
    if not CHROMIUM.is_file():
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    live, day = checked_order.live, checked_order.day
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            context = browser.new_context(
                viewport=PHONE, timezone_id="UTC", geolocation=NEAR, permissions=["geolocation"]
            )
            page = context.new_page()
            page.goto(f"{live.base_url}/courier")
            page.fill("input[name=email]", day.email)
            page.fill("input[name=password]", PASSWORD)
            page.click("#login-form button[type=submit]")
            page.click("button:text-is('Start route')")
            _wait_until_started(page, live, day)
            _deliver(page, day.stop_ids[0], day.barcodes[0], "recipient")
            adult = f"{datetime.now(UTC).year - 30}-01-01"
            # Under age: refused on the phone, nothing queued.
            page.fill("input[name=date_of_birth]", f"{datetime.now(UTC).year - 16}-01-01")
            page.fill("input[name=pin]", "2468")
            page.click("button:text-is('Complete delivery')")
            page.wait_for_selector("#notice:has-text('do not hand the parcel over')")
            assert page.get_attribute("#sync", "data-waiting") == "0"
            # A wrong PIN: the server refuses the delivery and the app says why.
            page.fill("input[name=date_of_birth]", adult)
            page.fill("input[name=pin]", "1357")
            page.click("button:text-is('Complete delivery')")
            page.wait_for_selector("#notice:has-text('PIN does not match')")
            page.wait_for_selector(f"[data-stop={day.stop_ids[0]}]:has-text('Arrived')")
            # The right PIN: delivered.
            _deliver_again(page, day.stop_ids[0], day.barcodes[0])
            page.fill("input[name=date_of_birth]", adult)
            page.fill("input[name=pin]", "2468")
            page.click("button:text-is('Complete delivery')")
            page.wait_for_selector(f"[data-stop={day.stop_ids[0]}]:has-text('Completed')")
            page.wait_for_selector("#sync[data-waiting='0']")
        finally:
            browser.close()
    with live.container.uow_factory(SYSTEM) as uow:
        route = uow.routes.get(day.route_id)
        assert route is not None and route.stops[0].state is StopState.COMPLETED
        (proof,) = uow.proofs.list_for_order(day.order_ids[0])
    assert proof.evidence.get("pin_checked") == "yes"


def _deliver_again(page: Page, stop_id: str, barcodes: list[str]) -> None:
    """After a refusal the stop is open again: scan and choose the method anew."""
    _open_stop(page, stop_id)
    _scan(page, barcodes)
    page.click("#stop-detail button:text-is('Deliver')")
    _screen(page, "deliver")
    page.check("input[name=method][value=recipient]")
    page.fill("input[name=recipient_name]", "Ana")
    _sign(page)
