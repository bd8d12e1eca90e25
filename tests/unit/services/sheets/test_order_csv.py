"""The order CSV parser: every bad row is named with its column and a reason."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from doorstep.domain.model import AddressType, Priority, ServiceLevel
from doorstep.services.orders.draft import OrderDraft, ParcelDraft
from doorstep.services.sheets.order_csv import (
    AcceptedRow,
    FileError,
    FileWarning,
    ParseResult,
    RejectedRow,
    RowError,
    parse_orders,
)

EXAMPLE = Path(__file__).parents[4] / "docs" / "examples" / "orders.csv"

GOOD_ROW = {
    "reference": "SHOP-1",
    "recipient_name": "Ada Lovelace",
    "address_line1": "12 Gate Street",
    "postcode": "WC2A 3HP",
    "service_level": "next_day",
    "weight_kg": "1.2",
}


def csv_bytes(rows: Iterable[dict[str, str]], header: list[str] | None = None) -> bytes:
    rows = list(rows)
    names = header or list(dict.fromkeys(name for row in rows for name in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, names, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def parse(data: bytes, chunk: int = 7) -> list[ParseResult]:
    """Feed the parser in small chunks so lines and characters are split across chunks."""
    return list(parse_orders(data[i : i + chunk] for i in range(0, len(data), chunk)))


def row(**changes: str) -> dict[str, str]:
    return GOOD_ROW | changes


def only_errors(data: bytes) -> list[RowError]:
    results = parse(data)
    assert len(results) == 1 and isinstance(results[0], RejectedRow), results
    return list(results[0].errors)


def reasons(data: bytes) -> dict[str | None, str]:
    return {error.column: error.reason for error in only_errors(data)}


def test_example_file_gives_ten_valid_orders() -> None:
    results = parse(EXAMPLE.read_bytes(), chunk=64)
    drafts = [r.draft for r in results if isinstance(r, AcceptedRow)]
    assert len(drafts) == 10 == len(results)
    assert [r.row for r in results if isinstance(r, AcceptedRow)] == list(range(2, 12))
    assert all(d.address().postcode == d.postcode for d in drafts)


def test_accepted_row_carries_normalised_values() -> None:
    data = csv_bytes(
        [
            row(
                postcode=" wc2a3hp ",
                service_level="Same Day",
                address_type="FLAT",
                priority="high",
                recipient_phone="07700 900123",
                lat="51.5172",
                lon="-0.1192",
                parcel_count="2",
                length_cm="30",
                width_cm="20",
                height_cm="10",
            )
        ]
    )
    [result] = parse(data)
    assert isinstance(result, AcceptedRow)
    draft = result.draft
    assert draft.postcode == "WC2A 3HP"
    assert draft.service_level is ServiceLevel.SAME_DAY
    assert draft.address_type is AddressType.FLAT
    assert draft.priority is Priority.HIGH
    assert draft.recipient_phone == "07700900123"
    assert (draft.lat, draft.lon) == (51.5172, -0.1192)
    assert draft.parcels == (ParcelDraft(1.2, 30.0, 20.0, 10.0),) * 2
    assert draft.address().point is not None


def test_a_utf8_byte_order_mark_is_accepted() -> None:
    [result] = parse(b"\xef\xbb\xbf" + csv_bytes([row()]), chunk=2)
    assert isinstance(result, AcceptedRow)


def test_row_with_bytes_that_are_not_utf8_is_rejected_and_named() -> None:
    latin1 = csv_bytes([row(recipient_name="Zoë"), row(reference="SHOP-2")]).replace(
        "Zoë".encode(), "Zoë".encode("latin-1")
    )
    first, second = parse(latin1)
    assert isinstance(first, RejectedRow)
    assert first.errors[0].row == 2
    assert first.errors[0].column == "recipient_name"
    assert "not valid UTF-8" in first.errors[0].reason
    assert isinstance(second, AcceptedRow)


def test_utf16_file_is_refused_with_advice() -> None:
    [result] = parse(csv_bytes([row()]).decode().encode("utf-16"))
    assert isinstance(result, FileError)
    assert "UTF-16" in result.errors[0].reason


def test_missing_required_columns_are_named_together_and_no_row_is_read() -> None:
    data = csv_bytes([{"reference": "A", "recipient_name": "B", "weight_kg": "1"}] * 3)
    results = parse(data)
    assert len(results) == 1
    [error] = results[0].errors if isinstance(results[0], FileError) else pytest.fail()
    assert error.row == 1
    for name in ("address_line1", "postcode", "service_level"):
        assert name in error.reason


def test_unknown_columns_are_reported_once_and_rows_still_accepted() -> None:
    data = csv_bytes([row(gift_wrap="yes", colour="red"), row(reference="SHOP-2")])
    warning, *rows = parse(data)
    assert isinstance(warning, FileWarning)
    assert warning.column == "gift_wrap, colour"
    assert all(isinstance(r, AcceptedRow) for r in rows) and len(rows) == 2


def test_header_names_are_matched_without_regard_to_case_or_spaces() -> None:
    data = b"Reference, Recipient Name,Address-Line1,POSTCODE,Service Level,Weight kg\n"
    data += b"R1,Ada,1 High Street,NW1 9LL,next_day,2\n"
    [result] = parse(data)
    assert isinstance(result, AcceptedRow)


def test_duplicate_header_columns_stop_the_file() -> None:
    data = csv_bytes([row()]).replace(b"weight_kg", b"postcode", 1)
    [result] = parse(data)
    assert isinstance(result, FileError)
    assert "postcode" in result.errors[0].reason


@pytest.mark.parametrize("postcode", ["NW1", "LONDON", "12345", "NW1 9CL"])
def test_refuses_a_row_whose_postcode_is_not_a_uk_postcode(postcode: str) -> None:
    assert "not a UK postcode" in reasons(csv_bytes([row(postcode=postcode)]))["postcode"]


def test_refuses_a_window_that_ends_before_it_starts() -> None:
    data = csv_bytes([row(window_start="2026-11-26 12:00", window_end="2026-11-26 10:00")])
    assert "not after the window start" in reasons(data)["window_end"]


def test_refuses_a_window_with_only_one_end() -> None:
    assert "give both" in reasons(csv_bytes([row(window_start="2026-11-26 12:00")]))["window_end"]


@pytest.mark.parametrize(
    ("weight", "expected"),
    [
        ("0", "greater than 0"),
        ("-1.5", "greater than 0"),
        ("heavy", "not a number"),
        ("1,5", "dot"),
        ("NaN", "finite"),
        ("inf", "finite"),
        ("-Infinity", "finite"),
        ("1e3", "not a number"),
        ("1" + "0" * 30, "at most 70 kg"),
        ("70.01", "at most 70 kg"),
    ],
)
def test_refuses_weights_that_are_not_positive_finite_numbers(weight: str, expected: str) -> None:
    assert expected in reasons(csv_bytes([row(weight_kg=weight)]))["weight_kg"]


@pytest.mark.parametrize(
    ("lat", "lon", "column"), [("91", "0", "lat"), ("51.5", "-181", "lon"), ("nan", "0", "lat")]
)
def test_refuses_coordinates_out_of_range(lat: str, lon: str, column: str) -> None:
    assert column in reasons(csv_bytes([row(lat=lat, lon=lon)]))


def test_reports_every_problem_of_a_row_at_once() -> None:
    data = csv_bytes([row(postcode="XX", weight_kg="-1", service_level="tomorrow", reference="")])
    assert set(reasons(data)) == {"postcode", "weight_kg", "service_level", "reference"}
    assert "same_day, next_day, scheduled" in reasons(data)["service_level"]


def test_refuses_a_row_with_more_cells_than_the_header() -> None:
    data = csv_bytes([row()]) + b"R2,Ada,1 High St,NW1 9LL,next_day,1,surplus\r\n"
    accepted, rejected = parse(data)
    assert isinstance(accepted, AcceptedRow)
    assert isinstance(rejected, RejectedRow) and rejected.row == 3
    assert "7 cells but the header has 6" in rejected.errors[0].reason


def test_trailing_empty_cells_and_short_rows_are_tolerated() -> None:
    data = csv_bytes([row()]).rstrip(b"\r\n") + b",,\r\n"
    data += b"R2,Ada,1 High St,NW1 9LL,next_day,1\r\n"
    assert all(isinstance(r, AcceptedRow) for r in parse(data))


def test_blank_rows_are_skipped_but_still_counted() -> None:
    data = csv_bytes([row()]) + b"\r\n,,,,,\r\n" + b"R2,Ada,1 High St,NW1 9LL,next_day,1\r\n"
    results = parse(data)
    assert [r.row for r in results if isinstance(r, AcceptedRow)] == [2, 5]


def test_a_quoted_cell_over_two_lines_is_one_row() -> None:
    data = csv_bytes([row(access_notes="Ring twice\nthen knock"), row(reference="R2")])
    first, second = parse(data)
    assert isinstance(first, AcceptedRow) and first.draft.access_notes == "Ring twice\nthen knock"
    assert isinstance(second, AcceptedRow) and second.row == 3


def test_refuses_a_field_longer_than_its_cap() -> None:
    assert "at most 200" in reasons(csv_bytes([row(recipient_name="A" * 201)]))["recipient_name"]


def test_a_line_too_long_to_read_is_rejected_and_the_next_row_still_read() -> None:
    data = csv_bytes([row(access_notes="x" * 200_000), row(reference="R2")])
    first, second = parse(data, chunk=4096)
    assert isinstance(first, RejectedRow) and "longer than 64 KiB" in first.errors[0].reason
    assert isinstance(second, AcceptedRow) and second.row == 3


def test_refuses_a_reference_used_twice_in_the_file() -> None:
    results = parse(csv_bytes([row(), row(recipient_name="Grace"), row(reference="SHOP-2")]))
    assert [type(r) for r in results] == [AcceptedRow, RejectedRow, AcceptedRow]
    duplicate = results[1]
    assert isinstance(duplicate, RejectedRow)
    assert duplicate.errors[0].column == "reference" and duplicate.row == 3


def test_local_times_are_london_time_across_the_clock_change() -> None:
    data = csv_bytes(
        [
            row(window_start="2026-07-01 10:00", window_end="01/07/2026 12:30"),
            row(reference="W", window_start="2026-12-01T10:00", window_end="2026-12-01 12:00"),
        ]
    )
    summer, winter = (r.draft for r in parse(data) if isinstance(r, AcceptedRow))
    assert summer.window_start == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    assert summer.window_end == datetime(2026, 7, 1, 11, 30, tzinfo=UTC)
    assert winter.window_start == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    window = winter.window()
    assert window is not None and window.end - window.start == timedelta(hours=2)


def test_times_with_an_offset_are_taken_as_given() -> None:
    data = csv_bytes(
        [row(window_start="2026-07-01T10:00:00Z", window_end="2026-07-01T14:00+02:00")]
    )
    [result] = parse(data)
    assert isinstance(result, AcceptedRow)
    assert result.draft.window_end == datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2026-03-29 01:30", "does not exist in London"),
        ("2026-10-25 01:30", "happens twice"),
        ("2026-11-26", "needs a time"),
        ("next tuesday", "not a date and time"),
        ("31/02/2026 10:00", "not a date and time"),
    ],
)
def test_refuses_local_times_that_are_missing_ambiguous_or_unreadable(
    start: str, expected: str
) -> None:
    data = csv_bytes([row(window_start=start, window_end="2026-12-31 23:00")])
    assert expected in reasons(data)["window_start"]


def test_refuses_partial_dimensions_and_bad_parcel_counts() -> None:
    found = reasons(csv_bytes([row(length_cm="30", parcel_count="0")]))
    assert set(found) == {"width_cm", "height_cm", "parcel_count"}


def test_refuses_bad_contact_details_and_hub_ids() -> None:
    found = reasons(
        csv_bytes([row(recipient_phone="call me", recipient_email="ada@", hub_id="hub_1")])
    )
    assert set(found) == {"recipient_phone", "recipient_email", "hub_id"}


def test_refuses_a_name_with_a_line_break() -> None:
    assert (
        "line break" in reasons(csv_bytes([row(recipient_name="Ada\nLovelace")]))["recipient_name"]
    )


def test_empty_file_is_reported() -> None:
    assert isinstance(parse(b"")[0], FileError)


def test_stops_at_max_rows() -> None:
    data = csv_bytes([row(reference=f"R{i}") for i in range(5)])
    results = list(parse_orders([data], max_rows=3))
    assert [type(r) for r in results] == [AcceptedRow] * 3 + [FileError]


def test_a_file_of_exactly_max_rows_is_read_in_full() -> None:
    data = csv_bytes([row(reference=f"R{i}") for i in range(3)])
    results = list(parse_orders([data], max_rows=3))
    assert [type(r) for r in results] == [AcceptedRow] * 3


def test_draft_builds_domain_values() -> None:
    data = csv_bytes([row(recipient_email="ada@example.com", access_code="4711")])
    [result] = parse(data)
    assert isinstance(result, AcceptedRow)
    draft: OrderDraft = result.draft
    assert draft.recipient().email == "ada@example.com"
    assert draft.address().access_code == "4711"
    assert draft.window() is None


def test_proof_columns_reach_the_command() -> None:
    data = csv_bytes([row(delivery_pin="0427", minimum_age="18", safe_place="behind the bins")])
    [result] = parse(data)
    assert isinstance(result, AcceptedRow)
    command = result.command
    assert (command.delivery_pin, command.minimum_age, command.safe_place) == (
        "0427",
        18,
        "behind the bins",
    )
    assert "0427" not in repr(command)  # a command in a log never shows the PIN
    [plain] = parse(csv_bytes([row()]))
    assert isinstance(plain, AcceptedRow)
    assert (plain.command.delivery_pin, plain.command.minimum_age) == (None, None)


def test_bad_proof_columns_are_each_named_without_quoting_the_pin() -> None:
    data = csv_bytes([row(delivery_pin="98x7", minimum_age="eighteen", safe_place="x" * 201)])
    found = reasons(data)
    assert found["delivery_pin"] == "must be 4 to 8 digits"
    assert "whole number" in found["minimum_age"]
    assert "200" in found["safe_place"]
    assert "98x7" not in str(only_errors(data))
    assert reasons(csv_bytes([row(minimum_age="120")])) == {
        "minimum_age": "must be between 1 and 99"
    }


LUNCH = {"window_start": "2026-11-26 09:00", "window_end": "2026-11-26 17:00"}


def test_a_shop_shut_for_lunch_gives_its_closed_period() -> None:
    data = csv_bytes([row(**LUNCH, closed_start="2026-11-26 13:00", closed_end="2026-11-26 14:00")])
    (result,) = parse(data)
    assert isinstance(result, AcceptedRow)
    closed = result.draft.closed()
    assert closed is not None
    assert (closed.start, closed.end) == (
        datetime(2026, 11, 26, 13, 0, tzinfo=UTC),
        datetime(2026, 11, 26, 14, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ({"closed_start": "2026-11-26 13:00", "closed_end": "2026-11-26 14:00"},
         "closed_start", "needs a delivery window around it"),
        ({**LUNCH, "closed_start": "2026-11-26 13:00"}, "closed_end", "give both"),
        ({**LUNCH, "closed_start": "2026-11-26 14:00", "closed_end": "2026-11-26 13:00"},
         "closed_end", "not after the closed start"),
        ({**LUNCH, "closed_start": "2026-11-26 09:00", "closed_end": "2026-11-26 10:00"},
         "closed_start", "must be after the window start"),
        ({**LUNCH, "closed_start": "2026-11-26 16:00", "closed_end": "2026-11-26 18:00"},
         "closed_end", "must be before the window end"),
        ({**LUNCH, "closed_start": "lunch", "closed_end": "2026-11-26 14:00"},
         "closed_start", ""),
    ],
)  # fmt: skip
def test_a_closed_period_that_is_not_inside_its_window_is_refused_by_column(
    cells: dict[str, str], column: str, reason: str
) -> None:
    found = reasons(csv_bytes([row(**cells)]))
    assert column in found and reason in found[column]


def test_a_reversed_window_is_reported_once_not_again_on_the_closed_period() -> None:
    cells = {"window_start": "2026-11-26 17:00", "window_end": "2026-11-26 09:00"}
    found = reasons(csv_bytes([row(**cells, closed_start="2026-11-26 13:00",
                                   closed_end="2026-11-26 14:00")]))  # fmt: skip
    assert set(found) == {"window_end"}
