import numpy as np
import pytest

from doorstep.domain.model import GeoPoint
from doorstep.geo.http_matrix import RoutingServiceError, blocks, cells, to_matrix
from doorstep.geo.provider import UnroutablePoint

POINTS = [GeoPoint(51.53, -0.14 + k / 100) for k in range(4)]


def test_blocks_cover_every_cell_exactly_once() -> None:
    seen = np.zeros((7, 7), dtype=int)
    for block in blocks(7, 3, 2):
        seen[np.ix_(block.rows, block.cols)] += 1
    assert np.all(seen == 1)


def test_null_cells_blame_the_point_with_most_gaps() -> None:
    seconds = np.ones((4, 4))
    seconds[2, :] = np.nan
    seconds[:, 2] = np.nan
    seconds[0, 1] = np.nan
    with pytest.raises(UnroutablePoint) as refused:
        to_matrix(POINTS, seconds, np.ones((4, 4)), 1.0)
    assert refused.value.index == 2


def test_traffic_factor_divides_durations_and_rounds() -> None:
    matrix = to_matrix(POINTS, np.full((4, 4), 60.0), np.full((4, 4), 100.4), 0.6)
    assert matrix.durations_s[0, 1] == 100
    assert matrix.distances_m[0, 1] == 100
    assert matrix.durations_s[1, 1] == 0


def test_refuses_a_table_of_the_wrong_shape() -> None:
    with pytest.raises(RoutingServiceError, match="expected 2 x 2"):
        cells([[1, 2, 3], [4, 5, 6]], (2, 2), "durations")


def test_refuses_a_table_that_is_not_numbers() -> None:
    with pytest.raises(RoutingServiceError, match="table of numbers"):
        cells([["a", "b"]], (1, 2), "durations")
