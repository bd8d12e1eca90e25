"""The one parcel state machine.

Every change of state is an action applied to a parcel; each action appends an
immutable :class:`ParcelEvent`, and replaying a parcel's events gives its state.
Hub scans, the courier app and dispatchers all go through :meth:`Parcel.apply`, which
also records the outbox's ``parcel.<state>`` event (see :mod:`doorstep.domain.events`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from doorstep.domain.errors import InvalidTransition, InvalidValue, WrongVehicle
from doorstep.domain.events import DomainEvent, EventName, ParcelMove, drain, parcel_moved


class ParcelState(StrEnum):
    CREATED = "created"
    AT_HUB = "at_hub"
    SORTED = "sorted"
    LOADED = "loaded"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    ATTEMPT_FAILED = "attempt_failed"
    RETURNING = "returning"
    RETURNED_TO_SENDER = "returned_to_sender"
    CANCELLED = "cancelled"


class ParcelAction(StrEnum):
    RECEIVE = "receive"  # scanned in at a hub (first time, or back after a failed attempt)
    SORT = "sort"  # put in a bay / assigned to a route or vehicle
    LOAD = "load"  # scanned onto a vehicle
    UNLOAD = "unload"  # taken off a vehicle, back in the hub
    DEPART = "depart"  # the vehicle leaves on its route
    DELIVER = "deliver"
    FAIL_ATTEMPT = "fail_attempt"
    START_RETURN = "start_return"
    COMPLETE_RETURN = "complete_return"
    CANCEL = "cancel"


S, A = ParcelState, ParcelAction

TRANSITIONS: Mapping[ParcelState, Mapping[ParcelAction, ParcelState]] = MappingProxyType(
    {
        S.CREATED: {A.RECEIVE: S.AT_HUB, A.CANCEL: S.CANCELLED},
        S.AT_HUB: {A.SORT: S.SORTED, A.START_RETURN: S.RETURNING, A.CANCEL: S.CANCELLED},
        S.SORTED: {A.SORT: S.SORTED, A.LOAD: S.LOADED, A.CANCEL: S.CANCELLED},
        S.LOADED: {A.UNLOAD: S.AT_HUB, A.DEPART: S.OUT_FOR_DELIVERY, A.CANCEL: S.CANCELLED},
        S.OUT_FOR_DELIVERY: {A.DELIVER: S.DELIVERED, A.FAIL_ATTEMPT: S.ATTEMPT_FAILED},
        S.ATTEMPT_FAILED: {A.RECEIVE: S.AT_HUB, A.START_RETURN: S.RETURNING},
        S.RETURNING: {A.COMPLETE_RETURN: S.RETURNED_TO_SENDER},
        S.DELIVERED: {},
        S.RETURNED_TO_SENDER: {},
        S.CANCELLED: {},
    }
)

FINAL_STATES = frozenset(state for state, moves in TRANSITIONS.items() if not moves)


def allowed_actions(state: ParcelState) -> frozenset[ParcelAction]:
    return frozenset(TRANSITIONS[state])


def next_state(state: ParcelState, action: ParcelAction) -> ParcelState | None:
    """The state ``action`` leads to from ``state``, or None when it is not allowed."""
    return TRANSITIONS[state].get(action)


@dataclass(frozen=True, slots=True)
class ParcelEvent:
    """One transition of one parcel: who did what, when, where and why. Append-only."""

    parcel_id: str
    sequence: int
    action: ParcelAction
    from_state: ParcelState
    to_state: ParcelState
    actor: str
    at: datetime
    place: str | None = None
    reason_code: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)

    @property
    def name(self) -> EventName:
        """The event's name in the outbox, for example ``parcel.loaded``."""
        return EventName.for_parcel_state(self.to_state.value)


@dataclass(frozen=True, slots=True)
class Dimensions:
    length_cm: float
    width_cm: float
    height_cm: float

    def __post_init__(self) -> None:
        for name in ("length_cm", "width_cm", "height_cm"):
            if not getattr(self, name) > 0:
                raise InvalidValue(name, "must be greater than 0")

    @property
    def volume_litres(self) -> float:
        return self.length_cm * self.width_cm * self.height_cm / 1000.0


@dataclass(eq=False, slots=True)
class Parcel:
    """A physical parcel with a barcode, travelling through the state machine."""

    id: str
    order_id: str
    brand_id: str
    barcode: str
    weight_kg: float
    dimensions: Dimensions | None = None
    state: ParcelState = ParcelState.CREATED
    bay: str | None = None
    vehicle_id: str | None = None
    attempts: int = 0
    events: list[ParcelEvent] = field(default_factory=list)
    version: int = 0
    # Outbox events of changes not yet stored; a parcel read from the store has none.
    new_events: list[DomainEvent] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if not self.weight_kg >= 0:
            raise InvalidValue("weight_kg", "must be 0 or more")

    def can(self, action: ParcelAction) -> bool:
        return next_state(self.state, action) is not None

    def apply(
        self,
        action: ParcelAction,
        *,
        actor: str,
        at: datetime,
        place: str | None = None,
        reason_code: str | None = None,
        bay: str | None = None,
        vehicle_id: str | None = None,
        details: Mapping[str, str] | None = None,
    ) -> ParcelEvent:
        """Move the parcel by ``action`` and return the event recording it.

        Raises :class:`InvalidTransition` (with the allowed actions) or
        :class:`WrongVehicle`; the parcel is unchanged when it raises.
        """
        target = next_state(self.state, action)
        if target is None:
            raise InvalidTransition(
                self.barcode,
                self.state.value,
                action.value,
                (a.value for a in TRANSITIONS[self.state]),
            )
        if action is ParcelAction.LOAD:
            if vehicle_id is None:
                raise InvalidValue("vehicle_id", "a load scan needs the vehicle")
            if self.vehicle_id is not None and self.vehicle_id != vehicle_id:
                raise WrongVehicle(self.barcode, self.vehicle_id, vehicle_id)
        event_details = dict(details or {})
        if bay is not None:
            event_details["bay"] = bay
        if vehicle_id is not None:
            event_details["vehicle_id"] = vehicle_id
        event = ParcelEvent(
            parcel_id=self.id,
            sequence=len(self.events) + 1,
            action=action,
            from_state=self.state,
            to_state=target,
            actor=actor,
            at=at,
            place=place,
            reason_code=reason_code,
            details=event_details,
        )
        self._mutate(event)
        self.events.append(event)
        self.new_events.append(self._outbox_event(event))
        return event

    def collect_events(self) -> list[DomainEvent]:
        return drain(self.new_events)

    def _outbox_event(self, event: ParcelEvent) -> DomainEvent:
        return parcel_moved(
            ParcelMove(
                parcel_id=self.id,
                brand_id=self.brand_id,
                barcode=self.barcode,
                sequence=event.sequence,
                action=event.action.value,
                from_state=event.from_state.value,
                to_state=event.to_state.value,
                actor=event.actor,
                at=event.at,
                place=event.place,
                reason_code=event.reason_code,
                details=event.details,
            )
        )

    def _mutate(self, event: ParcelEvent) -> None:
        """Apply an event's effect; shared by :meth:`apply` and :meth:`replay`."""
        self.state = event.to_state
        action = event.action
        if action is ParcelAction.SORT:
            self.bay = event.details.get("bay", self.bay)
            self.vehicle_id = event.details.get("vehicle_id", self.vehicle_id)
        elif action is ParcelAction.LOAD:
            self.vehicle_id = event.details["vehicle_id"]
        elif action is ParcelAction.FAIL_ATTEMPT:
            self.attempts += 1
        elif action is ParcelAction.RECEIVE and event.from_state is ParcelState.ATTEMPT_FAILED:
            # Back at the hub for a re-attempt: the next sort decides bay and vehicle again.
            self.bay = None
            self.vehicle_id = None

    @classmethod
    def replay(
        cls,
        *,
        id: str,
        order_id: str,
        brand_id: str,
        barcode: str,
        weight_kg: float,
        events: Iterable[ParcelEvent],
        dimensions: Dimensions | None = None,
    ) -> Parcel:
        """Rebuild a parcel from its event history alone."""
        parcel = cls(
            id=id,
            order_id=order_id,
            brand_id=brand_id,
            barcode=barcode,
            weight_kg=weight_kg,
            dimensions=dimensions,
        )
        for event in sorted(events, key=lambda e: e.sequence):
            if next_state(parcel.state, event.action) is not event.to_state:
                raise InvalidTransition(
                    parcel.barcode,
                    parcel.state.value,
                    event.action.value,
                    (a.value for a in TRANSITIONS[parcel.state]),
                )
            parcel._mutate(event)
            parcel.events.append(event)
        return parcel
