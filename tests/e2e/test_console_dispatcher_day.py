"""A dispatcher's day end to end, in real Chromium (1366x900) against a real server.

The dispatcher (not an admin) uploads the day's orders on the Plan page, plans, moves a
stop to the other van, re-plans and dispatches; follows the day on Today, where the
courier's position (sent by the test through the ping API) arrives without a reload;
sees the predicted-late exceptions the ETAs raise when, two hours on, nothing is
delivered and the van is far off (the lateness is the time gone by: a position off the
route is never routed, the ETAs count from the start of the current leg); re-plans the
rest of the route from one of them (which resolves it) and resolves another with a
note; and, once the courier has delivered the first one's stop with a photo and a
signature, finds its order and sees the proof.

Nothing is written behind the server's back but what a warehouse and a phone would send
over the API (hub scans, the courier's actions and pings, the proof's images); the
relay, the ETA recompute and the console's live updates run as the server runs them.
The server's clock is a hand-moved one, so the day, its windows and the lateness are
the same at any hour the test runs. axe-core finds nothing serious or critical on any
page visited.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from doorstep.domain.model import GeoPoint, Role
from doorstep.domain.route import Route
from doorstep.store.migrate import upgrade
from tests.e2e.console_browser import DESKTOP, accessible, browser, log_in, shot
from tests.images import photo, sha256
from tests.integration.live_server import SYSTEM, LiveApi, serve
from tests.integration.web.console_client import make_user
from tests.integration.web.test_console_plan import BOUNDED, DAY, HUB, _standing, csv_rows
from tests.unit.fakes import FakeClock

pytestmark = pytest.mark.e2e
__all__ = ["browser"]  # the fixture, used by name

ORDERS = 8
MORNING = datetime.fromisoformat(f"{DAY}T07:30:00+00:00")  # London is on UTC in November
FAR = GeoPoint(51.4543, -0.9781)  # Reading: well off the route
WAIT_MS = 60_000  # a guard against a hang, not a speed limit


@dataclass
class Day:
    live: LiveApi
    clock: FakeClock

    def routes(self) -> list[Route]:
        with self.live.container.uow_factory(SYSTEM).read_only() as uow:
            return list(uow.routes.find(route_date=date.fromisoformat(DAY)))

    def barcodes(self, route: Route) -> dict[str, str]:
        """Parcel id -> barcode, as printed on the labels."""
        with self.live.container.uow_factory(SYSTEM).read_only() as uow:
            parcels = uow.parcels.get_many(list(route.parcel_ids))
        return {p.id: p.barcode for p in parcels.values()}

    def order_of(self, route: Route, stop_id: str) -> str:
        parcel_id = route.stop(stop_id).parcel_ids[0]
        with self.live.container.uow_factory(SYSTEM).read_only() as uow:
            parcel = uow.parcels.get(parcel_id)
        assert parcel is not None
        return parcel.order_id

    def reference(self, order_id: str) -> str:
        with self.live.container.uow_factory(SYSTEM).read_only() as uow:
            order = uow.orders.get(order_id)
        assert order is not None
        return order.reference

    def now(self) -> str:
        return self.clock.now().isoformat()


@pytest.fixture
def day(tmp_path: Path) -> Iterator[Day]:
    url = f"sqlite:///{tmp_path / 'doorstep.sqlite3'}"
    upgrade(url)
    clock = FakeClock(MORNING)
    with serve(url, planner=BOUNDED, clock=clock) as live:
        yield Day(live, clock)


def _ok(answer: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _load_vans(day: Day, hub_id: str, hub: httpx.Client) -> None:
    """The warehouse receives, sorts and loads every parcel (a scanner on the hub API)."""
    for route in day.routes():
        for n, barcode in enumerate(day.barcodes(route).values()):
            for kind, target in (
                ("receive", None),
                ("sort", {"bay": "A1"}),
                ("load", {"vehicle_id": route.vehicle_id}),
            ):
                body = {
                    "client_event_id": f"scanner-{kind}-{barcode}-{n}",
                    "barcode": barcode,
                    "kind": kind,
                    "scanned_at": day.now(),
                    **({"target": target} if target else {}),
                }
                _ok(hub.post(f"/v1/hubs/{hub_id}/scans", json=body), 201)


def _act(
    day: Day, phone: httpx.Client, route: Route, kind: str, stop_id: str | None = None,
    point: GeoPoint | None = None, **data: object,
) -> None:  # fmt: skip
    """The courier's phone syncs one action, stamped with the server's (moved) time."""
    where = point or GeoPoint(*HUB)
    action = {
        "client_event_id": f"{kind}-{stop_id or route.id}",
        "device_time": day.now(),
        "type": kind,
        "route_id": route.id,
        "stop_id": stop_id,
        "position": {"lat": where.lat, "lon": where.lon, "accuracy_m": 8},
        "data": data,
    }
    synced = _ok(phone.post("/v1/courier/actions", json={"actions": [action]}))
    assert [r["status"] for r in synced["results"]] == ["applied"], synced


def _ping(day: Day, phone: httpx.Client, point: GeoPoint) -> None:
    sent = phone.post(
        "/v1/courier/pings",
        json={"pings": [{"at": day.now(), "lat": point.lat, "lon": point.lon, "accuracy_m": 5}]},
    )
    _ok(sent, 202)


def _marker(page: Page, route_id: str) -> list[float]:
    where: list[float] = page.evaluate(
        "(id) => { const m = window.doorstepToday.map.couriers[id].getLatLng();"
        " return [m.lat, m.lng]; }",
        route_id,
    )
    return where


def test_a_dispatchers_day_from_upload_to_proof(day: Day, browser: Browser, tmp_path: Path) -> None:
    live = day.live
    hub_id, _, _, _ = _standing(live)
    orders = tmp_path / "orders.csv"
    orders.write_bytes(csv_rows(hub_id, ORDERS, bad=False))
    page = browser.new_page(viewport=DESKTOP)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # Plan: upload the day's orders, plan them on both vans.
    log_in(
        page,
        make_user(live, Role.DISPATCHER),
        base_url=live.base_url,
        then=f"/console/plan?hub={hub_id}&day={DAY}",
    )
    expect(page.locator("h1")).to_have_text("Plan a day")
    page.set_input_files("#file", str(orders))
    page.click("#upload-form button[type=submit]")
    expect(page.locator("#import-report")).to_contain_text(f"{ORDERS} accepted")
    expect(page.locator("#waiting")).to_contain_text(f"{ORDERS} orders")
    accessible(page)

    page.fill("#budget", "2")
    page.click("#plan-form button[type=submit]")
    expect(page.locator("#routes-table")).to_be_visible(timeout=120_000)
    expect(page.locator("#plan-map[data-ready=true]")).to_be_attached(timeout=WAIT_MS)
    expect(page.locator("#routes-table tbody tr")).to_have_count(2)  # six parcels a van
    expect(page.locator("#plan-map")).to_have_attribute("data-routes", "2")
    accessible(page)

    # The dispatcher knows better: the first route's last stop goes on the other van.
    move = page.locator("details.route-stops").first.locator("form.move-form").last
    move.locator("button").click()
    expect(page.locator(".flash--notice")).to_contain_text("stays there")
    expect(page.locator("#changes")).to_contain_text("stop moved")
    page.click("#replan")
    expect(page.locator("#routes-table")).to_be_visible(timeout=120_000)
    expect(page.locator("details.route-stops .badge--warn").first).to_have_text("locked")
    page.click("#dispatch")
    expect(page.locator("#dispatched")).to_be_visible()
    accessible(page)
    shot(page, "day-plan", tmp_path)

    routes = day.routes()
    assert len(routes) == 2
    assert sum(len(r.stops) for r in routes) == ORDERS
    _load_vans(day, hub_id, live.client(live.create_operator(Role.DISPATCHER)))

    # Today: both routes, live.
    page.click("#dispatched a")
    page.wait_for_url("**/console/today")
    page.wait_for_selector("#today-map[data-drawn=true][data-live=true]", timeout=WAIT_MS)
    expect(page.locator("#today-summary")).to_contain_text("2 routes")
    for route in routes:
        expect(page.locator(f"#route-{route.id}")).to_be_visible()
    page.evaluate("window.stillTheSamePage = true")
    accessible(page)

    # The courier of the first route leaves at eight and shares a position.
    route = routes[0]
    phone = live.client(live.create_operator(Role.COURIER, route.courier_id))
    day.clock.current = MORNING + timedelta(minutes=30)
    _act(day, phone, route, "start_route")
    near = GeoPoint(HUB[0] + 0.001, HUB[1] + 0.001)
    _ping(day, phone, near)
    expect(page.locator("#today-map")).to_have_attribute("data-moved", "1", timeout=WAIT_MS)
    assert _marker(page, route.id) == pytest.approx([near.lat, near.lon])

    # Two hours on, nothing delivered and the van in Reading: every stop left will miss
    # the one-hour window its customer was told at the start.
    day.clock.current = MORNING + timedelta(hours=2, minutes=30)
    _ping(day, phone, FAR)
    expect(page.locator("#today-map")).to_have_attribute("data-moved", "2", timeout=WAIT_MS)
    assert _marker(page, route.id) == pytest.approx([FAR.lat, FAR.lon])
    row = page.locator(f"#route-{route.id}")
    expect(row).to_contain_text("started")
    expect(row).to_contain_text("late risk", timeout=WAIT_MS)
    assert page.evaluate("window.stillTheSamePage") is True  # no reload
    accessible(page)
    shot(page, "day-today", tmp_path)

    # Exceptions: the predicted lates, raised by the ETAs and the relay on their own.
    page.click('nav a[href="/console/exceptions"]')
    expect(page.get_by_role("heading", level=1, name="Exceptions")).to_be_visible()
    late = page.locator("#exception-queue tbody tr", has_text="Predicted late")
    expect(late.first).to_be_visible(timeout=WAIT_MS)
    first = late.filter(has_text=route.stops[0].id)
    expect(first).to_have_count(1, timeout=WAIT_MS)
    expect(first).to_contain_text("min late")
    expect(first).to_contain_text(f"Route {route.id}")
    lates = len(route.stops)  # every stop left misses its window, each raised once
    expect(late).to_have_count(lates, timeout=WAIT_MS)
    rows = page.locator("#exception-queue tbody tr").count()
    expect(page.locator("#queue-title")).to_contain_text(f"({rows})")
    order_id = day.order_of(route, route.stops[0].id)
    expect(first.get_by_role("link", name=f"Order {order_id}")).to_be_visible()
    accessible(page)

    # Act on one: re-plan the rest of the route from where the van is (which resolves it,
    # saying so); another is resolved by hand with a note.
    first.get_by_text("Act on it").click()
    first.get_by_role("button", name="Re-plan the rest of the route").click()
    expect(page.locator("#exception-queue .flash--notice")).to_contain_text(f"Route {route.id}")
    expect(late.filter(has_text=route.stops[0].id)).to_have_count(0)
    expect(late).to_have_count(lates - 1)
    second = late.filter(has_text=route.stops[1].id)
    second.get_by_text("Act on it").click()
    second.get_by_label("What was done").fill("Van diverted to Reading; told the customers.")
    accessible(page)
    shot(page, "day-exceptions", tmp_path)
    second.get_by_role("button", name="Mark resolved").click()
    expect(page.locator("#exception-queue .flash--notice")).to_contain_text(
        "Resolved: predicted late."
    )
    expect(late).to_have_count(lates - 2)
    page.get_by_label("All").check()
    page.get_by_role("button", name="Filter").click()
    done = page.locator("#exception-queue tbody tr.exception--resolved")
    expect(done).to_have_count(2)
    expect(done.filter(has_text=route.stops[0].id)).to_contain_text(
        f"Re-planned the rest of route {route.id}."
    )
    expect(done.filter(has_text=route.stops[1].id)).to_contain_text(
        "Van diverted to Reading; told the customers."
    )
    accessible(page)

    # Back in Camden, the courier delivers that stop: a photo at the door, a signature.
    day.clock.current += timedelta(minutes=90)
    door, signature = photo(), photo((300, 120))
    for data in (door, signature):
        put = phone.put(
            f"/v1/blobs/{sha256(data)}", content=data, headers={"Content-Type": "image/jpeg"}
        )
        _ok(put, 201)
    stop = route.stops[0]
    labels = day.barcodes(route)
    _act(day, phone, route, "arrive", stop.id, stop.point)
    _act(
        day, phone, route, "complete", stop.id, stop.point,
        method="recipient", recipient_name="Ada", photos=[sha256(door)],
        signature=sha256(signature), scanned_barcodes=[labels[p] for p in stop.parcel_ids],
    )  # fmt: skip

    # Orders: the dispatcher finds the order and sees the proof.
    reference = day.reference(order_id)
    page.click('nav a[href="/console/orders"]')
    page.fill("#q", reference)
    page.click("form[role=search] button[type=submit]")
    expect(page.locator("#order-results")).to_contain_text(reference)
    accessible(page)
    page.click(f"a[href='/console/orders/{order_id}']")
    expect(page.locator("h1")).to_contain_text(reference)
    expect(page.locator("#timeline")).to_contain_text("deliver")
    proof = page.locator("#proof")
    expect(proof).to_contain_text("Ada")
    shown = proof.locator(".photos img").first
    expect(shown).to_be_visible()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", shown.element_handle())
    expect(proof.locator("img.signature")).to_be_visible()
    page.wait_for_selector("#proof-map[data-drawn=true]", timeout=WAIT_MS)
    accessible(page)
    shot(page, "day-order", tmp_path)
    assert errors == [], errors  # no script error, no CSP refusal
