"""The office moves an order's promised window (the console's order page).

One transaction: the window is checked (ends after it starts, at most a day), the order
records ``order.window_changed`` in the outbox (webhooks, notifications and the tracking
page hear of it, as they hear of a recipient's ``order.rescheduled``) and the audit log
says who did it. The planner then takes the order on the window's day.
"""

from __future__ import annotations

from datetime import datetime

from doorstep.domain import preferences
from doorstep.domain.model import Order
from doorstep.services.access import require_hub_operator, require_id
from doorstep.services.audit import record as record_audit
from doorstep.services.errors import NotFound
from doorstep.services.ports import Clock, UnitOfWork


def change_window(
    uow: UnitOfWork, order_id: str, start: datetime, end: datetime, *, clock: Clock
) -> Order:
    """Give the order a new promised window; its day is then the window's day."""
    require_hub_operator(uow.principal)
    require_id(order_id, "ord", "order")
    window = preferences.check_window(start, end)
    now = clock.now()
    with uow:
        order = uow.orders.get(order_id)
        if order is None:
            raise NotFound("order", order_id)
        actor = uow.principal.actor
        if preferences.change_window(order, window, day=None, reason="office", actor=actor, at=now):
            uow.orders.save_wishes(order)
            record_audit(
                uow, now, "order.window_changed", order.id,
                start=start.isoformat(), end=end.isoformat(),
            )  # fmt: skip
            uow.commit()
    return order
