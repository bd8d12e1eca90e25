"""The demo's day planned and handed to couriers, so a courier can log in and drive it.

After the brands' orders are in and before the hub's morning is replayed, the demo plans
the hub's day with the same use cases as ``POST /v1/plans`` and ``doorstep dispatch``:
a straight-line plan with a short budget (the demo must start quickly; a road network
plan is one ``POST /v1/plans`` away), one courier with a login per route, every route
dispatched. The hub's morning then sorts and loads each planned parcel onto its route's
vehicle, so the routes can start.
"""

from __future__ import annotations

import time as timer
from dataclasses import dataclass
from datetime import date, time
from typing import Final

from doorstep.cli._common import CLI
from doorstep.domain.model import Role
from doorstep.planning.document import PlanDocument
from doorstep.services import accounts, fleet, plans, routes
from doorstep.services.container import Container
from doorstep.services.plans.request import BreakSpec, RequestPlan, VehicleShift
from doorstep.services.ports import PlanStatus

PLAN_BUDGET_S: Final = 2  # seconds of search: enough for a sensible demo day on 2 cores
NETWORK: Final = "straight_line"  # no matrices to build: the demo starts in seconds
# The scenario's delivery windows fall between 08:00 and 20:00: the shifts cover them.
SHIFT: Final = (time(8, 0), time(20, 0))
BREAK: Final = BreakSpec(time(12, 0), time(14, 0), 30)


@dataclass(frozen=True, slots=True)
class DemoCourier:
    courier_id: str
    email: str
    route_id: str
    vehicle_id: str
    stops: int


@dataclass(frozen=True, slots=True)
class DemoRoutes:
    """The dispatched day: the plan, its couriers (one per route), the vehicle of each
    planned parcel (what the hub sorts and loads by) and what was left at the hub."""

    plan_id: str
    day: date
    couriers: tuple[DemoCourier, ...]
    vehicle_of_parcel: dict[str, str]
    unassigned: int
    seconds: float  # planning, couriers and dispatch: the demo's start-up time is watched


# Recipients see a courier's first name on the tracking page: the demo's have real ones.
DEMO_COURIERS = ("Sam Okafor", "Priya Shah", "Tomasz Nowak", "Aisha Bello", "Liam Byrne")


def courier_name(index: int) -> str:
    """The demo's courier for route ``index`` (from 0), named as a person would be."""
    name = DEMO_COURIERS[index % len(DEMO_COURIERS)]
    return name if index < len(DEMO_COURIERS) else f"{name} {index // len(DEMO_COURIERS) + 1}"


def courier_email(n: int) -> str:
    return f"courier{n}@doorstep.local"


def plan_and_dispatch(
    container: Container, hub_id: str, vehicle_ids: tuple[str, ...], day: date, password: str
) -> DemoRoutes:
    """Plan ``day`` at the hub, create a courier with a login per route, dispatch them all.

    Raises RuntimeError when the plan fails: the demo would otherwise start with no
    courier to show, and the reason is the planner's sentence.
    """
    began = timer.monotonic()
    uow = container.uow_factory
    shifts = tuple(
        VehicleShift(vehicle_id, shift_start=SHIFT[0], shift_end=SHIFT[1], break_=BREAK)
        for vehicle_id in vehicle_ids
    )
    cmd = RequestPlan(hub_id, day, budget_s=PLAN_BUDGET_S, network=NETWORK, vehicles=shifts)
    asked = plans.request_plan(uow(CLI), cmd, container.clock)
    done = plans.run_plan(uow, asked.id, container.routing_for, container.clock, container.planner)
    if done.status is not PlanStatus.SUCCEEDED or done.result is None:
        raise RuntimeError(f"the demo plan {done.id} did not succeed: {done.error}")
    document = PlanDocument.model_validate(done.result)
    assignments = []
    for index, planned in enumerate(document.routes):
        courier = fleet.create_courier(
            uow(CLI), fleet.CreateCourier(courier_name(index), vehicle_id=planned.vehicle_id)
        )
        accounts.create_user(
            uow(CLI),
            email=courier_email(index + 1),
            name=courier.name,
            role=Role.COURIER,
            password=password,
            hasher=container.passwords,
            courier_id=courier.id,
        )
        assignments.append(routes.RouteAssignment(index, courier.id))
    made = (  # a day with no orders plans no route: nothing to dispatch
        routes.dispatch_plan(
            uow(CLI), routes.DispatchPlan(done.id, assignments), clock=container.clock
        )
        if assignments
        else []
    )
    couriers = tuple(
        DemoCourier(r.courier_id, courier_email(n + 1), r.id, r.vehicle_id, len(r.stops))
        for n, r in enumerate(made)
    )
    vehicle_of = {pid: r.vehicle_id for r in made for s in r.stops for pid in s.parcel_ids}
    elapsed = timer.monotonic() - began
    return DemoRoutes(done.id, day, couriers, vehicle_of, len(document.unassigned), elapsed)
