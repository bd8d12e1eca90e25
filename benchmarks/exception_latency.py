"""How soon an exception reaches the dispatcher: from a courier's failed attempt to the
queue (API) and to the open Exceptions page (Chromium).

``python -m benchmarks.exception_latency --json OUT`` seeds a SQLite database with one
started route of ``--events`` + 1 stops and a dispatcher, serves it with ``doorstep
serve`` in a process of its own *with its in-process job queue* (the relay runs as on a
one-machine install: ``benchmarks/_serve.py`` with ``jobs=True``), opens
``/console/exceptions?kind=attempt_failed`` in Chromium (1366x900) and waits for its live
stream. Then, one stop after another (the first a warm-up, not counted), the courier's
phone sends an arrival and a failed attempt in one ``POST /v1/courier/actions``, and the
run measures, from just before that request was sent:

- api: until ``GET /v1/exceptions?state=open`` lists the ``attempt_failed`` exception
  of that stop (polled every ``--poll-ms``, 50 by default, so up to that much late);
- page: until the page's queue shows one more open row (``static/console/exceptions.js``
  refetches the rows when ``/console/events`` says an exception was raised, and stamps
  ``data-queue-updated`` on ``body`` with the time it drew them, which is what is read).

Writes the row as JSON and prints a table. The issue's bar: visible within 5 s; a
benchmark, never a test's bound.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright
from tests.courier_day import SYSTEM, CourierDay, dispatched_day
from tests.tracking_day import TrackingDay
from tests.unit.fakes import FakeClock

from benchmarks._serve import SECRET, served
from benchmarks.console import CHROMIUM, DISPATCHER, PASSWORD, _doors, _log_in, _quantile
from doorstep.domain.model import GeoPoint, Role
from doorstep.security import Argon2PasswordHasher
from doorstep.services import accounts
from doorstep.store.crypto import FernetCipher
from doorstep.store.database import create_engine_for
from doorstep.store.migrate import upgrade
from doorstep.store.uow import make_uow_factory

BAR_S = 5.0
GUARD_S = 60.0  # an exception not shown by then is lost, not slow
ROWS = "#exception-queue tr.exception--open"


@dataclass
class Row:
    events: int
    poll_ms: int
    post_p50_ms: float  # the courier's request alone, answered
    api_p50_ms: float
    api_p95_ms: float
    api_max_ms: float
    page_p50_ms: float | None
    page_p95_ms: float | None
    page_max_ms: float | None
    bar_ms: float
    within_bar: bool
    load_average: float
    machine: str


@dataclass
class Seeded:
    day: CourierDay
    doors: list[GeoPoint]


def _seed(url: str, stops: int, seed: int) -> Seeded:
    """One started route of ``stops`` stops, its courier and a dispatcher."""
    engine = create_engine_for(url)
    factory = make_uow_factory(engine, FernetCipher(SECRET))
    hasher = Argon2PasswordHasher()
    now = datetime.now(UTC).replace(microsecond=0)
    doors = _doors(0, stops, seed)
    try:
        day = dispatched_day(
            factory,
            stops=stops,
            start=now - timedelta(minutes=30),
            password_hash=hasher.hash(PASSWORD),
            doors=doors,
        )
        TrackingDay(day, [], factory, FakeClock(now - timedelta(minutes=5))).start()
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
    return Seeded(day, doors)


def _token(client: httpx.Client, email: str) -> str:
    answer = client.post("/v1/auth/token", json={"email": email, "password": PASSWORD})
    answer.raise_for_status()
    token: str = answer.json()["access_token"]
    return token


def _fail(client: httpx.Client, seeded: Seeded, stop: int) -> None:
    """The courier arrives at ``stop`` and the attempt fails, in one batch."""
    door = seeded.doors[stop]
    position = {"lat": door.lat, "lon": door.lon, "accuracy_m": 8}
    common = {"route_id": seeded.day.route_id, "stop_id": seeded.day.stop_ids[stop]}
    at = datetime.now(UTC).isoformat()
    batch = [
        {"client_event_id": f"arrive-{stop}", "type": "arrive", "device_time": at,
         "position": position, **common},
        {"client_event_id": f"fail-{stop}", "type": "fail", "device_time": at,
         "position": position, "data": {"reason": "recipient_not_home"}, **common},
    ]  # fmt: skip
    answer = client.post("/v1/courier/actions", json={"actions": batch})
    answer.raise_for_status()
    statuses = {r["status"] for r in answer.json()["results"]}
    if statuses != {"applied"}:
        raise RuntimeError(f"the courier's actions were not applied: {answer.json()}")


def _listed(client: httpx.Client, route_id: str, stop_id: str) -> bool:
    answer = client.get(
        "/v1/exceptions",
        params={"state": "open", "kind": "attempt_failed", "route_id": route_id},
    )
    answer.raise_for_status()
    return any(item["stop_id"] == stop_id for item in answer.json()["items"])


def _page_rows(page: Page) -> tuple[int, float | None]:
    """Open rows on the page, and when (epoch ms) it last drew the queue."""
    count, stamp = page.evaluate(
        f"[document.querySelectorAll('{ROWS}').length,"
        " document.body.getAttribute('data-queue-updated')]"
    )
    return int(count), None if stamp is None else float(stamp)


@dataclass
class Timing:
    post_ms: float
    api_ms: float
    page_ms: float | None


def _one(
    seeded: Seeded, stop: int, courier: httpx.Client, office: httpx.Client,
    page: Page | None, poll_s: float,
) -> Timing:  # fmt: skip
    rows_before = _page_rows(page)[0] if page is not None else 0
    sent_epoch_ms = time.time() * 1000
    sent = time.perf_counter()
    _fail(courier, seeded, stop)
    post_ms = (time.perf_counter() - sent) * 1000
    api_ms: float | None = None
    page_ms: float | None = None
    deadline = sent + GUARD_S
    while api_ms is None or (page is not None and page_ms is None):
        if time.perf_counter() > deadline:
            raise RuntimeError(f"the exception of stop {stop} never showed")
        if api_ms is None and _listed(office, seeded.day.route_id, seeded.day.stop_ids[stop]):
            api_ms = (time.perf_counter() - sent) * 1000
        if page is not None and page_ms is None:
            count, stamp = _page_rows(page)
            if count > rows_before and stamp is not None:
                page_ms = max(0.0, stamp - sent_epoch_ms)
        time.sleep(poll_s)
    return Timing(post_ms, api_ms, page_ms)


def run(args: argparse.Namespace) -> Row:
    load = os.getloadavg()[0]
    timings: list[Timing] = []
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        url = f"sqlite:///{scratch / 'latency.sqlite3'}"
        upgrade(url)
        seeded = _seed(url, args.events + 1, args.seed)
        with (
            served(url, scratch, jobs=True) as base_url,
            httpx.Client(base_url=base_url, timeout=GUARD_S) as courier,
            httpx.Client(base_url=base_url, timeout=GUARD_S) as office,
            sync_playwright() as playwright,
        ):
            courier.headers["Authorization"] = f"Bearer {_token(courier, seeded.day.email)}"
            office.headers["Authorization"] = f"Bearer {_token(office, DISPATCHER)}"
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            try:
                page = None
                if args.browser:
                    page = browser.new_page(viewport={"width": 1366, "height": 900})
                    _log_in(page, base_url)
                    page.goto(f"{base_url}/console/exceptions?kind=attempt_failed")
                    page.wait_for_selector("body[data-live=ready]", timeout=GUARD_S * 1000)
                poll_s = args.poll_ms / 1000
                for stop in range(args.events + 1):  # stop 0 warms up
                    timing = _one(seeded, stop, courier, office, page, poll_s)
                    if stop:
                        timings.append(timing)
            finally:
                browser.close()
    return _row(args, timings, load)


def _row(args: argparse.Namespace, timings: Sequence[Timing], load: float) -> Row:
    api = [t.api_ms for t in timings]
    page = [t.page_ms for t in timings if t.page_ms is not None]
    worst = max(page) if page else max(api)
    return Row(
        events=len(timings),
        poll_ms=args.poll_ms,
        post_p50_ms=round(statistics.median(t.post_ms for t in timings), 1),
        api_p50_ms=round(statistics.median(api), 1),
        api_p95_ms=round(_quantile(api, 0.95), 1),
        api_max_ms=round(max(api), 1),
        page_p50_ms=round(statistics.median(page), 1) if page else None,
        page_p95_ms=round(_quantile(page, 0.95), 1) if page else None,
        page_max_ms=round(max(page), 1) if page else None,
        bar_ms=BAR_S * 1000,
        within_bar=max(worst, max(api)) <= BAR_S * 1000,
        load_average=round(load, 2),
        machine=f"{platform.machine()} {platform.python_version()}, {os.cpu_count()} cpus",
    )


def table(row: Row) -> str:
    def cell(value: float | None) -> str:
        return "-" if value is None else f"{value:.0f}"

    return "\n".join(
        [
            "| seen by | events | p50 ms | p95 ms | max ms | bar |",
            "|---|---|---|---|---|---|",
            f"| API (poll {row.poll_ms} ms) | {row.events} | {cell(row.api_p50_ms)} "
            f"| {cell(row.api_p95_ms)} | {cell(row.api_max_ms)} | {row.bar_ms:.0f} ms |",
            f"| console page | {row.events if row.page_p50_ms is not None else 0} "
            f"| {cell(row.page_p50_ms)} | {cell(row.page_p95_ms)} | {cell(row.page_max_ms)} "
            f"| {'ok' if row.within_bar else 'OVER'} |",
        ]
    )


def main(argv: list[str] | None = None) -> Row:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=20, help="failed attempts measured")
    parser.add_argument("--poll-ms", type=int, default=50, help="how often the API is asked")
    parser.add_argument(
        "--browser", action=argparse.BooleanOptionalAction, default=True,
        help="also watch the Exceptions page in Chromium",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=1, help="where the doors fall")
    parser.add_argument("--json", type=Path, default=None, help="write the row as JSON here")
    args = parser.parse_args(argv)
    row = run(args)
    print(table(row))
    if args.json:
        args.json.write_text(json.dumps(asdict(row), indent=1) + "\n")
    return row


if __name__ == "__main__":
    main()
