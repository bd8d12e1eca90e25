"""Engine creation for SQLite (the default on one machine) and PostgreSQL.

SQLite is tuned for a web server with background jobs in the same file: WAL so that
readers never wait for the writer, ``synchronous=FULL`` so that a committed delivery
survives a power cut, and foreign keys on.

How a transaction begins on SQLite depends on what it is for (see :data:`READ_ONLY`):

- A **writing** transaction begins ``BEGIN IMMEDIATE``: it takes the one write lock at
  once, queueing behind another writer for up to :data:`LOCK_TIMEOUT_MS`.
- A **reading** transaction begins a plain (deferred) ``BEGIN`` with ``query_only`` on: it
  reads a WAL snapshot and never touches the write lock, so a long import cannot make
  a list of orders wait.

Why not begin every transaction deferred and let SQLite upgrade it on its first write?
Because in WAL mode that upgrade cannot wait: when another connection has committed since
our snapshot began, SQLite answers SQLITE_BUSY (BUSY_SNAPSHOT) at once, without calling
the busy handler, since waiting could never make our old snapshot current again; and two
deferred transactions that both read and then both write deadlock, so one is refused at
once. Every writer would then need a retry loop around its whole use case. Beginning
writers IMMEDIATE makes them queue instead, and only readers, which never upgrade, are
deferred; ``query_only`` turns a write slipped into a reading transaction into a loud
error instead of such an upgrade.

PostgreSQL readers never block writers; a reading transaction is still opened READ ONLY
so that both databases refuse the same mistakes, and every connection gets a
``lock_timeout`` equal to SQLite's busy timeout, so a writer stuck behind a row lock gives
up after the same wait. Giving up (on either database) raises
:class:`~doorstep.services.ports.StoreBusy`, which the API answers 503 with Retry-After.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url

from doorstep.services.ports import StoreBusy
from doorstep.store.errors import is_busy

LOCK_TIMEOUT_MS = 15_000
"""How long a transaction waits for a lock before the request is told to come back."""
READ_ONLY: Final = "doorstep_read_only"
"""Execution option marking an engine (and its connections) as for reading only."""


def create_engine_for(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` (``sqlite:///path`` or ``postgresql+psycopg://...``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(url, **kwargs)
    elif parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = _postgres_engine(create_engine(parsed, pool_pre_ping=True, **kwargs))
    else:
        raise ValueError(
            f"database_url: unsupported database {parsed.get_backend_name()!r}; "
            "use sqlite:///path or postgresql+psycopg://user@host/db"
        )
    event.listen(engine, "handle_error", _busy_to_store_busy)
    return engine


def reading_engine(engine: Engine) -> Engine:
    """The same engine and pool, for transactions that only read (see the module doc)."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(**{READ_ONLY: True}, postgresql_readonly=True)
    return engine.execution_options(**{READ_ONLY: True})


def _busy_to_store_busy(context: ExceptionContext) -> None:
    """A lock wait that gave up is the ports' StoreBusy, not an unexplained 500."""
    if is_busy(context.original_exception):
        raise StoreBusy(str(context.original_exception)) from context.sqlalchemy_exception


def _postgres_engine(engine: Engine) -> Engine:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET lock_timeout = {int(LOCK_TIMEOUT_MS)}")
        cursor.close()
        dbapi_connection.commit()

    return engine


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    engine = create_engine(url, connect_args={"timeout": LOCK_TIMEOUT_MS / 1000}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite, so that BEGIN below is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(LOCK_TIMEOUT_MS)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("PRAGMA query_only=ON")
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("PRAGMA query_only=OFF")
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
