"""The relay handler that raises exceptions from events, and closes them when an event
shows their cause is gone.

It runs inside the relay's transaction (:mod:`doorstep.services.relay`), so an exception
is raised in the same commit that marks its event relayed: a crash loses nothing, and a
row relayed twice raises nothing twice (``(kind, key)`` is unique).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from doorstep.domain.errors import RouteRefused
from doorstep.domain.events import DomainEvent, EventName
from doorstep.domain.exceptions import (
    ExceptionKind,
    key_of,
    late_cause_gone,
    late_still_actionable,
)
from doorstep.domain.parcel import ParcelState
from doorstep.domain.route import Route, RouteStop
from doorstep.services.exceptions.hub_and_plans import plan_finished, scan_refused
from doorstep.services.exceptions.queue import close_by_cause, open_exceptions, raise_exception
from doorstep.services.exceptions.words import hhmm, minutes, reason_words, where
from doorstep.services.ports import Clock, UnitOfWork
from doorstep.services.relay import EventHandler

Handle = Callable[[UnitOfWork, DomainEvent, datetime], None]
# A failed attempt is settled once every parcel of it is in one of these states.
SETTLED = frozenset(
    {
        ParcelState.AT_HUB,
        ParcelState.SORTED,
        ParcelState.LOADED,
        ParcelState.DELIVERED,
        ParcelState.RETURNED_TO_SENDER,
        ParcelState.CANCELLED,
    }
)
MOVED_ON = frozenset({ParcelState.SORTED, ParcelState.LOADED, ParcelState.OUT_FOR_DELIVERY})


def exception_handler(clock: Clock) -> EventHandler:
    """The relay handler: each event to the rules that raise or close exceptions."""

    def handle(uow: UnitOfWork, outbox_id: int, event: DomainEvent) -> None:
        rule = RULES.get(event.name)
        if rule is not None:
            rule(uow, event, clock.now())
        if event.name.startswith("parcel."):
            _parcel_moved(uow, event, clock.now())

    return handle


def _route_stop(
    uow: UnitOfWork, payload: Mapping[str, Any]
) -> tuple[Route | None, RouteStop | None]:
    route = uow.routes.get(str(payload.get("route_id") or ""))
    if route is None:
        return None, None
    try:
        return route, route.stop(str(payload.get("stop_id") or ""))
    except RouteRefused:
        return route, None


def _orders_of(uow: UnitOfWork, parcel_ids: Sequence[str]) -> list[str]:
    parcels = uow.parcels.get_many(list(parcel_ids))
    return sorted({p.order_id for p in parcels.values()})


def _delay_predicted(uow: UnitOfWork, event: DomainEvent, now: datetime) -> None:
    payload = event.payload
    route, stop = _route_stop(uow, payload)
    if route is None or stop is None or not late_still_actionable(stop.state.done):
        return
    window_end = datetime.fromisoformat(str(payload["window_end"]))
    predicted = datetime.fromisoformat(str(payload["predicted_arrival"]))
    late = minutes(float(payload.get("lateness_s") or 0))
    raise_exception(
        uow,
        ExceptionKind.PREDICTED_LATE,
        key_of(stop.id, str(payload.get("window_start"))),
        at=now,
        details=(
            f"{where(stop)}: expected at {hhmm(predicted)}, promised by {hhmm(window_end)} "
            f"({late} min late)."
        ),
        route_id=route.id,
        stop_id=stop.id,
        parcel_ids=stop.parcel_ids,
        order_ids=[str(o) for o in payload.get("order_ids") or []],
        moment=window_end,
    )


def _stop_completed(uow: UnitOfWork, event: DomainEvent, now: datetime) -> None:
    stop_id = event.payload.get("stop_id")
    for found in open_exceptions(uow, ExceptionKind.PREDICTED_LATE, event.payload.get("route_id")):
        if found.stop_id != stop_id or found.moment is None:
            continue
        if late_cause_gone(completed_at=event.occurred_at, window_end=found.moment):
            close_by_cause(uow, found, now, f"Delivered at {hhmm(event.occurred_at)}, in time.")


def _stop_gone(uow: UnitOfWork, event: DomainEvent, now: datetime) -> None:
    """A stop failed, skipped or taken off its route cannot be late any more."""
    stop_id = event.payload.get("stop_id")
    what = {
        EventName.STOP_FAILED: "The attempt failed (see the failed attempt).",
        EventName.STOP_SKIPPED: "The courier skipped the stop.",
        EventName.ROUTE_STOP_REMOVED: "The stop was taken off the route.",
    }.get(EventName(event.name), "The stop is no longer to be made.")
    for found in open_exceptions(uow, ExceptionKind.PREDICTED_LATE, event.payload.get("route_id")):
        if found.stop_id == stop_id:
            close_by_cause(uow, found, now, what)


def _stop_failed(uow: UnitOfWork, event: DomainEvent, now: datetime) -> None:
    _stop_gone(uow, event, now)
    route, stop = _route_stop(uow, event.payload)
    if route is None or stop is None:
        return
    _raise_failed(uow, route, stop, str(event.payload.get("reason") or ""), now)


def _raise_failed(
    uow: UnitOfWork, route: Route, stop: RouteStop, reason: str, now: datetime
) -> None:
    raise_exception(
        uow,
        ExceptionKind.ATTEMPT_FAILED,
        key_of(stop.id),
        at=now,
        details=f"{where(stop)}: attempt failed ({reason_words(reason)}).",
        route_id=route.id,
        stop_id=stop.id,
        parcel_ids=stop.parcel_ids,
        order_ids=_orders_of(uow, stop.parcel_ids),
    )


def _arrived(uow: UnitOfWork, event: DomainEvent, now: datetime) -> None:
    if not event.payload.get("geofence_mismatch"):
        return
    route, stop = _route_stop(uow, event.payload)
    if route is None or stop is None:
        return
    distance = event.payload.get("distance_m")
    far = f"{distance} m" if distance is not None else "far"
    raise_exception(
        uow,
        ExceptionKind.GEOFENCE_MISMATCH,
        key_of(stop.id),
        at=now,
        details=f"{where(stop)}: the courier arrived {far} away from the address.",
        route_id=route.id,
        stop_id=stop.id,
        parcel_ids=stop.parcel_ids,
        order_ids=_orders_of(uow, stop.parcel_ids),
    )


def _unknown_barcode(uow: UnitOfWork, event: DomainEvent, now: datetime) -> None:
    payload = event.payload
    barcode = str(payload.get("barcode") or "")
    if any(
        f.key.split(":")[0] == barcode for f in open_exceptions(uow, ExceptionKind.UNKNOWN_BARCODE)
    ):
        return  # the same parcel scanned again while the desk has it
    hub = uow.hubs.get(str(payload.get("hub_id") or ""))
    raise_exception(
        uow,
        ExceptionKind.UNKNOWN_BARCODE,
        key_of(barcode, str(payload.get("scan_id"))),
        at=now,
        details=(
            f"Barcode {barcode} scanned ({payload.get('kind')}) at "
            f"{hub.name if hub else 'the hub'} is not known."
        ),
    )


def _order_created(uow: UnitOfWork, event: DomainEvent, now: datetime) -> None:
    barcodes = {str(p.get("barcode")) for p in event.payload.get("parcels") or []}
    for found in open_exceptions(uow, ExceptionKind.UNKNOWN_BARCODE):
        if found.key.split(":")[0] in barcodes:
            close_by_cause(uow, found, now, "An order with this barcode arrived.")


def _route_started(uow: UnitOfWork, event: DomainEvent, now: datetime) -> None:
    route_id = str(event.payload.get("route_id"))
    at = hhmm(event.occurred_at)
    for kind in (ExceptionKind.ROUTE_NOT_STARTED, ExceptionKind.NOT_LOADED):
        for found in open_exceptions(uow, kind, route_id):
            close_by_cause(uow, found, now, f"The route started at {at}.")


def _route_finished(uow: UnitOfWork, event: DomainEvent, now: datetime) -> None:
    route_id = str(event.payload.get("route_id"))
    for found in open_exceptions(uow, ExceptionKind.COURIER_STATIONARY, route_id):
        close_by_cause(uow, found, now, "The route finished.")


def _route_dispatched(uow: UnitOfWork, event: DomainEvent, now: datetime) -> None:
    route = uow.routes.get(str(event.payload.get("route_id")))
    if route is None:
        return
    riding = set(route.parcel_ids)
    for found in open_exceptions(uow, ExceptionKind.ADDRESS_UNROUTABLE):
        if riding.intersection(found.parcel_ids):
            close_by_cause(uow, found, now, f"Its parcels are on route {route.id}.")


def _parcel_moved(uow: UnitOfWork, event: DomainEvent, now: datetime) -> None:
    """Parcel news: a failed attempt settled, a mis-sort put right, or a parcel that
    failed its attempt off any route."""
    parcel_id = str(event.payload.get("parcel_id"))
    state = str(event.payload.get("to_state"))
    if event.name == EventName.PARCEL_ATTEMPT_FAILED:
        _parcel_failed(uow, event, now)
        return
    if state in MOVED_ON:
        for found in open_exceptions(uow, ExceptionKind.MIS_SORT):
            if parcel_id in found.parcel_ids:
                close_by_cause(uow, found, now, f"The parcel is now {state.replace('_', ' ')}.")
    if state in SETTLED:
        _settle_failed(uow, parcel_id, now)
    if state == ParcelState.CANCELLED:
        for found in open_exceptions(uow, ExceptionKind.ADDRESS_UNROUTABLE):
            if parcel_id in found.parcel_ids:
                close_by_cause(uow, found, now, "The parcel was cancelled.")


def _parcel_failed(uow: UnitOfWork, event: DomainEvent, now: datetime) -> None:
    details = event.payload.get("details") or {}
    route, stop = _route_stop(uow, details)
    if route is not None and stop is not None:
        _raise_failed(uow, route, stop, str(event.payload.get("reason_code") or ""), now)
        return
    parcel_id = str(event.payload.get("parcel_id"))
    raise_exception(
        uow,
        ExceptionKind.ATTEMPT_FAILED,
        key_of(parcel_id),
        at=now,
        details=(
            f"Parcel {event.payload.get('barcode')}: attempt failed "
            f"({reason_words(str(event.payload.get('reason_code') or ''))})."
        ),
        parcel_ids=[parcel_id],
        order_ids=_orders_of(uow, [parcel_id]),
    )


def _settle_failed(uow: UnitOfWork, parcel_id: str, now: datetime) -> None:
    for found in open_exceptions(uow, ExceptionKind.ATTEMPT_FAILED):
        if parcel_id not in found.parcel_ids:
            continue
        parcels = uow.parcels.get_many(list(found.parcel_ids))
        if parcels and all(p.state in SETTLED for p in parcels.values()):
            state = next(iter(parcels.values())).state.value.replace("_", " ")
            close_by_cause(uow, found, now, f"Its parcels are now {state}.")


RULES: dict[str, Handle] = {
    EventName.STOP_DELAY_PREDICTED: _delay_predicted,
    EventName.STOP_COMPLETED: _stop_completed,
    EventName.STOP_FAILED: _stop_failed,
    EventName.STOP_SKIPPED: _stop_gone,
    EventName.ROUTE_STOP_REMOVED: _stop_gone,
    EventName.STOP_ARRIVED: _arrived,
    EventName.SCAN_UNKNOWN_BARCODE: _unknown_barcode,
    EventName.SCAN_REFUSED: scan_refused,
    EventName.PLAN_FINISHED: plan_finished,
    EventName.ORDER_CREATED: _order_created,
    EventName.ROUTE_STARTED: _route_started,
    EventName.ROUTE_FINISHED: _route_finished,
    EventName.ROUTE_DISPATCHED: _route_dispatched,
}
