"""A failed parcel back at the hub: its brand's policy decides what happens next.

One home for the decision, whichever way the parcel comes back: a hub worker's ``receive``
scan (services/scans.py), or the courier finishing the route with it still on the van
(services/routes/courier_actions.py). The parcel moves by the policy's step, and its event
carries the decision (``next_step``, ``attempt``, ``reattempt_on`` or ``hold_until``, and
``why``) for the timeline:

- another attempt: the parcel is back ``at_hub``, and its order's window moves to the same
  hours on the re-attempt day (the whole day when it had none), so that day's plan, and no
  earlier one, picks it up with everything already known about the door: the recipient's
  window, safe place and neighbour, and "needs longer" (more door time and a longer wait);
- hold at the hub: ``at_hub`` and marked held, so no plan takes it while it waits;
- return: ``returning``, on the brand's returns manifest for the day.

A dispatcher may also queue a failed parcel's re-attempt for a chosen day from the order
page (:func:`reattempt`): the policy still says whether another attempt is allowed, and the
order's window moves by the same :meth:`Settler.requeue`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Final

from doorstep.domain import preferences, working_days
from doorstep.domain.delivery_policy import NextStep, StepKind, next_step
from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Order
from doorstep.domain.parcel import Parcel, ParcelEvent, ParcelState
from doorstep.services.access import require_hub_operator, require_id
from doorstep.services.audit import record as record_audit
from doorstep.services.errors import NotFound
from doorstep.services.ports import Clock, UnitOfWork
from doorstep.services.returns.policy import policy_of

REATTEMPT_DAYS: Final = 10  # the days a dispatcher may choose from for a re-attempt


@dataclass(slots=True)
class Settler:
    """Settles failed parcels within one unit of work; an order shared by several parcels
    is read and moved once."""

    uow: UnitOfWork
    _orders: dict[str, Order | None] = field(default_factory=dict)
    _moved: dict[str, date] = field(default_factory=dict)

    def decide(self, parcel: Parcel, today: date) -> NextStep:
        """What the brand's policy says for this failed parcel, changing nothing."""
        order = self.order(parcel.order_id)
        customer_day = None if order is None else order.delivery_date
        policy = policy_of(self.uow, parcel.brand_id)
        return next_step(policy, parcel.events, today=today, customer_day=customer_day)

    def settle(
        self,
        parcel: Parcel,
        *,
        at: datetime,
        actor: str,
        place: str | None,
        details: Mapping[str, str] | None = None,
    ) -> tuple[NextStep, ParcelEvent]:
        """Move an ``attempt_failed`` parcel by its policy's step and re-queue its order
        when it is to be tried again. The caller saves the parcel (the order is saved here).
        Raises InvalidTransition, like :meth:`Parcel.apply`, for a parcel in another state."""
        step = self.decide(parcel, preferences.london_day(at))
        reason = "max_attempts" if step.kind is not StepKind.REATTEMPT else None
        event = parcel.apply(
            step.action,
            actor=actor,
            at=at,
            place=place,
            reason_code=reason,
            details={**(details or {}), **step.details()},
        )
        if step.kind is StepKind.REATTEMPT and step.day is not None:
            self.requeue(parcel.order_id, step.day)
        return step, event

    def order(self, order_id: str) -> Order | None:
        """The order, read once per unit of work."""
        if order_id not in self._orders:
            self._orders[order_id] = self.uow.orders.get(order_id)
        return self._orders[order_id]

    def requeue(self, order_id: str, day: date, *, chosen_by: str | None = None,
                at: datetime | None = None) -> None:  # fmt: skip
        """Move the order's window to the same hours on ``day`` (the whole day when it had
        none), so that day's plan, and no earlier one, takes it.

        ``chosen_by`` (with ``at``): a dispatcher chose the day on the order page; it becomes
        the order's delivery day and the order records ``order.window_changed``. Otherwise
        the policy chose it: the recipient's own day stays theirs, and a day the policy
        chose is not a choice (the parcel's event carries it)."""
        order = self.order(order_id)
        if order is None or self._moved.get(order_id) == day:
            return
        window = preferences.moved_window(order.window, day)
        if chosen_by is not None and at is not None:
            preferences.change_window(
                order, window, day=day, reason="reattempt", actor=chosen_by, at=at
            )
        else:
            chosen = order.delivery_date == day
            if order.window == window and chosen:
                return
            order.move_window(window)
            order.delivery_date = day if chosen else None
        self.uow.orders.save_wishes(order)
        self._moved[order_id] = day


def settle_failed(
    uow: UnitOfWork,
    parcel: Parcel,
    *,
    at: datetime,
    actor: str,
    place: str | None,
    details: Mapping[str, str] | None = None,
) -> tuple[NextStep, ParcelEvent]:
    """:meth:`Settler.settle` for one parcel."""
    return Settler(uow).settle(parcel, at=at, actor=actor, place=place, details=details)


def is_back_from_attempt(parcel: Parcel) -> bool:
    return parcel.state is ParcelState.ATTEMPT_FAILED


def reattempt(uow: UnitOfWork, order_id: str, parcel_id: str, day: date, *, clock: Clock) -> Order:
    """A dispatcher queues a failed parcel's next attempt for ``day`` (one of the next ten
    working days, London), for instance after phoning the recipient.

    The brand's policy still rules: when it allows no further attempt the request is
    refused with its reason (the parcel is held or returned when it is back at the hub).
    The order's window moves by the same rule as a failed parcel settled at the hub
    (:meth:`Settler.requeue`), the day is kept as the order's delivery day, and the order
    records ``order.window_changed``; the audit log says who asked."""
    require_hub_operator(uow.principal)
    require_id(order_id, "ord", "order")
    require_id(parcel_id, "par", "parcel")
    now = clock.now()
    today = preferences.london_day(now)
    if day not in working_days.next_working_days(today + timedelta(days=1), REATTEMPT_DAYS):
        raise InvalidValue("day", f"choose one of the next {REATTEMPT_DAYS} working days")
    with uow:
        settler = Settler(uow)
        order = settler.order(order_id)
        if order is None:
            raise NotFound("order", order_id)
        parcel = _failed_parcel(order, parcel_id)
        step = settler.decide(parcel, today)
        if step.kind is not StepKind.REATTEMPT:
            why = f"the brand's policy allows no other attempt: {step.why}"
            raise InvalidValue("parcel_id", why)
        settler.requeue(order.id, day, chosen_by=uow.principal.actor, at=now)
        record_audit(
            uow, now, "parcel.reattempt_queued", order.id, parcel_id=parcel_id, day=day.isoformat()
        )
        uow.commit()
    return order


def _failed_parcel(order: Order, parcel_id: str) -> Parcel:
    for parcel in order.parcels:
        if parcel.id == parcel_id:
            if parcel.state is not ParcelState.ATTEMPT_FAILED:
                state = parcel.state.value.replace("_", " ")
                raise InvalidValue("parcel_id", f"parcel {parcel_id} is {state}, not failed")
            return parcel
    raise InvalidValue("parcel_id", f"parcel {parcel_id} is not in this order")
