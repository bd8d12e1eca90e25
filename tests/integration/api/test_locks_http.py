"""Locks over real HTTP: a reader never waits for a writer, and a writer that cannot get its
lock in time is told to come back (503 busy with Retry-After), never answered 500.

Another transaction holds the lock while the requests are made: on SQLite the one write
lock, on PostgreSQL an EXCLUSIVE lock on the orders table (reads still pass, writes wait).
The lock wait is shortened so that giving up takes a moment, not fifteen seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import Connection, text

from doorstep.store import database
from doorstep.store.database import create_engine_for
from tests import factories
from tests.integration.live_server import LiveApi


@pytest.fixture
def short_lock_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(database, "LOCK_TIMEOUT_MS", 300)


@pytest.fixture
def api(short_lock_wait: None, live_api: LiveApi) -> LiveApi:
    """The live API, started after the lock wait is shortened."""
    return live_api


@contextmanager
def write_lock_held(database_url: str) -> Iterator[Connection]:
    """Another writer in the middle of a long transaction."""
    engine = create_engine_for(database_url)
    try:
        with engine.connect() as connection, connection.begin():
            if engine.dialect.name == "sqlite":
                connection.execute(text("UPDATE brands SET name = name"))  # BEGIN IMMEDIATE
            else:
                connection.execute(text("LOCK TABLE orders IN EXCLUSIVE MODE"))
            yield connection
    finally:
        engine.dispose()


def assert_busy(answer: httpx.Response) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith("/busy")
    assert int(answer.headers["Retry-After"]) >= 1


def test_reads_answer_while_another_transaction_holds_the_write_lock(
    api: LiveApi, database_url: str
) -> None:
    _, key = api.create_brand()
    brand = api.client(key)
    created = brand.post("/v1/orders", json=factories.order_payload())
    assert created.status_code == 201, created.text
    order_id = created.json()["id"]

    with write_lock_held(database_url):
        listed = brand.get("/v1/orders")
        one = brand.get(f"/v1/orders/{order_id}")

    assert listed.status_code == 200, listed.text
    assert [o["id"] for o in listed.json()["items"]] == [order_id]
    assert one.status_code == 200, one.text


def test_a_write_that_cannot_get_the_lock_in_time_answers_503_with_retry_after(
    api: LiveApi, database_url: str
) -> None:
    _, key = api.create_brand()
    brand = api.client(key)

    with write_lock_held(database_url):
        refused = brand.post("/v1/orders", json=factories.order_payload(reference="LATE-1"))
    retried = brand.post("/v1/orders", json=factories.order_payload(reference="LATE-1"))

    assert_busy(refused)
    assert retried.status_code == 201, retried.text
