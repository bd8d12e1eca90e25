import math

import numpy as np
import pytest

from doorstep.geo.geometry import EARTH_RADIUS_M, haversine_m, pairwise_haversine_m, project_local


def test_one_degree_of_latitude_is_a_180th_of_half_the_circumference() -> None:
    expected = math.pi * EARTH_RADIUS_M / 180
    assert haversine_m(51.0, -0.1, 52.0, -0.1) == pytest.approx(expected, rel=1e-9)


def test_pole_to_pole_is_half_the_circumference() -> None:
    assert haversine_m(90.0, 0.0, -90.0, 0.0) == pytest.approx(math.pi * EARTH_RADIUS_M)


def test_london_to_paris_is_about_344_km() -> None:
    # Charing Cross to Notre-Dame: widely quoted as 343-344 km as the crow flies.
    assert haversine_m(51.5073, -0.1276, 48.8530, 2.3499) / 1000 == pytest.approx(343.5, abs=1.5)


def test_longitude_shrinks_with_the_cosine_of_latitude() -> None:
    at_equator = haversine_m(0.0, 0.0, 0.0, 0.01)
    at_london = haversine_m(51.5, 0.0, 51.5, 0.01)
    assert at_london / at_equator == pytest.approx(math.cos(math.radians(51.5)), rel=1e-4)


def test_pairwise_matrix_is_symmetric_with_zero_diagonal() -> None:
    lat = np.array([51.53, 51.54, 51.55])
    lon = np.array([-0.14, -0.13, -0.12])
    matrix = pairwise_haversine_m(lat, lon)
    assert np.allclose(matrix, matrix.T)
    assert np.all(np.diag(matrix) == 0)
    assert matrix[0, 1] == pytest.approx(haversine_m(51.53, -0.14, 51.54, -0.13))


def test_local_projection_keeps_short_distances_within_a_metre() -> None:
    lat = np.array([51.52, 51.56])
    lon = np.array([-0.18, -0.11])
    xy = project_local(lat, lon, 51.54, -0.145)
    flat = float(np.hypot(*(xy[1] - xy[0])))
    assert flat == pytest.approx(float(haversine_m(lat[0], lon[0], lat[1], lon[1])), abs=1.0)
