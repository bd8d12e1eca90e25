"""The base map drawn from a road network: one line per street between junctions, thinned."""

from __future__ import annotations

from typing import Any

import numpy as np

from doorstep.geo.basemap import basemap, packed
from doorstep.geo.network_build import COORD_SCALE
from doorstep.geo.road_network import RoadNetwork


def _network(
    points: list[tuple[float, float]], edges: dict[str, list[tuple[int, int]]]
) -> RoadNetwork:
    """A network file's arrays by hand: ``points`` (lat, lon) and directed edges per profile."""
    arrays: dict[str, Any] = {
        "lat_e7": np.array([round(lat * COORD_SCALE) for lat, _ in points], dtype=np.int64),
        "lon_e7": np.array([round(lon * COORD_SCALE) for _, lon in points], dtype=np.int64),
    }
    for profile, pairs in edges.items():
        heads: list[list[int]] = [[] for _ in points]
        for tail, head in pairs:
            heads[tail].append(head)
        arrays[f"{profile}/indptr"] = np.cumsum([0, *map(len, heads)])
        arrays[f"{profile}/indices"] = np.array([h for row in heads for h in row], dtype=np.int64)
    metadata = {"network_id": "test", "attribution": "© OpenStreetMap contributors, ODbL 1.0"}
    return RoadNetwork(arrays, metadata)


def _both_ways(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [*pairs, *((b, a) for a, b in pairs)]


def test_a_straight_street_is_one_line_of_its_two_ends() -> None:
    # Five nodes along one street (about 100 m); the middle ones add nothing to the drawing.
    points = [(51.5, -0.14 + i * 0.0003) for i in range(5)]
    streets = basemap(_network(points, {"van": _both_ways([(i, i + 1) for i in range(4)])}))
    (feature,) = streets["features"]
    assert feature["geometry"] == {
        "type": "LineString",
        "coordinates": [[-0.14, 51.5], [-0.1388, 51.5]],
    }
    assert streets["attribution"] == "© OpenStreetMap contributors, ODbL 1.0"


def test_a_bend_is_kept_and_lines_end_at_junctions() -> None:
    # A street with a right-angle bend at node 2, and a side street leaving from node 1.
    points = [(51.5, -0.14), (51.5, -0.139), (51.5, -0.138), (51.501, -0.138), (51.501, -0.139)]
    edges = _both_ways([(0, 1), (1, 2), (2, 3), (1, 4)])
    streets = basemap(_network(points, {"on_foot": edges}))
    lines = sorted(f["geometry"]["coordinates"] for f in streets["features"])
    assert len(lines) == 3  # 0-1, 1-2-3 (bend kept), 1-4
    assert [[-0.139, 51.5], [-0.138, 51.5], [-0.138, 51.501]] in lines or [
        [-0.138, 51.501],
        [-0.138, 51.5],
        [-0.139, 51.5],
    ] in lines


def test_profiles_and_copies_of_a_junction_are_drawn_once() -> None:
    # Node 2 is a copy of node 1 at the same place (as turn restrictions make); the van and
    # the bike share the street: still one line.
    points = [(51.5, -0.14), (51.5, -0.139), (51.5, -0.139)]
    streets = basemap(
        _network(points, {"van": _both_ways([(0, 1)]), "e_cargo_bike": _both_ways([(0, 2)])})
    )
    assert len(streets["features"]) == 1


def _unpack(packed_map: dict[str, Any]) -> list[list[list[float]]]:
    """What static/console/map.js does with the packed form: back to [lon, lat] lines."""
    lines, at, scale = [], 0, packed_map["scale"]
    for count in packed_map["counts"]:
        y = x = 0
        line = []
        for _ in range(count):
            y += packed_map["coords"][at]
            x += packed_map["coords"][at + 1]
            at += 2
            line.append([round(x / scale, 5), round(y / scale, 5)])
        lines.append(line)
    return lines


def test_packed_streets_unpack_to_the_same_lines_with_small_integers() -> None:
    streets = basemap(
        _network(
            [(51.5, -0.1), (51.50012, -0.10034), (51.50051, -0.10102), (51.499, -0.0991)],
            {"van": _both_ways([(0, 1), (1, 2), (1, 3)])},
        )
    )
    small = packed(streets)
    assert _unpack(small) == [f["geometry"]["coordinates"] for f in streets["features"]]
    assert all(isinstance(v, int) for v in small["coords"])
    assert small["attribution"] == streets["attribution"]
    assert len(small["counts"]) == 3  # 0-1, 1-2, 1-3
    firsts = {sum(small["counts"][:i]) * 2 for i in range(len(small["counts"]))}
    later = [v for i, v in enumerate(small["coords"]) if i - i % 2 not in firsts]
    assert later and max(abs(v) for v in later) < 1000  # differences, not positions
