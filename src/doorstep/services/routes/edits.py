"""The dispatcher's edits to a dispatched route: remove, reorder, move a stop, reassign.

Each edit is one transaction: the route (both routes, for a move) records its outbox
event, and an audit entry says who changed what. The courier's app sees the change at its
next sync; an action it queued on a stop taken off its route meanwhile is refused by the
route itself (``Route._open_stop``), with a message the app shows.

Parcels follow the stops physically, so every answer says what the hub must do: parcels
already loaded on the old van come off at the hub (and, for a move, are sorted onto the
new route's van: the hub follows the route).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from doorstep.domain import ids
from doorstep.domain.errors import InvalidValue, RouteRefused
from doorstep.domain.parcel import Parcel, ParcelState
from doorstep.domain.route import Route, RouteState, RouteStop
from doorstep.services.access import require_hub_operator, require_id
from doorstep.services.audit import record as record_audit
from doorstep.services.errors import NotFound
from doorstep.services.ports import Clock, Conflict, UnitOfWork


@dataclass(frozen=True, slots=True)
class RemoveStop:
    route_id: str
    stop_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class ReorderStops:
    route_id: str
    stop_ids: Sequence[str]


@dataclass(frozen=True, slots=True)
class MoveStop:
    route_id: str
    stop_id: str
    to_route_id: str


@dataclass(frozen=True, slots=True)
class ReassignRoute:
    route_id: str
    courier_id: str


@dataclass(frozen=True, slots=True)
class EditResult:
    """The edited route as stored, and what the hub must do about it."""

    route: Route
    message: str
    # Barcodes loaded on the route's van that must be unloaded at the hub.
    unload: list[str] = field(default_factory=list)
    # For a move: the route the stop went to, and the new stop's id there.
    to_route: Route | None = None
    new_stop_id: str | None = None


class CourierBusy(Conflict):
    """The courier already has another unfinished route that day."""


def _route(uow: UnitOfWork, route_id: str, field_name: str = "route_id") -> Route:
    route = uow.routes.get(route_id)
    if route is None:
        if field_name == "route_id":
            raise NotFound("route", route_id)
        raise InvalidValue(field_name, f"no such route: {route_id}")
    return route


def _parcels(uow: UnitOfWork, stop: RouteStop) -> list[Parcel]:
    return [p for p in (uow.parcels.get(pid) for pid in stop.parcel_ids) if p is not None]


def _unload_words(barcodes: list[str], then: str) -> str:
    if not barcodes:
        return ""
    return f" Unload {', '.join(barcodes)} from the van at the hub{then}."


def remove_stop(uow: UnitOfWork, cmd: RemoveStop, *, clock: Clock) -> EditResult:
    """Take a stop off its route; its parcels go back to the queue for another day's plan.

    A route may start only with every parcel loaded, so removing the stops of parcels
    still in the hub is also how a dispatcher lets a route leave without them.
    """
    require_hub_operator(uow.principal)
    require_id(cmd.route_id, "rte", "route")
    now = clock.now()
    with uow:
        route = _route(uow, cmd.route_id)
        stop = route.remove_stop(cmd.stop_id, at=now, actor=uow.principal.actor, reason=cmd.reason)
        parcels = _parcels(uow, stop)
        unload = [p.barcode for p in parcels if p.state is ParcelState.LOADED]
        out = [p.barcode for p in parcels if p.state is ParcelState.OUT_FOR_DELIVERY]
        uow.routes.save(route)
        record_audit(uow, now, "route.stop_removed", stop.id, route_id=route.id, reason=cmd.reason)
        uow.commit()
    message = f"Stop {stop.id} is off route {route.id}; its parcels go back to the queue."
    message += _unload_words(unload, "")
    if out:
        message += (
            f" {', '.join(out)} are out for delivery: the courier brings them back "
            "when the route finishes."
        )
    return EditResult(route=route, message=message, unload=unload)


def reorder_stops(uow: UnitOfWork, cmd: ReorderStops, *, clock: Clock) -> EditResult:
    """Put the stops not yet done in a new order; the van's load order follows it."""
    require_hub_operator(uow.principal)
    require_id(cmd.route_id, "rte", "route")
    now = clock.now()
    with uow:
        route = _route(uow, cmd.route_id)
        route.reorder(cmd.stop_ids, at=now, actor=uow.principal.actor)
        uow.routes.save(route)
        record_audit(uow, now, "route.stops_reordered", route.id, stop_ids=",".join(cmd.stop_ids))
        uow.commit()
    message = f"Route {route.id} now visits its open stops in the new order."
    if route.state is RouteState.ASSIGNED:
        message += " Reload the van if it is already loaded: the last stop goes in first."
    return EditResult(route=route, message=message)


def move_stop(uow: UnitOfWork, cmd: MoveStop, *, clock: Clock) -> EditResult:
    """Move a stop to another route of the same hub and day, both saved in one transaction.

    The stop leaves its route (removed, "moved to rte_..") and a copy with a new id joins
    the other route at its end. Parcels still in the hub or on the old van move with it
    only to a route whose van has not left; parcels out for delivery move only to a route
    already on the road (the couriers hand them over).
    """
    require_hub_operator(uow.principal)
    require_id(cmd.route_id, "rte", "route")
    require_id(cmd.to_route_id, "rte", "to_route_id")
    if cmd.to_route_id == cmd.route_id:
        raise InvalidValue("to_route_id", "is the stop's own route: name another route")
    now = clock.now()
    actor = uow.principal.actor
    with uow:
        route = _route(uow, cmd.route_id)
        target = _route(uow, cmd.to_route_id, "to_route_id")
        if (target.hub_id, target.route_date) != (route.hub_id, route.route_date):
            raise InvalidValue(
                "to_route_id", "a stop moves only between routes of the same hub and day"
            )
        stop = route.remove_stop(cmd.stop_id, at=now, actor=actor, reason=f"moved to {target.id}")
        parcels = _parcels(uow, stop)
        _check_parcels_can_follow(parcels, target)
        unload = [p.barcode for p in parcels if p.state is ParcelState.LOADED]
        copy = RouteStop(
            id=ids.new_id("stp"),
            sequence=stop.sequence,
            point=stop.point,
            postcode=stop.postcode,
            address_lines=stop.address_lines,
            recipient_first_name=stop.recipient_first_name,
            parcel_ids=stop.parcel_ids,
            planned_arrival=stop.planned_arrival,
            window=stop.window,
        )
        target.add_stop(copy, at=now, actor=actor, moved_from=route.id)
        uow.routes.save(route)
        uow.routes.save(target)
        record_audit(
            uow,
            now,
            "route.stop_moved",
            stop.id,
            route_id=route.id,
            to_route_id=target.id,
            new_stop_id=copy.id,
        )
        uow.commit()
    message = f"Stop {stop.id} moved from route {route.id} to route {target.id} as {copy.id}."
    message += _unload_words(unload, " and sort them onto the other route's van")
    return EditResult(
        route=route, message=message, unload=unload, to_route=target, new_stop_id=copy.id
    )


def _check_parcels_can_follow(parcels: list[Parcel], target: Route) -> None:
    on_the_road = [p.barcode for p in parcels if p.state is ParcelState.OUT_FOR_DELIVERY]
    in_the_hub = [p.barcode for p in parcels if p.state is not ParcelState.OUT_FOR_DELIVERY]
    if on_the_road and target.state is not RouteState.STARTED:
        raise RouteRefused(
            f"{', '.join(on_the_road)} are out for delivery on the old route's van, and route "
            f"{target.id} has not started: move the stop to a route on the road (the couriers "
            "hand the parcels over) or remove it."
        )
    if in_the_hub and target.state is RouteState.STARTED:
        raise RouteRefused(
            f"Route {target.id} has left the hub: {', '.join(in_the_hub)} cannot reach its "
            "van. Move the stop to a route not yet started, or remove it."
        )


def reassign_route(uow: UnitOfWork, cmd: ReassignRoute, *, clock: Clock) -> EditResult:
    """Hand a whole route, order kept, to another courier free that day.

    The same rule as dispatch: a courier works one unfinished route a day.
    """
    require_hub_operator(uow.principal)
    require_id(cmd.route_id, "rte", "route")
    now = clock.now()
    with uow:
        route = _route(uow, cmd.route_id)
        courier = uow.couriers.get(cmd.courier_id)
        if courier is None:
            raise InvalidValue("courier_id", f"no such courier: {cmd.courier_id}")
        others = [
            r for r in uow.routes.open_for_courier(courier.id, route.route_date) if r.id != route.id
        ]
        if others:
            raise CourierBusy(
                f"courier {courier.name} ({courier.id}) is already on {others[0].id} that day; "
                "finish or move that route first"
            )
        previous = route.courier_id
        route.reassign(courier.id, at=now, actor=uow.principal.actor)
        uow.routes.save(route)
        record_audit(
            uow,
            now,
            "route.reassigned",
            route.id,
            from_courier_id=previous,
            to_courier_id=courier.id,
        )
        uow.commit()
    message = f"Route {route.id} is now {courier.name}'s ({courier.id}), its order kept."
    return EditResult(route=route, message=message)
