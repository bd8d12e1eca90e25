"""No text between 21:00 and 08:00 London time, through both clock changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from doorstep.domain.quiet_hours import is_quiet, sms_allowed_from


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_a_text_in_the_winter_afternoon_goes_at_once() -> None:
    at = utc(2026, 12, 2, 15, 0)
    assert sms_allowed_from(at) == at


def test_at_nine_in_the_evening_a_text_waits_for_eight_the_next_morning_in_winter() -> None:
    assert sms_allowed_from(utc(2026, 12, 2, 20, 59)) == utc(2026, 12, 2, 20, 59)
    assert sms_allowed_from(utc(2026, 12, 2, 21, 0)) == utc(2026, 12, 3, 8, 0)


def test_in_summer_the_quiet_hours_follow_british_summer_time() -> None:
    # 20:30 UTC is 21:30 BST: quiet; 08:00 BST is 07:00 UTC.
    assert is_quiet(utc(2026, 7, 1, 20, 30))
    assert sms_allowed_from(utc(2026, 7, 1, 20, 30)) == utc(2026, 7, 2, 7, 0)
    assert not is_quiet(utc(2026, 7, 1, 19, 59))


def test_before_eight_in_the_morning_a_text_waits_for_the_same_morning() -> None:
    assert sms_allowed_from(utc(2026, 12, 3, 6, 15)) == utc(2026, 12, 3, 8, 0)
    assert sms_allowed_from(utc(2026, 12, 3, 8, 0)) == utc(2026, 12, 3, 8, 0)


def test_the_night_the_clocks_go_forward_ends_at_eight_british_summer_time() -> None:
    # Saturday 28 March 2026, 22:00 GMT; the clocks go forward at 01:00 GMT on Sunday.
    assert sms_allowed_from(utc(2026, 3, 28, 22, 0)) == utc(2026, 3, 29, 7, 0)


def test_the_night_the_clocks_go_back_ends_at_eight_greenwich_mean_time() -> None:
    # Saturday 24 October 2026, 22:30 BST (21:30 UTC); back to GMT at 01:00 UTC on Sunday.
    assert sms_allowed_from(utc(2026, 10, 24, 21, 30)) == utc(2026, 10, 25, 8, 0)
    # Sunday 25 October 01:30: the hour that happens twice is quiet both times.
    assert is_quiet(utc(2026, 10, 25, 0, 30)) and is_quiet(utc(2026, 10, 25, 1, 30))


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError):
        sms_allowed_from(datetime(2026, 12, 2, 22, 0))
