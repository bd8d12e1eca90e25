"""Relay and send throughput: ``python -m benchmarks.notifications --json OUT``.

    python -m benchmarks.notifications --orders 2000
    python -m benchmarks.notifications --postgres-url postgresql+psycopg://postgres@127.0.0.1/test

On a fresh database at the newest schema, ``--orders`` orders are stored at once (one
``order.created`` each, the recipient with an e-mail address), then timed:

- ``relay``: :func:`doorstep.services.relay.relay_pending` with the notification handler,
  which turns each event into its message (one transaction per batch of 200);
- ``empty relay``: the same call with nothing pending (what every minute's sweep costs);
- ``send``: :func:`doorstep.services.notifications.send.send_due` with the log senders,
  every message claimed, handed over and recorded sent in transactions of its own (the
  price of sending each once).

PostgreSQL runs too when ``--postgres-url`` is given (default: the
``DOORSTEP_TEST_POSTGRES_URL`` the tests use), in a schema of its own dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from tests import factories
from tests.unit.fakes import FakeClock

from doorstep.domain.access import Principal
from doorstep.domain.model import Recipient
from doorstep.notify.log_senders import LogEmailSender, LogSmsSender
from doorstep.services.notifications.intake import notification_handler
from doorstep.services.notifications.send import Senders, send_due
from doorstep.services.relay import relay_pending
from doorstep.store.database import create_engine_for
from doorstep.store.migrate import upgrade
from doorstep.store.uow import make_uow_factory

SYSTEM = Principal.system("benchmark")


@dataclass(frozen=True, slots=True)
class Row:
    database: str
    orders: int
    relay_s: float
    relay_per_s: float
    empty_relay_ms: float
    send_s: float
    sent_per_s: float


@contextmanager
def database(kind: str, postgres_url: str | None) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        return
    assert postgres_url is not None
    schema = f"bench_notify_{secrets.token_hex(4)}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run(kind: str, url: str, orders: int) -> Row:
    upgrade(url)
    engine = create_engine_for(url)
    try:
        factory = make_uow_factory(engine)
        brand = factories.brand()
        who = Recipient("Ada Lovelace", email="ada@example.com")
        with factory(SYSTEM) as uow:
            uow.brands.add(brand)
            uow.orders.add_all(
                [factories.order(brand_id=brand.id, recipient=who) for _ in range(orders)]
            )
            uow.commit()
        clock = FakeClock(datetime(2026, 12, 2, 14, 0, tzinfo=UTC))
        handlers = [notification_handler(clock)]
        started = time.perf_counter()
        relayed = relay_pending(factory, clock, handlers)
        relay_s = time.perf_counter() - started
        started = time.perf_counter()
        relay_pending(factory, clock, handlers)
        empty_s = time.perf_counter() - started
        senders = Senders(
            LogEmailSender(), LogSmsSender(), "no-reply@x.example", "https://x.example/t/", "s"
        )
        started = time.perf_counter()
        sent = send_due(factory, clock, senders, limit=orders).sent
        send_s = time.perf_counter() - started
    finally:
        engine.dispose()
    return Row(kind, orders, relay_s, relayed / relay_s, empty_s * 1000, send_s, sent / send_s)


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("DOORSTEP_TEST_POSTGRES_URL"),
        help="also run there",
    )
    args = parser.parse_args(argv)
    kinds = ["sqlite"] + (["postgresql"] if args.postgres_url else [])
    rows = []
    for kind in kinds:
        with database(kind, args.postgres_url) as url:
            rows.append(run(kind, url, args.orders))
    print(f"{'database':<11} {'orders':>6} {'relay/s':>8} {'empty relay ms':>15} {'sent/s':>7}")
    for row in rows:
        print(
            f"{row.database:<11} {row.orders:>6} {row.relay_per_s:>8.0f} "
            f"{row.empty_relay_ms:>15.1f} {row.sent_per_s:>7.0f}"
        )
    if args.json:
        machine = {"cpus": os.cpu_count(), "python": platform.python_version()}
        args.json.write_text(
            json.dumps({"machine": machine, "runs": [asdict(r) for r in rows]}, indent=2)
        )
    return rows


if __name__ == "__main__":
    main()
