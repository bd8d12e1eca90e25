"""A failed parcel's next step: attempts, the calendar's edges, and the recipient's day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from doorstep.domain.delivery_policy import (
    AfterLastAttempt,
    DeliveryPolicy,
    Reattempt,
    StepKind,
    attempts_made,
    held,
    next_step,
    next_working_day,
)
from doorstep.domain.errors import InvalidValue
from doorstep.domain.parcel import ParcelAction, ParcelEvent, ParcelState

AT = datetime(2026, 3, 2, 18, tzinfo=UTC)


def _fail(sequence: int, *, not_attempted: bool = False) -> ParcelEvent:
    details = {"not_attempted": "true"} if not_attempted else {}
    return ParcelEvent(
        "par_1",
        sequence,
        ParcelAction.FAIL_ATTEMPT,
        ParcelState.OUT_FOR_DELIVERY,
        ParcelState.ATTEMPT_FAILED,
        "usr_c",
        AT,
        reason_code="recipient_not_home",
        details=details,
    )


def _history(failures: int) -> list[ParcelEvent]:
    return [_fail(i + 1) for i in range(failures)]


def test_first_failure_is_tried_again_the_next_working_day() -> None:
    step = next_step(DeliveryPolicy(), _history(1), today=date(2026, 3, 3))  # a Tuesday
    assert step.kind is StepKind.REATTEMPT
    assert step.day == date(2026, 3, 4)
    assert step.action is ParcelAction.RECEIVE
    assert step.details()["reattempt_on"] == "2026-03-04"


def test_saturday_is_a_working_day_but_sunday_is_not() -> None:
    friday, saturday = date(2026, 3, 6), date(2026, 3, 7)
    assert next_step(DeliveryPolicy(), _history(1), today=friday).day == saturday
    assert next_step(DeliveryPolicy(), _history(1), today=saturday).day == date(2026, 3, 9)


def test_bank_holidays_are_skipped() -> None:
    # Good Friday 3 April 2026 and Easter Monday 6 April 2026 are bank holidays.
    assert next_working_day(date(2026, 4, 2)) == date(2026, 4, 4)
    assert next_working_day(date(2026, 4, 4)) == date(2026, 4, 7)
    # Christmas 2026 falls on a Friday: Boxing Day is held on Monday 28th.
    assert next_working_day(date(2026, 12, 24)) == date(2026, 12, 26)
    assert next_working_day(date(2026, 12, 26)) == date(2026, 12, 29)


def test_the_last_attempt_returns_to_the_sender_by_default() -> None:
    step = next_step(DeliveryPolicy(), _history(3), today=date(2026, 3, 3))
    assert step.kind is StepKind.RETURN
    assert step.action is ParcelAction.START_RETURN
    assert "returning to the sender" in step.why


def test_the_last_attempt_may_hold_the_parcel_for_collection() -> None:
    policy = DeliveryPolicy(
        attempts_allowed=2, after_last_attempt=AfterLastAttempt.HOLD_AT_HUB, hold_at_hub_days=3
    )
    step = next_step(policy, _history(2), today=date(2026, 3, 6))  # Friday
    assert step.kind is StepKind.HOLD
    assert step.action is ParcelAction.RECEIVE
    assert step.hold_until == date(2026, 3, 10)  # Sat, Mon, Tue


def test_a_single_attempt_policy_returns_after_the_first_failure() -> None:
    step = next_step(DeliveryPolicy(attempts_allowed=1), _history(1), today=date(2026, 3, 3))
    assert step.kind is StepKind.RETURN


def test_a_stop_never_reached_does_not_count_as_an_attempt() -> None:
    events = [*_history(2), _fail(3, not_attempted=True)]
    assert attempts_made(events) == 2
    assert next_step(DeliveryPolicy(), events, today=date(2026, 3, 3)).kind is StepKind.REATTEMPT


def test_the_customers_day_is_kept_when_the_policy_follows_it() -> None:
    policy = DeliveryPolicy(reattempt=Reattempt.CUSTOMER_DAY)
    step = next_step(policy, _history(1), today=date(2026, 3, 3), customer_day=date(2026, 3, 6))
    assert step.day == date(2026, 3, 6)
    assert "recipient's day" in step.why


def test_a_customers_day_in_the_past_falls_back_to_the_next_working_day() -> None:
    policy = DeliveryPolicy(reattempt=Reattempt.CUSTOMER_DAY)
    for chosen in (date(2026, 3, 1), date(2026, 3, 3), None):
        step = next_step(policy, _history(1), today=date(2026, 3, 3), customer_day=chosen)
        assert step.day == date(2026, 3, 4)


def test_a_customers_day_on_a_sunday_falls_back() -> None:
    policy = DeliveryPolicy(reattempt=Reattempt.CUSTOMER_DAY)
    step = next_step(policy, _history(1), today=date(2026, 3, 3), customer_day=date(2026, 3, 8))
    assert step.day == date(2026, 3, 4)


def test_the_next_working_day_policy_ignores_an_earlier_choice() -> None:
    step = next_step(
        DeliveryPolicy(), _history(1), today=date(2026, 3, 3), customer_day=date(2026, 3, 6)
    )
    assert step.day == date(2026, 3, 4)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"attempts_allowed": 0}, "attempts_allowed"),
        ({"attempts_allowed": 6}, "attempts_allowed"),
        ({"attempts_allowed": True}, "attempts_allowed"),
        ({"hold_at_hub_days": 0}, "hold_at_hub_days"),
        ({"hold_at_hub_days": 31}, "hold_at_hub_days"),
        ({"reattempt": "someday"}, "reattempt"),
        ({"after_last_attempt": "bin_it"}, "after_last_attempt"),
    ],
)
def test_a_policy_out_of_bounds_is_refused_naming_the_field(
    fields: dict[str, object], field: str
) -> None:
    values: dict[str, object] = {
        "attempts_allowed": 3,
        "reattempt": "next_working_day",
        "hold_at_hub_days": 7,
        "after_last_attempt": "return_to_sender",
    } | fields
    with pytest.raises(InvalidValue) as refused:
        DeliveryPolicy.parse(**values)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_a_held_parcel_is_recognised_from_its_last_event() -> None:
    step = next_step(
        DeliveryPolicy(attempts_allowed=1, after_last_attempt=AfterLastAttempt.HOLD_AT_HUB),
        _history(1),
        today=date(2026, 3, 3),
    )
    back = ParcelEvent(
        "par_1",
        2,
        ParcelAction.RECEIVE,
        ParcelState.ATTEMPT_FAILED,
        ParcelState.AT_HUB,
        "usr_h",
        AT,
        details=step.details(),
    )
    assert held(back)
    assert not held(None)
    assert not held(_fail(1))
