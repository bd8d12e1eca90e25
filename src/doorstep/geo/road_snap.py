"""A point moved to the nearest point of the packaged road network: what a recipient is
shown of a courier's position (a street, never a doorway or a back garden)."""

from __future__ import annotations

import threading
from typing import Final

import numpy as np
from scipy.spatial import cKDTree

from doorstep.domain.model import GeoPoint, VehicleType
from doorstep.geo.geometry import project_local
from doorstep.geo.road_network import RoadNetwork, load_network

MAX_SNAP_M: Final = 250.0  # farther than this from any road: not shown at all


class RoadSnapper:
    """Nearest node among the nodes that carry a van's roads (built once, ~50 ms)."""

    def __init__(self, network: RoadNetwork, max_distance_m: float = MAX_SNAP_M) -> None:
        adjacency = network.adjacency(VehicleType.VAN)
        if adjacency is None:
            nodes = np.arange(len(network.lat))
        else:
            indptr, indices = adjacency
            has_edge = np.diff(indptr) > 0
            has_edge[indices] = True
            nodes = np.flatnonzero(has_edge)
        self._lat, self._lon = network.lat[nodes], network.lon[nodes]
        self._origin = network.origin
        self._tree = cKDTree(project_local(self._lat, self._lon, *self._origin))
        self._max = max_distance_m

    def __call__(self, point: GeoPoint) -> GeoPoint | None:
        xy = project_local(np.array([point.lat]), np.array([point.lon]), *self._origin)
        distance, index = self._tree.query(xy[0])
        if not np.isfinite(distance) or float(distance) > self._max:
            return None
        return GeoPoint(float(self._lat[index]), float(self._lon[index]))


class LazyRoadSnapper:
    """A :class:`RoadSnapper` for a packaged network, loaded on first use (the page with
    no courier to show never pays for it)."""

    def __init__(self, network_name: str) -> None:
        self._name = network_name
        self._snapper: RoadSnapper | None = None
        self._lock = threading.Lock()

    def __call__(self, point: GeoPoint) -> GeoPoint | None:
        if self._snapper is None:
            with self._lock:
                if self._snapper is None:
                    self._snapper = RoadSnapper(load_network(self._name))
        return self._snapper(point)
