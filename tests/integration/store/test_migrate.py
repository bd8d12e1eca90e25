"""Migrations: an empty database upgrades to head; an outdated one is refused clearly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

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
