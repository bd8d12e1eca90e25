"""VRPTW benchmark of Doorstep's planner against best-known solutions.

    python -m benchmarks.vrptw --set solomon --budget 1 --json OUT
    python -m benchmarks.vrptw --set homberger_1000 --budget 60 --instances C1_10_1
    python -m benchmarks.vrptw --set solomon --instances C101,R101 --workers 2
    python -m benchmarks.vrptw --set solomon --budget 1 --solver pyvrp   # the baseline
    python -m benchmarks.vrptw --set solomon --instances C101 --iterations 500  # any machine alike

Every instance goes through ``doorstep.planning.solve`` (not PyVRP directly), with distance
as the only cost (1 per km, nothing per hour, no fixed cost) and the instance's fleet. The
wall time of the whole call is the budget; ``feasible`` comes from the independent checker.
``--iterations`` stops each search after that many iterations instead of at the budget, so
the distances do not depend on the machine (the test suite runs it this way).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.vrptw_instances import exact_distance, load, matrix, read_bks, to_problem
from benchmarks.vrptw_pyvrp_baseline import solve_directly
from doorstep.domain.model import VehicleType
from doorstep.planning.check import check_plan
from doorstep.planning.params import PlannerParams
from doorstep.planning.solve import solve


@dataclass(frozen=True, slots=True)
class Row:
    instance: str
    n: int
    budget_s: float
    wall_s: float
    distance: float
    vehicles: int
    feasible: bool
    unassigned: int
    bks: float | None
    gap_pct: float | None


def run_pyvrp(name: str, row: dict[str, str], budget: float, seed: int) -> Row:
    """The baseline: PyVRP alone, one process, default parameters (no Doorstep layer)."""
    instance = load(name, row)
    started = time.monotonic()
    routes, feasible = solve_directly(instance, budget, seed)
    wall = time.monotonic() - started
    distance = exact_distance(instance, routes)
    bks = instance.bks
    gap = 100 * (distance - bks) / bks if bks and feasible else None
    return Row(name, len(instance.coords) - 1, budget, round(wall, 3), round(distance, 2),
               len(routes), feasible, 0, bks, None if gap is None else round(gap, 3))  # fmt: skip


def run_one(
    name: str, row: dict[str, str], budget: float, workers: int, seed: int, iterations: int | None
) -> Row:
    instance = load(name, row)
    problem = to_problem(instance)
    matrices = {VehicleType.VAN: matrix(instance)}
    params = PlannerParams(
        time_budget_s=budget, seed=seed, workers=workers, max_iterations=iterations
    )
    started = time.monotonic()
    plan = solve(problem, matrices, params)
    wall = time.monotonic() - started
    violations = check_plan(problem, plan, matrices)
    routes = [[int(s.stop_id[1:]) for s in r.stops] for r in plan.routes]
    distance = exact_distance(instance, routes)
    feasible = not violations and not plan.unassigned
    bks = instance.bks
    gap = 100 * (distance - bks) / bks if bks and feasible else None
    return Row(name, len(problem.stops), budget, round(wall, 3), round(distance, 2),
               len(plan.routes), feasible, len(plan.unassigned), bks,
               None if gap is None else round(gap, 3))  # fmt: skip


def table(rows: list[Row]) -> str:
    lines = [
        "| instance | n | budget s | wall s | distance | vehicles | feasible | BKS | gap % |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in rows:
        gap = "" if r.gap_pct is None else f"{r.gap_pct:.2f}"
        lines.append(
            f"| {r.instance} | {r.n} | {r.budget_s:g} | {r.wall_s:.2f} | {r.distance:.2f} | "
            f"{r.vehicles} | {'yes' if r.feasible else 'NO'} | {r.bks or ''} | {gap} |"
        )
    gaps = [r.gap_pct for r in rows if r.gap_pct is not None]
    infeasible = sum(not r.feasible for r in rows)
    if gaps:
        lines.append(
            f"\nMean gap {statistics.fmean(gaps):.3f}% over {len(gaps)} instances; "
            f"infeasible: {infeasible}; mean wall {statistics.fmean(r.wall_s for r in rows):.2f} s."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--set", default="solomon", choices=["solomon", "homberger_1000"])
    parser.add_argument("--budget", type=float, default=1.0, help="seconds per instance")
    parser.add_argument("--instances", default="", help="comma-separated subset, e.g. C101,R101")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--iterations",
        type=int,
        default=None,
        help="stop each search after this many iterations instead of at the budget",
    )
    parser.add_argument("--json", type=Path, default=None, help="write rows as JSON here")
    parser.add_argument(
        "--solver",
        default="doorstep",
        choices=["doorstep", "pyvrp"],
        help="doorstep (the planning layer) or pyvrp (one plain PyVRP process, the baseline)",
    )
    args = parser.parse_args(argv)
    bks = {k: v for k, v in read_bks().items() if v["set"] == args.set}
    wanted = [n for n in args.instances.split(",") if n] or sorted(bks)
    unknown = [n for n in wanted if n not in bks]
    if unknown:
        parser.error(f"--instances: not in set {args.set}: {', '.join(unknown)}")
    if args.iterations is not None and args.solver == "pyvrp":
        parser.error("--iterations: the pyvrp baseline runs to the budget only")
    rows = []
    for name in wanted:
        if args.solver == "pyvrp":
            rows.append(run_pyvrp(name, bks[name], args.budget, args.seed))
        else:
            rows.append(
                run_one(name, bks[name], args.budget, args.workers, args.seed, args.iterations)
            )
        print(
            f"{name}: {rows[-1].distance:.2f} gap {rows[-1].gap_pct}% {rows[-1].wall_s:.2f} s",
            flush=True,
        )
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1))
    return rows


if __name__ == "__main__":
    main()
