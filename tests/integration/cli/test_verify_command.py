"""``doorstep verify ORDER_ID`` as a user runs it, on SQLite and PostgreSQL: a real process
reads history that was then edited with SQL, and says what changed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

from sqlalchemy import Engine

from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.store.blob_files import LocalBlobStore
from doorstep.store.uow import SqlUnitOfWork
from tests import factories
from tests.integration.cli.test_commands import run
from tests.integration.conftest import TEST_SECRET
from tests.integration.tamper import (
    SYSTEM,
    delete_event,
    delivered_order,
    keep_proof_files,
    update_event,
)


def _seed(uow_factory: Callable[[Principal], SqlUnitOfWork]) -> tuple[str, str, str]:
    brand = factories.brand()
    with uow_factory(SYSTEM) as uow:
        uow.brands.add(brand)
        uow.commit()
    order = delivered_order(uow_factory, brand.id)
    return order.id, order.parcels[0].id, order.parcels[0].barcode


def _verify(tmp_path: Path, database_url: str, order_id: str) -> CompletedProcess[str]:
    return run(
        tmp_path,
        "verify",
        order_id,
        DOORSTEP_DATABASE_URL=database_url,
        DOORSTEP_SECRET_KEY=TEST_SECRET,
    )


def test_verify_passes_untouched_history_and_fails_tampered_history_naming_it(
    tmp_path: Path,
    database_url: str,
    engine: Engine,
    uow_factory: Callable[[Principal], SqlUnitOfWork],
) -> None:
    order_id, parcel_id, barcode = _seed(uow_factory)
    keep_proof_files(LocalBlobStore(tmp_path / "blobs"))  # the data dir's file store

    clean = _verify(tmp_path, database_url, order_id)
    assert clean.returncode == 0, clean.stderr
    assert f"{order_id}: ok" in clean.stdout
    assert "note" not in clean.stdout  # the files were checked, and are as written

    update_event(engine, parcel_id, 5, actor="usr_forger")
    delete_event(engine, parcel_id, 2)
    tampered = _verify(tmp_path, database_url, order_id)

    assert tampered.returncode == 1, tampered.stderr
    assert f"{order_id}: 2 problem(s) found:" in tampered.stdout
    assert f"  parcel {barcode} event 2 is missing" in tampered.stdout
    assert (
        f"  parcel {barcode} event 5 (delivered) was changed after it was written"
        in tampered.stdout
    )


def test_verify_of_an_order_that_does_not_exist_fails_plainly(
    tmp_path: Path, database_url: str
) -> None:
    missing = ids.new_id("ord")
    result = _verify(tmp_path, database_url, missing)
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: No order with id {missing!r}."
    assert "Traceback" not in result.stderr
