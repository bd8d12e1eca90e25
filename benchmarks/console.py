"""The dispatcher's Today page with a full London day: render time and live updates.

``python -m benchmarks.console --json OUT`` seeds a SQLite database with ``--routes``
started routes and ``--stops`` stops in all (60 and 2,000 by default, spread over inner
London, each courier with a position), serves it with ``doorstep serve`` in a process of
its own (``benchmarks/_serve.py``), logs a dispatcher in from Chromium (1366x900) and:

- render: opens ``/console/today`` ``--loads`` times; each time, the page's own
  performance mark ``today:drawn`` (set by ``static/console/today.js`` once every route,
  stop and the offline base map are drawn), in ms since navigation began;
- live updates: sends ``--updates`` positions through the ping API (one courier after
  another: the console gets at most one position per 5 s per courier) and reads, in the
  page, the ms from each notice's receipt to the marker moved and painted.

Writes the rows as JSON and prints a table. The issue's bars: render at most 1 s, an
update under 100 ms; a benchmark, never a test's bound.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright
from tests.courier_day import SYSTEM, dispatched_day
from tests.tracking_day import TrackingDay
from tests.unit.fakes import FakeClock

from benchmarks._serve import SECRET, served
from doorstep.domain.model import GeoPoint, Role
from doorstep.security import Argon2PasswordHasher
from doorstep.services import accounts
from doorstep.store.crypto import FernetCipher
from doorstep.store.database import create_engine_for
from doorstep.store.migrate import upgrade
from doorstep.store.uow import make_uow_factory

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "benchmark password, not for production"
DISPATCHER = "dispatcher@benchmark.example"
CENTRE = GeoPoint(51.5300, -0.1250)  # inside the packaged (Camden) road network
GUARD_MS = 60_000.0  # a page that has not drawn by then is broken, not slow


@dataclass
class Row:
    routes: int
    stops: int
    loads: int
    render_p50_ms: float
    render_max_ms: float
    updates: int
    update_p50_ms: float
    update_p95_ms: float
    update_max_ms: float
    machine: str


def _doors(route: int, stops: int, seed: int) -> list[GeoPoint]:
    """A route's doors: a cluster of its own in a ring around the centre (4 km across)."""
    rng = random.Random(seed * 1000 + route)
    angle = 2 * math.pi * route / 60
    lat0 = CENTRE.lat + 0.015 * math.sin(angle)
    lon0 = CENTRE.lon + 0.025 * math.cos(angle)
    return [
        GeoPoint(lat0 + rng.uniform(-0.004, 0.004), lon0 + rng.uniform(-0.006, 0.006))
        for _ in range(stops)
    ]


def _seed(url: str, routes: int, stops: int, seed: int) -> list[tuple[str, str]]:
    """Started routes with a position each and a dispatcher; (courier e-mail, route id)."""
    engine = create_engine_for(url)
    factory = make_uow_factory(engine, FernetCipher(SECRET))
    hasher = Argon2PasswordHasher()
    password_hash = hasher.hash(PASSWORD)
    now = datetime.now(UTC).replace(microsecond=0)
    couriers: list[tuple[str, str]] = []
    try:
        per_route = [stops // routes + (1 if i < stops % routes else 0) for i in range(routes)]
        for i, count in enumerate(per_route):
            doors = _doors(i, count, seed)
            day = dispatched_day(
                factory,
                stops=count,
                start=now - timedelta(minutes=30),
                password_hash=password_hash,
                vehicle_name=f"LK{i:02d} VAN",
                doors=doors,
            )
            moves = TrackingDay(day, [], factory, FakeClock(now - timedelta(minutes=5)))
            moves.start()
            moves.ping(point=doors[0], at=now - timedelta(minutes=4))
            couriers.append((day.email, day.route_id))
        accounts.create_user(
            factory(SYSTEM),
            email=DISPATCHER,
            name="Dispatcher",
            role=Role.DISPATCHER,
            password=PASSWORD,
            hasher=hasher,
        )
    finally:
        engine.dispose()
    return couriers


def _log_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/console/login?next=/console/orders")
    page.fill("#email", DISPATCHER)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/orders*")


def _render_ms(page: Page, base_url: str) -> float:
    page.goto(f"{base_url}/console/today")
    page.wait_for_selector("#today-map[data-drawn=true]", timeout=GUARD_MS)
    drawn: float = page.evaluate("performance.getEntriesByName('today:drawn')[0].startTime")
    return drawn


def _updates(
    page: Page, base_url: str, couriers: Sequence[tuple[str, str]], count: int
) -> list[float]:
    page.wait_for_selector("#today-map[data-live=true]", timeout=GUARD_MS)
    tokens: dict[str, str] = {}
    with httpx.Client(base_url=base_url, timeout=GUARD_MS / 1000) as client:
        for n in range(count):
            email, _ = couriers[n % len(couriers)]
            if email not in tokens:
                answer = client.post("/v1/auth/token", json={"email": email, "password": PASSWORD})
                answer.raise_for_status()
                tokens[email] = answer.json()["access_token"]
            if n and n % len(couriers) == 0:
                time.sleep(5.1)  # the console takes one position per 5 s per courier
            at = datetime.now(UTC).isoformat()
            lat, lon = CENTRE.lat + 0.0001 * n, CENTRE.lon - 0.0001 * n
            sent = client.post(
                "/v1/courier/pings",
                json={"pings": [{"at": at, "lat": lat, "lon": lon, "accuracy_m": 5}]},
                headers={"Authorization": f"Bearer {tokens[email]}"},
            )
            sent.raise_for_status()
            _wait_for_updates(page, n + 1)
    measured: list[float] = page.evaluate("window.doorstepToday.updates")
    return measured


def _wait_for_updates(page: Page, count: int) -> None:
    """Until the page has measured ``count`` updates. Polled from here: Playwright's
    ``wait_for_function`` evaluates strings in the page, which its CSP refuses."""
    deadline = time.monotonic() + GUARD_MS / 1000
    while page.evaluate("window.doorstepToday.updates.length") < count:
        if time.monotonic() > deadline:
            raise RuntimeError("the position never reached the page")
        time.sleep(0.01)


def _quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)] if ordered else 0.0


def run(args: argparse.Namespace) -> Row:
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        url = f"sqlite:///{scratch / 'console.sqlite3'}"
        upgrade(url)
        couriers = _seed(url, args.routes, args.stops, args.seed)
        with served(url, scratch) as base_url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            try:
                page = browser.new_page(viewport={"width": 1366, "height": 900})
                _log_in(page, base_url)
                _render_ms(page, base_url)  # warm: imports, templates, the base map's file
                renders = [_render_ms(page, base_url) for _ in range(args.loads)]
                updates = _updates(page, base_url, couriers, args.updates)
            finally:
                browser.close()
    return Row(
        routes=args.routes,
        stops=args.stops,
        loads=len(renders),
        render_p50_ms=round(statistics.median(renders), 1),
        render_max_ms=round(max(renders), 1),
        updates=len(updates),
        update_p50_ms=round(statistics.median(updates), 2) if updates else 0.0,
        update_p95_ms=round(_quantile(updates, 0.95), 2),
        update_max_ms=round(max(updates, default=0.0), 2),
        machine=f"{platform.machine()} {platform.python_version()}",
    )


def main(argv: list[str] | None = None) -> Row:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--routes", type=int, default=60, help="started routes")
    parser.add_argument("--stops", type=int, default=2000, help="stops over all routes")
    parser.add_argument("--loads", type=int, default=5, help="page loads measured")
    parser.add_argument("--updates", type=int, default=60, help="positions sent live")
    parser.add_argument("--seed", type=int, default=1, help="where the doors fall")
    parser.add_argument("--json", type=Path, default=None, help="write the row as JSON here")
    args = parser.parse_args(argv)
    row = run(args)
    print(f"{'routes':>6} {'stops':>6} {'render p50':>10} {'max':>7} {'updates':>7} "
          f"{'upd p50':>8} {'p95':>7} {'max':>7}  (ms)")  # fmt: skip
    print(f"{row.routes:>6} {row.stops:>6} {row.render_p50_ms:>10.1f} {row.render_max_ms:>7.1f} "
          f"{row.updates:>7} {row.update_p50_ms:>8.2f} {row.update_p95_ms:>7.2f} "
          f"{row.update_max_ms:>7.2f}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(asdict(row), indent=1))
    return row


if __name__ == "__main__":
    main()
