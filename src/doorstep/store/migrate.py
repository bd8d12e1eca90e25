"""Schema migrations (Alembic), configured from code: no alembic.ini to ship or find.

The migration scripts live in this package (``store/migrations``), so an installed
Doorstep can upgrade its own database with ``doorstep db upgrade``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from doorstep.store.database import create_engine_for

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaOutdated(RuntimeError):
    """The database's schema is not the one this code was written for."""


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@contextmanager
def _engine(target: str | Engine) -> Iterator[Engine]:
    if isinstance(target, Engine):
        yield target
        return
    engine = create_engine_for(target)
    try:
        yield engine
    finally:
        engine.dispose()


def upgrade(target: str | Engine, revision: str = "head") -> None:
    """Bring the database at ``target`` (URL or engine) up to ``revision``."""
    with _engine(target) as engine, engine.begin() as connection:
        command.upgrade(_config(connection), revision)


def downgrade(target: str | Engine, revision: str) -> None:
    """Take the database at ``target`` back to ``revision`` (``base``: no tables)."""
    with _engine(target) as engine, engine.begin() as connection:
        command.downgrade(_config(connection), revision)


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return head


def current_revision(target: str | Engine) -> str | None:
    """The revision the database is at; None for a database never migrated."""
    with _engine(target) as engine, engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_schema_current(engine: Engine) -> None:
    """Refuse to run against a schema older (or newer) than the code."""
    current, expected = current_revision(engine), head_revision()
    if current != expected:
        raise SchemaOutdated(
            f"database schema is at {current or 'nothing (empty database)'}, "
            f"code expects {expected}: run `doorstep db upgrade`"
        )
