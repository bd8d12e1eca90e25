"""Building blocks shared by every schema: strict models and safe strings."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Generic, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from doorstep.domain import calendar
from doorstep.domain.text import check_no_control

T = TypeVar("T")


class Strict(BaseModel):
    """Input models: unknown fields are typos, NaN and infinity are never a quantity."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=True)


class Public(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False)


def _one_line(value: str) -> str:
    """NUL cannot be stored in PostgreSQL, and no control character belongs in a name."""
    return check_no_control(value)


def _lines(value: str) -> str:
    return check_no_control(value, line_breaks=True)


Text = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(_one_line)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=1000), AfterValidator(_lines)]
Token = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:\-]{1,100}$")]
Latitude = Annotated[float, Field(ge=-90, le=90)]
# A wall-clock time in the hub's city, "06:00" or "06:00:00". Not JSON Schema's "time" format:
# that is RFC 3339's full-time, which needs a UTC offset our opening hours do not have.
LocalTime = Annotated[
    time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
            "description": "Local wall-clock time, HH:MM or HH:MM:SS (no UTC offset).",
        }
    ),
]
Longitude = Annotated[float, Field(ge=-180, le=180)]


def _in_calendar(value: date) -> date:
    if (reason := calendar.date_problem(value)) is not None:
        raise ValueError(reason)
    return value


def _moment_in_calendar(value: datetime) -> datetime:
    if (reason := calendar.moment_problem(value)) is not None:
        raise ValueError(reason)
    return value


_RANGE = f"Between {calendar.EARLIEST_DATE} and {calendar.LATEST_DATE}."
# Every date and time the API takes, in a body or a query, is one of these two: the
# calendar's range is checked in one place (domain/calendar.py), before any arithmetic.
Moment = Annotated[
    AwareDatetime,
    AfterValidator(_moment_in_calendar),
    Field(description=f"ISO 8601 date and time with a UTC offset. {_RANGE}"),
]
Day = Annotated[date, AfterValidator(_in_calendar), Field(description=f"ISO 8601 date. {_RANGE}")]


class Items(Public, Generic[T]):
    items: list[T]


class PageOf(Public, Generic[T]):
    items: list[T]
    next_cursor: str | None
