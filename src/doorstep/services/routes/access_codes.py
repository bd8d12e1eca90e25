"""A stop's door or building code, revealed to its courier at the door, and nowhere else.

Codes never appear in a list, an answer, a log or an export. The assigned courier gets a
stop's code once the route has started, while the stop is not done, from within
``radius_m`` of the address, or with a stated reason to override the distance. Every
reveal is recorded twice: an outbox event on the route and an audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from doorstep.domain.errors import InvalidValue, RouteRefused
from doorstep.domain.route import Position, RouteState
from doorstep.domain.text import check_text
from doorstep.geo.geometry import haversine_m
from doorstep.services.access import require_id
from doorstep.services.errors import NotFound, PermissionDenied
from doorstep.services.ports import AuditEntry, Clock, UnitOfWork

ACCESS_CODE_RADIUS_M = 300.0


class TooFarFromStop(PermissionDenied):
    def __init__(self, distance_m: float, radius_m: float) -> None:
        super().__init__(
            f"You are {distance_m:,.0f} m from this stop; the code shows within "
            f"{radius_m:,.0f} m. Give a reason to reveal it anyway."
        )


@dataclass(frozen=True, slots=True)
class RevealAccessCode:
    stop_id: str
    position: Position | None
    override_reason: str | None = None


def reveal_access_code(
    uow: UnitOfWork,
    cmd: RevealAccessCode,
    *,
    clock: Clock,
    radius_m: float = ACCESS_CODE_RADIUS_M,
) -> str:
    require_id(cmd.stop_id, "stp", "stop")
    principal = uow.principal
    if principal.courier_id is None:
        raise PermissionDenied("Only the stop's courier may reveal its access code.")
    override = None
    if cmd.override_reason is not None and cmd.override_reason.strip():
        try:
            override = check_text(cmd.override_reason, max_length=300)
        except ValueError as error:
            raise InvalidValue("override_reason", str(error)) from None
    now = clock.now()
    with uow:
        route = uow.routes.get_by_stop(cmd.stop_id)
        if route is None or route.courier_id != principal.courier_id:
            raise NotFound("stop", cmd.stop_id)
        if route.state is not RouteState.STARTED:
            raise RouteRefused("Start the route before revealing an access code.")
        stop = route.stop(cmd.stop_id)
        if stop.state.done:
            raise RouteRefused(f"This stop is {stop.state.value}: its code is gone.")
        distance = None
        if cmd.position is not None:
            p = cmd.position.point
            distance = float(haversine_m(stop.point.lat, stop.point.lon, p.lat, p.lon))
        if override is None:
            if distance is None:
                raise InvalidValue("position", "send the phone's position, or an override reason")
            if distance > radius_m:
                raise TooFarFromStop(distance, radius_m)
        code = None
        for parcel_id in stop.parcel_ids:
            parcel = uow.parcels.get(parcel_id)
            order = None if parcel is None else uow.orders.get(parcel.order_id)
            if order is not None and order.address.access_code:
                code = order.address.access_code
                break
        if code is None:
            raise NotFound("access code", cmd.stop_id)
        route.note_access_code_revealed(
            stop.id, at=now, actor=principal.actor, distance_m=distance, override=override
        )
        uow.routes.save(route)
        details = {"route_id": route.id}
        if distance is not None:
            details["distance_m"] = str(round(distance))
        if override:
            details["override_reason"] = override
        uow.audit.add(
            AuditEntry(
                at=now,
                actor=principal.actor,
                action="access_code.revealed",
                target_id=stop.id,
                details=details,
            )
        )
        uow.commit()
    return code
