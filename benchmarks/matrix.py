"""Matrix build times per provider: ``python -m benchmarks.matrix --json OUT``.

Points are real Camden addresses (``../shared/data/osm/derived/camden_addresses.csv``)
drawn with a fixed seed, among those within the snapping limit of every profile's
network. Each road-network figure is timed through a :class:`CachedProvider` in an empty
temporary folder: "cold" is the first call (snapping, routing and the cache write),
"cached" the second (read from disk); each is the median of ``--repeat`` runs. The
departure is 08:00 London time (AM peak). The "full graph" row runs the same van search
on the uncontracted graph, to show what contracting chain nodes buys.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import scipy
from scipy.sparse.csgraph import dijkstra

from doorstep.domain.model import GeoPoint, VehicleType
from doorstep.geo.matrix_cache import CachedProvider, MatrixCache
from doorstep.geo.road_network import RoadNetwork, RoadNetworkProvider, load_network
from doorstep.geo.straight_line import StraightLineProvider

ROOT = Path(__file__).parents[1]
ADDRESSES = next(
    (
        p
        for p in (
            ROOT / ".." / s / "data/osm/derived/camden_addresses.csv"
            for s in ("shared", "../shared")
        )
        if p.is_file()
    ),
    ROOT / ".." / "shared" / "data/osm/derived/camden_addresses.csv",
)
DEPART = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
SEED = 20261125


def routable_addresses(network: RoadNetwork, limit_m: float) -> list[GeoPoint]:
    with ADDRESSES.open(encoding="utf-8") as file:
        points = [GeoPoint(float(r["lat"]), float(r["lon"])) for r in csv.DictReader(file)]
    ok = np.ones(len(points), dtype=bool)
    for profile in VehicleType:
        ok &= network.snap(points, profile).offsets_m <= limit_m
    return [p for p, keep in zip(points, ok, strict=True) if keep]


Timing = tuple[float, float]  # wall-clock and CPU seconds of this process


def timed(provider: Any, points: Sequence[GeoPoint], profile: VehicleType) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    provider.matrix(points, profile, DEPART)
    return time.perf_counter() - wall, time.process_time() - cpu


def full_graph_seconds(network: RoadNetwork, points: Sequence[GeoPoint]) -> Timing:
    """The same van search on the uncontracted graph, to show what contraction buys."""
    graph = network.graph(VehicleType.VAN)
    started, cpu = time.perf_counter(), time.process_time()
    nodes = np.unique(network.snap(points, VehicleType.VAN).nodes)
    for first in range(0, len(nodes), 256):
        dijkstra(graph.graph, indices=nodes[first : first + 256])[:, nodes]
    return time.perf_counter() - started, time.process_time() - cpu


def row(provider: str, profile: str, n: int, mode: str, runs: list[Timing]) -> dict[str, Any]:
    walls = [wall for wall, _ in runs]
    return {
        "provider": provider,
        "profile": profile,
        "points": n,
        "mode": mode,
        "seconds": statistics.median(walls),
        "min_seconds": min(walls),
        "cpu_seconds": statistics.median(cpu for _, cpu in runs),
        "runs": len(runs),
    }


def sized_rows(
    network: RoadNetwork, points: Sequence[GeoPoint], repeat: int
) -> list[dict[str, Any]]:
    n, road = len(points), RoadNetworkProvider(network)
    straight = [timed(StraightLineProvider(), points, VehicleType.VAN) for _ in range(repeat)]
    rows = [row("straight_line", "van", n, "cold", straight)]
    for profile in VehicleType:
        cold, cached = [], []
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as folder:
                provider = CachedProvider(road, MatrixCache(folder))
                cold.append(timed(provider, points, profile))
                cached.append(timed(provider, points, profile))
        rows += [
            row("camden network", profile.value, n, "cold", cold),
            row("camden network", profile.value, n, "cached", cached),
        ]
    full = [full_graph_seconds(network, points) for _ in range(repeat)]
    rows.append(row("camden full graph (no contraction)", "van", n, "cold", full))
    return rows


def run(sizes: Sequence[int], repeat: int) -> list[dict[str, Any]]:
    started, cpu = time.perf_counter(), time.process_time()
    network = load_network("camden")
    for profile in VehicleType:
        network.graph(profile)  # contraction happens on first use: count it here
    loading = (time.perf_counter() - started, time.process_time() - cpu)
    rows = [row("camden network", "all", 0, "load + prepare", [loading])]
    pool = routable_addresses(network, RoadNetworkProvider(network).max_snap_m)
    rng = np.random.default_rng(SEED)
    for n in sizes:
        rows += sized_rows(
            network, [pool[i] for i in rng.choice(len(pool), n, replace=False)], repeat
        )
    return rows


def machine() -> dict[str, Any]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    lines = [
        "| provider | profile | points | mode | wall s (median) | wall s (min) | CPU s (median) |",
        "|---|---|---:|---|---:|---:|---:|",
    ]
    lines += [
        f"| {r['provider']} | {r['profile']} | {r['points']} | {r['mode']} | "
        f"{r['seconds']:.3f} | {r['min_seconds']:.3f} | {r['cpu_seconds']:.3f} |"
        for r in rows
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", type=Path, help="write the rows and the machine here")
    parser.add_argument("--sizes", default="500,1000,2000", help="comma-separated point counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median shown)")
    args = parser.parse_args(argv)
    rows = run([int(s) for s in args.sizes.split(",")], args.repeat)
    print(markdown(rows))
    if args.json:
        report = {"benchmark": "matrix", "machine": machine(), "rows": rows}
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return rows


if __name__ == "__main__":
    main()
