from datetime import UTC, datetime

import numpy as np
import pytest

from doorstep.domain.model import GeoPoint, VehicleType
from doorstep.geo.geometry import haversine_m
from doorstep.geo.provider import UnroutablePoint
from doorstep.geo.road_network import WALK_MS, RoadNetwork, RoadNetworkProvider
from doorstep.geo.traffic import FREE_FLOW, LONDON

NIGHT = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
A, B, C = GeoPoint(51.5000, -0.10000), GeoPoint(51.5000, -0.09856), GeoPoint(51.5000, -0.09712)
D, E, H = GeoPoint(51.4991, -0.10000), GeoPoint(51.4991, -0.09712), GeoPoint(51.49955, -0.09568)
FOOTWAY_END = GeoPoint(51.4982, -0.09712)


def crow(p: GeoPoint, q: GeoPoint) -> float:
    return float(haversine_m(p.lat, p.lon, q.lat, q.lon))


def metres(network: RoadNetwork, profile: VehicleType, points: list[GeoPoint]) -> np.ndarray:
    provider = RoadNetworkProvider(network, traffic=FREE_FLOW)
    return provider.matrix(points, profile, NIGHT).distances_m


def test_van_must_go_round_the_block_against_a_one_way(grid: RoadNetwork) -> None:
    m = metres(grid, VehicleType.VAN, [A, B])
    assert m[0, 1] == pytest.approx(crow(A, B), abs=1)
    round_the_block = crow(B, C) + crow(C, E) + crow(E, D) + crow(D, A)
    # At least round the block; a little more because of the no-right-turn at E.
    assert round_the_block - 2 <= m[1, 0] <= round_the_block + 60


def test_van_follows_a_reversed_one_way(grid: RoadNetwork) -> None:
    m = metres(grid, VehicleType.VAN, [C, H])
    assert m[1, 0] == pytest.approx(crow(H, C), abs=1)
    assert m[0, 1] == pytest.approx(crow(C, E) + crow(E, H), abs=2)


def test_van_obeys_a_no_right_turn_but_walkers_do_not(grid: RoadNetwork) -> None:
    # Coming down from C, a van may not turn right at E towards D. The cheapest legal
    # way is to turn left towards H and U-turn at the next node (25 m at most away).
    van = metres(grid, VehicleType.VAN, [C, D])
    banned = crow(C, E) + crow(E, D)
    assert banned + 10 < van[0, 1] <= banned + 2 * 25 + 2
    assert metres(grid, VehicleType.ON_FOOT, [C, D])[0, 1] == pytest.approx(
        crow(C, E) + crow(E, D), abs=2
    )
    # Arriving at E from elsewhere, the turn is allowed: H -> E -> D is direct.
    assert metres(grid, VehicleType.VAN, [H, D])[0, 1] == pytest.approx(
        crow(H, E) + crow(E, D), abs=2
    )


def test_bike_takes_the_cycleway_the_van_cannot(grid: RoadNetwork) -> None:
    bike = metres(grid, VehicleType.E_CARGO_BIKE, [D, B])
    van = metres(grid, VehicleType.VAN, [D, B])
    assert bike[0, 1] == pytest.approx(crow(D, B), abs=1)
    assert van[0, 1] == pytest.approx(crow(D, A) + crow(A, B), abs=2)


def test_walking_ignores_the_one_way(grid: RoadNetwork) -> None:
    m = metres(grid, VehicleType.ON_FOOT, [A, B])
    assert m[1, 0] == m[0, 1] == pytest.approx(crow(A, B), abs=1)


def test_durations_follow_speed_and_traffic(grid: RoadNetwork) -> None:
    free = RoadNetworkProvider(grid, traffic=FREE_FLOW).matrix([A, B], VehicleType.VAN, NIGHT)
    peak_time = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    peak = RoadNetworkProvider(grid, traffic=LONDON).matrix([A, B], VehicleType.VAN, peak_time)
    # A-B is tagged 20 mph: a van does 85% of it at night.
    assert free.durations_s[0, 1] == pytest.approx(crow(A, B) / (20 * 1.609344 * 0.85 / 3.6), abs=1)
    factor = LONDON.factor(peak_time, VehicleType.VAN)
    assert peak.durations_s[0, 1] == pytest.approx(free.durations_s[0, 1] / factor, abs=1)


def test_off_road_metres_are_walked(grid: RoadNetwork) -> None:
    # The footway end is 100 m from E, the nearest node a van can reach.
    m = RoadNetworkProvider(grid, traffic=FREE_FLOW).matrix(
        [E, FOOTWAY_END], VehicleType.VAN, NIGHT
    )
    assert m.distances_m[0, 1] == pytest.approx(crow(E, FOOTWAY_END), abs=1)
    assert m.durations_s[0, 1] == pytest.approx(crow(E, FOOTWAY_END) / WALK_MS, abs=1)


def test_refuses_a_point_too_far_from_any_road_naming_its_index(grid: RoadNetwork) -> None:
    far = GeoPoint(51.52, -0.10)  # about 2 km north of the grid
    with pytest.raises(UnroutablePoint) as refused:
        RoadNetworkProvider(grid).matrix([A, B, far], VehicleType.VAN, NIGHT)
    assert refused.value.index == 2
    assert "2" in str(refused.value) and "m from the nearest van road" in refused.value.reason


def test_snap_limit_is_per_provider(grid: RoadNetwork) -> None:
    strict = RoadNetworkProvider(grid, max_snap_m=50)
    with pytest.raises(UnroutablePoint) as refused:
        strict.matrix([A, FOOTWAY_END], VehicleType.VAN, NIGHT)
    assert refused.value.index == 1
    # On foot the footway end is on the network.
    strict.matrix([A, FOOTWAY_END], VehicleType.ON_FOOT, NIGHT)


def test_private_road_is_not_a_van_node(grid: RoadNetwork) -> None:
    private_end = GeoPoint(51.5009, -0.10000)
    snapped = grid.snap([private_end], VehicleType.VAN)
    assert snapped.offsets_m[0] == pytest.approx(crow(private_end, A), abs=1)


def test_a_door_midway_along_a_long_street_snaps_to_the_street_not_a_corner(
    grid: RoadNetwork,
) -> None:
    # Halfway between A and B (100 m apart) and 10 m north of the street.
    door = GeoPoint(51.50009, -0.09928)
    offset = float(grid.snap([door], VehicleType.VAN).offsets_m[0])
    assert offset < 16  # the corners are over 50 m away
