from datetime import UTC, datetime, timedelta

from doorstep.domain.ids import new_tracking_token
from doorstep.domain.parcel import ParcelState
from doorstep.domain.tracking import (
    FINAL_STATES,
    TOKEN_LIFETIME_AFTER_FINAL,
    final_at,
    token_expired,
    token_well_formed,
)

FINAL = datetime(2026, 3, 2, 10, 42, tzinfo=UTC)


def test_a_token_of_an_order_not_yet_final_never_expires() -> None:
    assert not token_expired(None, FINAL + timedelta(days=3650))


def test_a_token_works_until_thirty_days_after_the_final_state() -> None:
    assert timedelta(days=30) == TOKEN_LIFETIME_AFTER_FINAL
    assert not token_expired(FINAL, FINAL + timedelta(days=30) - timedelta(seconds=1))


def test_a_token_expires_thirty_days_after_the_final_state() -> None:
    assert token_expired(FINAL, FINAL + timedelta(days=30))
    assert token_expired(FINAL, FINAL + timedelta(days=31))


def test_a_new_tracking_token_is_well_formed() -> None:
    assert token_well_formed(new_tracking_token())


def test_short_long_and_odd_tokens_are_not_well_formed() -> None:
    assert not token_well_formed("abc")
    assert not token_well_formed("a" * 65)
    assert not token_well_formed("a" * 20 + "\x00")
    assert not token_well_formed("a" * 20 + "/..")
    assert not token_well_formed("é" * 20)


def test_the_final_moment_is_the_last_move_once_every_parcel_is_final() -> None:
    morning = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    moves = [morning, morning + timedelta(hours=2)]
    assert final_at(["delivered", "cancelled"], moves, morning) == moves[-1]
    assert final_at(["delivered", "out_for_delivery"], moves, morning) is None
    assert final_at([], moves, morning) is None
    assert final_at(["returned_to_sender"], [], morning) == morning


def test_every_final_state_is_a_parcel_state() -> None:
    assert {state.value for state in ParcelState} >= FINAL_STATES
