"""Turn a solved plan into routes, each handed to a courier with a vehicle for the day.

One transaction for the whole plan: either every asked route is dispatched or none is.
Dispatching a plan's route twice is refused (also when two dispatchers race: the unique
``(plan, index)`` key decides), and so is a courier or a vehicle already on an unfinished
route that day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from doorstep.domain import ids
from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import GeoPoint, TimeWindow
from doorstep.domain.route import Route, RouteStop
from doorstep.planning.document import PlanDocument, PlanStop
from doorstep.services.access import require_hub_operator, require_id
from doorstep.services.errors import NotFound
from doorstep.services.ports import Clock, Conflict, PlanStatus, UnitOfWork


@dataclass(frozen=True, slots=True)
class RouteAssignment:
    route_index: int  # the route's place in the plan document's ``routes``
    courier_id: str
    vehicle_id: str | None = None  # the plan's vehicle when not given


@dataclass(frozen=True, slots=True)
class DispatchPlan:
    plan_id: str
    assignments: Sequence[RouteAssignment]


class AlreadyDispatched(Conflict):
    pass


def _stop(uow: UnitOfWork, stop: PlanStop, field: str) -> RouteStop:
    window: TimeWindow | None = None
    orders: dict[str, None] = {}
    for parcel_id in stop.parcel_ids:
        parcel = uow.parcels.get(parcel_id)
        if parcel is None:
            raise InvalidValue(field, f"parcel {parcel_id} of this plan no longer exists")
        orders.setdefault(parcel.order_id, None)
    # The stop's promise is the tightest of its orders' windows.
    for order_id in orders:
        order = uow.orders.get(order_id)
        if order is not None and order.window is not None:
            if window is None:
                window = order.window
            else:
                start = max(window.start, order.window.start)
                end = min(window.end, order.window.end)
                window = TimeWindow(start, end) if end > start else window
    return RouteStop(
        id=ids.new_id("stp"),
        sequence=stop.sequence,
        point=GeoPoint(stop.lat, stop.lon),
        postcode=stop.postcode,
        address_lines=tuple(stop.address_lines),
        recipient_first_name=stop.recipient_first_name,
        parcel_ids=tuple(stop.parcel_ids),
        planned_arrival=stop.arrival,
        window=window,
    )


def dispatch_plan(uow: UnitOfWork, cmd: DispatchPlan, *, clock: Clock) -> list[Route]:
    """Dispatch the asked routes of a succeeded plan; returns them, as stored."""
    require_hub_operator(uow.principal)
    require_id(cmd.plan_id, "pln", "plan")
    if not cmd.assignments:
        raise InvalidValue("routes", "name at least one route to dispatch")
    now: datetime = clock.now()
    with uow:
        plan = uow.plans.get(cmd.plan_id)
        if plan is None:
            raise NotFound("plan", cmd.plan_id)
        if plan.status is not PlanStatus.SUCCEEDED or plan.result is None:
            raise InvalidValue("plan_id", f"plan {plan.id} is {plan.status.value}: not solved")
        document = PlanDocument.model_validate(plan.result)
        done = uow.routes.dispatched_plan_indexes(plan.id)
        seen_indexes: set[int] = set()
        busy_couriers: set[str] = set()
        busy_vehicles: set[str] = set()
        routes: list[Route] = []
        for n, assignment in enumerate(cmd.assignments):
            field = f"routes[{n}]"
            index = assignment.route_index
            if not 0 <= index < len(document.routes):
                raise InvalidValue(
                    f"{field}.route_index", f"the plan has routes 0 to {len(document.routes) - 1}"
                )
            if index in done or index in seen_indexes:
                raise AlreadyDispatched(f"route {index} of plan {plan.id} is already dispatched")
            seen_indexes.add(index)
            planned = document.routes[index]
            vehicle_id = assignment.vehicle_id or planned.vehicle_id
            courier = uow.couriers.get(assignment.courier_id)
            if courier is None:
                raise InvalidValue(
                    f"{field}.courier_id", f"no such courier: {assignment.courier_id}"
                )
            if uow.vehicles.get(vehicle_id) is None:
                raise InvalidValue(f"{field}.vehicle_id", f"no such vehicle: {vehicle_id}")
            others = uow.routes.open_for_courier(courier.id, plan.plan_date)
            if others or courier.id in busy_couriers:
                on = others[0].id if others else "another route in this request"
                raise AlreadyDispatched(
                    f"courier {courier.name} ({courier.id}) is already on {on} that day; "
                    "finish or move that route first"
                )
            if vehicle_id in busy_vehicles or any(
                r.vehicle_id == vehicle_id
                for r in uow.routes.find(route_date=plan.plan_date)
                if r.state.value != "finished"
            ):
                raise AlreadyDispatched(f"vehicle {vehicle_id} is already on a route that day")
            busy_couriers.add(courier.id)
            busy_vehicles.add(vehicle_id)
            stops = [_stop(uow, s, f"{field}.stops") for s in planned.stops]
            route = Route.dispatch(
                id=ids.new_id("rte"),
                plan_id=plan.id,
                hub_id=plan.hub_id,
                route_date=plan.plan_date,
                courier_id=courier.id,
                vehicle_id=vehicle_id,
                stops=stops,
                actor=uow.principal.actor,
                at=now,
            )
            uow.routes.add(route, plan_index=index)
            routes.append(route)
        uow.commit()
    return routes
