"""``doorstep dispatch PLAN_ID``: hand a solved plan's routes to couriers from the shell.

Each ``--assign INDEX=COURIER[:VEHICLE]`` names a route by its place in the plan; with
none, every route goes to the courier whose usual vehicle the plan chose for it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from doorstep.cli._common import CLI, fail, open_container
from doorstep.domain.errors import DomainError
from doorstep.planning.document import PlanDocument
from doorstep.services import plans, routes
from doorstep.services.errors import ServiceError
from doorstep.services.ports import Conflict, UnitOfWorkFactory


def _parse(assign: str) -> routes.RouteAssignment:
    index, sep, who = assign.partition("=")
    courier, _, vehicle = who.partition(":")
    if not sep or not index.strip().isdigit() or not courier.strip():
        fail(f"--assign {assign!r}: write INDEX=COURIER_ID or INDEX=COURIER_ID:VEHICLE_ID")
    return routes.RouteAssignment(int(index), courier.strip(), vehicle.strip() or None)


def _usual_couriers(factory: UnitOfWorkFactory, plan_id: str) -> list[routes.RouteAssignment]:
    """Each route to the courier whose usual vehicle the plan used for it."""
    found = plans.get_plan(factory(CLI), plan_id)
    if found.result is None:
        fail(f"plan {plan_id} is {found.status.value}: nothing to dispatch yet")
    document = PlanDocument.model_validate(found.result)
    uow = factory(CLI)
    with uow.read_only():
        by_vehicle = {c.vehicle_id: c.id for c in uow.couriers.list() if c.vehicle_id}
    assignments = []
    for index, route in enumerate(document.routes):
        courier = by_vehicle.get(route.vehicle_id)
        if courier is None:
            fail(
                f"route {index} uses vehicle {route.vehicle_id}, which no courier usually "
                "drives: use --assign"
            )
        assignments.append(routes.RouteAssignment(index, courier))
    return assignments


def dispatch(
    plan_id: Annotated[str, typer.Argument(help="A succeeded plan, pln_...")],
    assign: Annotated[
        list[str] | None,
        typer.Option(help="INDEX=COURIER_ID[:VEHICLE_ID]; repeat per route."),
    ] = None,
) -> None:
    """Dispatch a plan's routes to couriers; all or none. Prints one line per route."""
    container = open_container()
    try:
        assignments = (
            [_parse(a) for a in assign]
            if assign
            else _usual_couriers(container.uow_factory, plan_id)
        )
        made = routes.dispatch_plan(
            container.uow_factory(CLI),
            routes.DispatchPlan(plan_id, assignments),
            clock=container.clock,
        )
    except (DomainError, ServiceError, Conflict) as error:
        fail(str(getattr(error, "message", None) or getattr(error, "what", None) or error))
    for route in made:
        typer.echo(
            f"{route.id}  courier {route.courier_id}  vehicle {route.vehicle_id}  "
            f"{len(route.stops)} stops"
        )
