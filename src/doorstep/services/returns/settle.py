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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from doorstep.domain import preferences
from doorstep.domain.delivery_policy import NextStep, StepKind, next_step
from doorstep.domain.model import Order
from doorstep.domain.parcel import Parcel, ParcelEvent, ParcelState
from doorstep.services.ports import UnitOfWork
from doorstep.services.returns.policy import policy_of


@dataclass(slots=True)
class Settler:
    """Settles failed parcels within one unit of work; an order shared by several parcels
    is read and moved once."""

    uow: UnitOfWork
    _orders: dict[str, Order | None] = field(default_factory=dict)
    _moved: dict[str, date] = field(default_factory=dict)

    def decide(self, parcel: Parcel, today: date) -> NextStep:
        """What the brand's policy says for this failed parcel, changing nothing."""
        order = self._order(parcel.order_id)
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
            self._requeue(parcel.order_id, step.day)
        return step, event

    def _order(self, order_id: str) -> Order | None:
        if order_id not in self._orders:
            self._orders[order_id] = self.uow.orders.get(order_id)
        return self._orders[order_id]

    def _requeue(self, order_id: str, day: date) -> None:
        order = self._order(order_id)
        if order is None or self._moved.get(order_id) == day:
            return
        window = preferences.moved_window(order.window, day)
        chosen = order.delivery_date == day
        if order.window == window and chosen:
            return
        order.window = window
        # The recipient's own day stays theirs; a day the policy chose is not a choice.
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
