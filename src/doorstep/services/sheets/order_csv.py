"""Streaming parser for order imports in CSV: bytes in, one result per row out.

The input is any iterable of byte chunks (an HTTP body stream, a file read in blocks), and
results come out as rows are read, so a 100,000-row file never sits in memory. The only
state that grows with the file is the set of references seen, to refuse duplicates.

Row numbers are those a spreadsheet shows: the header is row 1, the first order row 2,
and blank rows still count. The columns are documented in ``docs/orders-csv.md``.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final

from doorstep.services.orders.draft import OrderDraft, ParcelDraft
from doorstep.services.orders.use_cases import CreateOrder
from doorstep.services.sheets.byte_lines import ByteLines, UnreadableFile, has_undecodable
from doorstep.services.sheets.order_rows import COLUMNS, Column, RowError, build_command

__all__ = [
    "COLUMNS",
    "AcceptedRow",
    "Column",
    "CreateOrder",
    "FileError",
    "FileWarning",
    "OrderDraft",
    "ParcelDraft",
    "ParseResult",
    "RejectedRow",
    "RowError",
    "parse_orders",
]

MAX_LINE_BYTES: Final = 64 * 1024
_REQUIRED: Final = tuple(column.name for column in COLUMNS if column.required)
_KNOWN: Final = frozenset(column.name for column in COLUMNS)


@dataclass(frozen=True, slots=True)
class AcceptedRow:
    """A valid row: the same command the JSON API makes (``brand_id`` not yet set)."""

    row: int
    command: CreateOrder

    @property
    def draft(self) -> OrderDraft:
        """The order as flat fields, for planning from a file."""
        return OrderDraft.of(self.command)


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A row that gives no order; ``errors`` holds every problem found in it."""

    row: int
    errors: tuple[RowError, ...]


@dataclass(frozen=True, slots=True)
class FileWarning:
    """Something the brand should know that rejects nothing (ignored columns)."""

    row: int
    column: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class FileError:
    """Reading stopped here: no row after this point was read (rows before it stand)."""

    errors: tuple[RowError, ...]


ParseResult = AcceptedRow | RejectedRow | FileWarning | FileError


def parse_orders(chunks: Iterable[bytes], *, max_rows: int | None = None) -> Iterator[ParseResult]:
    """Parse an order CSV, yielding one result per non-blank row as it is read.

    The file is UTF-8, with or without a byte-order mark. A missing required column stops
    the parse before any row with one :class:`FileError` naming every missing column.
    ``max_rows`` (data rows, blank ones included) stops a file that is too big.
    """
    lines = ByteLines(chunks, MAX_LINE_BYTES)
    reader = csv.reader(lines)
    try:
        yield from _parse(reader, lines, max_rows)
    except UnreadableFile as exc:
        yield FileError((RowError(lines.lines_read, None, exc.reason),))


def _parse(
    reader: Iterator[list[str]], lines: ByteLines, max_rows: int | None
) -> Iterator[ParseResult]:
    row = 0
    header: list[str] | None = None
    while header is None:
        row += 1
        try:
            cells = next(reader)
        except StopIteration:
            yield FileError((RowError(1, None, "the file is empty; it needs a header row"),))
            return
        except csv.Error as exc:
            yield FileError((RowError(row, None, f"the header cannot be read as CSV: {exc}"),))
            return
        if any(cell.strip() for cell in cells):
            header = [_column_name(cell) for cell in cells]
    problem = _header_problem(row, header)
    if problem is not None:
        yield problem
        return
    ignored = [name for name in header if name and name not in _KNOWN]
    if ignored:
        yield FileWarning(row, ", ".join(ignored), "unknown columns, ignored")
    yield from _rows(reader, lines, header, row, max_rows)


def _column_name(cell: str) -> str:
    """Header cells are matched leniently: `` Recipient Name`` means ``recipient_name``."""
    return "_".join(cell.strip().lower().replace("-", " ").split())


def _header_problem(row: int, header: list[str]) -> FileError | None:
    if any(has_undecodable(name) for name in header):
        return FileError(
            (RowError(row, None, "the header is not valid UTF-8 (save the file as 'CSV UTF-8')"),)
        )
    counts = Counter(name for name in header if name)
    twice = sorted(name for name, count in counts.items() if count > 1)
    if twice:
        names = ", ".join(twice)
        return FileError((RowError(row, names, f"columns appear more than once: {names}"),))
    missing = [name for name in _REQUIRED if name not in counts]
    if missing:
        names = ", ".join(missing)
        reason = f"required columns are missing: {names}; no rows were read"
        return FileError((RowError(row, names, reason),))
    return None


def _rows(
    reader: Iterator[list[str]],
    lines: ByteLines,
    header: list[str],
    header_row: int,
    max_rows: int | None,
) -> Iterator[ParseResult]:
    references: set[str] = set()
    row = header_row
    while True:
        row += 1
        unreadable: csv.Error | None = None
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            unreadable = exc
        # Counted once a row exists, so a file of exactly ``max_rows`` rows is read in full.
        if max_rows is not None and row - header_row > max_rows:
            reason = f"the file has more than {max_rows} rows; split it into smaller files"
            yield FileError((RowError(row, None, reason),))
            return
        if unreadable is not None:
            lines.was_cut(lines.lines_read)
            reason = f"cannot be read as CSV: {unreadable} (an unclosed quote?)"
            yield _rejected(row, None, reason)
            continue
        if lines.was_cut(lines.lines_read):
            yield _rejected(row, None, f"is longer than {MAX_LINE_BYTES // 1024} KiB")
            continue
        if any(cell.strip() for cell in cells):
            yield _check_row(row, header, cells, references)


def _check_row(row: int, header: list[str], cells: list[str], references: set[str]) -> ParseResult:
    extra = cells[len(header) :]
    if any(cell.strip() for cell in extra):
        reason = f"has {len(cells)} cells but the header has {len(header)} columns"
        return _rejected(row, None, reason)
    named = {name: cell for name, cell in zip(header, cells, strict=False) if name in _KNOWN}
    result = build_command(row, named)
    reference = named.get("reference", "").strip()
    duplicate = reference in references
    references.add(reference)
    errors = list(result) if isinstance(result, list) else []
    if duplicate and reference:
        errors.append(RowError(row, "reference", f"{reference!r} is used by an earlier row"))
    if errors:
        return RejectedRow(row, tuple(errors))
    assert isinstance(result, CreateOrder)
    return AcceptedRow(row, result)


def _rejected(row: int, column: str | None, reason: str) -> RejectedRow:
    return RejectedRow(row, (RowError(row, column, reason),))
