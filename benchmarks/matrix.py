"""Matrix build times per provider: ``python -m benchmarks.matrix --json OUT``.

Points are real Camden addresses (``../shared/data/osm/derived/camden_addresses.csv``)
drawn with a fixed seed, among those within the snapping limit of every profile's
network. Each road-network row is timed twice through a :class:`CachedProvider` in an
empty temporary folder: "cold" is the first call (routing plus the cache write),
"cached" the second (read from disk). The departure is 08:00 London time (AM peak).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import scipy

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


def timed(provider: Any, points: Sequence[GeoPoint], profile: VehicleType) -> float:
    started = time.perf_counter()
    provider.matrix(points, profile, DEPART)
    return time.perf_counter() - started


def run(sizes: Sequence[int]) -> list[dict[str, Any]]:
    started = time.perf_counter()
    network = load_network("camden")
    rows: list[dict[str, Any]] = [
        {
            "provider": "camden network",
            "profile": "-",
            "points": 0,
            "mode": "load",
            "seconds": time.perf_counter() - started,
        }
    ]
    road = RoadNetworkProvider(network)
    pool = routable_addresses(network, road.max_snap_m)
    rng = np.random.default_rng(SEED)
    for n in sizes:
        points = [pool[i] for i in rng.choice(len(pool), n, replace=False)]
        seconds = timed(StraightLineProvider(), points, VehicleType.VAN)
        rows.append(
            {
                "provider": "straight_line",
                "profile": "van",
                "points": n,
                "mode": "cold",
                "seconds": seconds,
            }
        )
        for profile in VehicleType:
            with tempfile.TemporaryDirectory() as folder:
                cached = CachedProvider(road, MatrixCache(folder))
                for mode in ("cold", "cached"):
                    rows.append(
                        {
                            "provider": "camden network",
                            "profile": profile.value,
                            "points": n,
                            "mode": mode,
                            "seconds": timed(cached, points, profile),
                        }
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
    lines = ["| provider | profile | points | mode | seconds |", "|---|---|---:|---|---:|"]
    lines += [
        f"| {r['provider']} | {r['profile']} | {r['points']} | {r['mode']} | {r['seconds']:.3f} |"
        for r in rows
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", type=Path, help="write the rows and the machine here")
    parser.add_argument("--sizes", default="500,1000,2000", help="comma-separated point counts")
    args = parser.parse_args(argv)
    rows = run([int(s) for s in args.sizes.split(",")])
    print(markdown(rows))
    if args.json:
        report = {"benchmark": "matrix", "machine": machine(), "rows": rows}
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return rows


if __name__ == "__main__":
    main()
