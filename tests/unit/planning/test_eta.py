"""The arrival predictor and the measured error model (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from doorstep.geo.traffic import FREE_FLOW, LONDON
from doorstep.planning.eta import (
    Departure,
    ErrorPrior,
    Observation,
    RemainingStop,
    error_model,
    predict_arrivals,
    remaining_fraction,
    window_centre,
)

NINE = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 09:00 London: AM peak


def test_arrivals_add_each_leg_and_each_door_time() -> None:
    stops = [RemainingStop("a", 600, 120), RemainingStop("b", 300, 60)]
    arrivals = predict_arrivals(Departure(NINE), stops, now=NINE, traffic=FREE_FLOW)
    assert arrivals == [NINE + timedelta(seconds=600), NINE + timedelta(seconds=1020)]


def test_a_leg_in_the_peak_is_slower_than_at_night() -> None:
    stops = [RemainingStop("a", 600, 0)]
    [peak] = predict_arrivals(Departure(NINE), stops, now=NINE, traffic=LONDON)
    night = NINE.replace(hour=22)
    [quiet] = predict_arrivals(Departure(night), stops, now=night, traffic=LONDON)
    assert peak - NINE > quiet - night


def test_a_courier_is_never_predicted_to_arrive_in_the_past() -> None:
    later = NINE + timedelta(minutes=30)
    stops = [RemainingStop("a", 60, 120), RemainingStop("b", 60, 0)]
    arrivals = predict_arrivals(Departure(NINE), stops, now=later, traffic=FREE_FLOW)
    assert arrivals == [later, later + timedelta(seconds=180)]


def test_a_courier_at_a_door_leaves_when_its_door_time_is_spent() -> None:
    busy = NINE + timedelta(minutes=3)
    stops = [RemainingStop("b", 60, 0)]
    [arrival] = predict_arrivals(
        Departure(NINE, busy_until=busy), stops, now=NINE + timedelta(minutes=1), traffic=FREE_FLOW
    )
    assert arrival == busy + timedelta(seconds=60)


def test_the_courier_rings_when_a_promised_window_opens() -> None:
    opens = NINE + timedelta(hours=1)
    stops = [RemainingStop("a", 60, 120, opens_at=opens), RemainingStop("b", 60, 0)]
    arrivals = predict_arrivals(Departure(NINE), stops, now=NINE, traffic=FREE_FLOW)
    assert arrivals == [opens, opens + timedelta(seconds=180)]


def test_negative_durations_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        RemainingStop("a", -1, 0)


def test_the_share_of_a_leg_ahead_is_clamped() -> None:
    assert remaining_fraction(250, 1000) == 0.25
    assert remaining_fraction(1500, 1000) == 1.0
    assert remaining_fraction(10, 0) == 0.0


def test_with_no_observations_the_prior_holds() -> None:
    model = error_model([])
    prior = ErrorPrior()
    assert (model.bias_rate, model.spread_rate, model.observations) == (0.0, prior.spread_rate, 0)
    assert model.spread_s(3600) == pytest.approx((540**2 + 180**2) ** 0.5)


def test_a_route_running_late_moves_the_centre_later_and_more_so_further_ahead() -> None:
    late = [Observation(horizon_s=1800, error_s=540)] * 10  # 30% slower than predicted
    model = error_model(late)
    assert model.bias_rate == pytest.approx(0.3 * 10 / 15)  # shrunk towards the prior (5 obs)
    near = window_centre(NINE + timedelta(minutes=10), NINE, model)
    far = window_centre(NINE + timedelta(minutes=60), NINE, model)
    assert near - (NINE + timedelta(minutes=10)) < far - (NINE + timedelta(minutes=60))


def test_short_horizons_and_absurd_errors_do_not_swing_the_model() -> None:
    noise = [Observation(horizon_s=60, error_s=600)] * 10
    assert error_model(noise).bias_rate == 0.0
    absurd = [Observation(horizon_s=600, error_s=60000)] * 50
    assert error_model(absurd).bias_rate == 1.0
