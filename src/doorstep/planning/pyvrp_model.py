"""The one adapter between Doorstep's planning model and PyVRP's integer data.

Units inside PyVRP: seconds since ``problem.departure``, metres, and money in millionths
of the currency unit (so £0.50/km is 500 per metre, and costs stay integers without
rounding a cheap bike to zero). Loads have three dimensions: thousandths of a parcel,
grams and millilitres, so one parcel, one kg and one litre weigh alike in PyVRP's
per-unit penalties. Those penalties are bounded by ``penalties`` (see
:class:`~doorstep.planning.search.PenaltyBounds`): scaled by the largest unit cost, and
able to outweigh the largest prize.

Breaks are not a PyVRP concept (PyVRP issue #352: a dummy break client per vehicle makes
the search struggle). Doorstep reserves the break instead: a vehicle with a break gets its
shift end and its maximum duration shortened by the break's length, and every window that
closes after the earliest break start closes earlier by that length in the solver (a
visit after the break arrives at most that much later). The schedule step then places
the break in the first gap of the route, and no promised stop is pushed out of its window
by it. The price is conservatism: a stop served before the break was held to a slightly
earlier deadline than it needed.

No client is required. A promised stop carries a prize larger than any deferrable stop's
(see :class:`~doorstep.planning.params.PlannerParams`), so the search serves it whenever
it can; but on a day that cannot keep every promise, leaving one out is a feasible plan
PyVRP can improve, where a required client would keep every solution infeasible and the
search would never move its best away from the first construction.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pyvrp

from doorstep.domain.model import VehicleType
from doorstep.geo.provider import TravelMatrix
from doorstep.planning.model import PlanningProblem, PlanningStop, PlanningVehicle
from doorstep.planning.search import PenaltyBounds, activities

MONEY_SCALE = 1_000_000
_UNLIMITED = np.iinfo(np.int64).max // 4
_HANDLING_ROOM = 1_000_000  # more heavy parcels than any route holds


@dataclass(frozen=True, slots=True)
class SolverModel:
    """PyVRP data plus the maps needed to read its solutions back."""

    data: pyvrp.ProblemData
    client_stop: tuple[int, ...]  # PyVRP client index -> index into problem.stops
    type_vehicles: tuple[tuple[str, ...], ...]  # vehicle type index -> vehicle ids
    profiles: tuple[VehicleType, ...]
    penalties: PenaltyBounds


def seconds_after(moment: datetime, epoch: datetime) -> int:
    return math.floor((moment - epoch).total_seconds())


def build_model(
    problem: PlanningProblem,
    stop_indices: Sequence[int],
    matrices: Mapping[VehicleType, TravelMatrix],
    service_s: Sequence[int],
    solver_factor: float,
    prizes: Prizes,
) -> SolverModel:
    """PyVRP data for the stops at ``stop_indices`` (the ones the pre-check kept)."""
    profiles = tuple(problem.profiles())
    n_hubs = len(problem.hubs)
    rows = np.array(list(range(n_hubs)) + [n_hubs + i for i in stop_indices], dtype=np.intp)
    distances: list[Any] = []
    durations: list[Any] = []
    for profile in profiles:
        m = _matrix_for(profile, matrices, len(problem.hubs) + len(problem.stops))
        distances.append(np.ascontiguousarray(m.distances_m[np.ix_(rows, rows)]))
        dur = m.durations_s[np.ix_(rows, rows)]
        if solver_factor != 1.0:
            dur = np.rint(dur * solver_factor).astype(np.int64)
        durations.append(np.ascontiguousarray(dur))
    locations = [pyvrp.Location(x=h.point.lon, y=h.point.lat, name=h.id) for h in problem.hubs]
    depots = [pyvrp.Depot(location=i, name=h.id) for i, h in enumerate(problem.hubs)]
    reload_depots = _reload_depots(problem)
    depots += [
        pyvrp.Depot(location=problem.hub_index(hub), service_duration=seconds, name=f"{hub} reload")
        for hub, seconds in reload_depots
    ]
    clients: list[pyvrp.Client] = []
    client_stop: list[int] = []
    groups: list[pyvrp.ClientGroup] = []
    reserve = _BreakReserve.of(problem)
    handling = _handling_limits(problem)
    for k, stop_index in enumerate(stop_indices):
        stop = problem.stops[stop_index]
        locations.append(pyvrp.Location(x=stop.point.lon, y=stop.point.lat, name=stop.id))
        made = _clients_for(
            stop, n_hubs + k, service_s[stop_index], problem, len(groups), prizes, reserve,
            handling,
        )  # fmt: skip
        if len(made) > 1:
            first = len(clients)
            groups.append(pyvrp.ClientGroup(list(range(first, first + len(made))), required=False))
        clients.extend(made)
        client_stop.extend([stop_index] * len(made))
    vehicle_types, type_vehicles = _vehicle_types(problem, profiles, reload_depots, handling)
    clients, vehicle_types = _coarsest_load_units(clients, vehicle_types)
    data = pyvrp.ProblemData(
        locations, clients, depots, vehicle_types, distances, durations, groups=groups
    )
    unit = max(1, *(max(t.unit_distance_cost, t.unit_duration_cost) for t in vehicle_types))
    penalties = PenaltyBounds.scaled(unit, max((c.prize for c in clients), default=0))
    return SolverModel(data, tuple(client_stop), type_vehicles, profiles, penalties)


def _coarsest_load_units(
    clients: list[pyvrp.Client], types: list[pyvrp.VehicleType]
) -> tuple[list[pyvrp.Client], list[pyvrp.VehicleType]]:
    """Divide each load dimension by the GCD of all its amounts: exact, and it keeps
    PyVRP's per-unit penalties at their intended strength (whole-kg demands are counted
    in kg, not in thousands of grams)."""
    amounts = np.array([c.delivery for c in clients] + [t.capacity for t in types], dtype=np.int64)
    divisors = [max(1, int(np.gcd.reduce(amounts[:, d]))) for d in range(amounts.shape[1])]
    if all(d == 1 for d in divisors):
        return clients, types
    div = np.array(divisors, dtype=np.int64)
    scaled = [
        _with_delivery(c, [int(x) for x in np.asarray(c.delivery, dtype=np.int64) // div])
        for c in clients
    ]
    retyped = [
        t.replace(
            capacity=[int(x) for x in np.asarray(t.capacity, dtype=np.int64) // div],
            initial_load=[0] * len(divisors),
        )
        for t in types
    ]
    return scaled, retyped


def _with_delivery(c: pyvrp.Client, delivery: list[int]) -> pyvrp.Client:
    return pyvrp.Client(
        location=c.location,
        delivery=delivery,
        service_duration=c.service_duration,
        tw_early=c.tw_early,
        tw_late=c.tw_late,
        prize=c.prize,
        required=c.required,
        group=c.group,
        name=c.name,
    )


def _matrix_for(
    profile: VehicleType, matrices: Mapping[VehicleType, TravelMatrix], size: int
) -> TravelMatrix:
    if profile not in matrices:
        raise ValueError(f"matrices: no travel matrix for profile {profile.value!r}")
    m = matrices[profile]
    if m.size != size:
        raise ValueError(
            f"matrices[{profile.value}]: has {m.size} points, the problem has {size} "
            "(hubs then stops, see PlanningProblem.points)"
        )
    return m


def _handling_limits(problem: PlanningProblem) -> tuple[float, ...]:
    """The distinct per-parcel handling limits in the fleet, one load dimension each.

    PyVRP has no "this vehicle may not serve that client", but loads say it exactly: in
    the dimension of limit L a stop whose heaviest parcel is above L weighs 1, a vehicle
    whose limit is L holds 0 and every other vehicle plenty. A vehicle of limit L is then
    kept from such stops by its own dimension, and the others are not held back by it.
    """
    return tuple(sorted({v.max_parcel_kg for v in problem.vehicles if v.max_parcel_kg}))


def stop_load(stop: PlanningStop, handling: Sequence[float] = ()) -> list[int]:
    """Demand rounded up, so rounding never lets a vehicle carry more than it can."""
    return [
        stop.parcel_count * 1000,
        math.ceil(stop.weight_kg * 1000 - 1e-6),
        math.ceil(stop.volume_litres * 1000 - 1e-6),
        *(int(stop.heaviest_kg > limit + 1e-9) for limit in handling),
    ]


def vehicle_capacity(vehicle: PlanningVehicle, handling: Sequence[float] = ()) -> list[int]:
    c = vehicle.capacity
    return [
        c.parcels * 1000,
        math.floor(c.weight_kg * 1000 + 1e-6),
        math.floor(c.volume_litres * 1000 + 1e-6),
        *(0 if vehicle.max_parcel_kg == limit else _HANDLING_ROOM for limit in handling),
    ]


@dataclass(frozen=True, slots=True)
class Prizes:
    """What serving a stop is worth to the solver, in the currency of vehicle costs.

    A stop counts at most ``PRIZE_PARCELS`` parcels: beyond that (a locker bank, an
    office's post room) it is already worth more than any route costs, and the search's
    lateness penalty must be able to rise above the largest prize (``PenaltyBounds``);
    an uncapped prize would lift that ceiling with the stop's size towards the edge of
    PyVRP's 64-bit costs (penalty x seconds late or grams over)."""

    per_deferrable_parcel: float
    per_promised_parcel: float
    most_parcels_at_a_stop: int

    @classmethod
    def of(
        cls, problem: PlanningProblem, stop_indices: Sequence[int], deferral: float, promise: float
    ) -> Prizes:
        most = max((_counted(problem.stops[i]) for i in stop_indices), default=1)
        return cls(deferral, promise, most)

    def of_stop(self, stop: PlanningStop) -> int:
        if not stop.must_serve:
            return _money(self.per_deferrable_parcel * _counted(stop))
        # Above every deferrable stop's prize, so no deferrable door outweighs a promise.
        above = self.per_deferrable_parcel * self.most_parcels_at_a_stop
        return _money(self.per_promised_parcel * _counted(stop) + above)


PRIZE_PARCELS = 100


def _counted(stop: PlanningStop) -> int:
    return min(stop.parcel_count, PRIZE_PARCELS)


@dataclass(frozen=True, slots=True)
class _BreakReserve:
    """How much earlier a window must close in the solver so the break fits before it."""

    after_s: int  # the earliest any break may start, in seconds after the epoch
    duration_s: int  # the longest break

    @classmethod
    def of(cls, problem: PlanningProblem) -> _BreakReserve:
        breaks = [v.break_ for v in problem.vehicles if v.break_ is not None]
        if not breaks:
            return cls(int(_UNLIMITED), 0)
        earliest = min(b.earliest_start for b in breaks)
        return cls(seconds_after(earliest, problem.departure), max(b.duration_s for b in breaks))

    def tighten(self, early: int, late: int) -> int:
        if late <= self.after_s:
            return late  # closes before any break can start: served before the break
        return max(early, late - self.duration_s)


def _clients_for(
    stop: PlanningStop,
    location: int,
    service: int,
    problem: PlanningProblem,
    group: int,
    prizes: Prizes,
    reserve: _BreakReserve,
    handling: Sequence[float],
) -> list[pyvrp.Client]:
    """One client per window still open; alternatives become a mutually exclusive group."""
    epoch = problem.departure
    windows = [
        (early, reserve.tighten(early, seconds_after(w.end, epoch)))
        for w in stop.windows
        if w.end >= epoch
        for early in (max(0, seconds_after(w.start, epoch)),)
    ] or [(0, int(_UNLIMITED))]
    in_group = len(windows) > 1
    prize = prizes.of_stop(stop)
    return [
        pyvrp.Client(
            location=location,
            delivery=stop_load(stop, handling),
            service_duration=service,
            tw_early=early,
            tw_late=late,
            prize=prize,
            required=False,
            group=group if in_group else None,
            name=stop.id,
        )
        for early, late in windows
    ]


def _reload_depots(problem: PlanningProblem) -> list[tuple[str, int]]:
    """One reload depot per (hub, loading time) in use. It stands where the hub does but
    is a depot of its own, so the loading time counts at a reload and not when a route
    leaves in the morning (PyVRP counts a depot's service time at both)."""
    wanted = {(v.start_hub, v.reload_s) for v in problem.vehicles if v.max_reloads > 0}
    return sorted(wanted)


def _money(amount: float) -> int:
    return round(amount * MONEY_SCALE)


def _vehicle_types(
    problem: PlanningProblem,
    profiles: tuple[VehicleType, ...],
    reload_depots: list[tuple[str, int]],
    handling: Sequence[float],
) -> tuple[list[pyvrp.VehicleType], tuple[tuple[str, ...], ...]]:
    """Identical vehicles share one PyVRP type: fewer symmetric choices, faster search."""
    by_key: dict[tuple[object, ...], list[PlanningVehicle]] = {}
    for v in problem.vehicles:
        key = (
            v.vehicle_type, v.capacity, v.start_hub, v.end_hub, v.shift_start, v.shift_end,
            v.break_, v.max_route_duration_s, v.cost_per_km, v.cost_per_hour, v.fixed_cost,
            v.max_reloads, v.reload_s, v.max_parcel_kg,
        )  # fmt: skip
        by_key.setdefault(key, []).append(v)
    types = [
        _vehicle_type(vs[0], len(vs), problem, profiles, reload_depots, handling)
        for vs in by_key.values()
    ]
    return types, tuple(tuple(v.id for v in vs) for vs in by_key.values())


def _vehicle_type(
    v: PlanningVehicle,
    count: int,
    problem: PlanningProblem,
    profiles: tuple[VehicleType, ...],
    reload_depots: list[tuple[str, int]],
    handling: Sequence[float],
) -> pyvrp.VehicleType:
    epoch = problem.departure
    reload_at = (
        [len(problem.hubs) + reload_depots.index((v.start_hub, v.reload_s))]
        if v.max_reloads > 0
        else []
    )
    reserved = v.break_.duration_s if v.break_ else 0
    max_duration = v.max_route_duration_s if v.max_route_duration_s else int(_UNLIMITED)
    return pyvrp.VehicleType(
        num_available=count,
        capacity=vehicle_capacity(v, handling),
        start_depot=problem.hub_index(v.start_hub),
        end_depot=problem.hub_index(v.end_hub),
        fixed_cost=_money(v.fixed_cost),
        tw_early=max(0, seconds_after(v.shift_start, epoch)),
        tw_late=max(0, seconds_after(v.shift_end, epoch) - reserved),
        shift_duration=max(0, max_duration - reserved),
        unit_distance_cost=round(v.cost_per_km * MONEY_SCALE / 1000),
        unit_duration_cost=round(v.cost_per_hour * MONEY_SCALE / 3600),
        profile=profiles.index(v.vehicle_type),
        reload_depots=reload_at,
        max_reloads=v.max_reloads if reload_at else int(np.iinfo(np.uint64).max),
        name=v.id,
    )


def route_start_s(model: SolverModel, vehicle_type: int, visits: Sequence[int]) -> int:
    """When PyVRP lets this route leave its depot, in seconds after the epoch."""
    return int(pyvrp.Route(model.data, activities(visits), vehicle_type).start_time())
