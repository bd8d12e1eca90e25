"""The exception rules: raised with one event, resolved once, and when causes come and go."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from doorstep.domain.errors import InvalidValue
from doorstep.domain.events import PAYLOAD_FIELDS, EventName
from doorstep.domain.exceptions import (
    DispatchException,
    ExceptionKind,
    ExceptionState,
    Resolution,
    departure_due,
    key_of,
    late_cause_gone,
    route_not_started,
    stationary_matters,
    stationary_since,
)

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def raised() -> DispatchException:
    return DispatchException.raise_new(
        id="exc_TEST0000000000",
        kind=ExceptionKind.PREDICTED_LATE,
        key=key_of("stp_1", None),
        at=NOW,
        details="10 Example Road, NW1 7AA: expected at 11:52",
        route_id="rte_1",
        stop_id="stp_1",
        parcel_ids=["par_1"],
        order_ids=["ord_1"],
    )


def test_a_raised_exception_records_one_event_with_every_declared_field() -> None:
    found = raised()
    [event] = found.collect_events()
    assert event.name == EventName.EXCEPTION_RAISED
    assert tuple(event.payload) == PAYLOAD_FIELDS[EventName.EXCEPTION_RAISED]
    assert found.state is ExceptionState.OPEN and found.key == "stp_1:-"


def test_it_is_resolved_once_and_the_second_resolution_changes_nothing() -> None:
    found = raised()
    found.collect_events()
    assert found.resolve(at=NOW, actor="usr_1", note="rang", resolution=Resolution.BY_DISPATCHER)
    [event] = found.collect_events()
    assert tuple(event.payload) == PAYLOAD_FIELDS[EventName.EXCEPTION_RESOLVED]
    assert not found.resolve(
        at=NOW, actor="usr_2", note="again", resolution=Resolution.BY_DISPATCHER
    )
    assert found.collect_events() == [] and found.resolved_by == "usr_1"
    assert found.age(NOW + timedelta(hours=1)) == timedelta(0)


def test_a_dispatcher_must_say_what_was_done() -> None:
    with pytest.raises(InvalidValue):
        raised().resolve(at=NOW, actor="usr_1", note="  ", resolution=Resolution.BY_DISPATCHER)
    assert raised().resolve(at=NOW, actor="system:x", note="", resolution=Resolution.CAUSE_GONE)


def test_a_late_stop_is_gone_when_delivered_in_its_window_or_predicted_back_inside() -> None:
    end = NOW
    assert late_cause_gone(completed_at=end - timedelta(minutes=1), window_end=end)
    assert not late_cause_gone(completed_at=end + timedelta(minutes=1), window_end=end)
    assert late_cause_gone(completed_at=None, window_end=end, predicted_arrival=end)
    assert not late_cause_gone(completed_at=None, window_end=end)


def test_a_courier_is_stationary_after_fifteen_minutes_within_fifty_metres() -> None:
    readings = [(NOW - timedelta(minutes=m), d) for m, d in ((30, 400.0), (16, 10.0), (8, 4.0))]
    readings.append((NOW, 0.0))
    assert stationary_since(readings, now=NOW) == NOW - timedelta(minutes=16)
    assert stationary_since(readings[-2:], now=NOW) is None  # only 8 minutes
    assert stationary_since(readings, now=NOW + timedelta(minutes=11)) is None  # silent
    assert stationary_since([], now=NOW) is None


def test_standing_still_matters_only_away_from_the_next_stop() -> None:
    assert stationary_matters(600.0)
    assert not stationary_matters(40.0)
    assert not stationary_matters(None)


def test_a_route_is_late_to_start_fifteen_minutes_after_its_planned_start() -> None:
    planned = NOW
    assert departure_due(planned_start=planned, started=False, now=planned)
    assert not route_not_started(
        planned_start=planned, started=False, now=planned + timedelta(minutes=14)
    )
    assert route_not_started(
        planned_start=planned, started=False, now=planned + timedelta(minutes=15)
    )
    assert not route_not_started(
        planned_start=planned, started=True, now=planned + timedelta(hours=1)
    )
