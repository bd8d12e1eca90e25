"""Working days: Sundays and the bank holidays of England and Wales are not."""

from __future__ import annotations

from datetime import date

import pytest

from doorstep.domain.working_days import (
    bank_holidays,
    easter_sunday,
    is_working_day,
    next_working_days,
)

# As gov.uk published them (https://www.gov.uk/bank-holidays, England and Wales).
GOV_UK = {
    2022: {
        date(2022, 1, 3),
        date(2022, 4, 15),
        date(2022, 4, 18),
        date(2022, 5, 2),
        date(2022, 6, 2),
        date(2022, 6, 3),
        date(2022, 8, 29),
        date(2022, 9, 19),
        date(2022, 12, 26),
        date(2022, 12, 27),
    },
    2026: {
        date(2026, 1, 1),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 5, 4),
        date(2026, 5, 25),
        date(2026, 8, 31),
        date(2026, 12, 25),
        date(2026, 12, 28),
    },
    2027: {
        date(2027, 1, 1),
        date(2027, 3, 26),
        date(2027, 3, 29),
        date(2027, 5, 3),
        date(2027, 5, 31),
        date(2027, 8, 30),
        date(2027, 12, 27),
        date(2027, 12, 28),
    },
}


@pytest.mark.parametrize("year", sorted(GOV_UK))
def test_bank_holidays_are_those_gov_uk_published(year: int) -> None:
    assert bank_holidays(year) == GOV_UK[year]


def test_easter_falls_on_the_known_sundays() -> None:
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2027) == date(2027, 3, 28)
    assert easter_sunday(2038) == date(2038, 4, 25)


def test_a_sunday_and_a_bank_holiday_are_not_working_days_but_a_saturday_is() -> None:
    assert not is_working_day(date(2026, 12, 6))  # Sunday
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day moved to Monday
    assert is_working_day(date(2026, 12, 5))  # Saturday


def test_next_working_days_skip_christmas_and_the_sundays() -> None:
    days = next_working_days(date(2026, 12, 24), 5)
    assert days == [
        date(2026, 12, 24),
        date(2026, 12, 26),
        date(2026, 12, 29),
        date(2026, 12, 30),
        date(2026, 12, 31),
    ]
