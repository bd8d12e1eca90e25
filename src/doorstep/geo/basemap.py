"""The streets of a packaged road network as GeoJSON lines: a base map with no tiles.

The courier app draws these when it has no internet (or no tile server is configured),
so the map must be small enough to cache on a phone. The network file keeps one node per
OSM node and directed edges per profile; here the edges of every profile become one
undirected set, chains of nodes between junctions become one line each, and each line is
thinned (Douglas-Peucker) to what a phone screen can show. Coordinates are rounded to
five decimals (about a metre), which is all a street drawing needs.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import numpy.typing as npt

from doorstep.domain.model import VehicleType
from doorstep.geo.geometry import project_local
from doorstep.geo.road_network import RoadNetwork

TOLERANCE_M = 4.0
DECIMALS = 5
FloatArray = npt.NDArray[np.float64]


def _undirected_edges(network: RoadNetwork) -> set[tuple[int, int]]:
    """Every pair of nodes joined by an edge in any profile, smaller node first."""
    # Turn restrictions add copies of a junction at the same place: draw the place once.
    _, first, same_place = np.unique(
        np.stack([network.lat, network.lon], axis=1),
        axis=0,
        return_index=True,
        return_inverse=True,
    )
    canonical = first[same_place.reshape(-1)]  # each node -> the first node at its place
    edges: set[tuple[int, int]] = set()
    for profile in VehicleType:
        found = network.adjacency(profile)
        if found is None:
            continue
        indptr, heads = found
        tails = canonical[np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))]
        heads = canonical[heads]
        low, high = np.minimum(tails, heads), np.maximum(tails, heads)
        keep = low != high
        edges.update(zip(low[keep].tolist(), high[keep].tolist(), strict=True))
    return edges


def _chains(edges: set[tuple[int, int]]) -> list[list[int]]:
    """Edges joined into polylines that end at junctions and dead ends."""
    neighbours: dict[int, list[int]] = defaultdict(list)
    for a, b in edges:
        neighbours[a].append(b)
        neighbours[b].append(a)
    used: set[tuple[int, int]] = set()
    chains: list[list[int]] = []

    def walk(start: int, nxt: int) -> list[int]:
        line = [start]
        previous, current = start, nxt
        while True:
            used.add((min(previous, current), max(previous, current)))
            line.append(current)
            onward = [n for n in neighbours[current] if n != previous]
            if len(neighbours[current]) != 2 or not onward:
                return line
            step = onward[0]
            if (min(current, step), max(current, step)) in used:
                return line
            previous, current = current, step

    ends = [node for node, near in neighbours.items() if len(near) != 2]
    for start in [*ends, *neighbours]:  # then any loop with no junction on it
        for nxt in neighbours[start]:
            if (min(start, nxt), max(start, nxt)) not in used:
                chains.append(walk(start, nxt))
    return chains


def _simplify(xy: FloatArray, tolerance: float) -> list[int]:
    """Indexes kept by Douglas-Peucker (iterative; long lines would blow the stack)."""
    keep = np.zeros(len(xy), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(xy) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        a, b = xy[first], xy[last]
        inner = xy[first + 1 : last]
        span = b - a
        length = float(np.hypot(*span))
        if length == 0.0:
            distance = np.hypot(*(inner - a).T)
        else:
            distance = np.abs(span[0] * (inner[:, 1] - a[1]) - span[1] * (inner[:, 0] - a[0]))
            distance = distance / length
        worst = int(np.argmax(distance))
        if distance[worst] > tolerance:
            middle = first + 1 + worst
            keep[middle] = True
            stack += [(first, middle), (middle, last)]
    return np.flatnonzero(keep).tolist()


def basemap(network: RoadNetwork, tolerance_m: float = TOLERANCE_M) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of LineStrings, with the OSM attribution it must carry."""
    xy = project_local(network.lat, network.lon, *network.origin)
    lines: list[list[list[float]]] = []
    for chain in _chains(_undirected_edges(network)):
        nodes = np.asarray(chain)
        kept = nodes[_simplify(xy[nodes], tolerance_m)]
        lon = np.round(network.lon[kept], DECIMALS).tolist()
        lat = np.round(network.lat[kept], DECIMALS).tolist()
        lines.append([[x, y] for x, y in zip(lon, lat, strict=True)])
    features = [
        {
            "type": "Feature",
            "properties": {},
            "geometry": {"type": "LineString", "coordinates": line},
        }
        for line in lines
    ]
    return {
        "type": "FeatureCollection",
        "attribution": network.attribution,
        "network_id": network.network_id,
        "bbox": [
            float(network.lon.min()),
            float(network.lat.min()),
            float(network.lon.max()),
            float(network.lat.max()),
        ],
        "features": features,
    }


def packed(collection: dict[str, Any]) -> dict[str, Any]:
    """The same streets as two flat integer arrays, for a page that draws them all at once.

    GeoJSON spends most of its 1.7 MB on the words around each line; a browser parses a
    flat array of small integers several times faster. ``counts`` holds each line's number
    of points; ``coords`` every point as latitude then longitude in units of 1e-5 degree
    (the base map's own precision, so nothing is lost), each point after a line's first as
    the difference from the point before it.
    """
    scale = 10**DECIMALS
    counts: list[int] = []
    coords: list[int] = []
    for feature in collection["features"]:
        line = feature["geometry"]["coordinates"]
        counts.append(len(line))
        last_lat = last_lon = 0
        for index, (lon, lat) in enumerate(line):
            y, x = round(lat * scale), round(lon * scale)
            if index == 0:
                coords += [y, x]
            else:
                coords += [y - last_lat, x - last_lon]
            last_lat, last_lon = y, x
    return {
        "attribution": collection["attribution"],
        "network_id": collection["network_id"],
        "scale": scale,
        "counts": counts,
        "coords": coords,
    }
