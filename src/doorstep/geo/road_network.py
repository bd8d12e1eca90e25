"""Travel times over a road network built from OpenStreetMap (see ``network_build``).

A point is snapped to the nearest node of the profile's network (only nodes of its
largest strongly connected component carry edges, so any snapped node can reach any
other); the metres between the point and that node are walked, because they are the
courier's steps from the kerb to the door. The road part is one multi-source Dijkstra
run (scipy, in C) from the distinct snapped nodes over the junction graph of
:mod:`doorstep.geo.network_contract`, which gives the same costs as the full graph.

Distance along the *fastest* path comes from the same run: each edge weight packs its
time in tenths of a second above ``2**24`` and its length in decimetres below. Sums of
such integers stay exact in float64 (below 2**53), the fastest path wins because time
sits in the high bits (ties go to the shorter path), and the total unpacks into both.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.spatial import cKDTree

from doorstep.domain.model import GeoPoint, VehicleType
from doorstep.geo.geometry import coordinates, project_local
from doorstep.geo.network_build import COORD_SCALE
from doorstep.geo.network_contract import contract, route
from doorstep.geo.provider import TravelMatrix, UnroutablePoint
from doorstep.geo.traffic import LONDON, TrafficProfile

_LENGTH_BITS = 2**24  # decimetres: up to 1,677 km per path
WALK_MS = 5.0 / 3.6

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class UnknownNetwork(LookupError):
    """Neither a packaged network of that name nor an existing file."""


@dataclass(frozen=True, slots=True)
class Snapped:
    """Network node of each point and the straight-line metres to it."""

    nodes: IntArray
    offsets_m: FloatArray


class _ProfileGraph:
    """One profile's graph, with the packed weights and a nearest-node index."""

    def __init__(self, arrays: dict[str, Any], xy: FloatArray) -> None:
        indptr, indices = arrays["indptr"], arrays["indices"]
        tenths = np.rint(arrays["seconds"].astype(np.float64) * 10)
        decimetres = np.rint(arrays["length_m"].astype(np.float64) * 10)
        packed = np.maximum(tenths, 1.0) * _LENGTH_BITS + decimetres  # no zero-weight edge
        n = len(indptr) - 1
        self.graph = csr_matrix((packed, indices, indptr), shape=(n, n))
        routable = np.diff(indptr) > 0
        routable[arrays.get("no_snap", [])] = False  # junction copies for turn restrictions
        self.nodes = np.flatnonzero(routable)
        self.tree = cKDTree(xy[self.nodes])
        self.contracted = contract(self.graph)

    def snap(self, xy: FloatArray) -> Snapped:
        distance, position = self.tree.query(xy)
        return Snapped(nodes=self.nodes[position], offsets_m=np.asarray(distance))

    def road(self, sources: IntArray, targets: IntArray) -> tuple[FloatArray, FloatArray]:
        """Free-flow seconds and metres between snapped nodes (fastest paths)."""
        unique_src, src_row = np.unique(sources, return_inverse=True)
        unique_dst, dst_col = np.unique(targets, return_inverse=True)
        packed = route(self.contracted, unique_src, unique_dst)[np.ix_(src_row, dst_col)]
        tenths = np.floor(packed / _LENGTH_BITS)
        return tenths / 10.0, (packed - tenths * _LENGTH_BITS) / 10.0


class RoadNetwork:
    """A loaded network file: node coordinates and one graph per profile."""

    def __init__(self, arrays: dict[str, Any], metadata: dict[str, Any]) -> None:
        self.metadata = metadata
        self.lat = arrays["lat_e7"].astype(np.float64) / COORD_SCALE
        self.lon = arrays["lon_e7"].astype(np.float64) / COORD_SCALE
        self.origin = (float(self.lat.mean()), float(self.lon.mean()))
        self._xy = project_local(self.lat, self.lon, *self.origin)
        self._arrays = arrays
        self._graphs: dict[VehicleType, _ProfileGraph] = {}

    @property
    def network_id(self) -> str:
        return str(self.metadata["network_id"])

    @property
    def attribution(self) -> str:
        return str(self.metadata["attribution"])

    def adjacency(self, profile: VehicleType) -> tuple[IntArray, IntArray] | None:
        """The profile's raw CSR adjacency ``(indptr, indices)``, or None when it has none.

        For drawing the streets (``geo.basemap``) without preparing a routing graph.
        """
        prefix = f"{profile.value}/"
        if f"{prefix}indptr" not in self._arrays:
            return None
        return self._arrays[f"{prefix}indptr"], self._arrays[f"{prefix}indices"]

    def graph(self, profile: VehicleType) -> _ProfileGraph:
        """The profile's graph, prepared on first use (contraction takes a moment)."""
        if profile not in self._graphs:
            prefix = f"{profile.value}/"
            arrays = {k[len(prefix) :]: v for k, v in self._arrays.items() if k.startswith(prefix)}
            if not arrays:
                raise ValueError(f"network {self.network_id} has no {profile.value} profile")
            self._graphs[profile] = _ProfileGraph(arrays, self._xy)
        return self._graphs[profile]

    def snap(self, points: Sequence[GeoPoint], profile: VehicleType) -> Snapped:
        lat, lon = coordinates(points)
        return self.graph(profile).snap(project_local(lat, lon, *self.origin))


def packaged_networks() -> list[str]:
    """Names of the networks shipped inside the package (``load_network(name)``)."""
    folder = resources.files("doorstep.geo") / "networks"
    return sorted(p.name[: -len(".npz")] for p in folder.iterdir() if p.name.endswith(".npz"))


@cache
def _load(path: Path) -> RoadNetwork:
    with np.load(path) as archive:
        arrays = {key: archive[key] for key in archive.files}
    metadata = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return RoadNetwork(arrays, metadata)


def load_network(name_or_path: str | Path) -> RoadNetwork:
    """A packaged network by name (``"camden"``) or a file made by ``build_network``.

    Loaded once per process and shared: the arrays are read-only after loading.
    """
    candidate = Path(name_or_path)
    if candidate.suffix != ".npz" and not candidate.exists():
        packaged = resources.files("doorstep.geo") / "networks" / f"{name_or_path}.npz"
        candidate = Path(str(packaged))
    if not candidate.with_suffix(".npz").is_file():
        known = ", ".join(packaged_networks()) or "none"
        raise UnknownNetwork(f"no network {str(name_or_path)!r} (packaged: {known})")
    return _load(candidate.with_suffix(".npz").resolve())


class RoadNetworkProvider:
    """The :class:`~doorstep.geo.provider.TravelTimeProvider` over a :class:`RoadNetwork`."""

    def __init__(
        self,
        network: RoadNetwork,
        traffic: TrafficProfile = LONDON,
        max_snap_m: float = 500.0,
    ) -> None:
        self.network = network
        self.traffic = traffic
        self.max_snap_m = max_snap_m
        self.name = f"osm:{network.network_id}"

    def cache_identity(self, profile: VehicleType, depart: datetime) -> str:
        factor = self.traffic.factor(depart, profile)
        return f"{self.name}|{profile.value}|traffic={factor}|snap={self.max_snap_m}"

    def matrix(
        self, points: Sequence[GeoPoint], profile: VehicleType, depart: datetime
    ) -> TravelMatrix:
        factor = self.traffic.factor(depart, profile)
        snapped = self.network.snap(points, profile)
        far = np.flatnonzero(snapped.offsets_m > self.max_snap_m)
        if len(far):
            first, *rest = (
                UnroutablePoint(
                    int(i),
                    points[int(i)],
                    f"{snapped.offsets_m[i]:.0f} m from the nearest {profile.value} road "
                    f"(limit {self.max_snap_m:.0f} m)",
                )
                for i in far
            )
            raise UnroutablePoint(first.index, first.point, first.reason, tuple(rest))
        seconds, metres = self.network.graph(profile).road(snapped.nodes, snapped.nodes)
        walk = snapped.offsets_m[:, None] + snapped.offsets_m[None, :]
        durations = seconds / factor + walk / WALK_MS
        distances = metres + walk
        np.fill_diagonal(durations, 0.0)
        np.fill_diagonal(distances, 0.0)
        return TravelMatrix(
            durations_s=np.rint(durations).astype(np.int64),
            distances_m=np.rint(distances).astype(np.int64),
        )
