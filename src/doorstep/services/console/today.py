"""The Today page's read model: every route of a day, how far it got, what runs late.

Read in a handful of statements (:meth:`~doorstep.services.ports.ConsoleReads.day`) and
folded here, so that the rules a dispatcher reads the day by live in one place:

- progress counts a route's stops: ``done`` delivered, ``failed`` failed or skipped (not
  delivered on this route), ``left`` still pending or arrived; removed stops not at all;
- a stop's prediction is the last ETA recompute's expected arrival (routes not started
  yet: the planned arrival); a route's predicted finish is its last open stop's
  prediction (its last stop done, once none is open);
- a stop is at risk of being late when its prediction falls after the end of the window
  the customer was told, or of the order's promise, by at least
  :data:`~doorstep.domain.eta.DELAY_THRESHOLD` (the rule that raises ``stop.delay_predicted``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

from doorstep.domain.eta import DELAY_THRESHOLD
from doorstep.domain.parcel import Parcel
from doorstep.domain.preferences import LONDON
from doorstep.domain.route import RouteState, StopState
from doorstep.services.errors import NotFound
from doorstep.services.ports import ConsolePosition, ConsoleRoute, ConsoleStop, UnitOfWork

# Distinct on the base map and for the colour-blind as far as twelve can be (Tableau 10 + 2).
PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#393b79", "#637939",
)  # fmt: skip
_FAILED = frozenset({StopState.FAILED.value, StopState.SKIPPED.value})
_OPEN = frozenset({StopState.PENDING.value, StopState.ARRIVED.value})


@dataclass(frozen=True, slots=True)
class StopView:
    id: str
    route_id: str
    sequence: int
    state: str
    lat: float
    lon: float
    postcode: str
    parcels: int
    window: tuple[datetime, datetime] | None
    announced_end: datetime | None
    predicted: datetime | None
    late: bool
    done_at: datetime | None


@dataclass(frozen=True, slots=True)
class RouteView:
    id: str
    index: int  # place in the day's list: its colour and label
    colour: str
    courier_id: str
    courier_name: str
    vehicle_name: str
    vehicle_type: str
    state: str
    done: int
    failed: int
    left: int
    predicted_finish: datetime | None
    late_stops: int
    position: ConsolePosition | None
    stops: tuple[StopView, ...]

    @property
    def total(self) -> int:
        return self.done + self.failed + self.left


@dataclass(frozen=True, slots=True)
class TodayView:
    day: date
    hub_id: str | None
    routes: tuple[RouteView, ...]

    @property
    def late_stops(self) -> int:
        return sum(r.late_stops for r in self.routes)


def day_start(day: date) -> datetime:
    """Midnight in London: positions before it are yesterday's."""
    return datetime.combine(day, time(0), tzinfo=LONDON)


def is_late(predicted: datetime | None, ends: list[datetime]) -> bool:
    """Whether ``predicted`` leaves the earliest of ``ends`` by the delay threshold."""
    return predicted is not None and bool(ends) and predicted - min(ends) >= DELAY_THRESHOLD


def _stop_view(
    stop: ConsoleStop, route: ConsoleRoute, predictions: dict[str, datetime]
) -> StopView:
    open_ = stop.state in _OPEN
    predicted = predictions.get(stop.stop_id) if open_ else None
    if open_ and predicted is None and route.state == RouteState.ASSIGNED.value:
        predicted = stop.planned_arrival
    ends = [e for e in (stop.announced_end, stop.window[1] if stop.window else None) if e]
    return StopView(
        id=stop.stop_id,
        route_id=stop.route_id,
        sequence=stop.sequence,
        state=stop.state,
        lat=stop.point.lat,
        lon=stop.point.lon,
        postcode=stop.postcode,
        parcels=len(stop.parcel_ids),
        window=stop.window,
        announced_end=stop.announced_end,
        predicted=predicted,
        late=open_ and is_late(predicted, ends),
        done_at=stop.done_at,
    )


def _route_view(
    index: int,
    route: ConsoleRoute,
    stops: list[ConsoleStop],
    predictions: dict[str, datetime],
    positions: dict[str, ConsolePosition],
) -> RouteView:
    views = tuple(
        _stop_view(s, route, predictions) for s in stops if s.state != StopState.REMOVED.value
    )
    open_predictions = [s.predicted for s in views if s.state in _OPEN and s.predicted]
    done_times = [s.done_at for s in views if s.done_at is not None]
    finish = max(open_predictions) if open_predictions else max(done_times, default=None)
    return RouteView(
        id=route.route_id,
        index=index,
        colour=PALETTE[index % len(PALETTE)],
        courier_id=route.courier_id,
        courier_name=route.courier_name,
        vehicle_name=route.vehicle_name,
        vehicle_type=route.vehicle_type,
        state=route.state,
        done=sum(1 for s in views if s.state == StopState.COMPLETED.value),
        failed=sum(1 for s in views if s.state in _FAILED),
        left=sum(1 for s in views if s.state in _OPEN),
        predicted_finish=finish,
        late_stops=sum(1 for s in views if s.late),
        position=positions.get(route.courier_id) if route.state == "started" else None,
        stops=views,
    )


def _view(uow: UnitOfWork, day: date, hub_id: str | None, route_id: str | None) -> TodayView:
    with uow.read_only():
        facts = uow.console.day(
            day, hub_id=hub_id, route_id=route_id, positions_since=day_start(day)
        )
    by_route: dict[str, list[ConsoleStop]] = defaultdict(list)
    for stop in facts.stops:
        by_route[stop.route_id].append(stop)
    predictions, positions = dict(facts.predictions), dict(facts.positions)
    routes = tuple(
        _route_view(i, r, by_route[r.route_id], predictions, positions)
        for i, r in enumerate(facts.routes)
    )
    return TodayView(day=day, hub_id=hub_id, routes=routes)


def today_view(uow: UnitOfWork, day: date, *, hub_id: str | None = None) -> TodayView:
    """Every route of ``day`` (of one hub when given), in dispatch order."""
    return _view(uow, day, hub_id, None)


def route_view(uow: UnitOfWork, day: date, route_id: str, *, index: int = 0) -> RouteView:
    """One route of the day, read alone, as its row is redrawn after an event; ``index``
    is its place in the page's list (its colour and label), which the page knows."""
    view = _view(uow, day, None, route_id)
    if not view.routes:
        raise NotFound("route", route_id)
    route = view.routes[0]
    colour = PALETTE[index % len(PALETTE)]
    return replace(route, index=index, colour=colour)


def map_data(view: TodayView) -> dict[str, Any]:
    """The structure static/console/map.js draws (documented at the top of that file)."""
    return {
        "routes": [
            {
                "id": r.id,
                "colour": r.colour,
                "label": f"{r.index + 1} {r.courier_name}",
                "courier_id": r.courier_id,
                "position": None
                if r.position is None
                else {
                    "lat": r.position.point.lat,
                    "lon": r.position.point.lon,
                    "at": r.position.at.isoformat(),
                },
                "stops": [
                    {
                        "id": s.id,
                        "lat": round(s.lat, 6),
                        "lon": round(s.lon, 6),
                        "seq": s.sequence,
                        "state": s.state,
                        "late": s.late,
                    }
                    for s in r.stops
                ],
            }
            for r in view.routes
        ]
    }


@dataclass(frozen=True, slots=True)
class StopDetails:
    route_id: str
    stop_id: str
    sequence: int
    state: str
    postcode: str
    recipient_first_name: str
    window: tuple[datetime, datetime] | None
    announced: tuple[datetime, datetime] | None
    predicted: datetime | None
    planned_arrival: datetime
    done_at: datetime | None
    note: str | None
    parcels: tuple[Parcel, ...]

    @property
    def history(self) -> list[tuple[str, Any]]:
        """Every parcel's events, oldest first, as (parcel id, event)."""
        moves = [(p.id, e) for p in self.parcels for e in p.events]
        return sorted(moves, key=lambda m: m[1].at)


def stop_details(uow: UnitOfWork, stop_id: str) -> StopDetails:
    """A stop's parcels (with their history), windows and prediction."""
    with uow.read_only():
        route = uow.routes.get_by_stop(stop_id)
        if route is None:
            raise NotFound("stop", stop_id)
        stop = route.stop(stop_id)
        parcels = uow.parcels.get_many(list(stop.parcel_ids))
        state = uow.eta.state(route.id)
        told = [w for w in uow.eta.list_for_route(route.id) if w.stop_id == stop_id]
    return StopDetails(
        route_id=route.id,
        stop_id=stop.id,
        sequence=stop.sequence,
        state=stop.state.value,
        postcode=stop.postcode,
        recipient_first_name=stop.recipient_first_name,
        window=(stop.window.start, stop.window.end) if stop.window else None,
        announced=(told[-1].start, told[-1].end) if told else None,
        predicted=state.predictions.get(stop_id) if state else None,
        planned_arrival=stop.planned_arrival,
        done_at=stop.done_at,
        note=stop.note,
        parcels=tuple(parcels[p] for p in stop.parcel_ids if p in parcels),
    )
