"""Migrations: an empty database upgrades to head; an outdated one is refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, make_url, text

from doorstep.store.database import create_engine_for
from doorstep.store.migrate import (
    SchemaOutdated,
    check_schema_current,
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)
from doorstep.store.tables import Base


def test_upgrade_from_empty_reaches_head_with_every_table(empty_database_url: str) -> None:
    assert current_revision(empty_database_url) is None

    upgrade(empty_database_url)

    assert current_revision(empty_database_url) == head_revision()
    engine = create_engine_for(empty_database_url)
    try:
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        check_schema_current(engine)  # does not raise
    finally:
        engine.dispose()


def test_an_empty_database_is_refused_with_the_command_to_run(empty_database_url: str) -> None:
    engine = create_engine_for(empty_database_url)
    try:
        with pytest.raises(SchemaOutdated, match="run `doorstep db upgrade`") as refused:
            check_schema_current(engine)
    finally:
        engine.dispose()
    assert head_revision() in str(refused.value)


def test_a_downgraded_database_is_refused_until_upgraded_again(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    downgrade(empty_database_url, "base")
    engine = create_engine_for(empty_database_url)
    try:
        assert inspect(engine).get_table_names() == ["alembic_version"]
        with pytest.raises(SchemaOutdated, match="doorstep db upgrade"):
            check_schema_current(engine)
        upgrade(engine)
        check_schema_current(engine)
    finally:
        engine.dispose()


def test_migrations_build_exactly_the_tables_the_code_maps(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrading_deletes_answers_saved_in_clear_leaving_no_trace_in_the_file(
    empty_database_url: str,
) -> None:
    """Answers saved before bodies were encrypted are unreadable now, and hold personal data."""
    upgrade(empty_database_url, "0002")
    engine = create_engine_for(empty_database_url)
    secret = b'{"recipient": {"phone": "+447700900987"}}' * 50
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO idempotency_keys (owner, key, request_hash, status_code, body,"
                    " content_type, headers, created_at) VALUES ('key_1', 'k', 'h', 201, :body,"
                    " 'application/json', '{}', '2026-11-26 06:00:00')"
                ),
                {"body": secret},
            )
    finally:
        engine.dispose()

    upgrade(empty_database_url)

    engine = create_engine_for(empty_database_url)
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM idempotency_keys")) == 0
    finally:
        engine.dispose()
    url = make_url(empty_database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        files = [path, Path(f"{path}-wal")]
        assert not [f for f in files if f.exists() and b"+447700900987" in f.read_bytes()]
