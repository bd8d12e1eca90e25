"""Retries: exponential back-off with full jitter, within 72 hours, then a dead letter."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from doorstep.domain.webhooks import (
    FIRST_DELAY,
    MAX_DELAY,
    MIN_DELAY,
    RETRY_FOR,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    next_attempt_after_failure,
    retry_delay,
    should_disable,
)

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
fractions = st.floats(min_value=0, max_value=1, exclude_max=True)


def _delivery(**fields: object) -> WebhookDelivery:
    base = WebhookDelivery(
        id="msg_0000000000000000",
        endpoint_id="whe_0000000000000000",
        brand_id="brd_0000000000000000",
        outbox_id=1,
        event_name="order.created",
        body="{}",
        status=DeliveryStatus.PENDING,
        created_at=T0,
        retrying_since=T0,
        next_attempt_at=T0,
        attempts=1,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


@given(st.integers(min_value=1, max_value=500), fractions)
def test_a_delay_is_a_draw_below_a_ceiling_that_doubles_to_six_hours(
    attempts: int, rand: float
) -> None:
    ceiling = min(MAX_DELAY, FIRST_DELAY * 2 ** min(attempts - 1, 30))
    assert MIN_DELAY <= retry_delay(attempts, rand) <= ceiling


def test_the_ceiling_doubles_with_each_failure() -> None:
    top = [retry_delay(n, 0.999999) for n in range(1, 12)]
    assert top[0] < timedelta(seconds=31) and top[1] > timedelta(seconds=59)
    assert top == sorted(top) and top[-1] <= MAX_DELAY


@given(
    st.integers(min_value=1, max_value=200),
    fractions,
    st.integers(0, int(RETRY_FOR.total_seconds()) - 1),
)
def test_within_72_hours_the_next_try_is_never_later_than_their_end(
    attempts: int, rand: float, elapsed_s: int
) -> None:
    now = T0 + timedelta(seconds=elapsed_s)
    at = next_attempt_after_failure(_delivery(attempts=attempts), now, rand)
    assert at is not None and now < at <= T0 + RETRY_FOR


def test_a_failure_at_the_end_of_72_hours_is_a_dead_letter() -> None:
    assert next_attempt_after_failure(_delivery(), T0 + RETRY_FOR, 0.5) is None


def test_a_replay_starts_the_72_hours_again() -> None:
    replayed = _delivery(retrying_since=T0 + timedelta(days=5))
    assert next_attempt_after_failure(replayed, T0 + timedelta(days=5, hours=1), 0.5) is not None


def test_an_endpoint_failing_for_72_hours_is_disabled_and_not_before() -> None:
    endpoint = WebhookEndpoint(
        id="whe_0000000000000000",
        brand_id="brd_0000000000000000",
        url="https://hooks.example.com/",
        event_types=("order.created",),
        enabled=True,
        secret="whsec_AAAA",
        created_at=T0,
        updated_at=T0,
        failing_since=T0,
    )
    assert not should_disable(endpoint, T0 + RETRY_FOR - timedelta(seconds=1))
    assert should_disable(endpoint, T0 + RETRY_FOR)
    assert not should_disable(replace(endpoint, failing_since=None), T0 + RETRY_FOR * 2)


def test_during_a_rotation_both_secrets_sign_for_24_hours() -> None:
    endpoint = WebhookEndpoint(
        id="whe_0000000000000000",
        brand_id="brd_0000000000000000",
        url="https://hooks.example.com/",
        event_types=("order.created",),
        enabled=True,
        secret="whsec_NEW",
        created_at=T0,
        updated_at=T0,
        previous_secret="whsec_OLD",
        previous_secret_until=T0 + timedelta(hours=24),
    )
    assert endpoint.signing_secrets(T0) == ("whsec_NEW", "whsec_OLD")
    assert endpoint.signing_secrets(T0 + timedelta(hours=24)) == ("whsec_NEW",)
