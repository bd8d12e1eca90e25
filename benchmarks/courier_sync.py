"""courier_sync: how long a courier's day queued offline takes to reach the server.

    python -m benchmarks.courier_sync --json OUT
    python -m benchmarks.courier_sync --postgres-url postgresql+psycopg://postgres@127.0.0.1/db

A courier worked a dispatched route of 99 stops with no signal and queued 200 actions:
start, then at every stop an arrival and a delivery, a failed attempt or a skip, then
finish (``tests.courier_day.offline_queue``). Each delivery names a file taken at the
door: the recipient's signature (PNG), or a photo (JPEG, 800 x 600) of the parcel in a
safe place or through the letterbox (``door_files``). The phone syncs as the app does
(``tests.courier_phone``): it uploads each file with ``PUT /v1/blobs/{sha256}`` before the
batch that names it, and sends the queue in order, up to 50 actions per request, each
request after the previous answer, to a real uvicorn server on loopback over SQLite (and
PostgreSQL when ``--postgres-url`` is given: a schema of its own, dropped afterwards),
its blobs in a temporary folder. Each run is a fresh route with fresh files; the median
and slowest of ``--repeat`` runs are reported (uploads included, and their share apart),
and the time to send the whole queue again (every action answered ``duplicate``, as
after a lost answer). The floor (issue 9): 200 actions in 5 s.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from tests.courier_day import dispatched_day, door_files, offline_queue
from tests.courier_phone import Phone
from tests.integration.live_server import PASSWORD, LiveApi, serve

from doorstep.store.migrate import upgrade

FLOOR_S = 5.0
_days = itertools.count(secrets.randbelow(10**9))  # fresh files for every day, every run


@dataclass(frozen=True, slots=True)
class Row:
    database: str
    stops: int
    actions: int
    files: int  # signatures and photos uploaded before the actions naming them
    batch: int
    requests: int
    repeat: int
    median_s: float  # uploads and actions, the median run
    upload_s: float  # of which uploading
    max_s: float
    per_action_ms: float
    cpu_s: float  # this process's CPU time (server and client) in the median run
    resend_s: float
    load_average: float  # the machine's 1-minute load at the start: other work slows runs
    floor_s: float
    within_floor: bool
    date: str
    machine: str


@contextmanager
def sqlite_database() -> Iterator[str]:
    """A migrated SQLite file in a temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'doorstep.sqlite3'}"
        upgrade(url)
        yield url


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A migrated schema of its own on ``server_url``, dropped at the end."""
    name = f"doorstep_bench_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as db:
            db.execute(text(f'CREATE SCHEMA "{name}"'))
        url = make_url(server_url).update_query_dict({"options": f"-csearch_path={name}"})
        rendered = url.render_as_string(hide_password=False)
        upgrade(rendered)
        yield rendered
    finally:
        with admin.connect() as db:
            db.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


@dataclass(frozen=True, slots=True)
class Day:
    """One fresh route synced: seconds (and CPU seconds) to sync it, of them seconds spent
    uploading, seconds to send the queue again, and how many actions and files."""

    synced_s: float
    cpu_s: float
    upload_s: float
    resend_s: float
    actions: int
    files: int


def _one_day(live: LiveApi, stops: int, batch: int) -> Day:
    container = live.container
    day = dispatched_day(
        container.uow_factory, stops=stops, password_hash=container.passwords.hash(PASSWORD)
    )
    # Worked yesterday morning: device times are in the past on any date the bench runs.
    yesterday = datetime.now(UTC).replace(hour=7, minute=0, second=0, microsecond=0)
    taken = door_files(stops, seed=next(_days))
    queue = offline_queue(day, files=taken, first=yesterday - timedelta(days=1))
    files = {f.sha256: f for f in taken.values()}
    login = live.client().post("/v1/auth/token", json={"email": day.email, "password": PASSWORD})
    login.raise_for_status()
    http = live.client(login.json()["access_token"])
    phone = Phone(http, queue, files, batch=batch)
    began, cpu = time.perf_counter(), time.process_time()
    phone.sync()
    synced, cpu = time.perf_counter() - began, time.process_time() - cpu
    statuses = {answer["status"] for answer in phone.answers.values()}
    if phone.pending or statuses != {"applied"}:
        raise RuntimeError(f"not every action was applied: {sorted(statuses)}")
    # The same queue again, its files already uploaded: as after an answer lost.
    again = Phone(http, queue, files, batch=batch, uploaded=set(files))
    began = time.perf_counter()
    again.sync()
    resent = time.perf_counter() - began
    if {answer["status"] for answer in again.answers.values()} != {"duplicate"}:
        raise RuntimeError("a resent action was not a duplicate")
    return Day(synced, cpu, phone.upload_s, resent, len(queue), phone.uploads)


def run(database: str, url: str, args: argparse.Namespace) -> Row:
    load = os.getloadavg()[0]
    with serve(url) as live:
        _one_day(live, 2, args.batch)  # warm up: imports, first connections, first login
        days = sorted(
            (_one_day(live, args.stops, args.batch) for _ in range(args.repeat)),
            key=lambda d: d.synced_s,
        )
    middle = days[(len(days) - 1) // 2]  # the lower median: a run that happened
    median, slowest, actions = middle.synced_s, days[-1].synced_s, middle.actions
    return Row(
        database, args.stops, actions, middle.files, args.batch, -(-actions // args.batch),
        args.repeat, round(median, 3), round(middle.upload_s, 3), round(slowest, 3),
        round(1000 * median / actions, 2), round(middle.cpu_s, 3),
        round(statistics.median(d.resend_s for d in days), 3),
        round(load, 2), FLOOR_S, slowest <= FLOOR_S,
        datetime.now(UTC).isoformat(timespec="seconds"),
        f"{platform.machine()}, {os.cpu_count()} cpus",
    )  # fmt: skip


def table(rows: Sequence[Row]) -> str:
    lines = [
        "| database | actions | files | requests | median s | upload s | max s | ms/action "
        "| CPU s | resend s | load | floor |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.database} | {r.actions} | {r.files} | {r.requests} | {r.median_s:.2f} "
            f"| {r.upload_s:.2f} | {r.max_s:.2f} | {r.per_action_ms:.1f} | {r.cpu_s:.2f} "
            f"| {r.resend_s:.2f} | {r.load_average:.1f} "
            f"| {'ok' if r.within_floor else 'OVER'} {r.floor_s:g} s |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--stops", type=int, default=99, help="2 actions each, plus 2")
    parser.add_argument("--batch", type=int, default=50, help="actions per request")
    parser.add_argument("--repeat", type=int, default=3, help="runs; median and max reported")
    parser.add_argument("--postgres-url", default=None, help="also run on this server")
    parser.add_argument("--json", type=Path, default=None, help="write the rows as JSON here")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    with sqlite_database() as url:
        rows.append(run("sqlite", url, args))
    if args.postgres_url:
        with postgres_database(args.postgres_url) as url:
            rows.append(run("postgresql", url, args))
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1) + "\n")
    return rows


if __name__ == "__main__":
    main()
