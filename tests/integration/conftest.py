"""Databases for integration tests: every test runs on SQLite and on PostgreSQL.

Each test gets a clean database at the newest schema, cheaply:
- SQLite: one migrated template file per worker, copied to a fresh file per test;
- PostgreSQL: one schema per xdist worker (two workers, or two people's test runs, never
  share one), migrated once, with every table emptied before each test.
The URL carries the schema (``options=-csearch_path=...``), so a server started in a
subprocess from ``database_url`` sees the same data as the test.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from doorstep.domain.access import Principal
from doorstep.store.crypto import FernetCipher
from doorstep.store.database import create_engine_for
from doorstep.store.migrate import upgrade
from doorstep.store.tables import Base
from doorstep.store.uow import SqlUnitOfWork, make_uow_factory
from tests.integration.live_server import LiveApi, serve

TEST_SECRET = "integration-test-secret"

POSTGRES_URL_ENV = "DOORSTEP_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_ENV = "DOORSTEP_REQUIRE_POSTGRES"

DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _postgres_unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_POSTGRES_ENV) == "1":
        pytest.fail(f"PostgreSQL required ({REQUIRE_POSTGRES_ENV}=1) but {reason}")
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


def _postgres_server() -> str:
    """The server URL from the environment, checked to answer."""
    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        _postgres_unavailable(f"{POSTGRES_URL_ENV} is not set")
        raise AssertionError("unreachable")
    probe = create_engine_for(url)
    try:
        with probe.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        _postgres_unavailable(f"cannot connect to {make_url(url).host}: {error.orig}")
    finally:
        probe.dispose()
    return url


def _with_schema(url: str, schema: str) -> str:
    with_path = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return with_path.render_as_string(hide_password=False)


def _admin(url: str) -> Engine:
    return create_engine(url, isolation_level="AUTOCOMMIT")


class _Schemas:
    """Creates uniquely named schemas on the server and drops them at the end."""

    def __init__(self, server_url: str, tag: str) -> None:
        self.server_url = server_url
        self.tag = tag
        self.names: list[str] = []

    def create(self) -> str:
        name = f"doorstep_test_{self.tag}_{secrets.token_hex(4)}"
        engine = _admin(self.server_url)
        try:
            with engine.connect() as connection:
                connection.execute(text(f'CREATE SCHEMA "{name}"'))
        finally:
            engine.dispose()  # else its pooled connection is left open until GC
        self.names.append(name)
        return _with_schema(self.server_url, name)

    def drop_all(self) -> None:
        engine = _admin(self.server_url)
        with engine.connect() as connection:
            for name in self.names:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        engine.dispose()


@pytest.fixture(scope="session")
def _postgres_schemas(worker_id: str) -> Iterator[_Schemas]:
    schemas = _Schemas(_postgres_server(), worker_id)
    yield schemas
    schemas.drop_all()


@pytest.fixture(scope="session")
def _postgres_migrated(_postgres_schemas: _Schemas) -> Iterator[tuple[str, Engine]]:
    """The worker's migrated schema, and an engine kept open to empty it between tests."""
    url = _postgres_schemas.create()
    upgrade(url)
    cleaner = create_engine_for(url)
    yield url, cleaner
    cleaner.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "doorstep.sqlite3"
    upgrade(f"sqlite:///{path}")  # the engine is disposed, so the WAL is checkpointed
    return path


def _empty_all_tables(engine: Engine) -> None:
    """DELETE, children first: on a few rows it takes ~2 ms where TRUNCATE takes ~300 ms.

    Identity sequences are not reset, so tests must not expect particular key values.
    """
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


def fresh_database(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A clean ``kind`` ("sqlite" or "postgresql") database at the newest schema, as a URL."""
    if kind == "sqlite":
        path = tmp_path / "doorstep.sqlite3"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        return f"sqlite:///{path}"
    url, cleaner = request.getfixturevalue("_postgres_migrated")
    _empty_all_tables(cleaner)
    return str(url)


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A clean database at the newest schema, as a SQLAlchemy URL."""
    return fresh_database(request.param, request, tmp_path)


@pytest.fixture(params=DATABASES)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no tables at all, for migration tests."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    schemas: _Schemas = request.getfixturevalue("_postgres_schemas")
    return schemas.create()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine_for(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def uow_factory(engine: Engine) -> Callable[[Principal], SqlUnitOfWork]:
    """``uow_factory(principal)``: a unit of work on the test database, encrypting as in prod."""
    return make_uow_factory(engine, FernetCipher(TEST_SECRET))


@pytest.fixture
def live_api(database_url: str) -> Iterator[LiveApi]:
    """The HTTP API on a free loopback port over ``database_url`` (SQLite and PostgreSQL).

    Yields a :class:`~tests.integration.live_server.LiveApi`: ``base_url``, ``client(token)``,
    ``create_brand()`` -> ``(brand_id, api_key)`` and ``create_operator(role)`` -> token.
    """
    with serve(database_url) as live:
        yield live
