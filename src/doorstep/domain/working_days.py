"""Which days vans go out: every day but Sundays and the bank holidays of England and Wales.

Bank holidays follow fixed rules (New Year, Good Friday, Easter Monday, the first and last
Mondays of May, the last Monday of August, Christmas and Boxing Day, each moved to the next
weekday when it falls on a weekend), and now and then the government moves or adds one by
proclamation: those are listed in :data:`_MOVED` and :data:`_ADDED` as gov.uk published them.
The rules give every year, so a recipient choosing a day next December needs no table update.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Final

SUNDAY: Final = 6

# Holidays moved by proclamation: the rule's day -> the day it was held instead.
_MOVED: Final = {
    date(2012, 5, 28): date(2012, 6, 4),  # spring, for the Diamond Jubilee
    date(2020, 5, 4): date(2020, 5, 8),  # early May, for VE Day's 75th anniversary
    date(2022, 5, 30): date(2022, 6, 2),  # spring, for the Platinum Jubilee
}
# One-off holidays added by proclamation.
_ADDED: Final = frozenset(
    {
        date(2012, 6, 5),  # Diamond Jubilee
        date(2022, 6, 3),  # Platinum Jubilee
        date(2022, 9, 19),  # the State Funeral of Queen Elizabeth II
        date(2023, 5, 8),  # the Coronation of King Charles III
    }
)


def easter_sunday(year: int) -> date:
    """Easter Sunday of the Gregorian calendar (the anonymous algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_monday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    after = date(year + (month == 12), month % 12 + 1, 1)
    last = after - timedelta(days=1)
    return last - timedelta(days=last.weekday())


def _christmas(year: int) -> tuple[date, date]:
    """Christmas and Boxing Day, each moved past the weekend (and past each other)."""
    christmas, boxing = date(year, 12, 25), date(year, 12, 26)
    if christmas.weekday() == 5:  # Saturday: Monday 27 and Tuesday 28
        return date(year, 12, 27), date(year, 12, 28)
    if christmas.weekday() == SUNDAY:  # Boxing Day on Monday 26, Christmas on Tuesday 27
        return date(year, 12, 27), boxing
    if boxing.weekday() == 5:  # Friday Christmas: Boxing Day on Monday 28
        return christmas, date(year, 12, 28)
    return christmas, boxing


@cache
def bank_holidays(year: int) -> frozenset[date]:
    """The bank holidays of England and Wales in ``year``."""
    new_year = date(year, 1, 1)
    while new_year.weekday() >= 5:
        new_year += timedelta(days=1)
    easter = easter_sunday(year)
    by_rule = {
        new_year,
        easter - timedelta(days=2),
        easter + timedelta(days=1),
        _first_monday(year, 5),
        _last_monday(year, 5),
        _last_monday(year, 8),
        *_christmas(year),
    }
    days = {_MOVED.get(day, day) for day in by_rule}
    return frozenset(days | {day for day in _ADDED if day.year == year})


def is_working_day(day: date) -> bool:
    """Whether vans go out on ``day``: not a Sunday, not a bank holiday."""
    return day.weekday() != SUNDAY and day not in bank_holidays(day.year)


def next_working_days(first: date, count: int) -> list[date]:
    """The first ``count`` working days from ``first`` (included when it is one)."""
    days: list[date] = []
    day = first
    while len(days) < count:
        if is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days
