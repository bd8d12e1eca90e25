"""The window rules: how wide, where, never earlier, and when a delay is raised."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from doorstep.domain.errors import InvalidValue
from doorstep.domain.eta import (
    AnnouncedWindow,
    EtaRound,
    WindowKind,
    kind_due,
    lateness,
    place_window,
    windows_due,
)
from doorstep.domain.events import PAYLOAD_FIELDS, EventName
from doorstep.domain.model import TimeWindow

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return NOW.replace(hour=hour, minute=minute, second=second)


def test_three_stops_away_is_approaching_and_the_next_is_next() -> None:
    assert [kind_due(n) for n in range(5)] == [
        WindowKind.NEXT,
        WindowKind.APPROACHING,
        WindowKind.APPROACHING,
        WindowKind.DAY,
        WindowKind.DAY,
    ]


def test_a_window_is_centred_and_rounded_to_five_minutes() -> None:
    window = place_window(
        "stp_1", WindowKind.DAY, centre=_at(11, 12, 40), predicted=_at(11, 5), now=NOW
    )
    assert (window.start, window.end) == (_at(10, 45), _at(11, 45))
    assert window.predicted_arrival == _at(11, 5)


def test_a_window_never_starts_in_the_past() -> None:
    window = place_window("stp_1", WindowKind.NEXT, centre=_at(9, 2), predicted=_at(9, 2), now=NOW)
    assert window.start == NOW


def test_the_first_announcement_is_the_day_window_then_the_narrower_one_inside() -> None:
    made = windows_due(
        "stp_1", None, WindowKind.APPROACHING, centre=_at(9, 40), predicted=_at(9, 40), now=NOW
    )
    assert [w.kind for w in made] == ["day", "approaching"]
    assert made[1].start >= made[0].start


def test_a_window_already_as_narrow_as_due_stands() -> None:
    held = place_window("stp_1", WindowKind.DAY, centre=_at(11), predicted=_at(11), now=NOW)
    assert (
        windows_due("stp_1", held, WindowKind.DAY, centre=_at(10), predicted=_at(10), now=NOW) == []
    )


def test_an_earlier_prediction_narrows_at_the_start_of_the_window_held() -> None:
    held = place_window("stp_1", WindowKind.DAY, centre=_at(11), predicted=_at(11), now=NOW)
    [narrowed] = windows_due(
        "stp_1", held, WindowKind.NEXT, centre=_at(10, 5), predicted=_at(10, 5), now=NOW
    )
    assert narrowed.start == held.start == _at(10, 30)
    assert narrowed.end == _at(10, 45)


def test_a_later_prediction_narrows_after_the_window_held() -> None:
    held = place_window("stp_1", WindowKind.DAY, centre=_at(11), predicted=_at(11), now=NOW)
    [narrowed] = windows_due(
        "stp_1", held, WindowKind.NEXT, centre=_at(12), predicted=_at(12), now=NOW
    )
    assert (narrowed.start, narrowed.end) == (_at(11, 50), _at(12, 5))


def test_lateness_counts_from_the_window_or_the_promise_whichever_is_missed_more() -> None:
    held = place_window("stp_1", WindowKind.DAY, centre=_at(11), predicted=_at(11), now=NOW)
    assert lateness(held, _at(11, 30)) is None
    assert lateness(held, _at(11, 30, 30)) is None  # under a minute: rounding, not a delay
    assert lateness(held, _at(11, 40)) == timedelta(minutes=10)
    promise = TimeWindow(_at(9), _at(11, 15))
    assert lateness(held, _at(11, 20), promise) == timedelta(minutes=5)


def test_a_round_records_one_event_per_announcement_and_delay_without_a_brand() -> None:
    round_ = EtaRound("rte_1", NOW)
    held = place_window("stp_1", WindowKind.DAY, centre=_at(11), predicted=_at(11), now=NOW)
    round_.announce(held, ["ord_1", "ord_2"])
    round_.raise_delay(held, ["ord_1", "ord_2"], expected=_at(11, 40), late=timedelta(minutes=10))
    announced, delayed = round_.collect_events()
    assert announced.name is EventName.STOP_WINDOW_ANNOUNCED
    assert tuple(announced.payload) == PAYLOAD_FIELDS[EventName.STOP_WINDOW_ANNOUNCED]
    assert announced.payload["window_start"] == "2026-11-25T10:30:00+00:00"
    assert delayed.payload["lateness_s"] == 600
    assert delayed.payload["predicted_arrival"] == "2026-11-25T11:40:00+00:00"
    assert tuple(delayed.payload) == PAYLOAD_FIELDS[EventName.STOP_DELAY_PREDICTED]
    assert {announced.brand_id, delayed.brand_id} == {None}
    assert round_.collect_events() == []


@pytest.mark.parametrize(
    ("kind", "end", "field"),
    [("week", _at(10), "kind"), ("day", _at(9), "end"), ("day", _at(8), "end")],
)
def test_a_malformed_window_is_refused_naming_the_field(
    kind: str, end: datetime, field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        AnnouncedWindow("stp_1", kind, _at(9), end, _at(9), NOW)
    assert refused.value.field == field


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(InvalidValue):
        AnnouncedWindow("stp_1", "day", _at(9), _at(10), _at(9, 30), NOW.replace(tzinfo=None))
