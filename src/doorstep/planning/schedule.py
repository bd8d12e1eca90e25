"""Times of a route on the clock: arrivals with traffic, waiting, the break, the way home.

The solver orders the stops; this module says when each happens. Each leg takes its
free-flow matrix time times the traffic factor at the moment the courier sets off, so a
route leaving at 07:00 and one leaving at 08:30 get different ETAs for the same order.
The break is taken where the courier is, after a stop (or at the hub) and before driving
on: in the first gap that keeps every later window, else in the first gap it fits.
A vehicle on a second trip drives back to its start hub before the trip's first stop and
spends its loading time there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from doorstep.domain.model import TimeWindow
from doorstep.planning.model import (
    PlannedBreak,
    PlannedReload,
    PlannedStop,
    PlanningProblem,
    PlanningVehicle,
)
from doorstep.planning.params import LegFactor


@dataclass(frozen=True, slots=True)
class Timeline:
    stops: tuple[PlannedStop, ...]
    end: datetime
    break_: PlannedBreak | None
    late: tuple[int, ...]  # positions whose every window closed before arrival
    overrun: bool  # ends after the shift or lasts longer than allowed
    reloads: tuple[PlannedReload, ...] = ()

    @property
    def feasible(self) -> bool:
        return not self.late and not self.overrun


@dataclass(frozen=True, slots=True)
class RouteInputs:
    """What a timeline needs about one vehicle's route (indices into problem.stops)."""

    problem: PlanningProblem
    vehicle: PlanningVehicle
    sequence: Sequence[int]
    durations_s: npt.NDArray[np.int64]
    service_s: Sequence[int]
    leg_factor: LegFactor
    reload_before: frozenset[int] = frozenset()  # stops that begin a trip after a reload


def travel_s(free_flow_s: int, factor: float) -> int:
    return round(free_flow_s * factor)


def plan_timeline(inputs: RouteInputs, start: datetime) -> Timeline:
    """The timeline with the break in the best gap (see module docstring)."""
    plain = _walk(inputs, start, None)
    brk = inputs.vehicle.break_
    if brk is None or not _needs_break(inputs.vehicle, start, plain.end):
        return plain
    fallback: Timeline | None = None
    for gap in range(len(inputs.sequence) + 1):
        candidate = _walk(inputs, start, gap)
        if candidate.break_ is None:
            continue
        if candidate.feasible:
            return candidate
        fallback = fallback or candidate
    return fallback or plain


def _needs_break(vehicle: PlanningVehicle, start: datetime, end: datetime) -> bool:
    return vehicle.break_ is not None and vehicle.break_.due(start, end)


def _walk(inputs: RouteInputs, start: datetime, break_gap: int | None) -> Timeline:
    """One pass along the route; ``break_gap`` k means "after the k-th stop" (0 = hub)."""
    problem, vehicle = inputs.problem, inputs.vehicle
    n_hubs = len(problem.hubs)
    here = problem.hub_index(vehicle.start_hub)
    clock = start
    planned: list[PlannedStop] = []
    late: list[int] = []
    placed: PlannedBreak | None = None
    reloads: list[PlannedReload] = []
    for position, stop_index in enumerate([*inputs.sequence, None]):
        if break_gap == position and vehicle.break_ is not None:
            b = vehicle.break_
            begin = max(clock, b.earliest_start)
            if begin <= b.latest_start:
                after = planned[-1].stop_id if planned else None
                placed = PlannedBreak(begin, b.duration_s, after)
                clock = begin + timedelta(seconds=b.duration_s)
        if planned and stop_index in inputs.reload_before:
            hub = problem.hub_index(vehicle.start_hub)
            leg = travel_s(int(inputs.durations_s[here, hub]), inputs.leg_factor(clock))
            arrival = clock + timedelta(seconds=leg)
            clock = arrival + timedelta(seconds=vehicle.reload_s)
            reloads.append(PlannedReload(planned[-1].stop_id, arrival, clock))
            here = hub
        there = problem.hub_index(vehicle.end_hub) if stop_index is None else n_hubs + stop_index
        leg = travel_s(int(inputs.durations_s[here, there]), inputs.leg_factor(clock))
        arrival = clock + timedelta(seconds=leg)
        here = there
        if stop_index is None:
            clock = arrival
            break
        stop = problem.stops[stop_index]
        begin_service = _service_start(arrival, stop.windows)
        if begin_service is None:
            late.append(position)
            begin_service = arrival
        clock = begin_service + timedelta(seconds=inputs.service_s[stop_index])
        planned.append(PlannedStop(stop.id, stop.parcel_ids, arrival, begin_service, clock))
    limit = vehicle.max_route_duration_s
    overrun = clock > vehicle.shift_end or (
        limit is not None and (clock - start).total_seconds() > limit
    )
    return Timeline(tuple(planned), clock, placed, tuple(late), overrun, tuple(reloads))


def _service_start(arrival: datetime, windows: Sequence[TimeWindow]) -> datetime | None:
    """Start at arrival, or wait for the earliest window still open; None if all closed."""
    if not windows:
        return arrival
    starts = [max(arrival, w.start) for w in windows if arrival <= w.end]
    return min(starts) if starts else None


def tighten(inputs: RouteInputs, start: datetime, timeline: Timeline) -> tuple[datetime, Timeline]:
    """The route leaving as late as its sequence allows: a courier who would wait at a
    door for a window to open waits at the hub instead, on the clock only from the later
    departure. The delay is the waiting before each event less nothing it may not lose
    (a window's close, the break's latest start), capped by all the waiting on the route,
    so the return does not move; the timeline is walked again at the later start (traffic
    changes with the hour) and kept only if it still serves every stop in less time."""
    delay = _slack_s(start, timeline, inputs)
    if delay <= 0:
        return start, timeline
    later = start + timedelta(seconds=delay)
    moved = plan_timeline(inputs, later)
    shorter = moved.end - later < timeline.end - start
    if moved.feasible and len(moved.stops) == len(timeline.stops) and shorter:
        return later, moved
    return start, timeline


def _slack_s(start: datetime, timeline: Timeline, inputs: RouteInputs) -> int:
    """Seconds the departure can move without moving the return or breaking a promise."""
    stops = {s.id: s for s in inputs.problem.stops}
    brk, rule = timeline.break_, inputs.vehicle.break_
    waits: list[float] = []
    rooms: list[float] = []

    def take_break(after: str | None, ready: datetime) -> None:
        if brk is not None and rule is not None and brk.after_stop == after:
            waits.append((brk.start - ready).total_seconds())
            rooms.append((rule.latest_start - brk.start).total_seconds())

    previous: str | None = None
    ready = start  # a reload has no window: it neither waits nor limits
    for planned in timeline.stops:
        take_break(previous, ready)
        windows = stops[planned.stop_id].windows
        closes = [w.end for w in windows if w.start <= planned.service_start <= w.end]
        waits.append((planned.service_start - planned.arrival).total_seconds())
        rooms.append(
            (min(closes) - planned.service_start).total_seconds() if closes else float("inf")
        )
        previous, ready = planned.stop_id, planned.departure
    take_break(previous, ready)
    slack, waited = sum(waits), 0.0
    for wait, room in zip(waits, rooms, strict=True):
        waited += wait
        slack = min(slack, waited + room)
    return max(0, int(slack))


def repair(inputs: RouteInputs, start: datetime) -> tuple[datetime, Timeline, list[int]]:
    """Drop stops until the timeline holds: the first late stop, or the last on overrun;
    then :func:`tighten` the departure. Returns the departure, the timeline and the
    dropped stops.

    Dropping is needed only when traffic or the break pushes a route past what the solver
    saw, or when the solver could not make every required stop fit.
    """
    sequence = list(inputs.sequence)
    trips = set(inputs.reload_before)
    dropped: list[int] = []
    while True:
        current = replace(inputs, sequence=sequence, reload_before=frozenset(trips))
        timeline = plan_timeline(current, start)
        if not sequence:
            return start, timeline, dropped
        if timeline.feasible:
            return (*tighten(current, start, timeline), dropped)
        position = timeline.late[0] if timeline.late else len(sequence) - 1
        dropped.append(drop_keeping_trips(sequence, trips, position))


def drop_keeping_trips(sequence: list[int], reload_before: set[int], position: int) -> int:
    """Remove the stop at ``position``; if it began a trip, the trip now begins with the
    next stop (unless that one begins a trip of its own: the emptied trip goes)."""
    gone = sequence.pop(position)
    if gone in reload_before:
        reload_before.discard(gone)
        if position < len(sequence):
            reload_before.add(sequence[position])
    return gone
