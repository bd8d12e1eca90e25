"""The one rule for a batch of positions: each refusal names the first bad field by its
place in the batch, and anything the rule accepts can be stored."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from doorstep.domain.calendar import CLOCK_SKEW
from doorstep.domain.errors import InvalidValue
from doorstep.domain.pings import MAX_BATCH, Ping, check_batch

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
KEEP = timedelta(days=30)
GOOD = Ping(at=NOW - timedelta(seconds=5), lat=51.55, lon=-0.14, accuracy_m=8.0)


def refused_field(pings: list[Ping], now: datetime = NOW) -> str:
    with pytest.raises(InvalidValue) as refused:
        check_batch(pings, now, KEEP)
    return refused.value.field


def test_a_batch_of_good_positions_passes_up_to_the_limit() -> None:
    check_batch([GOOD], NOW, KEEP)
    check_batch([GOOD] * MAX_BATCH, NOW, KEEP)


def test_an_empty_batch_and_one_over_the_limit_are_refused() -> None:
    assert refused_field([]) == "pings"
    assert refused_field([GOOD] * (MAX_BATCH + 1)) == "pings"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lat": 90.0001}, "lat"),
        ({"lat": -91.0}, "lat"),
        ({"lat": math.nan}, "lat"),
        ({"lon": 180.5}, "lon"),
        ({"lon": -math.inf}, "lon"),
        ({"accuracy_m": -0.1}, "accuracy_m"),
        ({"accuracy_m": math.inf}, "accuracy_m"),
        ({"speed_mps": -1.0}, "speed_mps"),
        ({"heading_deg": 361.0}, "heading_deg"),
    ],
)
def test_a_value_out_of_range_is_refused_naming_its_place(
    change: dict[str, float], field: str
) -> None:
    batch = [GOOD, GOOD, GOOD, replace(GOOD, **change)]  # type: ignore[arg-type]
    assert refused_field(batch) == f"pings[3].{field}"


def test_the_edges_of_every_range_are_accepted() -> None:
    edges = [
        replace(GOOD, lat=-90.0, lon=-180.0, accuracy_m=0.0, speed_mps=0.0, heading_deg=0.0),
        replace(GOOD, lat=90.0, lon=180.0, heading_deg=360.0),
        replace(GOOD, at=NOW + CLOCK_SKEW),
        replace(GOOD, at=NOW - KEEP),
    ]
    check_batch(edges, NOW, KEEP)


def test_a_reading_further_ahead_than_a_clock_may_drift_is_refused() -> None:
    ahead = replace(GOOD, at=NOW + CLOCK_SKEW + timedelta(seconds=1))
    with pytest.raises(InvalidValue, match="future") as refused:
        check_batch([GOOD, ahead], NOW, KEEP)
    assert refused.value.field == "pings[1].at"


def test_a_reading_older_than_positions_are_kept_is_refused() -> None:
    old = replace(GOOD, at=NOW - KEEP - timedelta(seconds=1))
    with pytest.raises(InvalidValue, match="30 days"):
        check_batch([old], NOW, KEEP)


def test_a_time_without_an_offset_is_refused() -> None:
    naive = replace(GOOD, at=datetime(2026, 12, 3, 8, 59))
    assert refused_field([naive]) == "pings[0].at"


def test_the_first_bad_field_is_named_when_several_are_bad() -> None:
    both = replace(GOOD, lat=100.0, at=NOW + timedelta(hours=1))
    assert refused_field([GOOD, both, replace(GOOD, lon=999.0)]) == "pings[1].lat"
