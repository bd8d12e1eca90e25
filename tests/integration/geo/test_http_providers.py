"""OSRM and Valhalla clients against a loopback server speaking their formats."""

import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import numpy as np
import pytest

from doorstep.domain.model import GeoPoint, VehicleType
from doorstep.geo.geometry import coordinates, pairwise_haversine_m
from doorstep.geo.http_matrix import RoutingServiceError, ServerSettings
from doorstep.geo.osrm import OsrmProvider
from doorstep.geo.provider import UnroutablePoint
from doorstep.geo.traffic import LONDON
from doorstep.geo.valhalla import ValhallaProvider
from tests.integration.geo.routing_servers import DETOUR, SPEED_MS, ServerState, routing_server

NIGHT = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


def camden_points(n: int) -> list[GeoPoint]:
    rng = np.random.default_rng(11)
    return [
        GeoPoint(float(lat), float(lon))
        for lat, lon in zip(rng.uniform(51.52, 51.56, n), rng.uniform(-0.19, -0.11, n), strict=True)
    ]


def expected_metres(points: list[GeoPoint]) -> np.ndarray:
    return pairwise_haversine_m(*coordinates(points)) * DETOUR


@pytest.fixture
def state() -> ServerState:
    return ServerState(max_locations=10)


@pytest.fixture
def base_url(state: ServerState) -> Iterator[str]:
    with routing_server(state) as url:
        yield url


def test_osrm_matrix_is_read_cell_by_cell_across_blocks(base_url: str, state: ServerState) -> None:
    points = camden_points(23)
    provider = OsrmProvider(ServerSettings(base_url), max_locations=10)
    matrix = provider.matrix(points, VehicleType.VAN, NIGHT)
    expected = expected_metres(points)
    assert np.abs(matrix.distances_m - expected).max() <= 1
    assert np.abs(matrix.durations_s - expected / SPEED_MS).max() <= 1
    assert len(state.requests) == 25  # 23 points in blocks of 5 x 5
    assert all("/table/v1/driving/" in r for r in state.requests)


def test_osrm_block_too_big_for_the_server_is_a_clear_error(base_url: str) -> None:
    provider = OsrmProvider(ServerSettings(base_url), max_locations=30)
    with pytest.raises(RoutingServiceError, match="TooBig"):
        provider.matrix(camden_points(12), VehicleType.VAN, NIGHT)


def test_osrm_null_cells_name_the_point_off_the_network(base_url: str) -> None:
    points = camden_points(6)
    points[4] = GeoPoint(51.5, 12.0)
    provider = OsrmProvider(ServerSettings(base_url), max_locations=10)
    with pytest.raises(UnroutablePoint) as refused:
        provider.matrix(points, VehicleType.VAN, NIGHT)
    assert refused.value.index == 4


def test_osrm_no_segment_names_the_point_in_the_whole_request(base_url: str) -> None:
    points = camden_points(12)
    points[8] = GeoPoint(0.0, -0.1)
    provider = OsrmProvider(ServerSettings(base_url), max_locations=10)
    with pytest.raises(UnroutablePoint) as refused:
        provider.matrix(points, VehicleType.ON_FOOT, NIGHT)
    assert refused.value.index == 8


def test_osrm_durations_can_be_scaled_by_traffic(base_url: str) -> None:
    points = camden_points(4)
    peak = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    plain = OsrmProvider(ServerSettings(base_url)).matrix(points, VehicleType.VAN, peak)
    slowed = OsrmProvider(ServerSettings(base_url, traffic=LONDON)).matrix(
        points, VehicleType.VAN, peak
    )
    factor = LONDON.factor(peak, VehicleType.VAN)
    assert np.abs(slowed.durations_s - plain.durations_s / factor).max() <= 1


def test_valhalla_matrix_is_read_cell_by_cell_across_blocks(
    base_url: str, state: ServerState
) -> None:
    points = camden_points(17)
    provider = ValhallaProvider(ServerSettings(base_url), max_sources=5, max_targets=5)
    matrix = provider.matrix(points, VehicleType.E_CARGO_BIKE, NIGHT)
    expected = expected_metres(points)
    assert np.abs(matrix.distances_m - expected).max() <= 1
    assert np.abs(matrix.durations_s - expected / SPEED_MS).max() <= 1
    assert len(state.requests) == 16  # 17 points in blocks of 5 x 5


def test_valhalla_concise_columnar_answer_is_read_too(base_url: str, state: ServerState) -> None:
    state.columnar = True
    points = camden_points(7)
    provider = ValhallaProvider(ServerSettings(base_url), max_sources=5, max_targets=5)
    matrix = provider.matrix(points, VehicleType.ON_FOOT, NIGHT)
    assert np.abs(matrix.distances_m - expected_metres(points)).max() <= 1


def test_valhalla_null_cells_name_the_point_off_the_network(base_url: str) -> None:
    points = camden_points(5)
    points[0] = GeoPoint(51.5, 15.0)
    with pytest.raises(UnroutablePoint) as refused:
        ValhallaProvider(ServerSettings(base_url)).matrix(points, VehicleType.VAN, NIGHT)
    assert refused.value.index == 0


def test_valhalla_error_answer_is_reported_with_its_code(base_url: str) -> None:
    provider = ValhallaProvider(ServerSettings(base_url), costings={VehicleType.VAN: "boat"})
    with pytest.raises(RoutingServiceError, match="125"):
        provider.matrix(camden_points(3), VehicleType.VAN, NIGHT)


def test_valhalla_block_too_big_for_the_server_is_a_clear_error(base_url: str) -> None:
    provider = ValhallaProvider(ServerSettings(base_url), max_sources=20, max_targets=20)
    with pytest.raises(RoutingServiceError, match="Exceeded max locations"):
        provider.matrix(camden_points(8), VehicleType.VAN, NIGHT)


def free_port_nobody_listens_on() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("provider_class", [OsrmProvider, ValhallaProvider])
def test_server_down_is_a_routing_service_error(provider_class: type) -> None:
    settings = ServerSettings(f"http://127.0.0.1:{free_port_nobody_listens_on()}", timeout_s=2)
    with pytest.raises(RoutingServiceError, match=r"127\.0\.0\.1"):
        provider_class(settings).matrix(camden_points(3), VehicleType.VAN, NIGHT)
