"""The report a brand gets back from an import: counts, and the first problems in detail.

The error list is capped so that a 100,000-row file of mistakes still gives a report of
bounded size; the count of the errors left out is given instead. The same holds for the
ids of the orders an import created.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from doorstep.services.sheets.order_csv import (
    AcceptedRow,
    FileError,
    FileWarning,
    ParseResult,
    RejectedRow,
    RowError,
)

MAX_LISTED_ERRORS: Final = 1000
MAX_LISTED_ORDER_IDS: Final = 1000


@dataclass(frozen=True, slots=True)
class ImportReport:
    accepted: int
    rejected: int
    complete: bool  # False when a FileError stopped reading before the end
    errors: tuple[RowError, ...]
    errors_not_listed: int
    warnings: tuple[FileWarning, ...]
    created: int = 0  # orders stored; 0 for a check that stores nothing
    order_ids: tuple[str, ...] = ()  # the first of them, in row order
    order_ids_not_listed: int = 0

    @property
    def ok(self) -> bool:
        """True when every row was read and none was rejected."""
        return self.complete and self.rejected == 0

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of the report (see ``docs/orders-csv.md``)."""
        return {
            "accepted": self.accepted,
            "rejected": self.rejected,
            "complete": self.complete,
            "errors": [_entry(e.row, e.column, e.reason) for e in self.errors],
            "errors_not_listed": self.errors_not_listed,
            "warnings": [_entry(w.row, w.column, w.reason) for w in self.warnings],
            "created": self.created,
            "order_ids": list(self.order_ids),
            "order_ids_not_listed": self.order_ids_not_listed,
        }


def _entry(row: int, column: str | None, reason: str) -> dict[str, object]:
    return {"row": row, "column": column, "reason": reason}


class ReportBuilder:
    """Counts results as they stream past, for callers that also act on each row."""

    def __init__(self, max_listed_errors: int = MAX_LISTED_ERRORS) -> None:
        self._max = max_listed_errors
        self.accepted = 0
        self.rejected = 0
        self.complete = True
        self._errors: list[RowError] = []
        self._not_listed = 0
        self._warnings: list[FileWarning] = []
        self._order_ids: list[str] = []
        self.created = 0

    @property
    def problems(self) -> bool:
        """True once a row was rejected or reading stopped early."""
        return self.rejected > 0 or not self.complete

    def add(self, result: ParseResult) -> None:
        match result:
            case AcceptedRow():
                self.accepted += 1
            case RejectedRow(errors=errors):
                self.rejected += 1
                self._list(errors)
            case FileError(errors=errors):
                self.complete = False
                # Why reading stopped is always listed, even past the cap: the answer
                # names it rather than the thousandth row error before it.
                self._errors.extend(errors)
            case FileWarning():
                self._warnings.append(result)

    def add_created(self, order_id: str) -> None:
        """Count an order stored for an accepted row (add the row itself with :meth:`add`)."""
        self.created += 1
        if len(self._order_ids) < MAX_LISTED_ORDER_IDS:
            self._order_ids.append(order_id)

    def _list(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            if len(self._errors) < self._max:
                self._errors.append(error)
            else:
                self._not_listed += 1

    def report(self) -> ImportReport:
        return ImportReport(
            accepted=self.accepted,
            rejected=self.rejected,
            complete=self.complete,
            # Rows refused by the database arrive a batch late: list errors in row order.
            errors=tuple(sorted(self._errors, key=lambda error: error.row)),
            errors_not_listed=self._not_listed,
            warnings=tuple(self._warnings),
            created=self.created,
            order_ids=tuple(self._order_ids),
            order_ids_not_listed=self.created - len(self._order_ids),
        )


def summarise(
    results: Iterable[ParseResult], max_listed_errors: int = MAX_LISTED_ERRORS
) -> ImportReport:
    """Consume ``results`` and return the report; memory stays bounded by the cap."""
    builder = ReportBuilder(max_listed_errors)
    for result in results:
        builder.add(result)
    return builder.report()
