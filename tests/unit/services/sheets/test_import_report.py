"""The import report stays bounded, and so does the parser's memory, for any file size."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator

import pytest

from doorstep.services.sheets.import_report import summarise
from doorstep.services.sheets.order_csv import parse_orders

HEADER = b"reference,recipient_name,address_line1,postcode,service_level,weight_kg,notes\n"


def generated_file(rows: int, bad_every: int) -> Iterator[bytes]:
    """A CSV produced on the fly, in chunks of about 64 KiB, never held whole."""
    yield HEADER
    chunk: list[bytes] = []
    for i in range(rows):
        weight = b"-1" if bad_every and i % bad_every == 0 else b"1.5"
        chunk.append(
            b"REF-%07d,Recipient %d,%d Camden Road,NW1 9LL,next_day,%s,\n" % (i, i, i, weight)
        )
        if len(chunk) == 1000:
            yield b"".join(chunk)
            chunk.clear()
    yield b"".join(chunk)


def test_counts_accepted_and_rejected_rows_and_lists_their_errors() -> None:
    report = summarise(parse_orders(generated_file(10, bad_every=5)))
    assert (report.accepted, report.rejected, report.complete) == (8, 2, True)
    assert [(e.row, e.column) for e in report.errors] == [(2, "weight_kg"), (7, "weight_kg")]
    assert report.warnings[0].column == "notes"
    assert not report.ok


def test_report_lists_at_most_the_cap_and_counts_the_rest() -> None:
    report = summarise(parse_orders(generated_file(50, bad_every=1)), max_listed_errors=20)
    assert report.rejected == 50
    assert len(report.errors) == 20
    assert report.errors_not_listed == 30
    body = report.to_dict()
    assert body["errors_not_listed"] == 30
    assert body["errors"][0] == {  # type: ignore[index]
        "row": 2,
        "column": "weight_kg",
        "reason": "must be greater than 0 kg, not -1",
    }


def test_a_file_that_stops_early_gives_an_incomplete_report() -> None:
    report = summarise(parse_orders([b"reference,postcode\nA,NW1 9LL\n"]))
    assert not report.complete and report.accepted == 0
    assert report.errors[0].row == 1


@pytest.mark.slow
def test_parses_100000_rows_in_flat_memory_with_a_bounded_report() -> None:
    tracemalloc.start()
    try:
        report = summarise(parse_orders(generated_file(100_000, bad_every=3)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.accepted == 66_666 and report.rejected == 33_334
    assert len(report.errors) == 1000 and report.errors_not_listed == 32_334
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
