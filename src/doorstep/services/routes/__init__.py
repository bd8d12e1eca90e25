"""Dispatched routes: from a plan to couriers, the courier's day, and what it proves."""

from doorstep.services.routes.courier_actions import (
    ActionKind,
    ActionResult,
    CourierActionIn,
    Outcome,
    sync_actions,
)
from doorstep.services.routes.dispatch import DispatchPlan, RouteAssignment, dispatch_plan

__all__ = [
    "ActionKind",
    "ActionResult",
    "CourierActionIn",
    "DispatchPlan",
    "Outcome",
    "RouteAssignment",
    "dispatch_plan",
    "sync_actions",
]
