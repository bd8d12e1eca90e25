"""VRPTW benchmark instances as Doorstep planning problems.

Solomon/Gehring-Homberger text files are read here; VRPLIB files with ``vrplib``. The
instance's abstract units become Doorstep's integer "seconds" and "metres" through a
scale: Solomon keeps exact double distances to three decimals (x1000, rounded), the
DIMACS convention of the 1,000-customer BKS truncates to one decimal (x10, floored).
Coordinates are not geography; only the matrices matter, so points are placed at
(y/1000, x/1000) to satisfy GeoPoint's ranges and mapped back exactly.
"""

from __future__ import annotations

import csv
import itertools
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import vrplib  # type: ignore[import-untyped]

from doorstep.domain.model import Capacity, GeoPoint, ServiceLevel, TimeWindow, VehicleType
from doorstep.geo.provider import TravelMatrix
from doorstep.planning.model import (
    ParcelLoad,
    PlanningHub,
    PlanningProblem,
    PlanningStop,
    PlanningVehicle,
)
from doorstep.planning.pyvrp_model import MONEY_SCALE

_ROOT = Path(__file__).resolve().parents[1]
# ``../shared`` beside the clone (CI); a worktree one level deeper finds it one up more.
SHARED = (
    next(
        (p for p in (_ROOT / ".." / "shared", _ROOT / ".." / ".." / "shared") if p.is_dir()),
        _ROOT / ".." / "shared",
    )
    / "benchmarks"
    / "vrptw"
)
EPOCH = datetime(2026, 1, 5, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Instance:
    name: str
    coords: npt.NDArray[np.float64]  # row 0 is the depot
    demand: npt.NDArray[np.int64]
    ready: npt.NDArray[np.int64]
    due: npt.NDArray[np.int64]
    service: npt.NDArray[np.int64]
    fleet: int
    capacity: int
    convention: str  # "exact" or "dimacs"
    bks: float | None


def read_bks() -> dict[str, dict[str, str]]:
    with (SHARED / "bks.csv").open() as fh:
        return {row["instance"]: row for row in csv.DictReader(fh)}


def load(name: str, row: dict[str, str]) -> Instance:
    path = SHARED / row["file"]
    bks = float(row["dist_distance"]) if row["dist_distance"] else None
    if path.suffix == ".vrp":
        return _load_vrplib(name, path, bks)
    return _load_solomon(name, path, bks)


def _load_solomon(name: str, path: Path, bks: float | None) -> Instance:
    lines = path.read_text().splitlines()
    fleet, capacity = (int(x) for x in lines[4].split())
    rows = [
        [float(x) for x in line.split()]
        for line in lines[9:]
        if line.strip() and line.split()[0].isdigit()
    ]
    a = np.array(rows)
    return Instance(
        name, a[:, 1:3], a[:, 3].astype(np.int64), a[:, 4].astype(np.int64),
        a[:, 5].astype(np.int64), a[:, 6].astype(np.int64), fleet, capacity, "exact", bks,
    )  # fmt: skip


def _load_vrplib(name: str, path: Path, bks: float | None) -> Instance:
    d = vrplib.read_instance(str(path), compute_edge_weights=False)
    n = int(d["dimension"])
    service = np.full(n, int(d["service_time"]), dtype=np.int64)
    service[0] = 0
    tw = np.asarray(d["time_window"], dtype=np.int64)
    return Instance(
        name, np.asarray(d["node_coord"], dtype=np.float64),
        np.asarray(d["demand"], dtype=np.int64), tw[:, 0], tw[:, 1], service,
        int(d["vehicles"]), int(d["capacity"]), "dimacs", bks,
    )  # fmt: skip


def scale(instance: Instance) -> int:
    return 1000 if instance.convention == "exact" else 10


def euclidean(instance: Instance) -> npt.NDArray[np.float64]:
    c = instance.coords
    diff = c[:, None, :] - c[None, :, :]
    result: npt.NDArray[np.float64] = np.sqrt((diff**2).sum(axis=2))
    return result


def matrix(instance: Instance) -> TravelMatrix:
    """Integer distances under the instance's convention; travel time equals distance."""
    d = euclidean(instance) * scale(instance)
    m = np.rint(d) if instance.convention == "exact" else np.floor(d + 1e-9)
    ints = m.astype(np.int64)
    return TravelMatrix(durations_s=ints, distances_m=ints.copy())


def to_problem(instance: Instance) -> PlanningProblem:
    k = scale(instance)

    def at(t: int) -> datetime:
        return EPOCH + timedelta(seconds=int(t) * k)

    def point(i: int) -> GeoPoint:
        x, y = instance.coords[i]
        return GeoPoint(y / 1000, x / 1000)

    hub = PlanningHub("depot", point(0))
    stops = tuple(
        PlanningStop(
            id=f"c{i}",
            point=point(i),
            parcels=(ParcelLoad(f"p{i}", float(instance.demand[i])),),
            windows=(
                TimeWindow(at(instance.ready[i]), at(max(instance.due[i], instance.ready[i] + 1))),
            ),
            service_level=ServiceLevel.SAME_DAY,
            door_time_s=int(instance.service[i]) * k,
        )
        for i in range(1, len(instance.coords))
    )
    vehicles = tuple(
        PlanningVehicle(
            id=f"v{j}",
            vehicle_type=VehicleType.VAN,
            capacity=Capacity(len(stops), float(instance.capacity), 0.0),
            shift_start=at(instance.ready[0]),
            shift_end=at(instance.due[0]),
            start_hub="depot",
            end_hub="depot",
            # One money unit per instance distance unit, as PyVRP's own benchmarks: with
            # Doorstep's money scale (millionths, per metre) that is 0.001 per "km".
            cost_per_km=1000 / MONEY_SCALE,
            cost_per_hour=0.0,
        )
        for j in range(instance.fleet)
    )
    return PlanningProblem(date(2026, 1, 5), at(instance.ready[0]), (hub,), stops, vehicles)


def exact_distance(instance: Instance, routes: list[list[int]]) -> float:
    """Objective in instance units: doubles for Solomon, truncated sums for DIMACS."""
    d = euclidean(instance)
    if instance.convention == "dimacs":
        d = np.floor(d * 10 + 1e-9) / 10
    total = 0.0
    for r in routes:
        nodes = [0, *r, 0]
        total += math.fsum(float(d[a, b]) for a, b in itertools.pairwise(nodes))
    return total
