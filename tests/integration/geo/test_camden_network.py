"""The packaged Camden network, routed between real Camden addresses."""

import csv
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from doorstep.domain.model import GeoPoint, VehicleType
from doorstep.geo.geometry import haversine_m
from doorstep.geo.matrix_cache import CachedProvider, MatrixCache
from doorstep.geo.provider import TravelMatrix
from doorstep.geo.road_network import RoadNetwork, RoadNetworkProvider
from tests.shared_data import requires_shared

NIGHT = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
PEAK = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@cache
def addresses() -> list[dict[str, str]]:
    with requires_shared("data", "osm", "derived", "camden_addresses.csv").open(
        encoding="utf-8"
    ) as file:
        return list(csv.DictReader(file))


def address(street: str, number: str) -> GeoPoint:
    for row in addresses():
        if row["street"] == street and row["housenumber"] == number:
            return GeoPoint(float(row["lat"]), float(row["lon"]))
    raise LookupError(f"{number} {street} not in the address file")


def sample(n: int, seed: int = 3) -> list[GeoPoint]:
    rows = addresses()
    picks = np.random.default_rng(seed).choice(len(rows), n, replace=False)
    return [GeoPoint(float(rows[i]["lat"]), float(rows[i]["lon"])) for i in picks]


def test_van_between_two_camden_addresses_takes_a_plausible_time(camden: RoadNetwork) -> None:
    pub = address("Camden High Street", "202")  # The Bucks Head, Camden Town
    shop = address("Gate Street", "12")  # Ship Tavern, Holborn
    matrix = RoadNetworkProvider(camden).matrix([pub, shop], VehicleType.VAN, NIGHT)
    crow_km = float(haversine_m(pub.lat, pub.lon, shop.lat, shop.lon)) / 1000
    road_km = matrix.distances_m[0, 1] / 1000
    minutes = matrix.durations_s[0, 1] / 60
    assert crow_km < road_km < 1.6 * crow_km
    # Night-time London van: between 1 and 4 minutes per km (15-60 km/h).
    assert 1.0 * road_km < minutes < 4.0 * road_km


def test_peak_van_is_slower_but_the_route_is_the_same(camden: RoadNetwork) -> None:
    points = sample(20)
    provider = RoadNetworkProvider(camden)
    night = provider.matrix(points, VehicleType.VAN, NIGHT)
    peak = provider.matrix(points, VehicleType.VAN, PEAK)
    assert np.array_equal(night.distances_m, peak.distances_m)
    assert np.all(peak.durations_s >= night.durations_s)
    assert peak.durations_s.sum() > 1.2 * night.durations_s.sum()


def test_matrix_has_zero_diagonal_and_respects_the_triangle(camden: RoadNetwork) -> None:
    m = RoadNetworkProvider(camden).matrix(sample(40), VehicleType.VAN, NIGHT).durations_s
    assert np.all(np.diag(m) == 0)
    assert np.all(m[~np.eye(40, dtype=bool)] > 0)
    # i -> k never beats going through j by more than rounding (2 s).
    via = m[:, :, None] + m[None, :, :]  # via[i, j, k] = m[i, j] + m[j, k]
    assert np.all(m[:, None, :] <= via + 2)


def test_walking_matrix_is_symmetric(camden: RoadNetwork) -> None:
    m = RoadNetworkProvider(camden).matrix(sample(30), VehicleType.ON_FOOT, NIGHT)
    assert np.abs(m.durations_s - m.durations_s.T).max() <= 1
    assert np.abs(m.distances_m - m.distances_m.T).max() <= 1


def test_van_matrix_is_not_symmetric_because_of_one_way_streets(camden: RoadNetwork) -> None:
    m = RoadNetworkProvider(camden).matrix(sample(30), VehicleType.VAN, NIGHT).distances_m
    assert np.abs(m - m.T).max() > 100


class CountingProvider:
    """The road network, counting the matrices it is asked to build."""

    def __init__(self, inner: RoadNetworkProvider) -> None:
        self.inner = inner
        self.name = inner.name
        self.builds = 0

    def cache_identity(self, profile: VehicleType, depart: datetime) -> str:
        return self.inner.cache_identity(profile, depart)

    def matrix(
        self, points: Sequence[GeoPoint], profile: VehicleType, depart: datetime
    ) -> TravelMatrix:
        self.builds += 1
        return self.inner.matrix(points, profile, depart)


def test_cache_hit_returns_identical_arrays_without_routing_again(
    camden: RoadNetwork, tmp_path: Path
) -> None:
    # How much faster a hit is: benchmarks/matrix.py ("cached" against "cold").
    points = sample(300)
    network = CountingProvider(RoadNetworkProvider(camden))
    cold = CachedProvider(network, MatrixCache(tmp_path)).matrix(points, VehicleType.VAN, PEAK)
    warm = CachedProvider(network, MatrixCache(tmp_path)).matrix(points, VehicleType.VAN, PEAK)
    assert network.builds == 1
    assert np.array_equal(cold.durations_s, warm.durations_s)
    assert np.array_equal(cold.distances_m, warm.distances_m)
    assert len(list(tmp_path.glob("*.npz"))) == 1


def test_cache_keys_differ_by_band_and_profile(camden: RoadNetwork, tmp_path: Path) -> None:
    points = sample(10)
    cached = CachedProvider(RoadNetworkProvider(camden), MatrixCache(tmp_path))
    night = cached.matrix(points, VehicleType.VAN, NIGHT)
    peak = cached.matrix(points, VehicleType.VAN, PEAK)
    cached.matrix(points, VehicleType.ON_FOOT, PEAK)
    cached.matrix(points, VehicleType.ON_FOOT, NIGHT)  # walking: same entry at any hour
    assert len(list(tmp_path.glob("*.npz"))) == 3
    assert not np.array_equal(night.durations_s, peak.durations_s)


@pytest.mark.parametrize("garbage", [b"", b"not a zip file"])
def test_unreadable_cache_file_counts_as_a_miss(
    camden: RoadNetwork, tmp_path: Path, garbage: bytes
) -> None:
    points = sample(5)
    provider = RoadNetworkProvider(camden)
    cache = MatrixCache(tmp_path)
    key = cache.key(provider.cache_identity(VehicleType.VAN, NIGHT), points)
    (tmp_path / f"{key}.npz").write_bytes(garbage)
    matrix = CachedProvider(provider, cache).matrix(points, VehicleType.VAN, NIGHT)
    assert np.array_equal(
        matrix.durations_s, provider.matrix(points, VehicleType.VAN, NIGHT).durations_s
    )
    assert cache.get(key) is not None  # rewritten whole


def test_concurrent_writers_never_leave_a_partial_file(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from doorstep.geo.provider import TravelMatrix

    cache = MatrixCache(tmp_path)
    big = np.arange(300 * 300, dtype=np.int64).reshape(300, 300)
    matrix = TravelMatrix(durations_s=big, distances_m=big * 2)

    def write_then_read(_: int) -> bool:
        cache.put("same-key", matrix)
        found = cache.get("same-key")
        return found is not None and np.array_equal(found.distances_m, big * 2)

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(write_then_read, range(40)))
    assert [p.name for p in tmp_path.iterdir()] == ["same-key.npz"]  # no temporary left over


@pytest.mark.parametrize("profile", list(VehicleType))
def test_contracted_network_gives_exactly_the_full_graph_costs(
    camden: RoadNetwork, profile: VehicleType
) -> None:
    from scipy.sparse.csgraph import dijkstra

    from doorstep.geo.network_contract import route

    graph = camden.graph(profile)
    assert graph.contracted.junctions < 0.4 * len(graph.nodes)
    nodes = np.random.default_rng(1).choice(graph.nodes, 60, replace=False)
    full = dijkstra(graph.graph, indices=nodes)[:, nodes]
    assert np.array_equal(route(graph.contracted, nodes, nodes), full)
