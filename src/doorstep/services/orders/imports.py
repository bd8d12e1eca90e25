"""Import a brand's orders from a CSV file: parse as it streams, store in batches, report.

Two modes:
- default: every valid row becomes an order; rows are stored ``batch_size`` at a time,
  each batch one transaction, so a 100,000-row file is never held in memory and a
  failure part way keeps what was stored (a retry is safe: stored references are refused
  as duplicates, row by row).
- ``atomic=True``: all or nothing. The whole file (at most :data:`ATOMIC_MAX_ROWS` rows)
  is checked first, reading only; if any row is rejected nothing is stored, otherwise
  every order is written in one short transaction (on SQLite the write lock is held for
  the write, not for the checks).

Callers pass any iterable of byte chunks: an HTTP body spooled to disk, or a file read in
blocks (``iter(lambda: f.read(65536), b"")``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Final

from doorstep.domain.access import Principal
from doorstep.domain.errors import DomainError, InvalidValue
from doorstep.services.access import require_order_writer
from doorstep.services.idempotency import BeforeCommit
from doorstep.services.orders.use_cases import (
    BatchItem,
    CreateOrder,
    create_orders_all_or_nothing,
    create_orders_batch,
    resolve_brand,
)
from doorstep.services.ports import Clock, Conflict, Geocoder, UnitOfWork, UnitOfWorkFactory
from doorstep.services.sheets.import_report import ImportReport, ReportBuilder
from doorstep.services.sheets.order_csv import (
    COLUMNS,
    AcceptedRow,
    ParseResult,
    RejectedRow,
    RowError,
    parse_orders,
)

ATOMIC_MAX_ROWS: Final = 10_000
"""An all-or-nothing import is one transaction holding every order: keep it bounded."""
DEFAULT_BATCH_SIZE: Final = 500
_CONFLICT_RETRIES: Final = 3
_COLUMN_NAMES: Final = frozenset(column.name for column in COLUMNS)

Pending = list[tuple[AcceptedRow, CreateOrder]]


def import_orders_csv(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    chunks: Iterable[bytes],
    *,
    clock: Clock,
    postcodes: Geocoder | None = None,
    brand_id: str | None = None,
    atomic: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    before_commit: BeforeCommit[ImportReport] | None = None,
) -> ImportReport:
    """Create the orders of an order CSV for ``principal`` and report on every row.

    Brands import their own orders; operators name the brand with ``brand_id``. A brand
    or role that may not import is refused before a byte is read. ``before_commit`` is
    called once with the final report, in the last transaction (the creating one for an
    atomic import), so an idempotent caller saves exactly the answer it sends.
    """
    if batch_size < 1:
        raise InvalidValue("batch_size", "must be 1 or more")
    require_order_writer(principal)
    with uow_factory(principal).read_only() as uow:
        owner = resolve_brand(uow, brand_id)
    importer = _Importer(uow_factory, principal, clock, owner, before_commit)
    importer.postcodes = postcodes
    if atomic:
        return importer.all_or_nothing(chunks)
    return importer.in_batches(chunks, batch_size)


class _Importer:
    """One import run: where to store, for which brand, and the report being built."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        principal: Principal,
        clock: Clock,
        brand_id: str,
        before_commit: BeforeCommit[ImportReport] | None,
    ) -> None:
        self.uow_factory = uow_factory
        self.principal = principal
        self.clock = clock
        self.brand_id = brand_id
        self.before_commit = before_commit
        self.report = ReportBuilder()
        self.postcodes: Geocoder | None = None  # places rows given without lat/lon

    def in_batches(self, chunks: Iterable[bytes], batch_size: int) -> ImportReport:
        pending: Pending = []
        for accepted in self._accepted_rows(parse_orders(chunks)):
            pending.append(accepted)
            if len(pending) >= batch_size:
                self._store_batch(pending)
                pending.clear()
        if pending:
            self._store_batch(pending)
        return self._finish()

    def all_or_nothing(self, chunks: Iterable[bytes]) -> ImportReport:
        pending = list(self._accepted_rows(parse_orders(chunks, max_rows=ATOMIC_MAX_ROWS)))
        if self.report.problems or not pending:
            for accepted, _ in pending:
                self.report.add(accepted)
            return self._finish()
        outcome: list[ImportReport] = []

        def hook(uow: UnitOfWork, items: list[BatchItem]) -> None:
            """Called only when every order was built: the report is final before commit."""
            self._record(pending, items)
            outcome.append(self.report.report())
            if self.before_commit is not None:
                self.before_commit(uow, outcome[0])

        commands = [cmd for _, cmd in pending]
        for attempt in range(1, _CONFLICT_RETRIES + 1):
            try:
                refused = create_orders_all_or_nothing(
                    self.uow_factory(self.principal),
                    commands,
                    clock=self.clock,
                    postcodes=self.postcodes,
                    before_commit=hook,
                )
                break
            except Conflict:
                # Another import stored one of these references between the check and the
                # write; the next run sees it and reports the row. Once the report is made
                # (the hook ran) it is not made twice.
                if outcome or attempt == _CONFLICT_RETRIES:
                    raise
        if outcome:
            return outcome[0]
        self._record_refusals(pending, refused)
        return self._finish()

    def _accepted_rows(
        self, results: Iterable[ParseResult]
    ) -> Iterator[tuple[AcceptedRow, CreateOrder]]:
        """Valid rows as commands; everything else goes straight into the report."""
        for result in results:
            if not isinstance(result, AcceptedRow):
                self.report.add(result)
                continue
            yield result, replace(result.command, brand_id=self.brand_id)

    def _store_batch(self, pending: Pending) -> None:
        """One transaction; a concurrent import of the same references is retried."""
        commands: Sequence[CreateOrder | DomainError] = [cmd for _, cmd in pending]
        for attempt in range(_CONFLICT_RETRIES):
            try:
                items = create_orders_batch(
                    self.uow_factory(self.principal),
                    commands,
                    clock=self.clock,
                    postcodes=self.postcodes,
                )
            except Conflict:
                if attempt == _CONFLICT_RETRIES - 1:
                    raise
                continue  # the retry sees the other import's rows and refuses them one by one
            self._record(pending, items)
            return

    def _record(self, pending: Pending, items: list[BatchItem]) -> None:
        for (accepted, _), item in zip(pending, items, strict=True):
            if item.order is None:
                self.report.add(_refusal(accepted.row, item))
            else:
                self.report.add(accepted)
                self.report.add_created(item.order.id)

    def _record_refusals(self, pending: Pending, refused: list[BatchItem]) -> None:
        """After a refused atomic import: the refused rows are rejected, the rest valid."""
        by_index = {item.index: item for item in refused}
        for index, (accepted, _) in enumerate(pending):
            item = by_index.get(index)
            self.report.add(accepted if item is None else _refusal(accepted.row, item))

    def _finish(self) -> ImportReport:
        """The final report, saved through the hook in a transaction of its own."""
        report = self.report.report()
        if self.before_commit is not None:
            with self.uow_factory(self.principal) as uow:
                self.before_commit(uow, report)
                uow.commit()
        return report


def _refusal(row: int, item: BatchItem) -> RejectedRow:
    """A row the database refused: a stored duplicate reference, an unknown hub."""
    if item.status == 409:
        column: str | None = "reference"
    else:
        column = item.field if item.field in _COLUMN_NAMES else None
    return RejectedRow(row, (RowError(row, column, item.error or "refused"),))
