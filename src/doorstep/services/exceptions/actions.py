"""What a dispatcher does about an exception, each ending with the exception resolved.

Each action calls the one use case that already does the work (move a stop, take it off
the route so its parcels go back to the hub, cancel the order, re-plan the rest of the
route) and then resolves the
exception with a note saying what was done, in its own transaction: the work is
committed even if someone resolved the exception meanwhile, and the note then goes to
the audit log only with the action itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from doorstep.domain.errors import InvalidValue
from doorstep.domain.exceptions import DispatchException
from doorstep.planning.params import PlannerParams
from doorstep.planning.reoptimise import REOPTIMISE_PARAMS
from doorstep.services.access import require_hub_operator
from doorstep.services.exceptions.queue import get_exception, resolve
from doorstep.services.exceptions.replan import replan_route
from doorstep.services.orders.use_cases import cancel_order
from doorstep.services.ports import Clock, Conflict, RoutingFor, UnitOfWork
from doorstep.services.routes import edits


@dataclass(frozen=True, slots=True)
class ActionDone:
    """What was done (the message to show) and the exception after it."""

    message: str
    exception: DispatchException


def _stop_of(found: DispatchException) -> tuple[str, str]:
    if found.route_id is None or found.stop_id is None:
        raise InvalidValue("action", "this exception concerns no stop on a route")
    return found.route_id, found.stop_id


def _close(uow: UnitOfWork, found: DispatchException, note: str, clock: Clock) -> DispatchException:
    try:
        return resolve(uow, found.id, note, clock=clock)
    except Conflict:  # resolved meanwhile (by its cause or another dispatcher): the work stands
        return get_exception(uow, found.id)


def move_stop(
    uow: UnitOfWork, exception_id: str, to_route_id: str, *, clock: Clock, note: str = ""
) -> ActionDone:
    """Move the exception's stop to another courier's route of the same hub and day."""
    require_hub_operator(uow.principal)
    found = get_exception(uow, exception_id)
    route_id, stop_id = _stop_of(found)
    done = edits.move_stop(uow, edits.MoveStop(route_id, stop_id, to_route_id), clock=clock)
    words = f"Moved the stop to route {to_route_id}. {note}".strip()
    return ActionDone(done.message, _close(uow, found, words, clock))


def return_to_hub(
    uow: UnitOfWork, exception_id: str, *, clock: Clock, note: str = ""
) -> ActionDone:
    """Take the exception's stop off its route: its parcels go back to the hub and the
    queue for another day's plan."""
    require_hub_operator(uow.principal)
    found = get_exception(uow, exception_id)
    route_id, stop_id = _stop_of(found)
    reason = note.strip() or f"back to the hub ({found.kind.words.lower()})"
    done = edits.remove_stop(uow, edits.RemoveStop(route_id, stop_id, reason), clock=clock)
    return ActionDone(done.message, _close(uow, found, f"Returned to the hub: {reason}", clock))


def cancel_orders(
    uow: UnitOfWork, exception_id: str, *, clock: Clock, note: str = ""
) -> ActionDone:
    """Cancel the orders the exception concerns (refused, 409, once a parcel left the hub)."""
    require_hub_operator(uow.principal)
    found = get_exception(uow, exception_id)
    if not found.order_ids:
        raise InvalidValue("action", "this exception concerns no order")
    for order_id in found.order_ids:
        cancel_order(uow, order_id, clock=clock, reason_code="cancelled_by_dispatcher")
    names = ", ".join(found.order_ids)
    words = f"Cancelled {names}. {note}".strip()
    return ActionDone(f"Cancelled {names}.", _close(uow, found, words, clock))


def replan(
    uow: UnitOfWork,
    exception_id: str,
    *,
    clock: Clock,
    routing_for: RoutingFor,
    params: PlannerParams = REOPTIMISE_PARAMS,
    note: str = "",
) -> ActionDone:
    """Re-plan the rest of the exception's route from where its courier is (done stops
    stay as they were), then resolve the exception saying so."""
    require_hub_operator(uow.principal)
    found = get_exception(uow, exception_id)
    if found.route_id is None:
        raise InvalidValue("action", "this exception concerns no route")
    done = replan_route(uow, found.route_id, clock=clock, routing_for=routing_for, params=params)
    words = f"Re-planned the rest of route {found.route_id}. {note}".strip()
    return ActionDone(done.message, _close(uow, found, words, clock))


def order_pages(found: DispatchException) -> list[str]:
    """Where the dispatcher calls or messages the recipient: each order's console page."""
    return [f"/console/orders/{order_id}" for order_id in found.order_ids]
