"""Mid-day re-planning time: ``python -m benchmarks.reoptimise --json OUT``.

    python -m benchmarks.reoptimise                       # 150 stops, 5 routes, default budget
    python -m benchmarks.reoptimise --stops 300 --vehicles 8 --repeat 5
    python -m benchmarks.reoptimise --iterations 200      # same plan on any machine

Times one :func:`doorstep.planning.reoptimise` call end to end (matrices, model, search,
schedule) with ``REOPTIMISE_PARAMS``, the budget the dispatcher's "re-plan now" uses,
on a seeded day of stops around King's Cross with straight-line travel times. Two hours
into the day, each courier is somewhere else; nobody has finished a stop yet. Reports
the median and slowest of ``--repeat`` runs; the target is 2 s for 150 stops on 5 routes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import cast

import numpy as np

from doorstep.domain.model import Capacity, GeoPoint, ServiceLevel, TimeWindow, VehicleType
from doorstep.geo.provider import TravelTimeProvider
from doorstep.geo.straight_line import StraightLineProvider
from doorstep.planning import check_plan, travel_matrices
from doorstep.planning.model import (
    ParcelLoad,
    PlanningHub,
    PlanningProblem,
    PlanningStop,
    PlanningVehicle,
)
from doorstep.planning.reoptimise import (
    REOPTIMISE_PARAMS,
    CourierState,
    remaining_problem,
    reoptimise,
)

MORNING = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
NOW = MORNING + timedelta(hours=2)
HUB = PlanningHub("hub_kentish_town", GeoPoint(51.5502, -0.1405))


@dataclass(frozen=True, slots=True)
class Row:
    stops: int
    vehicles: int
    budget_s: float
    iterations: int | None
    median_s: float
    max_s: float
    routed: int
    feasible: bool
    date: str
    machine: str


def day(n_stops: int, n_vehicles: int, seed: int) -> PlanningProblem:
    """Stops within a few km of King's Cross, each open all day, each one 2 kg parcel."""
    rng = np.random.default_rng(seed)
    window = TimeWindow(MORNING, MORNING + timedelta(hours=8))
    stops = [
        PlanningStop(
            f"s{i}",
            GeoPoint(51.53 + rng.uniform(-0.03, 0.03), -0.12 + rng.uniform(-0.05, 0.05)),
            (ParcelLoad(f"par_s{i}", 2.0, 5.0),),
            windows=(window,),
            service_level=ServiceLevel.SAME_DAY,
        )
        for i in range(n_stops)
    ]
    van = PlanningVehicle(
        "v0", VehicleType.VAN, Capacity(80, 800.0, 6000.0), MORNING,
        MORNING + timedelta(hours=9), HUB.id, HUB.id,
    )  # fmt: skip
    vans = tuple(replace(van, id=f"v{i}") for i in range(n_vehicles))
    return PlanningProblem(date(2026, 11, 25), MORNING, (HUB,), tuple(stops), vans)


def run(args: argparse.Namespace) -> Row:
    problem = day(args.stops, args.vehicles, args.seed)
    states = {
        v.id: CourierState(v.id, GeoPoint(51.53 + i / 100, -0.12))
        for i, v in enumerate(problem.vehicles)
    }
    provider = cast(TravelTimeProvider, StraightLineProvider())  # frozen: read-only name
    params = replace(REOPTIMISE_PARAMS, seed=args.seed, max_iterations=args.iterations)
    walls = []
    for _ in range(args.repeat):
        started = time.monotonic()
        plan = reoptimise(problem, states, NOW, provider, params)
        walls.append(time.monotonic() - started)
    rest = remaining_problem(problem, states, NOW)
    violations = check_plan(rest, plan, travel_matrices(rest, provider))
    return Row(
        args.stops, args.vehicles, params.time_budget_s, args.iterations,
        round(statistics.median(walls), 3), round(max(walls), 3), len(plan.routed_stop_ids),
        not violations and not plan.unassigned, datetime.now(UTC).isoformat(timespec="seconds"),
        f"{platform.machine()}, {os.cpu_count()} cpus",
    )  # fmt: skip


def main(argv: list[str] | None = None) -> Row:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--stops", type=int, default=150)
    parser.add_argument("--vehicles", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs; median and max reported")
    parser.add_argument(
        "--iterations", type=int, default=None, help="stop the search after this many"
    )
    parser.add_argument("--json", type=Path, default=None, help="write the row as JSON here")
    args = parser.parse_args(argv)
    row = run(args)
    print(
        f"{row.stops} stops on {row.vehicles} routes: median {row.median_s:.2f} s, "
        f"max {row.max_s:.2f} s (budget {row.budget_s:g} s); "
        f"{row.routed} routed, feasible: {'yes' if row.feasible else 'NO'}"
    )
    if args.json:
        args.json.write_text(json.dumps(asdict(row), indent=1))
    return row


if __name__ == "__main__":
    main()
