"""Parsers for single CSV cells: numbers and moments, each failing with a reason a person reads.

Each function raises :class:`ValueError` whose message completes the sentence
"<column> ..." (for example "is not a number").
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo

_DECIMAL: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_INTEGER: Final = re.compile(r"\+?\d+")
_UK_MOMENT: Final = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?")
_NOT_FINITE: Final = frozenset({"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity"})


@cache
def london() -> ZoneInfo:
    """The zone of every local time in an import (built on first use, not at import)."""
    return ZoneInfo("Europe/London")


def parse_number(text: str) -> float:
    """A plain decimal number written with a dot (no exponent, no NaN or infinity)."""
    if not _DECIMAL.fullmatch(text):
        if text.lower().lstrip("+-") in _NOT_FINITE or text.lower() in _NOT_FINITE:
            raise ValueError(f"must be a finite number, not {text!r}")
        if _DECIMAL.fullmatch(text.replace(",", ".", 1)):
            raise ValueError(f"{text!r} uses a comma; write decimals with a dot, like 1.5")
        raise ValueError(f"{text!r} is not a number")
    return float(text)


def parse_decimal(text: str, *, above: float, at_most: float) -> float:
    """A plain decimal number with ``above < value <= at_most``."""
    value = parse_number(text)
    if value <= above:
        raise ValueError(f"must be greater than {above:g}, not {text}")
    if value > at_most:
        raise ValueError(f"must be at most {at_most:g}, not {text}")
    return value


def parse_range(text: str, *, low: float, high: float) -> float:
    """A decimal number with ``low <= value <= high`` (coordinates)."""
    value = parse_decimal(text, above=-math.inf, at_most=math.inf)
    if not low <= value <= high:
        raise ValueError(f"must be between {low:g} and {high:g}, not {text}")
    return value


def parse_count(text: str) -> int:
    """A whole number written with digits only (its range is the caller's rule)."""
    if not _INTEGER.fullmatch(text):
        raise ValueError(f"{text!r} is not a whole number")
    return int(text)


def parse_moment(text: str) -> datetime:
    """A timezone-aware moment.

    Accepts ISO 8601 with an offset (``2026-11-26T10:00:00Z``), or a London local time as
    ISO (``2026-11-26 10:00``) or as a spreadsheet writes it (``26/11/2026 10:00``).
    Local times that do not exist or happen twice around a clock change are refused
    rather than guessed.
    """
    match = _UK_MOMENT.fullmatch(text)
    try:
        if match:
            day, month, year, hour, minute, second = (int(g or 0) for g in match.groups())
            moment = datetime(year, month, day, hour, minute, second)
        else:
            if len(text) <= 10:
                raise ValueError("needs a time as well as a date, like 2026-11-26 10:00")
            moment = datetime.fromisoformat(text)
    except ValueError as exc:
        if "needs a time" in str(exc):
            raise
        raise ValueError(
            f"{text!r} is not a date and time (use 2026-11-26 10:00 or 2026-11-26T10:00:00Z)"
        ) from None
    if moment.tzinfo is not None:
        return moment
    return _london_local(moment, text)


def _london_local(naive: datetime, text: str) -> datetime:
    zone = london()
    first, second = naive.replace(tzinfo=zone), naive.replace(tzinfo=zone, fold=1)
    # In the spring gap the time does not survive a round trip through UTC; in the autumn
    # overlap it does, but the two folds have different offsets.
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise ValueError(f"{text} does not exist in London (clocks go forward)")
    if first.utcoffset() != second.utcoffset():
        raise ValueError(
            f"{text} happens twice in London (clocks go back); add the offset, "
            "like +01:00 or +00:00"
        )
    return first
