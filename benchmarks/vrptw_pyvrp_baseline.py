"""One plain PyVRP process on a VRPTW instance: the baseline Doorstep's planner must beat.

Same instance data, same integer scaling and the same wall-clock budget as the Doorstep
run, but PyVRP called directly with its default parameters and one core, as a user of
PyVRP alone would. Used by ``python -m benchmarks.vrptw --solver pyvrp``.
"""

from __future__ import annotations

import pyvrp
from pyvrp.stop import MaxRuntime

from benchmarks.vrptw_instances import Instance, matrix, scale


def solve_directly(instance: Instance, budget_s: float, seed: int) -> tuple[list[list[int]], bool]:
    """Routes as lists of customer numbers (depot 0 excluded) and whether PyVRP says feasible."""
    k = scale(instance)
    model = pyvrp.Model()
    distances = matrix(instance).distances_m
    locations = [model.add_location(x=int(x * k), y=int(y * k)) for x, y in instance.coords]
    depot = model.add_depot(
        locations[0], tw_early=int(instance.ready[0]) * k, tw_late=int(instance.due[0]) * k
    )
    model.add_vehicle_type(
        num_available=instance.fleet,
        capacity=[int(instance.capacity)],
        start_depot=depot,
        end_depot=depot,
        tw_early=int(instance.ready[0]) * k,
        tw_late=int(instance.due[0]) * k,
    )
    for i in range(1, len(locations)):
        model.add_client(
            locations[i],
            delivery=[int(instance.demand[i])],
            service_duration=int(instance.service[i]) * k,
            tw_early=int(instance.ready[i]) * k,
            tw_late=int(instance.due[i]) * k,
        )
    for i, frm in enumerate(locations):
        for j, to in enumerate(locations):
            if i != j:
                value = int(distances[i, j])
                model.add_edge(frm, to, distance=value, duration=value)
    result = model.solve(stop=MaxRuntime(budget_s), seed=seed, display=False)
    # Activity indices count clients from 0; customer numbers start after the one depot.
    routes = [[a.idx + 1 for a in route if a.is_client()] for route in result.best.routes()]
    return routes, bool(result.best.is_feasible())
