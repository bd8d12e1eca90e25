"""PyVRP searches on every core, keeping the best.

One PyVRP search uses one core. With ``workers`` > 1 the budget is split into rounds: in
each round every worker searches from the best solution found so far with its own seed,
so the cores share progress instead of repeating each other's early work (independent
seeds alone waste most of the second core on short budgets). The first round starts from
PyVRP's own construction. Workers are forked processes, not threads (PyVRP holds the
GIL while it searches); the problem data reaches them once, at fork, not per round.

Results are the same for the same seed, worker count and ``max_iterations``; with a
wall-clock budget they depend on machine speed and load.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import pyvrp
from pyvrp import IteratedLocalSearch, PenaltyManager, PenaltyParams
from pyvrp.search import LocalSearch, PerturbationManager, compute_neighbours
from pyvrp.stop import MaxIterations, StoppingCriterion

# (vehicle type, visits in order): a client index, or -1 - d for a reload at depot d.
RouteSpec = tuple[int, tuple[int, ...]]

_LONG_SEARCH_ROUNDS = 20  # budgets of this many first rounds search independently


@dataclass(frozen=True, slots=True)
class PenaltyBounds:
    """Where PyVRP's adaptive penalty per unit of lateness or overload may move.

    The floor is PyVRP's default scaled to Doorstep's cost units. The ceiling must let a
    single second of lateness outweigh the largest prize: below that, the search keeps
    squeezing one more promised stop in at a few seconds late and never settles on a
    plan that is on time.
    """

    low: float = PenaltyParams().min_penalty
    high: float = PenaltyParams().max_penalty
    first: float = (PenaltyParams().min_penalty + PenaltyParams().max_penalty) / 2

    @classmethod
    def scaled(cls, unit_cost: int, largest_prize: int) -> PenaltyBounds:
        """PyVRP's default range times the unit cost, with its ceiling raised above the
        largest prize; the search starts where PyVRP's would (the default midpoint), as
        a high start makes the first thousands of iterations too timid to improve."""
        default = PenaltyParams()
        low, high = default.min_penalty * unit_cost, default.max_penalty * unit_cost
        return cls(low, max(high, 2.0 * largest_prize), (low + high) / 2)


_DATA: pyvrp.ProblemData | None = None  # set in each worker at fork time
_BOUNDS = PenaltyBounds()


@dataclass(frozen=True, slots=True, order=True)
class Found:
    """A search result, ordered best first: feasible, then cheaper, then lower seed."""

    infeasible: bool
    cost: int
    seed: int
    routes: tuple[RouteSpec, ...]


@dataclass(frozen=True, slots=True)
class SearchPlan:
    seed: int
    workers: int
    deadline: float | None  # time.monotonic() value; None when iteration-limited
    max_iterations: int | None
    rounds: int
    penalties: PenaltyBounds = PenaltyBounds()


def rounds_for(workers: int, budget_s: float, num_clients: int) -> int:
    """Rounds double in length (see :func:`_stop`): share early progress often, then let
    the later searches run long enough to escape local optima on their own.

    The first round lasts about 0.15 s on small instances and 5 s on large ones.
    Measured on Solomon, 2 workers, shared machine: 3 equal rounds gave 0.59% mean gap
    at 1 s but only 0.41% at 10 s (30 equal rounds kept restarting the search).
    A budget of many first rounds is long enough for each search to escape local optima
    on its own, and restarts then cost more than they share: one round of independent
    seeds, keeping the best (R208 at 10 s: 1.40% gap with six rounds, 0.0% with one).
    """
    if workers == 1 or budget_s <= 0:
        return 1
    first = 0.15 if num_clients <= 300 else 5.0
    if budget_s >= _LONG_SEARCH_ROUNDS * first:
        return 1
    return max(1, min(6, round(math.log2(budget_s / first + 1))))


def search(data: pyvrp.ProblemData, plan: SearchPlan) -> Found:
    """The best of ``plan.workers`` searches per round; this process runs one of them, so
    only ``workers - 1`` are forked and the first search does not wait for a fork."""
    if plan.workers == 1:
        return _run(data, plan.seed, _stop(plan, 1), None, plan.penalties)
    context = multiprocessing.get_context("fork")
    init_args = (data, plan.penalties)
    pool = ProcessPoolExecutor(plan.workers - 1, context, initializer=_init, initargs=init_args)
    try:
        best: Found | None = None
        for r in range(plan.rounds):
            initial = best.routes if best else None  # even infeasible: keep the progress
            seeds = [plan.seed + r * plan.workers + w for w in range(plan.workers)]
            stop = _stop(plan, plan.rounds - r)
            futures = [pool.submit(_run_in_worker, s, stop, initial) for s in seeds[1:]]
            here = _run(data, seeds[0], stop, initial, plan.penalties)
            found = min([here, *(f.result() for f in futures)])
            best = found if best is None else min(best, found)
        assert best is not None
        return best
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # idle workers exit on their own


def _stop(plan: SearchPlan, rounds_left: int) -> tuple[str, float]:
    """The stopping rule for one round, as plain data so it pickles.

    Round k of R gets weight 2**k: with the time left shared over the rounds left, this
    round takes 1 / (2**rounds_left - 1) of it, e.g. 1/7, 2/7, 4/7 for three rounds.
    """
    if plan.max_iterations is not None:
        return ("iterations", plan.max_iterations / plan.rounds)
    assert plan.deadline is not None
    now = time.monotonic()
    remaining = max(0.0, plan.deadline - now)
    return ("until", now + remaining / (2**rounds_left - 1))


class _Until:
    """Stops at a moment on the shared monotonic clock, so PyVRP's set-up time (neighbour
    lists, the first local search) counts against the round instead of adding to it."""

    def __init__(self, moment: float) -> None:
        self.moment = moment

    def __call__(self, best_cost: float) -> bool:
        return time.monotonic() >= self.moment


def _init(data: pyvrp.ProblemData, penalties: PenaltyBounds) -> None:
    global _DATA, _BOUNDS
    _DATA, _BOUNDS = data, penalties


def _run_in_worker(
    seed: int, stop: tuple[str, float], initial: tuple[RouteSpec, ...] | None
) -> Found:
    assert _DATA is not None
    return _run(_DATA, seed, stop, initial, _BOUNDS)


def solver_params(penalties: PenaltyBounds) -> pyvrp.SolveParams:
    """PyVRP's defaults with Doorstep's penalty bounds."""
    bounds = PenaltyParams(min_penalty=penalties.low, max_penalty=penalties.high)
    return pyvrp.SolveParams(penalty=bounds)


def _solve(
    data: pyvrp.ProblemData,
    stop: StoppingCriterion,
    seed: int,
    penalties: PenaltyBounds,
    initial: pyvrp.Solution | None,
) -> pyvrp.Result:
    """``pyvrp.solve`` with the first penalties chosen here rather than at the midpoint
    of the bounds (the one thing its signature does not let a caller set)."""
    params = solver_params(penalties)
    rng = pyvrp.RandomNumberGenerator(seed=seed)
    neighbours = compute_neighbours(data, params.neighbourhood)
    ls = LocalSearch(data, rng, neighbours, PerturbationManager(params.perturbation))
    for op in params.operators:
        if op.supports(data):
            ls.add_operator(op(data))
    first = min(max(penalties.first, penalties.low), penalties.high)
    manager = PenaltyManager(([first] * data.num_load_dimensions, first, first), params.penalty)
    if initial is None:  # as pyvrp.solve: a random start, improved at the highest penalty
        initial = ls(pyvrp.Solution.make_random(data, rng), manager.max_cost_evaluator(), True)
    ils = IteratedLocalSearch(data, manager, ls, initial, params.ils)
    return ils.run(stop, collect_stats=False)


def _run(
    data: pyvrp.ProblemData,
    seed: int,
    stop: tuple[str, float],
    initial: tuple[RouteSpec, ...] | None,
    penalties: PenaltyBounds = PenaltyBounds(),
) -> Found:
    kind, amount = stop
    criterion = MaxIterations(max(1, int(amount))) if kind == "iterations" else _Until(amount)
    start = None
    if initial is not None:
        start = pyvrp.Solution(data, [pyvrp.Route(data, activities(v), t) for t, v in initial])
    result = _solve(data, criterion, seed, penalties, start)
    best = result.best
    routes = tuple((r.vehicle_type(), _visits(r)) for r in best.routes())
    feasible = best.is_feasible()
    cost = int(result.cost()) if feasible else _penalised(best)
    return Found(not feasible, cost, seed, routes)


def _visits(route: pyvrp.Route) -> tuple[int, ...]:
    """Clients and reloads between the first and last depot (see :data:`RouteSpec`)."""
    inner = list(route)[1:-1]
    return tuple(a.idx if a.is_client() else -1 - a.idx for a in inner)


def activities(visits: Sequence[int]) -> list[pyvrp.Activity]:
    """PyVRP activities from a route spec's visits (see :data:`RouteSpec`)."""
    return [
        pyvrp.Activity(pyvrp.ActivityType.CLIENT, x)
        if x >= 0
        else pyvrp.Activity(pyvrp.ActivityType.DEPOT, -1 - x)
        for x in visits
    ]


def _penalised(solution: pyvrp.Solution) -> int:
    """Rank infeasible results by how much they break: time warp and excess load."""
    return int(solution.time_warp() + sum(solution.excess_load()) + solution.excess_distance())
