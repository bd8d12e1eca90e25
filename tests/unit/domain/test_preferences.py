"""The recipient's changes: what they may type, when they may change it, and which days."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from doorstep.domain import preferences
from doorstep.domain.errors import InvalidValue
from doorstep.domain.events import EventName
from doorstep.domain.model import Order, TimeWindow
from doorstep.domain.parcel import ParcelAction
from doorstep.domain.preferences import LONDON, NothingToChange
from tests import factories

ACTOR = "recipient:ord_test"
AT = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _order(**overrides: Any) -> Order:
    order = factories.order(**overrides)
    order.collect_events()
    return order


def _london(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


# -- safe place, neighbour, access ---------------------------------------------------------


def test_a_safe_place_from_the_list_with_a_note_reaches_the_courier_as_one_line() -> None:
    order = _order()
    changed = preferences.set_safe_place(
        order, "back_garden", "Behind the blue gate", actor=ACTOR, at=AT
    )
    assert changed == ["safe_place"]
    assert preferences.safe_place_text(order) == "Back garden: Behind the blue gate"


def test_somewhere_else_needs_a_note_saying_where() -> None:
    with pytest.raises(InvalidValue) as refused:
        preferences.set_safe_place(_order(), "other", "  ", actor=ACTOR, at=AT)
    assert refused.value.field == "safe_place_note"


def test_a_place_not_on_the_list_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        preferences.set_safe_place(_order(), "under_the_doormat", "", actor=ACTOR, at=AT)
    assert refused.value.field == "safe_place"


@pytest.mark.parametrize("note", ["behind\x00the bins", "porch\x1b[31m", "line\nbreak"])
def test_control_characters_in_a_safe_place_note_are_refused(note: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        preferences.set_safe_place(_order(), "front_porch", note, actor=ACTOR, at=AT)
    assert "control character" in refused.value.reason


def test_a_safe_place_note_longer_than_the_limit_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        preferences.set_safe_place(_order(), "shed", "x" * 201, actor=ACTOR, at=AT)
    assert "at most 200" in refused.value.reason


def test_a_neighbour_is_a_house_number_or_name_never_a_phone_number() -> None:
    order = _order()
    assert preferences.set_neighbour(order, "No. 14", actor=ACTOR, at=AT) == ["neighbour"]
    assert order.neighbour == "No. 14"
    for phone in ("07700 900123", "+44 7700 900123", "020-7946-0958"):
        with pytest.raises(InvalidValue, match="not a phone number"):
            preferences.set_neighbour(order, f"Mrs Jones {phone}", actor=ACTOR, at=AT)
    with pytest.raises(InvalidValue):
        preferences.set_neighbour(order, "R" * 61, actor=ACTOR, at=AT)


def test_an_access_code_replaces_the_brands_and_is_named_but_never_quoted_in_the_event() -> None:
    order = _order(address=factories.address(access_code="1111", access_notes="Ring twice"))
    changed = preferences.set_access(
        order, note="", code="4711#", remove_note=False, remove_code=False, actor=ACTOR, at=AT
    )
    assert changed == ["access_code"]
    assert order.address.access_code == "4711#"
    assert order.address.access_notes == "Ring twice"  # an empty field keeps what was there
    (event,) = order.collect_events()
    assert event.name == EventName.ORDER_PREFERENCES_CHANGED
    assert event.payload["changed"] == ["access_code"]
    assert event.payload["actor"] == ACTOR
    assert "4711" not in json.dumps(event.payload)


def test_ticking_remove_clears_the_code_and_giving_nothing_at_all_is_refused() -> None:
    order = _order(address=factories.address(access_code="1111"))
    preferences.set_access(
        order, note="", code="", remove_note=False, remove_code=True, actor=ACTOR, at=AT
    )
    assert order.address.access_code is None
    with pytest.raises(InvalidValue) as refused:
        preferences.set_access(
            order, note=" ", code="", remove_note=False, remove_code=False, actor=ACTOR, at=AT
        )
    assert refused.value.field == "access"


def test_a_door_code_follows_the_orders_own_rule() -> None:
    with pytest.raises(InvalidValue) as refused:
        preferences.set_access(
            _order(),
            note="",
            code="12 34",
            remove_note=False,
            remove_code=False,
            actor=ACTOR,
            at=AT,
        )
    assert refused.value.field == "access_code"


def test_setting_what_is_already_set_records_nothing() -> None:
    order = _order()
    preferences.set_needs_more_time(order, True, actor=ACTOR, at=AT)
    order.collect_events()
    assert preferences.set_needs_more_time(order, True, actor=ACTOR, at=AT) == []
    assert order.collect_events() == []


def test_needing_longer_means_more_door_time_and_a_longer_wait() -> None:
    order = _order()
    before = (preferences.extra_door_time_s(order), preferences.door_wait_s(order))
    preferences.set_needs_more_time(order, True, actor=ACTOR, at=AT)
    assert preferences.extra_door_time_s(order) > before[0]
    assert preferences.door_wait_s(order) > before[1]


# -- when nothing can change ----------------------------------------------------------------


def test_nothing_changes_once_the_parcel_is_delivered() -> None:
    order = _order()
    factories.deliver(order.parcels[0])
    with pytest.raises(NothingToChange, match="delivered"):
        preferences.set_neighbour(order, "No. 14", actor=ACTOR, at=AT)
    assert not preferences.can_act(order)


def test_nothing_changes_once_the_order_is_cancelled() -> None:
    order = _order()
    order.cancel(actor="key_test", at=AT)
    with pytest.raises(NothingToChange, match="cancelled"):
        preferences.set_needs_more_time(order, True, actor=ACTOR, at=AT)


def test_an_order_is_final_when_its_last_parcel_is_and_not_before() -> None:
    order = _order(parcels=2)
    factories.deliver(order.parcels[0], at=AT)
    assert preferences.final_at(order) is None
    factories.deliver(order.parcels[1], at=AT + timedelta(hours=2))
    assert preferences.final_at(order) == AT + timedelta(hours=2, minutes=4)


# -- another day ------------------------------------------------------------------------------


def test_the_days_offered_run_over_the_end_of_the_month() -> None:
    days = preferences.available_days(
        _london(2026, 11, 30, 9, 0), due=date(2026, 12, 1), route_started=False
    )
    assert days == [date(2026, 11, 30), date(2026, 12, 2), date(2026, 12, 3), date(2026, 12, 4)]


def test_the_days_offered_skip_christmas_boxing_day_and_sunday() -> None:
    days = preferences.available_days(_london(2026, 12, 24, 8, 0), due=None, route_started=False)
    assert date(2026, 12, 25) not in days
    assert date(2026, 12, 27) not in days
    assert date(2026, 12, 28) not in days
    assert days[-1] == date(2026, 12, 31)


def test_at_one_minute_to_midnight_london_today_is_gone_and_tomorrow_is_first() -> None:
    # 23:59 in London in summer is 22:59 UTC: the same day either way, past the cut-off.
    days = preferences.available_days(_london(2026, 6, 30, 23, 59), due=None, route_started=False)
    assert days[0] == date(2026, 7, 1)


def test_just_after_midnight_in_summer_london_is_already_on_the_next_day() -> None:
    # 00:30 BST on 1 July is 23:30 UTC on 30 June: London's day counts.
    now = _london(2026, 7, 1, 0, 30)
    assert now.astimezone(UTC).date() == date(2026, 6, 30)
    days = preferences.available_days(now, due=None, route_started=False)
    assert days[0] == date(2026, 7, 1)


def test_today_is_not_offered_once_the_route_has_started() -> None:
    now = _london(2026, 12, 2, 8, 0)
    assert date(2026, 12, 2) in preferences.available_days(now, due=None, route_started=False)
    assert date(2026, 12, 2) not in preferences.available_days(now, due=None, route_started=True)


def test_a_window_keeps_its_london_hours_across_the_end_of_summer_time() -> None:
    # Friday 23 October 2026, 10:00-12:00 BST (09:00-11:00 UTC); summer time ends on the 25th.
    window = TimeWindow(_london(2026, 10, 23, 10, 0), _london(2026, 10, 23, 12, 0))
    moved = preferences.moved_window(window, date(2026, 10, 26))
    assert moved.start.astimezone(UTC) == datetime(2026, 10, 26, 10, 0, tzinfo=UTC)
    assert moved.end.astimezone(UTC) == datetime(2026, 10, 26, 12, 0, tzinfo=UTC)


def test_an_order_without_a_window_gets_the_whole_london_day_chosen() -> None:
    moved = preferences.moved_window(None, date(2027, 3, 27))  # the day before summer time
    assert moved.start == _london(2027, 3, 27, 0, 0)
    assert moved.end == _london(2027, 3, 28, 0, 0)


def test_rescheduling_moves_the_window_and_says_whether_the_parcels_were_loaded() -> None:
    order = _order(window=TimeWindow(_london(2026, 12, 3, 10, 0), _london(2026, 12, 3, 12, 0)))
    order.parcels[0].apply(ParcelAction.RECEIVE, actor="usr_hub", at=AT, place="hub_test")
    order.collect_events()
    days = [date(2026, 12, 4), date(2026, 12, 5)]
    preferences.reschedule(
        order, date(2026, 12, 5), available=days, from_date=date(2026, 12, 3), loaded=False,
        actor=ACTOR, at=AT,
    )  # fmt: skip
    assert order.delivery_date == date(2026, 12, 5)
    assert order.window == TimeWindow(_london(2026, 12, 5, 10, 0), _london(2026, 12, 5, 12, 0))
    (event,) = order.collect_events()
    assert event.name == EventName.ORDER_RESCHEDULED
    assert dict(event.payload) == {
        "order_id": order.id,
        "reference": order.reference,
        "actor": ACTOR,
        "from_date": "2026-12-03",
        "to_date": "2026-12-05",
        "loaded": False,
    }


def test_a_day_not_offered_and_the_day_already_due_are_refused() -> None:
    order = _order()
    days = [date(2026, 12, 4)]
    for day in (date(2026, 12, 6), date(2026, 12, 3)):
        with pytest.raises(InvalidValue) as refused:
            preferences.reschedule(
                order, day, available=days, from_date=date(2026, 12, 3), loaded=False,
                actor=ACTOR, at=AT,
            )  # fmt: skip
        assert refused.value.field == "date"
    assert order.collect_events() == []


def test_a_shop_shut_for_lunch_is_still_shut_for_lunch_on_the_day_it_moves_to() -> None:
    order = _order(
        window=TimeWindow(_london(2026, 12, 3, 9, 0), _london(2026, 12, 3, 17, 0)),
        closed=TimeWindow(_london(2026, 12, 3, 13, 0), _london(2026, 12, 3, 14, 0)),
    )
    days = [date(2026, 12, 4)]
    preferences.reschedule(
        order, date(2026, 12, 4), available=days, from_date=date(2026, 12, 3), loaded=False,
        actor=ACTOR, at=AT,
    )  # fmt: skip
    assert order.closed == TimeWindow(_london(2026, 12, 4, 13, 0), _london(2026, 12, 4, 14, 0))


def test_a_new_window_that_leaves_out_the_closed_period_drops_it() -> None:
    order = _order(
        window=TimeWindow(_london(2026, 12, 3, 9, 0), _london(2026, 12, 3, 17, 0)),
        closed=TimeWindow(_london(2026, 12, 3, 13, 0), _london(2026, 12, 3, 14, 0)),
    )
    morning = TimeWindow(_london(2026, 12, 3, 9, 0), _london(2026, 12, 3, 12, 0))
    preferences.change_window(order, morning, day=None, reason="office", actor=ACTOR, at=AT)
    assert order.window == morning and order.closed is None
