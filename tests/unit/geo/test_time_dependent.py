from datetime import UTC, datetime, timedelta

import pytest

from doorstep.domain.model import VehicleType
from doorstep.geo.time_dependent import timeline
from doorstep.geo.traffic import LONDON


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 25, hour, minute, tzinfo=UTC)


def test_each_leg_takes_the_factor_of_the_band_it_starts_in() -> None:
    night = LONDON.factor(at(6), VehicleType.VAN)
    peak = LONDON.factor(at(8), VehicleType.VAN)
    result = timeline([1800, 1800], at(6, 30), LONDON, service_times=[0, 0])
    first_leg = timedelta(seconds=1800 / night)
    assert result.arrivals[0] == at(6, 30) + first_leg
    # The second leg starts after 07:00, in the AM peak.
    assert result.arrivals[1] == result.departures[0] + timedelta(seconds=1800 / peak)


def test_service_time_is_spent_before_leaving_a_stop() -> None:
    result = timeline([600], at(3), LONDON, service_times=[120])
    assert result.departures[0] - result.arrivals[0] == timedelta(seconds=120)


def test_courier_waits_for_a_window_to_open() -> None:
    result = timeline([60, 60], at(3), LONDON, service_times=[30, 30], not_before=[at(4), None])
    assert result.departures[0] == at(4) + timedelta(seconds=30)


def test_bikes_keep_free_flow_times_in_the_peak() -> None:
    result = timeline([600], at(8), LONDON, [0], profile=VehicleType.E_CARGO_BIKE)
    assert result.arrivals[0] == at(8, 10)


def test_refuses_service_times_not_matching_the_legs() -> None:
    with pytest.raises(ValueError, match="service_times"):
        timeline([60, 60], at(8), LONDON, service_times=[30])


def test_refuses_a_start_without_timezone() -> None:
    with pytest.raises(ValueError, match="timezone"):
        timeline([60], datetime(2026, 11, 25, 8), LONDON, [0])
