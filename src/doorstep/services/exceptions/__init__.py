"""The dispatcher's exception queue: raised from events and by a periodic sweep, listed,
acted on and resolved (see :mod:`doorstep.domain.exceptions` for the rules)."""

from doorstep.services.exceptions.actions import (
    ActionDone,
    cancel_orders,
    move_stop,
    order_pages,
    replan,
    return_to_hub,
)
from doorstep.services.exceptions.from_events import exception_handler
from doorstep.services.exceptions.queue import (
    close_by_cause,
    get_exception,
    list_exceptions,
    raise_exception,
    resolve,
)
from doorstep.services.exceptions.replan import Replanned, replan_day, replan_route
from doorstep.services.exceptions.sweep import sweep_exceptions

__all__ = [
    "ActionDone",
    "Replanned",
    "cancel_orders",
    "close_by_cause",
    "exception_handler",
    "get_exception",
    "list_exceptions",
    "move_stop",
    "order_pages",
    "raise_exception",
    "replan",
    "replan_day",
    "replan_route",
    "resolve",
    "return_to_hub",
    "sweep_exceptions",
]
