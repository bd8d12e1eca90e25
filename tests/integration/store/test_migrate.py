"""Migrations: an empty database upgrades to head; an outdated one is refused clearly."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, bindparam, inspect, make_url, text

from doorstep.domain import chain
from doorstep.domain.access import Principal
from doorstep.store.crypto import FernetCipher
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
from doorstep.store.types import UtcDateTime
from doorstep.store.uow import make_uow_factory


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


def test_upgrading_links_the_events_written_before_the_chain(empty_database_url: str) -> None:
    """Rows written at 0004 get their chain from the migration, in sequence order (not in
    insert order), and then verify exactly like rows the repository writes."""
    upgrade(empty_database_url, "0004")
    engine = create_engine_for(empty_database_url)
    steps = [  # inserted out of order on purpose; details in a key order that must not matter
        (3, "load", "sorted", "loaded", '{"vehicle_id": "veh_a", "bay": "B4"}'),
        (1, "receive", "created", "at_hub", "{}"),
        (2, "sort", "at_hub", "sorted", '{"bay": "B4"}'),
    ]
    try:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO brands (pk, public_id, name) VALUES (900, 'brd_old', 'Old Co')")
            )
            connection.execute(text(_OLD_ORDER))
            for barcode, pk in (("DSOLD1", 900), ("DSOLD2", 901)):
                connection.execute(
                    text(
                        "INSERT INTO parcels (pk, public_id, order_pk, brand_pk, barcode,"
                        " weight_kg, state, attempts, version) VALUES"
                        " (:pk, :public_id, 900, 900, :barcode, 1.5, 'loaded', 0, 2)"
                    ),
                    {"pk": pk, "public_id": f"par_old{pk}", "barcode": barcode},
                )
                for sequence, action, before, after, details in steps:
                    connection.execute(
                        text(
                            "INSERT INTO parcel_events (parcel_pk, sequence, action, from_state,"
                            " to_state, actor, at, place, reason_code, details) VALUES"
                            " (:parcel, :sequence, :action, :before, :after, 'usr_old', :at,"
                            " NULL, NULL, :details)"
                        ).bindparams(bindparam("at", type_=UtcDateTime())),
                        {
                            "parcel": pk,
                            "sequence": sequence,
                            "action": action,
                            "before": before,
                            "after": after,
                            "at": datetime(2026, 11, 25, 7, sequence, 5, 250, tzinfo=UTC),
                            "details": details,
                        },
                    )
    finally:
        engine.dispose()

    upgrade(empty_database_url)

    engine = create_engine_for(empty_database_url)
    uow_factory = make_uow_factory(engine, FernetCipher("test"))
    try:
        with uow_factory(Principal.system("test")).read_only() as uow:
            chains = uow.orders.chains("ord_old")
        assert chains is not None and len(chains) == 2
        for parcel_chain in chains:
            assert [s.record.sequence for s in parcel_chain.links] == [1, 2, 3]
            assert parcel_chain.links[0].prev_hash == chain.GENESIS
            assert (
                chain.verify_chain(
                    parcel_chain.barcode, parcel_chain.links, state=parcel_chain.state
                )
                == []
            )
        records = [stored.record for stored in chains[0].links]
        assert [stored.hash for stored in chains[0].links] == chain.link(records)
        with engine.connect() as connection:
            assert (
                connection.scalar(text("SELECT count(*) FROM parcel_events WHERE hash IS NULL"))
                == 0
            )
    finally:
        engine.dispose()


_OLD_ORDER = """
INSERT INTO orders (pk, public_id, brand_pk, reference, recipient_name, recipient_phone,
    recipient_email, address_lines, postcode, city, lat, lon, address_type, access_notes,
    access_code, service_level, window_start, window_end, priority, hub_pk, tracking_token,
    created_at)
VALUES (900, 'ord_old', 900, 'OLD-1', 'x', NULL, NULL, '[]', 'NW1 8AA', 'London', NULL, NULL,
    'house', NULL, NULL, 'next_day', NULL, NULL, 'normal', NULL, 'tok_old',
    '2026-11-25 06:00:00')
"""
