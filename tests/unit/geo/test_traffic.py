from datetime import UTC, datetime, time, timedelta, timezone

import pytest

from doorstep.domain.model import VehicleType
from doorstep.geo.traffic import FREE_FLOW, LONDON, TrafficBand, TrafficProfile


def london(hour: int, minute: int = 0, second: int = 0) -> datetime:
    # 25 Nov 2026 is GMT, so UTC equals London clock time.
    return datetime(2026, 11, 25, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "band"),
    [
        (london(6, 59, 59), "evening_night"),
        (london(7, 0), "am_peak"),
        (london(9, 59, 59), "am_peak"),
        (london(10, 0), "inter_peak"),
        (london(15, 59), "inter_peak"),
        (london(16, 0), "pm_peak"),
        (london(18, 59), "pm_peak"),
        (london(19, 0), "evening_night"),
        (london(0, 0), "evening_night"),
    ],
)
def test_band_boundaries_start_inclusive_end_exclusive(moment: datetime, band: str) -> None:
    assert LONDON.band_at(moment).name == band


def test_bands_follow_london_clock_time_across_the_spring_change() -> None:
    # Clocks go forward at 01:00 UTC on 29 March 2026: 06:30 UTC is 06:30 before, 07:30 after.
    before = datetime(2026, 3, 28, 6, 30, tzinfo=UTC)
    after = before + timedelta(days=2)
    assert LONDON.band_at(before).name == "evening_night"
    assert LONDON.band_at(after).name == "am_peak"


def test_bands_follow_london_clock_time_across_the_autumn_change() -> None:
    # Clocks go back at 01:00 UTC on 25 October 2026: 15:30 UTC is 16:30 BST, then 15:30 GMT.
    bst = datetime(2026, 10, 24, 15, 30, tzinfo=UTC)
    gmt = bst + timedelta(days=2)
    assert LONDON.band_at(bst).name == "pm_peak"
    assert LONDON.band_at(gmt).name == "inter_peak"


def test_departure_in_another_timezone_is_converted_first() -> None:
    new_york_3am = datetime(2026, 11, 25, 3, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert LONDON.band_at(new_york_3am).name == "am_peak"  # 08:00 in London


def test_refuses_a_departure_without_timezone() -> None:
    with pytest.raises(ValueError, match="timezone"):
        LONDON.band_at(datetime(2026, 11, 25, 8, 0))


@pytest.mark.parametrize("profile", list(VehicleType))
def test_every_vehicle_needs_a_timezone_aware_departure(profile: VehicleType) -> None:
    with pytest.raises(ValueError, match="timezone"):
        LONDON.factor(datetime(2026, 11, 25, 8, 0), profile)


def test_only_vans_are_slowed_by_default() -> None:
    peak = london(8)
    assert LONDON.factor(peak, VehicleType.VAN) < 1.0
    assert LONDON.factor(peak, VehicleType.E_CARGO_BIKE) == 1.0
    assert LONDON.factor(peak, VehicleType.ON_FOOT) == 1.0


def test_peaks_are_slower_than_the_night() -> None:
    night = LONDON.factor(london(3), VehicleType.VAN)
    for hour in (8, 12, 17):
        assert LONDON.factor(london(hour), VehicleType.VAN) < night


def test_free_flow_profile_never_slows_anyone() -> None:
    assert FREE_FLOW.factor(london(8), VehicleType.VAN) == 1.0


def test_refuses_overlapping_bands() -> None:
    with pytest.raises(ValueError, match="overlaps"):
        TrafficProfile(
            bands=(
                TrafficBand("day", time(6), time(20), 0.7),
                TrafficBand("night", time(19), time(6), 1.0),
            )
        )


def test_refuses_bands_leaving_a_gap() -> None:
    with pytest.raises(ValueError, match="24 hours"):
        TrafficProfile(bands=(TrafficBand("day", time(6), time(20), 0.7),))


def test_refuses_a_non_positive_factor() -> None:
    with pytest.raises(ValueError, match="speed_factor"):
        TrafficBand("stuck", time(0), time(0), 0.0)


def test_a_custom_profile_can_slow_bikes_too() -> None:
    profile = TrafficProfile(
        bands=(TrafficBand("all", time(0), time(0), 0.5),),
        affects=frozenset({VehicleType.VAN, VehicleType.E_CARGO_BIKE}),
    )
    assert profile.factor(london(12), VehicleType.E_CARGO_BIKE) == 0.5
