"""The calendar Doorstep works in: the one range of dates and times it accepts.

Python's ``datetime`` ends at year 9999 and starts at year 1, so a time at either edge
cannot be moved to UTC, given a day's end or turned into a database value without an
``OverflowError``. Nothing a delivery company does happens near those edges: a date or
time outside this range is a typo or a probe, and is refused with the field's name.
Every door (API schemas and queries, CSV rows, cursors, plans) checks through here. A
device's time (a scan, a courier's position) may also run a little ahead of the server's
clock, by at most :data:`CLOCK_SKEW`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from doorstep.domain.errors import InvalidValue

EARLIEST_DATE = date(1970, 1, 1)
LATEST_DATE = date(2199, 12, 31)
EARLIEST = datetime(EARLIEST_DATE.year, 1, 1, tzinfo=UTC)
END = datetime(LATEST_DATE.year + 1, 1, 1, tzinfo=UTC)  # the first moment out of range
OUT_OF_RANGE = f"must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}"
CLOCK_SKEW = timedelta(minutes=5)
"""How far a device's clock (a hub scanner, a courier's phone) may run ahead of the
server's. A time from further ahead is a wrong clock, not an event, and is refused."""


def ahead_of_server(value: datetime, now: datetime) -> bool:
    """Whether a device's ``value`` is further ahead of the server's ``now`` than any clock
    may drift: the one check behind every "is in the future" refusal."""
    return value > now + CLOCK_SKEW


def date_problem(value: date) -> str | None:
    """Why ``value`` is not a date Doorstep accepts, or None when it is."""
    if isinstance(value, datetime):
        return moment_problem(value)
    return None if EARLIEST_DATE <= value <= LATEST_DATE else OUT_OF_RANGE


def moment_problem(value: datetime) -> str | None:
    """Why ``value`` is not a moment Doorstep accepts, or None when it is.

    Compares without converting (an aware comparison never overflows; ``astimezone``
    does, at year 1 with a positive offset or year 9999 with a negative one).
    """
    if value.tzinfo is None or value.utcoffset() is None:
        return "needs a UTC offset, such as Z or +01:00"
    return None if EARLIEST <= value < END else OUT_OF_RANGE


def check_date(field: str, value: date) -> date:
    """``value`` unchanged, or :class:`InvalidValue` naming ``field``."""
    if (reason := date_problem(value)) is not None:
        raise InvalidValue(field, reason)
    return value


def check_moment(field: str, value: datetime) -> datetime:
    """``value`` unchanged, or :class:`InvalidValue` naming ``field``."""
    if (reason := moment_problem(value)) is not None:
        raise InvalidValue(field, reason)
    return value
