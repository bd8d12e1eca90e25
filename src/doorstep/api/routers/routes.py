"""Dispatch (``/v1/plans/{id}/dispatch``), routes (``/v1/routes``) and the courier's own
doors: the action queue (``/v1/courier/actions``) and access-code reveals.

Office staff dispatch, read and edit every route (remove, reorder or move a stop, hand
the route to another courier); a courier reads only their own (another's is 404) and is
the only one who sends actions or reveals a code.
"""

from __future__ import annotations

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from doorstep.api import present
from doorstep.api.deps import CourierPrincipal, OperatorPrincipal, Services, StaffPrincipal
from doorstep.api.problems import Problem
from doorstep.api.schemas.common import Day, Items, Token
from doorstep.api.schemas.routes import (
    AccessCodeIn,
    AccessCodePublic,
    ActionResultPublic,
    CourierActionsIn,
    CourierActionsResult,
    DispatchIn,
    MoveStopIn,
    PositionIn,
    ReassignIn,
    RemoveStopIn,
    ReorderIn,
    RouteEditPublic,
    RoutePublic,
    RouteSummaryPublic,
)
from doorstep.domain.access import Principal
from doorstep.domain.model import GeoPoint
from doorstep.domain.route import Position
from doorstep.services import routes
from doorstep.services.eta.refresh import EtaRefresh
from doorstep.services.routes import edits, views
from doorstep.services.routes.access_codes import RevealAccessCode, reveal_access_code
from doorstep.services.routes.courier_actions import ActionKind, CourierActionIn

router = APIRouter(tags=["routes"])
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": Problem} for code in (401, 403, 404, 409, 422)
}


def _position(body: PositionIn | None) -> Position | None:
    if body is None:
        return None
    return Position(GeoPoint(body.lat, body.lon), body.accuracy_m)


@router.post(
    "/plans/{plan_id}/dispatch",
    status_code=201,
    response_model=Items[RoutePublic],
    responses=ERRORS,
)
def dispatch_plan(
    plan_id: str, body: DispatchIn, principal: OperatorPrincipal, services: Services
) -> object:
    """Hand a solved plan's routes to couriers, each with a vehicle; all or none.

    Sending it again is refused (409: already dispatched), so no idempotency key is needed.
    """
    cmd = routes.DispatchPlan(
        plan_id=plan_id,
        assignments=[
            routes.RouteAssignment(a.route_index, a.courier_id, a.vehicle_id) for a in body.routes
        ],
    )
    made = routes.dispatch_plan(services.uow_factory(principal), cmd, clock=services.clock)
    return Items(
        items=[
            present.route_view(views.get_route(services.uow_factory(principal), r.id)) for r in made
        ]
    )


@router.get("/routes", response_model=Items[RouteSummaryPublic], responses=ERRORS)
def list_routes(
    principal: StaffPrincipal,
    services: Services,
    route_date: Day | None = Query(default=None, alias="date"),
    courier_id: Token | None = None,
) -> object:
    """Routes of a day (all days when not given); a courier sees only their own."""
    found = views.list_routes(
        services.uow_factory(principal), route_date=route_date, courier_id=courier_id
    )
    return Items(items=[present.route_summary(r) for r in found])


@router.get("/routes/{route_id}", response_model=RoutePublic, responses=ERRORS)
def get_route(route_id: str, principal: StaffPrincipal, services: Services) -> object:
    """The route with its stops and parcels; never an access code."""
    return present.route_view(views.get_route(services.uow_factory(principal), route_id))


@router.post("/courier/actions", response_model=CourierActionsResult, responses=ERRORS)
async def courier_actions(
    body: CourierActionsIn, principal: CourierPrincipal, services: Services
) -> object:
    """The courier app's queue, applied in order; each action stored once per client id."""
    actions = [
        CourierActionIn(
            client_event_id=a.client_event_id,
            device_time=a.device_time,
            kind=ActionKind(a.type),
            route_id=a.route_id,
            stop_id=a.stop_id,
            position=_position(a.position),
            data=a.data,
        )
        for a in body.actions
    ]
    results = await run_in_threadpool(
        routes.sync_actions,
        services.uow_factory,
        principal,
        actions,
        clock=services.clock,
        blob_exists=services.blob_exists,
        geofence_radius_m=services.geofence_radius_m,
        after_change=EtaRefresh(services.uow_factory, services.clock, services.routing_for).route,
    )
    return CourierActionsResult(
        results=[
            ActionResultPublic(
                client_event_id=r.client_event_id,
                status=r.status.value,  # type: ignore[arg-type]
                message=r.message,
                route_version=r.route_version,
            )
            for r in results
        ]
    )


@router.post(
    "/courier/stops/{stop_id}/access-code", response_model=AccessCodePublic, responses=ERRORS
)
def access_code(
    stop_id: str, body: AccessCodeIn, principal: CourierPrincipal, services: Services
) -> object:
    """Reveal a stop's door code to its courier at the door; audited."""
    code = reveal_access_code(
        services.uow_factory(principal),
        RevealAccessCode(stop_id, _position(body.position), body.override_reason),
        clock=services.clock,
        radius_m=services.access_code_radius_m,
    )
    return AccessCodePublic(code=code)


def _edited(services: Services, principal: Principal, result: edits.EditResult) -> object:
    uow = services.uow_factory
    return RouteEditPublic(
        route=present.route_view(views.get_route(uow(principal), result.route.id)),
        message=result.message,
        unload=result.unload,
        to_route=None
        if result.to_route is None
        else present.route_view(views.get_route(uow(principal), result.to_route.id)),
        new_stop_id=result.new_stop_id,
    )


@router.post(
    "/routes/{route_id}/stops/{stop_id}/remove",
    response_model=RouteEditPublic,
    responses=ERRORS,
)
def remove_stop(
    route_id: str,
    stop_id: str,
    body: RemoveStopIn,
    principal: OperatorPrincipal,
    services: Services,
) -> object:
    """Take a stop off the route with a reason; its parcels go back to the queue.

    The answer lists the parcels already loaded that must come off the van at the hub.
    Removing the stops of parcels still in the hub lets the route start without them.
    """
    cmd = edits.RemoveStop(route_id, stop_id, body.reason)
    result = edits.remove_stop(services.uow_factory(principal), cmd, clock=services.clock)
    return _edited(services, principal, result)


@router.post("/routes/{route_id}/reorder", response_model=RouteEditPublic, responses=ERRORS)
def reorder_stops(
    route_id: str, body: ReorderIn, principal: OperatorPrincipal, services: Services
) -> object:
    """Put every stop not yet done in a new order; done stops keep their places."""
    cmd = edits.ReorderStops(route_id, body.stop_ids)
    result = edits.reorder_stops(services.uow_factory(principal), cmd, clock=services.clock)
    return _edited(services, principal, result)


@router.post(
    "/routes/{route_id}/stops/{stop_id}/move", response_model=RouteEditPublic, responses=ERRORS
)
def move_stop(
    route_id: str,
    stop_id: str,
    body: MoveStopIn,
    principal: OperatorPrincipal,
    services: Services,
) -> object:
    """Move a stop to another route of the same hub and day; both change in one go.

    The stop gets a new id on the other route; the first courier's app is refused any
    later action on the old stop, with a message it shows.
    """
    cmd = edits.MoveStop(route_id, stop_id, body.to_route_id)
    result = edits.move_stop(services.uow_factory(principal), cmd, clock=services.clock)
    return _edited(services, principal, result)


@router.post("/routes/{route_id}/reassign", response_model=RouteEditPublic, responses=ERRORS)
def reassign_route(
    route_id: str, body: ReassignIn, principal: OperatorPrincipal, services: Services
) -> object:
    """Hand the whole route, its order kept, to a courier with no other route that day."""
    cmd = edits.ReassignRoute(route_id, body.courier_id)
    result = edits.reassign_route(services.uow_factory(principal), cmd, clock=services.clock)
    return _edited(services, principal, result)
