"""The same day for VROOM (pyvroom): custom matrices per profile, stop sequences out.

VROOM has no time budget and no price for leaving a job out: it serves as many jobs as
it can (higher ``priority`` first), then minimises its cost. Promised stops get priority
100, next-day ones 0. Costs are given in hundredths of a penny (fixed, per hour of
travel, per km), so VROOM ranks vehicles as the benchmark does; VROOM prices only
travel time, not waiting or door time, which the benchmark's re-timing then adds.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Mapping, Sequence
from datetime import timedelta
from multiprocessing.connection import Connection
from typing import Any

import numpy as np
import vroom

from benchmarks._ortools_adapter import SolverRun, capacities, demands, seconds_after
from doorstep.domain.model import VehicleType
from doorstep.geo.provider import TravelMatrix
from doorstep.planning import PlanningProblem, PlanningVehicle

COST_UNIT = 10_000  # per pound
EXPLORATION = 5
THREADS = 2


def _vehicle(problem: PlanningProblem, k: int, v: PlanningVehicle) -> vroom.Vehicle:
    breaks = []
    if v.break_ is not None:
        b = v.break_
        window = (seconds_after(problem, b.earliest_start), seconds_after(problem, b.latest_start))
        breaks.append(vroom.Break(k, [window], service=b.duration_s))
    return vroom.Vehicle(
        k,
        start=problem.hub_index(v.start_hub),
        end=problem.hub_index(v.end_hub),
        profile=v.vehicle_type.value,
        capacity=capacities(v),
        time_window=(seconds_after(problem, v.shift_start), seconds_after(problem, v.shift_end)),
        breaks=breaks,
        costs=vroom.VehicleCosts(
            fixed=round(v.fixed_cost * COST_UNIT),
            per_hour=round(v.cost_per_hour * COST_UNIT),
            per_km=round(v.cost_per_km * COST_UNIT),
        ),
        description=v.id,
    )


def _input(
    problem: PlanningProblem,
    matrices: Mapping[VehicleType, TravelMatrix],
    service: Sequence[int],
) -> vroom.Input:
    """Matrices per profile, vehicles, and one job per stop (location = matrix row)."""
    problem_input = vroom.Input()
    for profile in problem.profiles():
        m = matrices[profile]
        problem_input.set_durations_matrix(profile.value, m.durations_s.astype(np.uint32))
        problem_input.set_distances_matrix(profile.value, m.distances_m.astype(np.uint32))
    for k, v in enumerate(problem.vehicles):
        problem_input.add_vehicle(_vehicle(problem, k, v))
    hubs = len(problem.hubs)
    jobs = []
    for i, stop in enumerate(problem.stops):
        windows = [
            (seconds_after(problem, w.start), seconds_after(problem, w.end)) for w in stop.windows
        ]
        jobs.append(
            vroom.Job(
                i,
                hubs + i,
                default_service=service[i],
                delivery=demands(stop),
                time_windows=windows,
                priority=100 if stop.must_serve else 0,
            )
        )
    problem_input.add_job(jobs)
    return problem_input


def solve_vroom(
    problem: PlanningProblem,
    matrices: Mapping[VehicleType, TravelMatrix],
    service: Sequence[int],
    timeout_s: float | None = None,
) -> SolverRun:
    """``solve(exploration_level=5, nb_threads=2)``; stops on no route stay unassigned.

    ``timeout_s`` uses VROOM's own time limit (``-l`` on its command line), which stops
    the local search and returns the best solution so far.
    """
    started = time.monotonic()
    problem_input = _input(problem, matrices, service)
    limit = None
    if timeout_s is not None:
        limit = timedelta(seconds=max(0.1, timeout_s - (time.monotonic() - started)))
    solution = problem_input.solve(exploration_level=EXPLORATION, nb_threads=THREADS, timeout=limit)
    answer = solution.to_dict()
    sequences: dict[str, list[int]] = {v.id: [] for v in problem.vehicles}
    for route in answer["routes"]:
        vehicle = problem.vehicles[int(route["vehicle"])]
        sequences[vehicle.id] = [int(s["id"]) for s in route["steps"] if s["type"] == "job"]
    note = f"exploration_level={EXPLORATION}, nb_threads={THREADS}, code {answer['code']}"
    if limit is not None:
        note += f", timeout={limit.total_seconds():.1f} s"
    return SolverRun(sequences, note)


def _child(args: tuple[Any, ...], pipe: Connection) -> None:
    pipe.send(solve_vroom(*args))
    pipe.close()


def solve_vroom_waiting(
    problem: PlanningProblem,
    matrices: Mapping[VehicleType, TravelMatrix],
    service: Sequence[int],
    timeout_s: float | None,
    give_up_s: float,
) -> SolverRun | None:
    """:func:`solve_vroom` in a forked process, abandoned after ``give_up_s`` (None then).

    VROOM's own timeout bounds only its local search, not its construction heuristics,
    and a C++ call cannot be interrupted in-process, so the benchmark waits from outside.
    """
    receive, send = multiprocessing.Pipe(duplex=False)
    context = multiprocessing.get_context("fork")
    child = context.Process(target=_child, args=((problem, matrices, service, timeout_s), send))
    child.start()
    send.close()
    try:
        if receive.poll(give_up_s):
            run: SolverRun = receive.recv()
            return run
        return None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
