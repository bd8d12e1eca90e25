"""Hub scans: receive, sort, load and unload, idempotent per scanner event.

A hub scanner may send the same event twice (lost answers, offline buffers), so the
``(hub_id, client_event_id)`` pair identifies a scan and a repeat gets the stored answer,
however the repeats race: two copies of one event sent at once both read "not stored
yet", and on PostgreSQL both may then write; the loser's write is refused (the parcel's
version, or the unique scan key) and it answers with the winner's stored scan. The same
pair with a different barcode, kind or target is not a repeat but a scanner reusing its
ids, and is refused. Every scan is stored, refused ones too: a refusal tells the hub worker
what to do, and an unknown barcode or a parcel of another hub becomes an exception a person
resolves.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from doorstep.domain import calendar, ids
from doorstep.domain.errors import InvalidTransition, InvalidValue, WrongHub, WrongVehicle
from doorstep.domain.model import Hub
from doorstep.domain.parcel import Parcel, ParcelState, allowed_actions
from doorstep.domain.route import RouteState
from doorstep.domain.scan import (
    HubScan,
    RouteLeg,
    ScanKind,
    ScanOutcome,
    ScanTarget,
    check_hub,
    check_load,
)
from doorstep.services import returns
from doorstep.services.access import require_hub_operator, require_id, require_reference
from doorstep.services.errors import NotFound, ServiceError
from doorstep.services.idempotency import BeforeCommit, commit_with
from doorstep.services.ports import Clock, Conflict, StaleObject, UnitOfWork
from doorstep.services.races import retried_on_race

MAX_EXCEPTIONS = 500


class ScanEventReused(ServiceError):
    """A ``client_event_id`` already recorded at this hub came again for a different scan."""

    def __init__(self, client_event_id: str, stored: HubScan) -> None:
        super().__init__(
            f"client_event_id {client_event_id!r} was already used at this hub for a "
            f"{stored.kind.value} scan of {stored.barcode}; give every scan a new id."
        )
        self.client_event_id = client_event_id


@dataclass(frozen=True, slots=True)
class RecordScan:
    hub_id: str
    client_event_id: str
    barcode: str
    kind: ScanKind
    scanned_at: datetime
    target: ScanTarget = field(default_factory=ScanTarget)


@dataclass(frozen=True, slots=True)
class ScanResult:
    scan: HubScan
    replayed: bool = False
    # The dispatched route the parcel rides on, when it is on one not yet finished.
    route: RouteLeg | None = None

    @property
    def allowed_actions(self) -> list[str]:
        """What the parcel allows now (for a refusal's answer), from its state at the scan."""
        if self.scan.parcel_state is None:
            return []
        return sorted(
            action.value for action in allowed_actions(ParcelState(self.scan.parcel_state))
        )


def record_hub_scan(
    uow: UnitOfWork,
    cmd: RecordScan,
    *,
    clock: Clock,
    before_commit: BeforeCommit[ScanResult] | None = None,
) -> ScanResult:
    """Store one scan and apply it to its parcel; a repeat returns the stored scan.

    A write refused because another request changed the parcel or stored this event
    meanwhile is tried again from the start: the repeat then finds the stored scan.
    """
    require_hub_operator(uow.principal)
    require_id(cmd.hub_id, "hub", "hub")
    return retried_on_race(
        lambda: _record_once(uow, cmd, clock, before_commit), refusals=(Conflict, StaleObject)
    )


def _record_once(
    uow: UnitOfWork, cmd: RecordScan, clock: Clock, before_commit: BeforeCommit[ScanResult] | None
) -> ScanResult:
    with uow:
        hub = uow.hubs.get(cmd.hub_id)
        if hub is None:
            raise NotFound("hub", cmd.hub_id)
        stored = uow.scans.get(cmd.hub_id, cmd.client_event_id)
        if stored is not None:
            # Saved under the request's Idempotency-Key too, if it has one.
            replayed = _replay(cmd, stored)
            leg = None if stored.parcel_id is None else route_leg(uow, stored.parcel_id)
            return commit_with(uow, replace(replayed, route=leg), before_commit)
        now = clock.now()
        if calendar.ahead_of_server(cmd.scanned_at, now):
            raise InvalidValue("scanned_at", "is in the future; check the scanner's clock")
        _check_target(uow, cmd)
        parcel = uow.parcels.get_by_barcode(cmd.barcode)
        leg = None if parcel is None else route_leg(uow, parcel.id)
        if parcel is None:
            scan = _unknown_barcode(uow, cmd, now)
        else:
            scan = _apply(uow, cmd, parcel, hub, now, leg)
        uow.scans.add(scan)
        return commit_with(uow, ScanResult(scan, route=leg), before_commit)


def _replay(cmd: RecordScan, stored: HubScan) -> ScanResult:
    """The stored answer for a repeat, or a refusal when the id came with another scan."""
    if (stored.barcode, stored.kind, stored.target) != (cmd.barcode, cmd.kind, cmd.target):
        raise ScanEventReused(cmd.client_event_id, stored)
    return ScanResult(stored, replayed=True)


def _check_target(uow: UnitOfWork, cmd: RecordScan) -> None:
    vehicle_id = cmd.target.vehicle_id
    if cmd.kind is ScanKind.LOAD and vehicle_id is None:
        raise InvalidValue("target.vehicle_id", "a load scan needs the vehicle")
    require_reference(vehicle_id, "veh", uow.vehicles.get, "target.vehicle_id", "vehicle")


def _new_scan(
    cmd: RecordScan,
    now: datetime,
    actor: str,
    outcome: ScanOutcome,
    message: str,
    parcel: Parcel | None = None,
) -> HubScan:
    """A refused parcel's scan is made with its parcel, so it records ``scan.refused``."""
    return HubScan.create(
        id=ids.new_id("scn"),
        hub_id=cmd.hub_id,
        client_event_id=cmd.client_event_id,
        barcode=cmd.barcode,
        kind=cmd.kind,
        target=cmd.target,
        scanned_at=cmd.scanned_at,
        recorded_at=now,
        actor=actor,
        outcome=outcome,
        message=message,
        parcel_id=None if parcel is None else parcel.id,
        parcel_state=None if parcel is None else parcel.state.value,
    )


def _unknown_barcode(uow: UnitOfWork, cmd: RecordScan, now: datetime) -> HubScan:
    message = (
        f"Barcode {cmd.barcode} is not known here. Put the parcel aside for the exceptions desk."
    )
    return _new_scan(cmd, now, uow.principal.actor, ScanOutcome.UNKNOWN_BARCODE, message)


def _apply(
    uow: UnitOfWork, cmd: RecordScan, parcel: Parcel, hub: Hub, now: datetime, leg: RouteLeg | None
) -> HubScan:
    actor = uow.principal.actor
    sorting = cmd.kind is ScanKind.SORT
    loading = cmd.kind is ScanKind.LOAD
    vehicle_id = cmd.target.vehicle_id if sorting or loading else None
    details = {"scan_client_event_id": cmd.client_event_id}
    if leg is not None and sorting:
        # The hub follows the route: the parcel goes onto its route's vehicle.
        vehicle_id = leg.vehicle_id
        details["route_id"] = leg.route_id
    try:
        check_hub(parcel.barcode, _home_hub(uow, parcel), hub)
        if leg is not None and loading and vehicle_id is not None:
            check_load(
                parcel.barcode,
                leg,
                vehicle_id=vehicle_id,
                route_id=cmd.target.route_id or _route_of_vehicle(uow, leg, vehicle_id),
                sorted_for=parcel.vehicle_id,
            )
        if cmd.kind is ScanKind.RECEIVE and parcel.state is ParcelState.ATTEMPT_FAILED:
            # Back from a failed attempt: the brand's policy decides (services/returns).
            step, _ = returns.settle_failed(
                uow, parcel, at=cmd.scanned_at, actor=actor, place=cmd.hub_id, details=details
            )
            uow.parcels.save(parcel)
            message = f"Parcel {parcel.barcode}: {step.why}."
            return _with_parcel(_new_scan(cmd, now, actor, ScanOutcome.ACCEPTED, message), parcel)
        parcel.apply(
            cmd.kind.action,
            actor=actor,
            at=cmd.scanned_at,
            place=cmd.hub_id,
            bay=cmd.target.bay if sorting else None,
            vehicle_id=vehicle_id,
            details=details,
        )
    except WrongHub as wrong:
        return _new_scan(cmd, now, actor, ScanOutcome.WRONG_HUB, wrong.message, parcel)
    except (InvalidTransition, WrongVehicle) as refusal:
        return _new_scan(cmd, now, actor, ScanOutcome.REFUSED, refusal.message, parcel)
    uow.parcels.save(parcel)
    message = f"Parcel {parcel.barcode} is now {parcel.state.value.replace('_', ' ')}."
    if leg is not None and (sorting or loading):
        message += " " + _route_words(leg, parcel.bay)
    return _with_parcel(_new_scan(cmd, now, actor, ScanOutcome.ACCEPTED, message), parcel)


def route_leg(uow: UnitOfWork, parcel_id: str) -> RouteLeg | None:
    """The dispatched, not finished route a parcel rides on, with its load position."""
    summary = uow.routes.open_for_parcel(parcel_id)
    if summary is None:
        return None
    route = uow.routes.get(summary.route_id)
    order = route.load_order() if route is not None else {}
    return RouteLeg(
        route_id=summary.route_id,
        vehicle_id=summary.vehicle_id,
        vehicle_name=summary.vehicle_name,
        stop_id=summary.stop_id,
        load_position=order.get(parcel_id),
        load_count=len(order),
    )


def _route_of_vehicle(uow: UnitOfWork, leg: RouteLeg, vehicle_id: str) -> str | None:
    """The unfinished route the scanned vehicle drives on the parcel's route's day."""
    if vehicle_id == leg.vehicle_id:
        return leg.route_id
    ours = uow.routes.get(leg.route_id)
    if ours is None:
        return None
    for route in uow.routes.find(route_date=ours.route_date):
        if route.vehicle_id == vehicle_id and route.state is not RouteState.FINISHED:
            return route.id
    return None


def _route_words(leg: RouteLeg, bay: str | None) -> str:
    where = f", bay {bay}" if bay else ""
    position = (
        f", load position {leg.load_position} of {leg.load_count}"
        if leg.load_position is not None
        else ""
    )
    return f"Route {leg.route_id}, van {leg.vehicle_name}{where}{position}."


def _home_hub(uow: UnitOfWork, parcel: Parcel) -> Hub | None:
    """The hub the parcel's order is pinned to, if any."""
    order = uow.orders.get(parcel.order_id)
    if order is None or order.hub_id is None:
        return None
    return uow.hubs.get(order.hub_id)


def _with_parcel(scan: HubScan, parcel: Parcel) -> HubScan:
    return replace(scan, parcel_id=parcel.id, parcel_state=parcel.state.value)


def list_exceptions(uow: UnitOfWork, hub_id: str, limit: int = 100) -> list[HubScan]:
    """Unresolved scans of a hub (unknown barcodes, refusals), newest first."""
    require_hub_operator(uow.principal)
    require_id(hub_id, "hub", "hub")
    with uow.read_only():
        if uow.hubs.get(hub_id) is None:
            raise NotFound("hub", hub_id)
        return uow.scans.list_exceptions(hub_id, limit=min(limit, MAX_EXCEPTIONS))
