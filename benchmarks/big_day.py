"""big_day: a 10,000 or 20,000-stop London day planned in parts, timed and weighed.

    python -m benchmarks.big_day --stops 10000 --budget 300 --json OUT [--seed 1]
    python -m benchmarks.big_day --stops 20000 --budget 600 --json OUT

The stops are real Camden entrances (``_london_instance``); Camden has about 12,500 of
them in OpenStreetMap, so a bigger day is made up with points on Camden's streets (road
network nodes every profile reaches), said in the output. The fleet is the comfortable
one per 1,000 stops. The whole call a user makes is timed: ``planning.plan_day`` on the
packaged road network, matrices included, with ``--budget`` as its wall-clock budget.
Memory is the peak proportional set size (PSS: shared pages counted once) of this
process and its search processes together, sampled four times a second. The plan is
then judged by the independent checker route by route (``check_plan_by_route``: each
route against matrices over its own stops), outside the timed part.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks._london_instance import build_problem, read_addresses
from benchmarks._london_matrices import Network, camden_network, routable_rows
from benchmarks._retime import plan_cost
from benchmarks.london_day import machine
from doorstep.planning import PlannerParams, plan_day
from doorstep.planning.decompose import split_day
from doorstep.planning.plan_day import check_plan_by_route

MIB = 1024 * 1024


class PeakMemory:
    """The largest PSS of this process and all its descendants seen while running."""

    def __init__(self, every_s: float = 0.25) -> None:
        self.every_s = every_s
        self.peak = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            self.peak = max(self.peak, sum(_pss(pid) for pid in _tree(os.getpid())))
            if self._done.wait(self.every_s):
                return


def _tree(pid: int) -> list[int]:
    found, waiting = [], [pid]
    while waiting:
        current = waiting.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                waiting += [int(c) for c in task.read_text().split()]
            except OSError:
                continue
    return found


def _pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def street_rows(network: Network) -> list[dict[str, str]]:
    """Points on the van network as address-less rows, to make up a day bigger than the
    borough's addresses."""
    from doorstep.domain.model import VehicleType
    from doorstep.geo.road_network import RoadNetworkProvider

    provider = network.provider
    assert isinstance(provider, RoadNetworkProvider)
    graph = provider.network.graph(VehicleType.VAN)
    lat, lon = provider.network.lat[graph.nodes], provider.network.lon[graph.nodes]
    blank = {"building": "", "flats": "", "name": "", "postcode": ""}
    return [blank | {"lat": f"{a:.7f}", "lon": f"{b:.7f}"} for a, b in zip(lat, lon, strict=True)]


def run(stops: int, budget_s: float, seed: int, part_stops: int = 2000) -> dict[str, Any]:
    network = camden_network()
    addresses = read_addresses()
    streets = street_rows(network) if stops > len(addresses) else []
    rows = addresses + streets
    routable = routable_rows(network, rows)
    problem = build_problem(stops, seed, rows, routable, fill_from=len(addresses))
    on_streets = {(float(r["lat"]), float(r["lon"])) for r in streets}
    made_up = sum(1 for s in problem.stops if (s.point.lat, s.point.lon) in on_streets)
    params = PlannerParams(time_budget_s=budget_s, seed=seed, part_stops=part_stops)
    parts = split_day(problem, params.part_stops)
    started = time.perf_counter()
    with PeakMemory() as memory:
        plan = plan_day(problem, network.provider, params)
    wall = time.perf_counter() - started
    violations = check_plan_by_route(problem, plan, network.provider)
    promised = {s.id for s in problem.stops if s.must_serve}
    missed = sum(len(u.parcel_ids) for u in plan.unassigned if u.stop_id in promised)
    deferred = sum(len(u.parcel_ids) for u in plan.unassigned if u.stop_id not in promised)
    return {
        "stops": stops,
        "street_points": made_up,
        "parcels": sum(s.parcel_count for s in problem.stops),
        "seed": seed,
        "budget_s": budget_s,
        "part_stops": part_stops,
        "parts": len(parts),
        "largest_part": max(len(p.stops) for p in parts),
        "wall_s": round(wall, 1),
        "peak_mib": round(memory.peak / MIB),
        "vehicles_available": len(problem.vehicles),
        "vehicles_used": len(plan.routes),
        "km": round(plan.distance_m / 1000, 1),
        "hours": round(plan.duration_s / 3600, 1),
        "promised_parcels_missed": missed,
        "next_day_parcels_deferred": deferred,
        "unassigned_reasons": dict(Counter(u.reason.value for u in plan.unassigned)),
        "cost": round(plan_cost(problem, plan), 2),
        "feasible": not violations,
        "violations": [f"{v.kind} {v.where}: {v.detail}" for v in violations[:10]],
        "network": network.description,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stops", type=int, default=10_000)
    parser.add_argument("--budget", type=float, default=300.0, help="wall-clock seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--part-stops", type=int, default=2000, help="most stops per part")
    parser.add_argument("--json", type=Path, help="write the row here")
    args = parser.parse_args(argv)
    row = run(args.stops, args.budget, args.seed, args.part_stops)
    print(
        f"{row['stops']:,} stops ({row['street_points']:,} street points) in {row['parts']} "
        f"parts of up to {row['largest_part']:,}: {row['wall_s']:.0f} s of {args.budget:g}, "
        f"peak {row['peak_mib']:,} MiB; {row['vehicles_used']}/{row['vehicles_available']} "
        f"vehicles, {row['km']:,} km, promised missed {row['promised_parcels_missed']}, "
        f"next-day deferred {row['next_day_parcels_deferred']}, cost {row['cost']:,.2f}, "
        f"checker {'clean' if row['feasible'] else 'VIOLATIONS'}"
    )
    if row["violations"]:
        print("\n".join(row["violations"]))
    if args.json:
        args.json.write_text(json.dumps(row, indent=2) + "\n", encoding="utf-8")
    return 0 if row["feasible"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
