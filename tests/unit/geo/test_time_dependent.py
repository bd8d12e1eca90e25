from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from doorstep.domain.model import VehicleType
from doorstep.geo.time_dependent import timeline
from doorstep.geo.traffic import FREE_FLOW, LONDON


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


def test_elapsed_time_is_exact_across_the_spring_clock_change() -> None:
    london = ZoneInfo("Europe/London")
    start = datetime(2026, 3, 29, 0, 30, tzinfo=london)  # GMT; clocks jump 01:00 -> 02:00
    result = timeline([7200], start, FREE_FLOW, [0])
    # (Subtracting two Europe/London times would count wall-clock hours: compare in UTC.)
    assert result.arrivals[0].astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=2)
    assert result.arrivals[0].astimezone(UTC) == datetime(2026, 3, 29, 2, 30, tzinfo=UTC)
    assert result.arrivals[0].tzinfo is london
    assert (result.arrivals[0].hour, result.arrivals[0].minute) == (3, 30)  # BST


def test_a_leg_starting_after_the_clock_change_uses_the_new_local_band() -> None:
    # 06:30 UTC on 30 March 2026 is 07:30 BST: the AM peak, not the night.
    start = datetime(2026, 3, 30, 6, 30, tzinfo=UTC)
    result = timeline([600], start, LONDON, [0])
    peak = LONDON.factor(start, VehicleType.VAN)
    assert result.arrivals[0] == start + timedelta(seconds=600 / peak)
    assert peak == LONDON.bands[0].speed_factor
