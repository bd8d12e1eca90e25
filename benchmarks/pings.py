"""Courier position ingest: ``python -m benchmarks.pings --json OUT``.

    python -m benchmarks.pings                            # SQLite: use case, then HTTP
    python -m benchmarks.pings --positions 2000 --no-http
    python -m benchmarks.pings --postgres-url postgresql+psycopg://postgres@127.0.0.1/test

Positions per second stored in batches of ``--batch`` (20, as the courier app sends them)
from ``--couriers`` couriers taking turns, on a fresh database at the newest schema:

- ``use case``: :func:`doorstep.services.pings.record_pings` on the SQL unit of work, one
  call (one transaction) per batch, one after the other: the cost of the write path.
- ``http``: ``POST /v1/courier/pings`` against ``doorstep serve`` in its own process on a
  loopback port, from ``--http-clients`` clients at once (each its own keep-alive
  connection and courier token): what a real server takes, parsing and auth included.

PostgreSQL runs too when ``--postgres-url`` is given (default: the
``DOORSTEP_TEST_POSTGRES_URL`` the tests use), each run in a schema of its own that is
dropped afterwards. The issue's floor: 2,000 positions/s on SQLite on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from tests.courier_day import put_on_duty

from benchmarks._serve import SECRET, served
from doorstep.bootstrap import SystemClock
from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.domain.model import Courier, Role
from doorstep.domain.pings import Ping
from doorstep.security import Argon2PasswordHasher
from doorstep.services import accounts
from doorstep.services.pings import record_pings
from doorstep.store.crypto import FernetCipher
from doorstep.store.database import create_engine_for
from doorstep.store.migrate import upgrade
from doorstep.store.pings import PINGS
from doorstep.store.uow import make_uow_factory

PASSWORD = "benchmark password"
SYSTEM = Principal.system("benchmark")
POSTGRES_ENV = "DOORSTEP_TEST_POSTGRES_URL"


@dataclass(frozen=True, slots=True)
class Row:
    database: str
    path: str
    clients: int
    batch: int
    positions: int
    seconds: float
    positions_per_s: float
    stored: int
    date: str
    machine: str


def _readings(count: int, end: datetime) -> list[Ping]:
    """``count`` positions two seconds apart up to ``end``, walking north from Kentish Town."""
    return [
        Ping(at=end - timedelta(seconds=2 * (count - i)), lat=51.55 + i * 1e-5, lon=-0.14,
             accuracy_m=8.0 + i % 7, speed_mps=4.0, heading_deg=5.0)
        for i in range(count)
    ]  # fmt: skip


def _batches(positions: int, size: int) -> list[list[Ping]]:
    # Taken up to now: the server checks times against its own clock and the retention.
    readings = _readings(positions, datetime.now(UTC))
    return [readings[i : i + size] for i in range(0, positions, size)]


def _add_couriers(url: str, count: int) -> list[Courier]:
    couriers = [Courier(id=ids.new_id("cou"), name=f"Courier {i}") for i in range(count)]
    engine = create_engine_for(url)
    try:
        factory = make_uow_factory(engine)
        with factory(SYSTEM) as uow:
            for courier in couriers:
                uow.couriers.add(courier)
            uow.commit()
        for courier in couriers:  # positions are taken only from a courier on a started route
            put_on_duty(factory, courier.id)
    finally:
        engine.dispose()
    return couriers


def _count(url: str) -> int:
    engine = create_engine_for(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(PINGS)) or 0)
    finally:
        engine.dispose()


def _row(
    kind: str, path: str, clients: int, args: argparse.Namespace, wall: float, url: str
) -> Row:
    return Row(
        kind, path, clients, args.batch, args.positions, round(wall, 3),
        round(args.positions / wall, 1), _count(url),
        datetime.now(UTC).isoformat(timespec="seconds"),
        f"{platform.machine()}, {os.cpu_count()} cpus",
    )  # fmt: skip


def run_use_case(kind: str, url: str, args: argparse.Namespace) -> Row:
    """Every batch through ``record_pings`` on the SQL unit of work, one after the other."""
    couriers = _add_couriers(url, args.couriers)
    principals = [Principal.user(f"usr_{i}", Role.COURIER, c.id) for i, c in enumerate(couriers)]
    batches = _batches(args.positions, args.batch)
    engine = create_engine_for(url)
    factory = make_uow_factory(engine, FernetCipher(SECRET))
    clock = SystemClock()
    try:
        started = time.perf_counter()
        for i, batch in enumerate(batches):
            record_pings(factory(principals[i % len(principals)]), batch, clock)
        wall = time.perf_counter() - started
    finally:
        engine.dispose()
    return _row(kind, "use case", 1, args, wall, url)


def _tokens(url: str, base_url: str, couriers: list[Courier]) -> list[str]:
    """A courier user per courier, logged in over HTTP like the app."""
    engine = create_engine_for(url)
    hasher = Argon2PasswordHasher(time_cost=1, memory_cost=1024)
    tokens = []
    try:
        factory = make_uow_factory(engine, FernetCipher(SECRET))
        for courier in couriers:
            email = f"{courier.id}@example.com"
            accounts.create_user(factory(SYSTEM), email=email, name=courier.name,
                                 role=Role.COURIER, password=PASSWORD, hasher=hasher,
                                 courier_id=courier.id)  # fmt: skip
            login = {"email": email, "password": PASSWORD}
            answer = httpx.post(f"{base_url}/v1/auth/token", json=login, timeout=30)
            answer.raise_for_status()
            tokens.append(answer.json()["access_token"])
    finally:
        engine.dispose()
    return tokens


def _body(batch: list[Ping]) -> bytes:
    pings = [
        {"lat": p.lat, "lon": p.lon, "accuracy_m": p.accuracy_m, "at": p.at.isoformat(),
         "speed_mps": p.speed_mps, "heading_deg": p.heading_deg}
        for p in batch
    ]  # fmt: skip
    return json.dumps({"pings": pings}).encode()


def run_http(kind: str, url: str, args: argparse.Namespace, data_dir: Path) -> Row:
    """Every batch as ``POST /v1/courier/pings`` from ``--http-clients`` clients at once."""
    couriers = _add_couriers(url, max(args.couriers, args.http_clients))
    bodies = [_body(batch) for batch in _batches(args.positions, args.batch)]
    with served(url, data_dir) as base_url:
        tokens = _tokens(url, base_url, couriers)
        clients = args.http_clients
        failures: list[str] = []
        start = threading.Barrier(clients + 1)

        def send(me: int) -> None:
            headers = {"Authorization": f"Bearer {tokens[me]}", "Content-Type": "application/json"}
            with httpx.Client(base_url=base_url, headers=headers, timeout=60) as http:
                start.wait()
                for body in bodies[me::clients]:
                    answer = http.post("/v1/courier/pings", content=body)
                    if answer.status_code != 202:
                        failures.append(f"{answer.status_code} {answer.text[:200]}")

        threads = [threading.Thread(target=send, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        start.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} batches refused, first: {failures[0]}")
    return _row(kind, "http", clients, args, wall, url)


@contextmanager
def _sqlite(scratch: Path, name: str) -> Iterator[str]:
    url = f"sqlite:///{scratch / f'{name}.sqlite3'}"
    upgrade(url)
    yield url


@contextmanager
def _postgres(server_url: str) -> Iterator[str]:
    """A fresh schema on the server, migrated, dropped at the end."""
    schema = f"doorstep_bench_pings_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
        rendered = url.render_as_string(hide_password=False)
        upgrade(rendered)
        yield rendered
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def run(args: argparse.Namespace) -> list[Row]:
    """Each database, each path, each on a fresh database of its own."""
    rows: list[Row] = []
    kinds = ["sqlite", "postgresql"] if args.postgres_url else ["sqlite"]
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)

        def fresh(kind: str, name: str) -> AbstractContextManager[str]:
            return _postgres(args.postgres_url) if kind == "postgresql" else _sqlite(scratch, name)

        for kind in kinds:
            with fresh(kind, "use-case") as url:
                rows.append(run_use_case(kind, url, args))
            if args.http:
                with fresh(kind, "http") as url:
                    rows.append(run_http(kind, url, args, scratch))
    return rows


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--positions", type=int, default=20_000, help="positions in all")
    parser.add_argument("--batch", type=int, default=20, help="positions per request (1-100)")
    parser.add_argument("--couriers", type=int, default=10, help="couriers taking turns")
    parser.add_argument("--http-clients", type=int, default=4, help="HTTP clients at once")
    parser.add_argument("--no-http", dest="http", action="store_false", help="skip HTTP")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(POSTGRES_ENV),
        help=f"also run on this PostgreSQL server (default ${POSTGRES_ENV})",
    )
    parser.add_argument("--json", type=Path, default=None, help="write the rows as JSON here")
    args = parser.parse_args(argv)
    rows = run(args)
    print(f"{'database':<11} {'path':<9} {'clients':>7} {'batch':>5} {'positions':>9} "
          f"{'seconds':>8} {'positions/s':>11}")  # fmt: skip
    for row in rows:
        print(f"{row.database:<11} {row.path:<9} {row.clients:>7} {row.batch:>5} "
              f"{row.positions:>9} {row.seconds:>8.2f} {row.positions_per_s:>11,.0f}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps([asdict(row) for row in rows], indent=1))
    return rows


if __name__ == "__main__":
    main()
