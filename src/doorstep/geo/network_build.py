"""Turn an OSM extract (.osm.pbf or .osm XML) into a compact routable network file.

What is kept: one node per OSM node on a way some profile may travel, and per profile a
CSR adjacency (compressed sparse rows, what scipy's graph routines take) with each
edge's length in metres and free-flow seconds. Only the largest strongly connected
component of each profile keeps edges, so every routable node reaches every other: a
point snapped onto a fragment the van cannot leave would otherwise make its whole
matrix row infinite.

The output is an ``.npz`` (numpy arrays, compressed) plus a ``.json`` beside it with
the source, its OSM timestamp, the counts and the ODbL attribution that must travel
with anything derived from OpenStreetMap.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import osmium
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from doorstep.domain.model import VehicleType
from doorstep.geo.geometry import haversine_m
from doorstep.geo.osm_profiles import RULES
from doorstep.geo.turn_restrictions import apply, read_restrictions

ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"
FORMAT_VERSION = 1
COORD_SCALE = 10_000_000  # OSM stores degrees with 7 decimals: keep them exactly, as int32
MAX_SEGMENT_M = 25.0

IntArray = npt.NDArray[np.int64]


class NetworkBuildError(Exception):
    """The OSM file cannot be read or holds no routable way."""


@dataclass
class _Edges:
    """Directed edges of one profile while reading (node ids are OSM ids)."""

    tail: list[int] = field(default_factory=list)
    head: list[int] = field(default_factory=list)
    kmh: list[float] = field(default_factory=list)

    def add(self, a: int, b: int, kmh: float) -> None:
        self.tail.append(a)
        self.head.append(b)
        self.kmh.append(kmh)


@dataclass
class _Reading:
    coords: dict[int, tuple[int, int]] = field(default_factory=dict)
    edges: dict[VehicleType, _Edges] = field(
        default_factory=lambda: {profile: _Edges() for profile in VehicleType}
    )
    newest: int = 0
    van_ways: dict[int, list[int]] = field(default_factory=dict)  # for turn restrictions
    synthetic: int = 0  # ids of added nodes count down from -1, clear of OSM's ids

    def densify(self, refs: list[int]) -> list[int]:
        """``refs`` with nodes added so that no segment is longer than MAX_SEGMENT_M.

        Points snap to nodes; on a long straight street a door could otherwise be
        joined to a corner 100 m away. The added nodes cost no search time: they are
        contracted away with the other chain nodes.
        """
        lat, lon = (np.array([self.coords[r][k] for r in refs]) / COORD_SCALE for k in (0, 1))
        pieces = np.ceil(haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]) / MAX_SEGMENT_M)
        dense = [refs[0]]
        for a, b, count in zip(refs, refs[1:], pieces.astype(int).tolist(), strict=False):
            (ya, xa), (yb, xb) = self.coords[a], self.coords[b]
            for k in range(1, count):
                self.synthetic -= 1
                f = k / count
                self.coords[self.synthetic] = (round(ya + f * (yb - ya)), round(xa + f * (xb - xa)))
                dense.append(self.synthetic)
            dense.append(b)
        return dense


def _ways(path: Path) -> Iterator[Any]:
    if not path.is_file():
        raise NetworkBuildError(f"{path}: no such file")
    try:
        processor = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for obj in processor:
            if isinstance(obj, osmium.osm.Way):
                yield obj
    except RuntimeError as error:
        raise NetworkBuildError(f"{path}: cannot read as OSM data ({error})") from error


def _read(path: Path) -> _Reading:
    reading = _Reading()
    for way in _ways(path):
        tags = dict(way.tags)
        rules = {profile: rule(tags) for profile, rule in RULES.items()}
        if not any(rules.values()):
            continue
        nodes = [n for n in way.nodes if n.location.valid()]
        for node in nodes:
            reading.coords[node.ref] = (node.location.y, node.location.x)
        reading.newest = max(reading.newest, int(way.timestamp.timestamp()))
        refs = reading.densify([n.ref for n in nodes]) if len(nodes) > 1 else []
        if rules[VehicleType.VAN] is not None:
            reading.van_ways[way.id] = refs
        for profile, access in rules.items():
            if access is None:
                continue
            for a, b in itertools.pairwise(refs):
                if access.forward:
                    reading.edges[profile].add(a, b, access.speed_kmh)
                if access.backward:
                    reading.edges[profile].add(b, a, access.speed_kmh)
    if not reading.coords:
        raise NetworkBuildError(f"{path}: no way any profile may travel (no usable highway=*)")
    return reading


def _largest_component(n: int, tail: IntArray, head: IntArray) -> npt.NDArray[np.bool_]:
    graph = csr_matrix((np.ones(len(tail)), (tail, head)), shape=(n, n))
    _, labels = connected_components(graph, directed=True, connection="strong")
    touched = np.unique(np.concatenate([tail, head]))
    biggest = np.argmax(np.bincount(labels[touched]))
    return np.asarray(labels == biggest)


def _profile_arrays(
    edges: _Edges, ids: IntArray, lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64]
) -> dict[str, npt.NDArray[Any]]:
    """CSR arrays of one profile, restricted to its largest strongly connected component."""
    n = len(ids)
    tail = np.searchsorted(ids, np.asarray(edges.tail, dtype=np.int64))
    head = np.searchsorted(ids, np.asarray(edges.head, dtype=np.int64))
    keep = tail != head
    tail, head = tail[keep], head[keep]
    length = haversine_m(lat[tail], lon[tail], lat[head], lon[head])
    seconds = length / (np.asarray(edges.kmh)[keep] / 3.6)
    if len(tail) == 0:
        raise NetworkBuildError("a profile has no edge at all")
    inside = _largest_component(n, tail, head)
    keep = inside[tail] & inside[head]
    # Parallel edges (two ways between the same nodes): keep the fastest. Sorting by
    # (tail, head, seconds) and keeping the first of each pair leaves a valid CSR order.
    order = np.lexsort((seconds[keep], head[keep], tail[keep]))
    tail, head = tail[keep][order], head[keep][order]
    length, seconds = length[keep][order], seconds[keep][order]
    first = np.ones(len(tail), dtype=bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    tail, head, length, seconds = tail[first], head[first], length[first], seconds[first]
    return {
        "indptr": np.searchsorted(tail, np.arange(n + 1)).astype(np.int32),
        "indices": head.astype(np.int32),
        "length_m": length.astype(np.float32),
        "seconds": seconds.astype(np.float32),
    }


def _osm_timestamp(path: Path, newest: int) -> str | None:
    reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
    try:
        header = reader.header().get("osmosis_replication_timestamp") or None
    finally:
        reader.close()
    if header:
        return str(header)
    return datetime.fromtimestamp(newest, UTC).isoformat() if newest > 0 else None


def _content_id(arrays: dict[str, npt.NDArray[Any]]) -> str:
    """Hash of the arrays (not of the zip, which stamps the time): same data, same id."""
    digest = hashlib.sha256()
    for key in sorted(arrays):
        digest.update(key.encode())
        digest.update(np.ascontiguousarray(arrays[key]).tobytes())
    return digest.hexdigest()[:16]


def _restrict_turns(source: Path, reading: _Reading) -> list[int]:
    """Split van junctions for turn restrictions; returns the ids of the copies."""
    try:
        restrictions = list(read_restrictions(source))
    except RuntimeError as error:
        raise NetworkBuildError(f"{source}: cannot read relations ({error})") from error
    van = reading.edges[VehicleType.VAN]
    split = apply(
        restrictions, reading.van_ways, (van.tail, van.head, van.kmh), reading.synthetic - 1
    )
    reading.edges[VehicleType.VAN] = _Edges(split.tail, split.head, split.kmh)
    for copy, original in split.copies.items():
        reading.coords[copy] = reading.coords[original]
    return sorted(split.copies)


def build_network(input_path: Path | str, output_path: Path | str) -> dict[str, Any]:
    """Build ``output_path`` (.npz) and its ``.json`` metadata; return the metadata."""
    source, target = Path(input_path), Path(output_path).with_suffix(".npz")
    reading = _read(source)
    copies = _restrict_turns(source, reading)
    ids = np.fromiter(sorted(reading.coords), dtype=np.int64, count=len(reading.coords))
    lat_e7 = np.fromiter((reading.coords[i][0] for i in ids), dtype=np.int32, count=len(ids))
    lon_e7 = np.fromiter((reading.coords[i][1] for i in ids), dtype=np.int32, count=len(ids))
    lat, lon = lat_e7 / COORD_SCALE, lon_e7 / COORD_SCALE
    arrays: dict[str, Any] = {"lat_e7": lat_e7, "lon_e7": lon_e7}
    # Junction copies made for turn restrictions share their junction's place: never snap there.
    no_snap = np.searchsorted(ids, np.asarray(copies, dtype=np.int64)).astype(np.int32)
    counts: dict[str, dict[str, int]] = {}
    for profile, edges in reading.edges.items():
        if not edges.tail:
            continue
        for key, value in _profile_arrays(edges, ids, lat, lon).items():
            arrays[f"{profile.value}/{key}"] = value
        if profile is VehicleType.VAN:
            arrays["van/no_snap"] = no_snap
        degree = np.diff(arrays[f"{profile.value}/indptr"])
        counts[profile.value] = {"nodes": int(np.count_nonzero(degree)), "edges": int(degree.sum())}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    metadata = {
        "format_version": FORMAT_VERSION,
        "network_id": _content_id(arrays),
        "source_file": source.name,
        "osm_timestamp": _osm_timestamp(source, reading.newest),
        "profiles": sorted(counts),
        "nodes": len(ids),
        "counts": counts,
        "van_turn_restrictions": len(copies),
        "attribution": ATTRIBUTION,
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(buffer.getvalue())
    target.with_suffix(".json").write_text(
        json.dumps(metadata, indent=2, ensure_ascii=False) + "\n"
    )
    return metadata
