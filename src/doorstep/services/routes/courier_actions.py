"""The courier's day as the phone sends it: a queue of actions, replayed in order.

The app queues every action offline with a client event id and the device's time, and
sends the queue when it can. Each action is its own transaction and is stored once per
``(courier, client_event_id)``: a repeat gets the first answer, whether it was applied or
refused, however often the phone retries. A refusal is final and carries a message the
app shows (a stop moved to another courier meanwhile, a PIN that does not match); an
action naming a photo not uploaded yet is answered ``retry`` and not stored, so the app
keeps it until the photo is up.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from doorstep.domain import calendar, ids
from doorstep.domain.access import Principal
from doorstep.domain.errors import DomainError, InvalidValue
from doorstep.domain.model import Order
from doorstep.domain.parcel import Parcel, ParcelAction, ParcelState
from doorstep.domain.proof import (
    DeliveryMethod,
    Evidence,
    FailureReason,
    check_evidence,
    evidence_details,
    failure_photos,
)
from doorstep.domain.route import Position, Route, RouteStop, StopState
from doorstep.domain.text import check_text
from doorstep.geo.geometry import haversine_m
from doorstep.services import returns
from doorstep.services.access import require_courier
from doorstep.services.errors import ServiceError
from doorstep.services.ports import (
    Clock,
    Conflict,
    CourierAction,
    ProofRecord,
    StaleObject,
    UnitOfWork,
    UnitOfWorkFactory,
)
from doorstep.services.races import retried_on_race

MAX_ACTIONS_PER_BATCH = 200
MAX_CLIENT_EVENT_ID = 64
GEOFENCE_RADIUS_M = 150.0


class ActionKind(StrEnum):
    START_ROUTE = "start_route"
    ARRIVE = "arrive"
    COMPLETE = "complete"
    FAIL = "fail"
    SKIP = "skip"
    FINISH_ROUTE = "finish_route"


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    REFUSED = "refused"
    RETRY = "retry"


@dataclass(frozen=True, slots=True)
class CourierActionIn:
    client_event_id: str
    device_time: datetime
    kind: ActionKind
    route_id: str
    stop_id: str | None = None
    position: Position | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """What makes a repeat a repeat: the same id with other content is a reuse."""
        body = {
            "kind": self.kind.value,
            "route_id": self.route_id,
            "stop_id": self.stop_id,
            "device_time": self.device_time.isoformat(),
            "data": self.data,
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ActionResult:
    client_event_id: str
    status: Outcome
    message: str | None = None
    route_version: int | None = None


class Retry(ServiceError):
    """Not now: something the action needs (a photo) has not arrived yet."""


BlobExists = Callable[[str], bool]
RouteChanged = Callable[[str], None]
"""Called with a route's id after an action changed where its courier is (the ETAs'
recompute, :class:`doorstep.services.eta.refresh.EtaRefresh`); it must not raise."""

MOVES = frozenset(
    {
        ActionKind.START_ROUTE,
        ActionKind.ARRIVE,
        ActionKind.COMPLETE,
        ActionKind.FAIL,
        ActionKind.SKIP,
    }
)


def _courier_id(principal: Principal) -> str:
    return require_courier(principal)


def sync_actions(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    actions: Sequence[CourierActionIn],
    *,
    clock: Clock,
    blob_exists: BlobExists,
    geofence_radius_m: float = GEOFENCE_RADIUS_M,
    after_change: RouteChanged | None = None,
) -> list[ActionResult]:
    """Apply a phone's queue in order; one answer per action.

    ``after_change`` runs once per route the batch moved on (started, arrived, stop done),
    after every action's own commit, so it can neither undo nor repeat one."""
    _courier_id(principal)
    if len(actions) > MAX_ACTIONS_PER_BATCH:
        raise InvalidValue("actions", f"at most {MAX_ACTIONS_PER_BATCH} actions per request")
    results = []
    waiting: set[str] = set()  # routes with an action answered "retry" in this batch
    moved: dict[str, None] = {}  # routes an applied action moved on, in order
    for action in actions:
        if action.route_id in waiting:
            # Order matters (a finish must not overtake a delivery waiting for its photo):
            # the rest of that route's queue waits too, and nothing of it is stored.
            results.append(
                ActionResult(action.client_event_id, Outcome.RETRY, "waiting for an earlier action")
            )
            continue
        result = retried_on_race(
            lambda a=action: _one(  # type: ignore[misc]
                uow_factory(principal), a, clock, blob_exists, geofence_radius_m
            ),
            refusals=(StaleObject, Conflict),
        )
        if result.status is Outcome.RETRY:
            waiting.add(action.route_id)
        elif result.status is Outcome.APPLIED and action.kind in MOVES:
            moved.setdefault(action.route_id)
        results.append(result)
    if after_change is not None:
        for route_id in moved:
            after_change(route_id)
    return results


def _one(
    uow: UnitOfWork,
    action: CourierActionIn,
    clock: Clock,
    blob_exists: BlobExists,
    radius: float,
) -> ActionResult:
    courier_id = _courier_id(uow.principal)
    received = clock.now()
    fingerprint = action.fingerprint()
    with uow:
        stored = uow.courier_actions.get(courier_id, action.client_event_id)
        if stored is not None:
            return _repeat(stored, fingerprint)
        try:
            route = _apply(uow, action, received, blob_exists, radius)
        except Retry as wait:
            return ActionResult(action.client_event_id, Outcome.RETRY, wait.message)
        except (DomainError, ServiceError) as refusal:
            uow.rollback()
            message = str(getattr(refusal, "message", refusal))
            _store(uow, action, courier_id, received, fingerprint, Outcome.REFUSED, message)
            uow.commit()
            return ActionResult(action.client_event_id, Outcome.REFUSED, message)
        _store(uow, action, courier_id, received, fingerprint, Outcome.APPLIED, None)
        uow.commit()
        return ActionResult(action.client_event_id, Outcome.APPLIED, None, route.version)


def _repeat(stored: CourierAction, fingerprint: str) -> ActionResult:
    if stored.request_hash != fingerprint:
        return ActionResult(
            stored.client_event_id,
            Outcome.REFUSED,
            f"client_event_id {stored.client_event_id!r} was already used for another "
            f"{stored.kind} action; give every action a new id.",
        )
    if stored.status == Outcome.REFUSED:
        return ActionResult(stored.client_event_id, Outcome.REFUSED, stored.message)
    return ActionResult(stored.client_event_id, Outcome.DUPLICATE)


def _store(
    uow: UnitOfWork,
    action: CourierActionIn,
    courier_id: str,
    received: datetime,
    fingerprint: str,
    outcome: Outcome,
    message: str | None,
) -> None:
    uow.courier_actions.add(
        CourierAction(
            id=ids.new_id("act"),
            courier_id=courier_id,
            client_event_id=action.client_event_id,
            kind=action.kind.value,
            route_id=action.route_id,
            stop_id=action.stop_id,
            device_time=action.device_time,
            received_at=received,
            request_hash=fingerprint,
            status=outcome.value,
            message=message,
        )
    )


def check_device_time(device_time: datetime, now: datetime) -> datetime:
    """The phone's clock: kept as evidence, refused when it cannot be true."""
    calendar.check_moment("device_time", device_time)
    if device_time.tzinfo is None:
        raise InvalidValue("device_time", "needs a timezone")
    if calendar.ahead_of_server(device_time, now):
        raise InvalidValue("device_time", "is in the future: check the phone's clock")
    return device_time


def _apply(
    uow: UnitOfWork, action: CourierActionIn, now: datetime, blob_exists: BlobExists, radius: float
) -> Route:
    at = check_device_time(action.device_time, now)
    route = uow.routes.get(action.route_id)
    if route is None:
        raise ServiceError(f"Route {action.route_id} is not yours, or no longer exists.")
    actor = uow.principal.actor
    kind = action.kind
    if kind is ActionKind.START_ROUTE:
        parcels = _parcels(uow, route.parcel_ids)
        unloaded = [p.barcode for p in parcels if p.state is not ParcelState.LOADED]
        route.start(at=at, actor=actor, unloaded_barcodes=unloaded)
        for parcel in parcels:
            parcel.apply(ParcelAction.DEPART, actor=actor, at=at, details={"route_id": route.id})
            uow.parcels.save(parcel)
    elif kind is ActionKind.FINISH_ROUTE:
        route.finish(at=at, actor=actor)
        _return_to_hub(uow, route, at, actor)
    else:
        stop = route.stop(_stop_id(action))
        if kind is ActionKind.ARRIVE:
            distance = _distance(stop, action.position)
            route.arrive(
                stop.id,
                at=at,
                actor=actor,
                position=action.position,
                distance_m=distance,
                geofence_radius_m=radius,
            )
        elif kind is ActionKind.COMPLETE:
            _complete(uow, route, stop, action, at, now, blob_exists)
        elif kind is ActionKind.FAIL:
            _fail(uow, route, stop, action, at, now, blob_exists)
        elif kind is ActionKind.SKIP:
            note = _text(action.data, "note", 500)
            route.skip(stop.id, at=at, actor=actor, note=note)
    uow.routes.save(route)
    return route


def _stop_id(action: CourierActionIn) -> str:
    if not action.stop_id:
        raise InvalidValue("stop_id", f"a {action.kind.value} action names its stop")
    return action.stop_id


def _parcel(uow: UnitOfWork, parcel_id: str) -> Parcel:
    parcel = uow.parcels.get(parcel_id)
    if parcel is None:
        raise ServiceError(f"Parcel {parcel_id} of this route no longer exists.")
    return parcel


def _parcels(uow: UnitOfWork, parcel_ids: Sequence[str]) -> list[Parcel]:
    """A route's parcels, read at once, in order; refused at the first one missing."""
    found = uow.parcels.get_many(parcel_ids)
    for parcel_id in parcel_ids:
        if parcel_id not in found:
            raise ServiceError(f"Parcel {parcel_id} of this route no longer exists.")
    return [found[parcel_id] for parcel_id in parcel_ids]


def _distance(stop: RouteStop, position: Position | None) -> float | None:
    if position is None:
        return None
    return float(
        haversine_m(stop.point.lat, stop.point.lon, position.point.lat, position.point.lon)
    )


def _orders(uow: UnitOfWork, parcels: Sequence[Parcel]) -> dict[str, Order]:
    orders: dict[str, Order] = {}
    for parcel in parcels:
        if parcel.order_id not in orders:
            order = uow.orders.get(parcel.order_id)
            if order is None:
                raise ServiceError(f"The order of parcel {parcel.barcode} no longer exists.")
            orders[order.id] = order
    return orders


def _text(data: Mapping[str, Any], key: str, limit: int = 200) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidValue(key, "must be text")
    try:
        return check_text(value, max_length=limit, line_breaks=key == "note")
    except ValueError as error:
        raise InvalidValue(key, str(error)) from None


def _files(data: Mapping[str, Any], key: str) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidValue(key, "must be a list of SHA-256 names")
    return [v.lower() for v in value]


def _require_files(files: Sequence[str], blob_exists: BlobExists) -> None:
    missing = [sha for sha in files if not blob_exists(sha)]
    if missing:
        raise Retry(f"{len(missing)} photo(s) or signature not uploaded yet")


def _evidence(data: Mapping[str, Any]) -> Evidence:
    try:
        method = DeliveryMethod(str(data.get("method")))
    except ValueError:
        allowed = ", ".join(m.value for m in DeliveryMethod)
        raise InvalidValue("method", f"must be one of {allowed}") from None
    born = data.get("date_of_birth")
    try:
        date_of_birth = None if not born else date.fromisoformat(str(born))
    except ValueError:
        raise InvalidValue("date_of_birth", "must be a date, YYYY-MM-DD") from None
    signature = _text(data, "signature", 64)
    return Evidence(
        method=method,
        recipient_name=_text(data, "recipient_name"),
        neighbour_name=_text(data, "neighbour_name"),
        neighbour_house=_text(data, "neighbour_house", 50),
        safe_place=_text(data, "safe_place"),
        signature=None if signature is None else signature.lower(),
        photos=tuple(_files(data, "photos")),
        pin=_text(data, "pin", 16),
        date_of_birth=date_of_birth,
        card_number=_text(data, "card_number", 50),
    )


def _position_parts(
    action: CourierActionIn, stop: RouteStop
) -> tuple[tuple[float, float, float | None] | None, float | None]:
    if action.position is None:
        return None, stop.arrival_distance_m
    p = action.position
    return (p.point.lat, p.point.lon, p.accuracy_m), _distance(stop, p)


def _check_scanned(data: Mapping[str, Any], parcels: Sequence[Parcel]) -> None:
    scanned = data.get("scanned_barcodes") or []
    if not isinstance(scanned, list):
        raise InvalidValue("scanned_barcodes", "must be a list of barcodes")
    wanted = {p.barcode for p in parcels}
    given = {str(b).strip().upper() for b in scanned}
    missing = sorted(wanted - given)
    if missing:
        raise InvalidValue("scanned_barcodes", f"scan every parcel first: {', '.join(missing)}")


def _complete(
    uow: UnitOfWork,
    route: Route,
    stop: RouteStop,
    action: CourierActionIn,
    at: datetime,
    now: datetime,
    blob_exists: BlobExists,
) -> None:
    evidence = _evidence(action.data)
    parcels = [_parcel(uow, p) for p in stop.parcel_ids]
    _check_scanned(action.data, parcels)
    orders = _orders(uow, parcels)
    for order in orders.values():
        check_evidence(evidence, order.proof_requirements, salt=order.id, today=at.date())
    _require_files(evidence.files, blob_exists)
    actor = uow.principal.actor
    details = {**evidence_details(evidence), "stop_id": stop.id, "route_id": route.id}
    for parcel in parcels:
        parcel.apply(ParcelAction.DELIVER, actor=actor, at=at, details=details)
        uow.parcels.save(parcel)
    route.complete(stop.id, at=at, actor=actor, method=evidence.method.value)
    position, distance = _position_parts(action, stop)
    names = {
        k: v
        for k, v in evidence_details(evidence).items()
        if k not in ("method", "signature", "photos")
    }
    for order in orders.values():
        uow.proofs.add(
            _proof(
                _Attempt(route, stop, action, now, position, distance),
                order,
                parcels,
                outcome="delivered",
                method=evidence.method.value,
                evidence=names | ({"pin_checked": "yes"} if order.delivery_pin_hash else {}),
                signature=evidence.signature,
                photos=evidence.photos,
            )
        )


def _fail(
    uow: UnitOfWork,
    route: Route,
    stop: RouteStop,
    action: CourierActionIn,
    at: datetime,
    now: datetime,
    blob_exists: BlobExists,
) -> None:
    data = action.data
    try:
        reason = FailureReason(str(data.get("reason")))
    except ValueError:
        allowed = ", ".join(r.value for r in FailureReason)
        raise InvalidValue("reason", f"must be one of {allowed}") from None
    photos = failure_photos(_files(data, "photos"))
    _require_files(photos, blob_exists)
    note = _text(data, "note", 500)
    card = _text(data, "card_number", 50)
    parcels = [_parcel(uow, p) for p in stop.parcel_ids]
    orders = _orders(uow, parcels)
    actor = uow.principal.actor
    details = {"stop_id": stop.id, "route_id": route.id}
    if photos:
        details["photos"] = ",".join(photos)
    if card:
        details["card_number"] = card
    for parcel in parcels:
        if parcel.state is ParcelState.OUT_FOR_DELIVERY:
            parcel.apply(
                ParcelAction.FAIL_ATTEMPT,
                actor=actor,
                at=at,
                reason_code=reason.value,
                details=details,
            )
            uow.parcels.save(parcel)
    route.fail(stop.id, at=at, actor=actor, reason=reason.value)
    position, distance = _position_parts(action, stop)
    evidence = {"note": note, "card_number": card}
    for order in orders.values():
        uow.proofs.add(
            _proof(
                _Attempt(route, stop, action, now, position, distance),
                order,
                parcels,
                outcome="failed",
                reason=reason.value,
                evidence=evidence,
                photos=photos,
            )
        )


@dataclass(frozen=True, slots=True)
class _Attempt:
    """What every proof of one action shares, whichever order it is for."""

    route: Route
    stop: RouteStop
    action: CourierActionIn
    recorded_at: datetime
    position: tuple[float, float, float | None] | None
    distance_m: float | None


def _proof(
    attempt: _Attempt,
    order: Order,
    parcels: Sequence[Parcel],
    *,
    outcome: str,
    evidence: dict[str, Any],
    photos: Sequence[str],
    method: str | None = None,
    reason: str | None = None,
    signature: str | None = None,
) -> ProofRecord:
    distance = attempt.distance_m
    return ProofRecord(
        id=ids.new_id("pod"),
        order_id=order.id,
        brand_id=order.brand_id,
        route_id=attempt.route.id,
        stop_id=attempt.stop.id,
        courier_id=attempt.route.courier_id,
        outcome=outcome,
        method=method,
        reason=reason,
        parcel_ids=tuple(p.id for p in parcels if p.order_id == order.id),
        evidence=evidence,
        signature=signature,
        photos=tuple(photos),
        device_time=attempt.action.device_time,
        recorded_at=attempt.recorded_at,
        position=attempt.position,
        distance_m=distance,
        geofence_mismatch=distance is not None and distance > GEOFENCE_RADIUS_M,
    )


def _return_to_hub(uow: UnitOfWork, route: Route, at: datetime, actor: str) -> None:
    """Every parcel not delivered goes back: not reached -> failed (out of time), then in at
    the hub for a re-attempt, or on its way back to the sender after the last attempt.

    Parcels of stops the dispatcher removed while the van was out come back too, unless
    they were moved to another route (which then carries them)."""
    removed = [
        parcel_id
        for stop in route.stops
        if stop.state is StopState.REMOVED
        for parcel_id in stop.parcel_ids
        if uow.routes.open_for_parcel(parcel_id) is None
    ]
    settler = returns.Settler(uow)
    back = {"route_id": route.id}
    for parcel in _parcels(uow, [*route.parcel_ids, *removed]):
        if parcel.state is ParcelState.OUT_FOR_DELIVERY:
            parcel.apply(
                ParcelAction.FAIL_ATTEMPT,
                actor=actor,
                at=at,
                reason_code=FailureReason.OUT_OF_TIME.value,
                details={"route_id": route.id, "not_attempted": "true"},
            )
        if parcel.state is ParcelState.ATTEMPT_FAILED:
            # The brand's policy decides: another attempt, hold at the hub, or return.
            settler.settle(parcel, at=at, actor=actor, place=route.hub_id, details=back)
        uow.parcels.save(parcel)
