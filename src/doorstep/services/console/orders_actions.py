"""What a dispatcher does to an order from its page, besides cancelling it.

Small use cases until the returns policy (``services/returns``) owns re-attempts and
returns: each is one transaction, refused for anyone but office staff, and written to the
audit log (who, when, what) in the same transaction, so the order's timeline shows it.

- change window: the order's promised window becomes the one given (the planner takes
  the order on that day; a window must start before it ends and last at most a day);
- re-attempt: a failed parcel is queued for another working day (the order's delivery
  day and window move to it); the parcel is planned again once scanned back in at the hub;
- return: a failed parcel starts its way back to the sender (``start_return``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from doorstep.domain import preferences, working_days
from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Order, TimeWindow
from doorstep.domain.parcel import ParcelAction, ParcelState
from doorstep.services.access import require_hub_operator, require_id
from doorstep.services.errors import NotFound
from doorstep.services.ports import AuditEntry, Clock, UnitOfWork

MAX_WINDOW = timedelta(days=1)


def _order(uow: UnitOfWork, order_id: str) -> Order:
    require_hub_operator(uow.principal)
    order = uow.orders.get(order_id)
    if order is None:
        raise NotFound("order", order_id)
    return order


def _audit(uow: UnitOfWork, at: datetime, action: str, order_id: str, **details: str) -> None:
    uow.audit.add(AuditEntry(at, uow.principal.actor, action, order_id, details))


def change_window(
    uow: UnitOfWork, order_id: str, start: datetime, end: datetime, *, clock: Clock
) -> Order:
    """Give the order a new promised window (audited as ``order.window_changed``)."""
    require_id(order_id, "ord", "order")
    if end <= start:
        raise InvalidValue("end", "the window must end after it starts")
    if end - start > MAX_WINDOW:
        raise InvalidValue("end", "a window lasts at most a day")
    now = clock.now()
    with uow:
        order = _order(uow, order_id)
        preferences.require_open(order)
        order.window = TimeWindow(start, end)
        order.delivery_date = None
        uow.orders.save_wishes(order)
        _audit(
            uow, now, "order.window_changed", order.id,
            start=start.isoformat(), end=end.isoformat(),
        )  # fmt: skip
        uow.commit()
    return order


def _failed_parcel(order: Order, parcel_id: str) -> None:
    for parcel in order.parcels:
        if parcel.id == parcel_id:
            if parcel.state is not ParcelState.ATTEMPT_FAILED:
                raise InvalidValue(
                    "parcel_id", f"parcel {parcel_id} is {parcel.state.value}, not failed"
                )
            return
    raise InvalidValue("parcel_id", f"parcel {parcel_id} is not in this order")


def reattempt(uow: UnitOfWork, order_id: str, parcel_id: str, day: date, *, clock: Clock) -> Order:
    """Queue a failed parcel for ``day`` (a working day after today, London)."""
    require_id(order_id, "ord", "order")
    now = clock.now()
    today = preferences.london_day(now)
    offered = working_days.next_working_days(today + timedelta(days=1), 10)
    if day not in offered:
        raise InvalidValue("day", "choose one of the next ten working days")
    with uow:
        order = _order(uow, order_id)
        _failed_parcel(order, parcel_id)
        order.delivery_date = day
        order.window = preferences.moved_window(order.window, day)
        uow.orders.save_wishes(order)
        _audit(
            uow, now, "parcel.reattempt_queued", order.id,
            parcel_id=parcel_id, day=day.isoformat(),
        )  # fmt: skip
        uow.commit()
    return order


def start_return(uow: UnitOfWork, order_id: str, parcel_id: str, *, clock: Clock) -> Order:
    """Send a failed parcel back to its sender (``returning``)."""
    require_id(order_id, "ord", "order")
    now = clock.now()
    with uow:
        order = _order(uow, order_id)
        _failed_parcel(order, parcel_id)
        parcel = next(p for p in order.parcels if p.id == parcel_id)
        parcel.apply(
            ParcelAction.START_RETURN, actor=uow.principal.actor, at=now, reason_code="office"
        )
        uow.parcels.save(parcel)
        _audit(uow, now, "parcel.return_started", order.id, parcel_id=parcel_id)
        uow.commit()
    return order
