"""The one range of dates and times Doorstep accepts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from doorstep.domain import calendar
from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import TimeWindow

PLUS_14 = timezone(timedelta(hours=14))
MINUS_14 = timezone(timedelta(hours=-14))


@pytest.mark.parametrize(
    "moment",
    [
        datetime(1, 1, 1, tzinfo=PLUS_14),
        datetime(9999, 12, 31, 23, 59, tzinfo=MINUS_14),
        datetime(1969, 12, 31, 23, 59, tzinfo=UTC),
        datetime(1970, 1, 1, 13, 59, tzinfo=PLUS_14),  # 1969-12-31 in UTC
        calendar.END,
    ],
)
def test_refuses_moments_outside_the_range_without_overflowing(moment: datetime) -> None:
    with pytest.raises(InvalidValue) as refused:
        calendar.check_moment("scanned_at", moment)
    assert refused.value.field == "scanned_at"
    assert refused.value.reason == calendar.OUT_OF_RANGE


def test_accepts_the_first_and_last_moments_of_the_range() -> None:
    last = calendar.END - timedelta(microseconds=1)
    assert calendar.check_moment("at", calendar.EARLIEST) == calendar.EARLIEST
    assert calendar.check_moment("at", last) == last


def test_a_moment_needs_an_offset() -> None:
    assert "offset" in (calendar.moment_problem(datetime(2026, 11, 26, 10, 0)) or "")


@pytest.mark.parametrize(
    ("day", "accepted"),
    [
        (date(9999, 12, 31), False),
        (date(1, 1, 1), False),
        (calendar.LATEST_DATE, True),
        (calendar.EARLIEST_DATE, True),
        (date(2026, 11, 26), True),
    ],
)
def test_dates_are_held_to_the_same_range(day: date, accepted: bool) -> None:
    assert (calendar.date_problem(day) is None) is accepted


def test_a_delivery_window_at_the_edge_of_the_calendar_is_refused_by_field() -> None:
    with pytest.raises(InvalidValue) as refused:
        TimeWindow(datetime(2026, 11, 26, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=MINUS_14))
    assert refused.value.field == "window.end"
