"""The CSV import use case on the in-memory unit of work: batches, refusals, all or nothing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Brand, Role
from doorstep.services.errors import PermissionDenied
from doorstep.services.orders.imports import ATOMIC_MAX_ROWS, import_orders_csv
from doorstep.services.ports import UnitOfWork
from doorstep.services.sheets.import_report import ImportReport
from tests import factories
from tests.unit.fakes import FakeClock, FakeDatabase, uow_factory

EXAMPLE = Path(__file__).parents[4] / "docs" / "examples" / "orders.csv"
HEADER = "reference,recipient_name,address_line1,postcode,service_level,weight_kg\n"


def good(reference: str) -> str:
    return f"{reference},Ada Lovelace,12 Gate Street,WC2A 3HP,next_day,1.2\n"


def csv_file(*rows: str) -> list[bytes]:
    return [(HEADER + "".join(rows)).encode()]


def run(
    db: FakeDatabase,
    clock: FakeClock,
    principal: Principal,
    chunks: Iterable[bytes],
    **options: Any,
) -> ImportReport:
    return import_orders_csv(uow_factory(db), principal, chunks, clock=clock, **options)


def test_creates_every_valid_row_in_batches_and_names_each_rejected_row(
    db: FakeDatabase, clock: FakeClock, as_brand: Principal, brand: Brand
) -> None:
    rows = [good(f"SHOP-{i}") for i in range(7)]
    rows[3] = "SHOP-3,Ada Lovelace,12 Gate Street,NW1,next_day,-1\n"
    before = db.commits

    report = run(db, clock, as_brand, csv_file(*rows), batch_size=2)

    assert (report.accepted, report.rejected, report.created, report.complete) == (6, 1, 6, True)
    assert {(e.row, e.column) for e in report.errors} == {(5, "postcode"), (5, "weight_kg")}
    assert sorted(report.order_ids) == sorted(db.orders)
    assert {o.brand_id for o in db.orders.values()} == {brand.id}
    assert db.commits - before == 3  # six orders, two to a transaction


def test_a_reference_already_stored_is_a_row_error_on_the_reference_column(
    db: FakeDatabase, clock: FakeClock, as_brand: Principal, brand: Brand
) -> None:
    stored = factories.order(brand_id=brand.id, reference="SHOP-OLD")
    db.orders[stored.id] = stored

    report = run(db, clock, as_brand, csv_file(good("SHOP-NEW"), good("SHOP-OLD")))

    assert (report.accepted, report.rejected, report.created) == (1, 1, 1)
    [error] = report.errors
    assert (error.row, error.column) == (3, "reference") and "SHOP-OLD" in error.reason


def test_atomic_import_creates_nothing_when_one_row_is_rejected(
    db: FakeDatabase, clock: FakeClock, as_brand: Principal
) -> None:
    report = run(
        db, clock, as_brand, csv_file(good("A"), "B,Bo,1 Road,NOPE,next_day,1\n"), atomic=True
    )

    assert (report.accepted, report.rejected, report.created) == (1, 1, 0)
    assert report.errors[0].row == 3 and report.errors[0].column == "postcode"
    assert db.orders == {}


def test_atomic_import_creates_nothing_when_the_database_refuses_one_row(
    db: FakeDatabase, clock: FakeClock, as_brand: Principal, brand: Brand
) -> None:
    stored = factories.order(brand_id=brand.id, reference="B")
    db.orders[stored.id] = stored

    report = run(db, clock, as_brand, csv_file(good("A"), good("B"), good("C")), atomic=True)

    assert (report.accepted, report.rejected, report.created) == (2, 1, 0)
    assert [(e.row, e.column) for e in report.errors] == [(3, "reference")]
    assert list(db.orders) == [stored.id]


def test_atomic_import_of_valid_rows_is_one_transaction(
    db: FakeDatabase, clock: FakeClock, as_brand: Principal
) -> None:
    before = db.commits
    report = run(db, clock, as_brand, [EXAMPLE.read_bytes()], atomic=True, batch_size=3)

    assert (report.accepted, report.rejected, report.created) == (10, 0, 10)
    assert db.commits - before == 1
    assert sum(len(o.parcels) for o in db.orders.values()) == 13  # parcel_count column


def test_atomic_import_refuses_a_file_over_the_row_limit(
    db: FakeDatabase, clock: FakeClock, as_brand: Principal
) -> None:
    def big() -> Iterator[bytes]:
        yield HEADER.encode()
        yield "".join(good(f"R{i}") for i in range(ATOMIC_MAX_ROWS + 1)).encode()

    report = run(db, clock, as_brand, big(), atomic=True)

    assert not report.complete and report.created == 0 and db.orders == {}
    assert f"more than {ATOMIC_MAX_ROWS} rows" in report.errors[-1].reason


def test_an_atomic_import_of_exactly_the_row_limit_is_created(
    db: FakeDatabase, clock: FakeClock, as_brand: Principal
) -> None:
    rows = "".join(good(f"R{i}") for i in range(ATOMIC_MAX_ROWS))

    report = run(db, clock, as_brand, csv_file(rows), atomic=True)

    assert report.complete and (report.accepted, report.created) == (ATOMIC_MAX_ROWS,) * 2


def test_the_row_limit_is_reported_even_after_more_row_errors_than_the_report_lists(
    db: FakeDatabase, clock: FakeClock, as_brand: Principal
) -> None:
    bad = "".join(f"R{i},Ada,1 Road,NOPE,next_day,1\n" for i in range(ATOMIC_MAX_ROWS + 1))

    report = run(db, clock, as_brand, csv_file(bad), atomic=True)

    assert not report.complete and report.errors_not_listed > 0
    assert f"more than {ATOMIC_MAX_ROWS} rows" in report.errors[-1].reason


def test_an_operator_must_name_an_existing_brand(
    db: FakeDatabase, clock: FakeClock, admin: Principal, brand: Brand
) -> None:
    with pytest.raises(InvalidValue) as missing:
        run(db, clock, admin, csv_file(good("A")))
    assert missing.value.field == "brand_id"
    with pytest.raises(InvalidValue):
        run(db, clock, admin, csv_file(good("A")), brand_id=ids.new_id("brd"))

    report = run(db, clock, admin, csv_file(good("A")), brand_id=brand.id)
    assert report.created == 1 and next(iter(db.orders.values())).brand_id == brand.id


def test_a_courier_may_not_import(db: FakeDatabase, clock: FakeClock, brand: Brand) -> None:
    courier = Principal.user(ids.new_id("usr"), Role.COURIER)
    with pytest.raises(PermissionDenied):
        run(db, clock, courier, csv_file(good("A")), brand_id=brand.id)


def test_the_hook_sees_the_final_report_once_in_a_transaction(
    db: FakeDatabase, clock: FakeClock, as_brand: Principal
) -> None:
    seen: list[ImportReport] = []

    def hook(uow: UnitOfWork, report: ImportReport) -> None:
        seen.append(report)

    for atomic in (False, True):
        report = run(
            db, clock, as_brand, csv_file(good(f"X{atomic}")), atomic=atomic, before_commit=hook
        )
        assert seen[-1] == report and report.created == 1
    assert len(seen) == 2


def test_reads_a_file_in_blocks_as_a_command_line_would(
    db: FakeDatabase, clock: FakeClock, as_brand: Principal
) -> None:
    with EXAMPLE.open("rb") as file:
        report = run(db, clock, as_brand, iter(lambda: file.read(100), b""))
    assert report.ok and report.created == 10


def test_lists_only_the_first_order_ids_of_a_big_import(
    db: FakeDatabase, clock: FakeClock, as_brand: Principal
) -> None:
    report = run(db, clock, as_brand, csv_file(*(good(f"R{i}") for i in range(1005))))
    assert report.created == 1005
    assert len(report.order_ids) == 1000 and report.order_ids_not_listed == 5
    assert report.to_dict()["order_ids_not_listed"] == 5
