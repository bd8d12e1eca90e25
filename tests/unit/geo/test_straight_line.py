from datetime import UTC, datetime

import numpy as np
import pytest

from doorstep.domain.model import GeoPoint, VehicleType
from doorstep.geo.geometry import haversine_m
from doorstep.geo.straight_line import DEFAULT_DETOURS, StraightLineProvider
from doorstep.geo.traffic import LONDON

CAMDEN = [GeoPoint(51.5390, -0.1426), GeoPoint(51.5308, -0.1238), GeoPoint(51.5560, -0.1780)]
NIGHT = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
AM_PEAK = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_distance_is_haversine_times_the_detour_factor() -> None:
    matrix = StraightLineProvider().matrix(CAMDEN, VehicleType.VAN, NIGHT)
    crow = haversine_m(CAMDEN[0].lat, CAMDEN[0].lon, CAMDEN[1].lat, CAMDEN[1].lon)
    assert matrix.distances_m[0, 1] == round(float(crow) * DEFAULT_DETOURS[VehicleType.VAN])


def test_matrix_is_square_with_zero_diagonal() -> None:
    matrix = StraightLineProvider().matrix(CAMDEN, VehicleType.ON_FOOT, NIGHT)
    assert matrix.size == 3
    assert np.all(np.diag(matrix.durations_s) == 0)
    assert np.all(matrix.durations_s[~np.eye(3, dtype=bool)] > 0)


def test_vans_are_slower_in_the_morning_peak_by_the_band_factor() -> None:
    provider = StraightLineProvider()
    night = provider.matrix(CAMDEN, VehicleType.VAN, NIGHT).durations_s[0, 2]
    peak = provider.matrix(CAMDEN, VehicleType.VAN, AM_PEAK).durations_s[0, 2]
    ratio = LONDON.factor(NIGHT, VehicleType.VAN) / LONDON.factor(AM_PEAK, VehicleType.VAN)
    assert peak / night == pytest.approx(ratio, rel=0.01)


def test_walking_is_the_same_at_any_hour_and_slower_than_cycling() -> None:
    provider = StraightLineProvider()
    walk_night = provider.matrix(CAMDEN, VehicleType.ON_FOOT, NIGHT).durations_s
    walk_peak = provider.matrix(CAMDEN, VehicleType.ON_FOOT, AM_PEAK).durations_s
    bike = provider.matrix(CAMDEN, VehicleType.E_CARGO_BIKE, AM_PEAK).durations_s
    assert np.array_equal(walk_night, walk_peak)
    assert walk_peak[0, 1] > bike[0, 1]


def test_refuses_a_speed_that_is_not_positive() -> None:
    with pytest.raises(ValueError, match="speeds_kmh"):
        StraightLineProvider(speeds_kmh={VehicleType.VAN: 0.0})
