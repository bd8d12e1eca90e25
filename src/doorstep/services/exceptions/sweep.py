"""The periodic sweep: exceptions that time raises, which no event announces.

Run every minute by the job queue (``exceptions_sweep_job``), and called by tests with
their own clock. One transaction; everything it raises is keyed so that the next run (or
one racing it) raises nothing twice:

- a route not started 15 minutes after its planned start (the plan's route ``start``);
- parcels not loaded when the route should leave (its planned start);
- a courier standing still 15 minutes away from the next stop (their positions), closed
  by itself once they move;
- a predicted delay whose prediction came back inside the promise (closed);
- a refused hub scan of a parcel at the wrong hub or loaded onto the wrong van, and a
  plan finished in the last day with stops whose address could not be routed: both are
  raised at once from their events (``services/exceptions/hub_and_plans.py``); the sweep
  finds any an event missed (an outbox row written by an older version), under the
  same keys, so nothing is raised twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from doorstep.domain.exceptions import (
    ExceptionKind,
    departure_due,
    key_of,
    late_cause_gone,
    moved_away,
    route_not_started,
    stationary_matters,
    stationary_since,
)
from doorstep.domain.parcel import ParcelState
from doorstep.domain.pings import Ping
from doorstep.domain.route import Route, RouteState
from doorstep.domain.scan import is_mis_sort
from doorstep.geo.geometry import haversine_m
from doorstep.services.exceptions.hub_and_plans import raise_mis_sort, raise_unroutable
from doorstep.services.exceptions.queue import (
    SYSTEM,
    close_by_cause,
    open_exceptions,
    raise_exception,
)
from doorstep.services.exceptions.words import LONDON, hhmm, minutes, where
from doorstep.services.ports import Clock, UnitOfWork, UnitOfWorkFactory

PING_LOOKBACK = timedelta(minutes=45)
CLOCK_DRIFT = timedelta(minutes=2)
SCAN_LOOKBACK = timedelta(hours=2)
PLAN_LOOKBACK = timedelta(days=1)
SCANS_PER_HUB = 200
LOADED = frozenset({ParcelState.LOADED, ParcelState.OUT_FOR_DELIVERY, ParcelState.CANCELLED})


def sweep_exceptions(uow_factory: UnitOfWorkFactory, clock: Clock) -> int:
    """Raise and close the time-based exceptions; how many were raised."""
    now = clock.now()
    with uow_factory(SYSTEM) as uow:
        raised = 0
        routes = _todays_routes(uow, now.astimezone(LONDON).date())
        waiting = [r for r in routes if r.state is RouteState.ASSIGNED]
        starts = uow.exceptions.planned_starts([r.id for r in waiting])
        for route in waiting:
            if route.id in starts:
                raised += _not_started(uow, route, starts[route.id], now)
        for route in routes:
            if route.state is RouteState.STARTED:
                raised += _stationary(uow, route, now)
                _late_back_inside(uow, route, now)
        raised += _mis_sorts(uow, now)
        raised += _unroutable(uow, now)
        uow.commit()
    return raised


def _todays_routes(uow: UnitOfWork, today: date) -> list[Route]:
    return uow.routes.find(route_date=today)


def _not_started(uow: UnitOfWork, route: Route, planned: datetime, now: datetime) -> int:
    raised = 0
    if departure_due(planned_start=planned, started=False, now=now):
        parcels = uow.parcels.get_many(route.parcel_ids)
        missing = [p for p in parcels.values() if p.state not in LOADED]
        if missing:
            barcodes = ", ".join(p.barcode for p in missing[:10])
            raised += _one(
                raise_exception(
                    uow,
                    ExceptionKind.NOT_LOADED,
                    key_of(route.id),
                    at=now,
                    details=(
                        f"{len(missing)} parcel(s) not loaded at the planned departure "
                        f"{hhmm(planned)}: {barcodes}."
                    ),
                    route_id=route.id,
                    parcel_ids=[p.id for p in missing],
                    order_ids=sorted({p.order_id for p in missing}),
                    moment=planned,
                )
            )
        else:
            for found in open_exceptions(uow, ExceptionKind.NOT_LOADED, route.id):
                close_by_cause(uow, found, now, "Every parcel is loaded now.")
    if route_not_started(planned_start=planned, started=False, now=now):
        late = minutes((now - planned).total_seconds())
        raised += _one(
            raise_exception(
                uow,
                ExceptionKind.ROUTE_NOT_STARTED,
                key_of(route.id),
                at=now,
                details=f"Planned to leave at {hhmm(planned)}; not started {late} min later.",
                route_id=route.id,
                parcel_ids=route.parcel_ids,
                moment=planned,
            )
        )
    return raised


def _stationary(uow: UnitOfWork, route: Route, now: datetime) -> int:
    # Phones' clocks run a little ahead at times: a reading stamped just after now counts.
    pings = uow.pings.list_for(route.courier_id, now - PING_LOOKBACK, now + CLOCK_DRIFT)
    pings = sorted(pings, key=lambda p: p.at)
    if not pings:
        return 0
    latest = pings[-1]
    for found in open_exceptions(uow, ExceptionKind.COURIER_STATIONARY, route.id):
        if found.moment is not None and _moved_since(pings, found.moment):
            close_by_cause(uow, found, now, f"The courier moved on at {hhmm(latest.at)}.")
    readings = [(p.at, _metres(p, latest)) for p in pings]
    since = stationary_since(readings, now=now)
    if since is None:
        return 0
    nxt = next((s for s in route.active_stops if not s.state.done), None)
    away = None if nxt is None else _between(latest, nxt.point.lat, nxt.point.lon)
    if not stationary_matters(away):
        return 0
    assert nxt is not None and away is not None
    return _one(
        raise_exception(
            uow,
            ExceptionKind.COURIER_STATIONARY,
            key_of(route.id, since.isoformat()),
            at=now,
            details=(
                f"The courier has not moved since {hhmm(since)} "
                f"({minutes((now - since).total_seconds())} min), {round(away)} m from the "
                f"next stop ({where(nxt)})."
            ),
            route_id=route.id,
            stop_id=nxt.id,
            parcel_ids=nxt.parcel_ids,
            moment=since,
        )
    )


def _moved_since(pings: list[Ping], since: datetime) -> bool:
    after = [p for p in pings if p.at >= since]
    if len(after) < 2:
        return False
    anchor = after[0]
    return any(moved_away(_metres(p, anchor)) for p in after[1:])


def _metres(a: Ping, b: Ping) -> float:
    return _between(a, b.lat, b.lon)


def _between(a: Ping, lat: float, lon: float) -> float:
    return float(haversine_m(a.lat, a.lon, lat, lon))


def _late_back_inside(uow: UnitOfWork, route: Route, now: datetime) -> None:
    open_late = open_exceptions(uow, ExceptionKind.PREDICTED_LATE, route.id)
    if not open_late:
        return
    state = uow.eta.state(route.id)
    if state is None:
        return
    for found in open_late:
        predicted = state.predictions.get(found.stop_id or "")
        if found.moment is None or predicted is None:
            continue
        if late_cause_gone(completed_at=None, window_end=found.moment, predicted_arrival=predicted):
            close_by_cause(
                uow, found, now, f"Expected at {hhmm(predicted)} now, inside the promise."
            )


def _mis_sorts(uow: UnitOfWork, now: datetime) -> int:
    raised = 0
    for hub in uow.hubs.list():
        for scan in uow.scans.list_exceptions(hub.id, SCANS_PER_HUB):
            if scan.recorded_at < now - SCAN_LOOKBACK:
                break
            if scan.parcel_id is None or not is_mis_sort(scan.outcome, scan.kind):
                continue
            raised += raise_mis_sort(
                uow,
                scan_id=scan.id,
                kind=scan.kind,
                parcel_id=scan.parcel_id,
                hub_name=hub.name,
                message=scan.message,
                scanned_at=scan.scanned_at,
                now=now,
            )
    return raised


def _unroutable(uow: UnitOfWork, now: datetime) -> int:
    return sum(
        raise_unroutable(uow, plan, now)
        for plan in uow.exceptions.plans_finished_since(now - PLAN_LOOKBACK)
    )


def _one(found: object | None) -> int:
    return 0 if found is None else 1
