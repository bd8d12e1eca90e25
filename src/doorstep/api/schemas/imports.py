"""The answer to an order CSV import (the shape is documented in ``docs/orders-csv.md``)."""

from __future__ import annotations

from doorstep.api.schemas.common import Public


class RowProblem(Public):
    """One problem: ``row`` as a spreadsheet numbers it (header = 1), ``column`` or null."""

    row: int
    column: str | None
    reason: str


class ImportReportPublic(Public):
    accepted: int
    rejected: int
    complete: bool
    errors: list[RowProblem]
    errors_not_listed: int
    warnings: list[RowProblem]
    created: int
    order_ids: list[str]
    order_ids_not_listed: int
