"""What a recipient does from their tracking page, one use case and one transaction each.

The tracking token is the recipient's only key. It is looked up once (by the system, read
only), refused when unknown or expired (30 days after the order's final state, the rule of
``domain/tracking.py``), and then the change runs in a unit of work opened for
:meth:`Principal.recipient`, which reaches that order alone (store/scoping.py): its
parcels, its brand and the routes they ride on. Each change records its outbox event
(``order.preferences_changed`` with the fields' names, ``order.rescheduled``) and an
audit entry, and reaches the courier through the route view (services/routes/views.py)
at the app's next sync, and the planner through the order (door time).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from doorstep.domain import preferences
from doorstep.domain.access import Principal
from doorstep.domain.model import Order
from doorstep.domain.route import Route, RouteState
from doorstep.domain.tracking import token_expired, token_well_formed
from doorstep.services.audit import record as record_audit
from doorstep.services.errors import Gone, NotFound, ServiceError
from doorstep.services.ports import Clock, UnitOfWork, UnitOfWorkFactory

_READER = Principal.system("tracking")


class UnknownLink(NotFound):
    """No order has this token; the token itself is never repeated in a message."""

    def __init__(self) -> None:
        ServiceError.__init__(self, "This tracking link is not known.")
        self.kind = "tracking link"
        self.public_id = ""


class LinkExpired(Gone):
    def __init__(self) -> None:
        super().__init__(
            "This tracking link has expired: it works for 30 days after the delivery ends."
        )


@dataclass(frozen=True, slots=True)
class SetSafePlace:
    token: str
    choice: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class SetNeighbour:
    token: str
    neighbour: str


@dataclass(frozen=True, slots=True)
class SetAccess:
    token: str
    note: str = ""
    code: str = ""
    remove_note: bool = False
    remove_code: bool = False


@dataclass(frozen=True, slots=True)
class SetMoreTime:
    token: str
    wanted: bool


@dataclass(frozen=True, slots=True)
class Reschedule:
    token: str
    day: date


@dataclass(frozen=True, slots=True)
class ActionDone:
    order_id: str
    changed: list[str] = field(default_factory=list)
    to_date: date | None = None
    loaded: bool = False  # rescheduled with the parcels already on a van


@dataclass(frozen=True, slots=True)
class RecipientActions:
    """What the page's forms show: never a code or a note, only whether one is given."""

    can_act: bool
    safe_place_choice: str | None
    has_safe_place_note: bool
    neighbour: str | None
    has_access_notes: bool
    has_access_code: bool
    needs_more_time: bool
    due: date | None
    days: list[date]
    loaded: bool


def recipient_for(uow_factory: UnitOfWorkFactory, token: str, *, clock: Clock) -> Principal:
    """The principal a token stands for: its order's recipient. Unknown and malformed
    tokens look the same; an expired one says so."""
    if not token_well_formed(token):
        raise UnknownLink()
    with uow_factory(_READER).read_only() as uow:
        order = uow.orders.get_by_tracking_token(token)
    if order is None or order.tracking_token != token:
        raise UnknownLink()
    if token_expired(preferences.final_at(order), clock.now()):
        raise LinkExpired()
    return Principal.recipient(order.id)


def _own_order(uow: UnitOfWork, token: str) -> Order:
    order_id = uow.principal.order_id
    order = None if order_id is None else uow.orders.get(order_id)
    if order is None or order.tracking_token != token:
        raise UnknownLink()  # the order is gone, or the principal is not the token's
    return order


@dataclass(slots=True)
class _Placed:
    """A route the order's open parcels ride on, with its stops' parcels of this order."""

    route: Route
    stops: dict[str, list[str]]


def _routed(uow: UnitOfWork, order: Order) -> list[_Placed]:
    placed: dict[str, _Placed] = {}
    for parcel in preferences.open_parcels(order):
        summary = uow.routes.open_for_parcel(parcel.id)
        if summary is None:
            continue
        if summary.route_id not in placed:
            route = uow.routes.get(summary.route_id)
            if route is None:
                continue
            placed[route.id] = _Placed(route, defaultdict(list))
        if placed[summary.route_id].route.stop(summary.stop_id).state.done:
            continue  # attempted already: the parcel comes back with the van, nothing to undo
        placed[summary.route_id].stops[summary.stop_id].append(parcel.id)
    return list(placed.values())


def _days(
    order: Order, placed: list[_Placed], now: datetime
) -> tuple[date | None, list[date], bool]:
    route_date = placed[0].route.route_date if placed else None
    due = preferences.due_date(order, route_date)
    started = any(p.route.state is RouteState.STARTED for p in placed)
    days = preferences.available_days(now, due=due, route_started=started)
    loaded = any(p.state in preferences.ON_A_VAN for p in preferences.open_parcels(order))
    return due, days, loaded


def actions_for(uow_factory: UnitOfWorkFactory, token: str, *, clock: Clock) -> RecipientActions:
    """The forms' state for the page: what is set, and the days that may be chosen."""
    principal = recipient_for(uow_factory, token, clock=clock)
    with uow_factory(principal).read_only() as uow:
        order = _own_order(uow, token)
        due, days, loaded = _days(order, _routed(uow, order), clock.now())
    return RecipientActions(
        can_act=preferences.can_act(order),
        safe_place_choice=order.safe_place_choice,
        has_safe_place_note=order.safe_place_choice is not None and bool(order.safe_place),
        neighbour=order.neighbour,
        has_access_notes=bool(order.address.access_notes),
        has_access_code=bool(order.address.access_code),
        needs_more_time=order.needs_more_time,
        due=due,
        days=days,
        loaded=loaded,
    )


Change = Callable[[Order, str, datetime], list[str]]


def _change(uow_factory: UnitOfWorkFactory, token: str, clock: Clock, apply: Change) -> ActionDone:
    principal = recipient_for(uow_factory, token, clock=clock)
    now = clock.now()
    with uow_factory(principal) as uow:
        order = _own_order(uow, token)
        changed = apply(order, principal.actor, now)
        if changed:
            uow.orders.save_wishes(order)
            record_audit(uow, now, "order.preferences_changed", order.id, changed=",".join(changed))
            uow.commit()
    return ActionDone(order_id=order.id, changed=changed)


def set_safe_place(
    uow_factory: UnitOfWorkFactory, cmd: SetSafePlace, *, clock: Clock
) -> ActionDone:
    return _change(
        uow_factory,
        cmd.token,
        clock,
        lambda order, actor, at: preferences.set_safe_place(
            order, cmd.choice, cmd.note, actor=actor, at=at
        ),
    )


def set_neighbour(uow_factory: UnitOfWorkFactory, cmd: SetNeighbour, *, clock: Clock) -> ActionDone:
    return _change(
        uow_factory,
        cmd.token,
        clock,
        lambda order, actor, at: preferences.set_neighbour(
            order, cmd.neighbour, actor=actor, at=at
        ),
    )


def set_access(uow_factory: UnitOfWorkFactory, cmd: SetAccess, *, clock: Clock) -> ActionDone:
    return _change(
        uow_factory,
        cmd.token,
        clock,
        lambda order, actor, at: preferences.set_access(
            order,
            note=cmd.note,
            code=cmd.code,
            remove_note=cmd.remove_note,
            remove_code=cmd.remove_code,
            actor=actor,
            at=at,
        ),
    )


def set_more_time(uow_factory: UnitOfWorkFactory, cmd: SetMoreTime, *, clock: Clock) -> ActionDone:
    return _change(
        uow_factory,
        cmd.token,
        clock,
        lambda order, actor, at: preferences.set_needs_more_time(
            order, cmd.wanted, actor=actor, at=at
        ),
    )


def reschedule(uow_factory: UnitOfWorkFactory, cmd: Reschedule, *, clock: Clock) -> ActionDone:
    """Move the order to another of the next working days.

    Parcels not yet on a van leave their route cleanly (the stop, or only these parcels
    when the stop also serves another order) and wait for that day's plan. Parcels
    already on a van stay where they are: the event says ``loaded`` and the courier's
    stop shows the new day, for the dispatcher to decide.
    """
    principal = recipient_for(uow_factory, cmd.token, clock=clock)
    now = clock.now()
    with uow_factory(principal) as uow:
        order = _own_order(uow, cmd.token)
        preferences.require_open(order)
        placed = _routed(uow, order)
        due, days, loaded = _days(order, placed, now)
        preferences.reschedule(
            order,
            cmd.day,
            available=days,
            from_date=due,
            loaded=loaded,
            actor=principal.actor,
            at=now,
        )
        if not loaded:
            reason = f"the recipient chose {cmd.day.isoformat()} instead"
            for on in placed:
                for stop_id, parcel_ids in on.stops.items():
                    on.route.remove_parcels(
                        stop_id, parcel_ids, at=now, actor=principal.actor, reason=reason
                    )
                uow.routes.save(on.route)
        uow.orders.save_wishes(order)
        record_audit(
            uow,
            now,
            "order.rescheduled",
            order.id,
            from_date="" if due is None else due.isoformat(),
            to_date=cmd.day.isoformat(),
            loaded=str(loaded).lower(),
        )
        uow.commit()
    return ActionDone(order_id=order.id, changed=["date"], to_date=cmd.day, loaded=loaded)
