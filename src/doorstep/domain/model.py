"""Entities and value objects of a delivery operation: who sends, what, to whom, from where."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum

from doorstep.domain import calendar, events
from doorstep.domain.errors import InvalidValue
from doorstep.domain.events import DomainEvent
from doorstep.domain.order_rules import MAX_AGE, MIN_AGE
from doorstep.domain.parcel import Parcel, ParcelAction, ParcelEvent, ParcelState
from doorstep.domain.proof import DeliveryMethod, ProofRequirements


class AddressType(StrEnum):
    HOUSE = "house"
    FLAT = "flat"
    BUSINESS = "business"
    RECEPTION = "reception"
    LOCKER = "locker"


class ServiceLevel(StrEnum):
    SAME_DAY = "same_day"
    NEXT_DAY = "next_day"
    SCHEDULED = "scheduled"


class Priority(StrEnum):
    NORMAL = "normal"
    HIGH = "high"


class VehicleType(StrEnum):
    VAN = "van"
    E_CARGO_BIKE = "e_cargo_bike"
    ON_FOOT = "on_foot"


class Role(StrEnum):
    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    COURIER = "courier"


@dataclass(frozen=True, slots=True)
class GeoPoint:
    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not -90.0 <= self.lat <= 90.0:
            raise InvalidValue("lat", "must be between -90 and 90")
        if not -180.0 <= self.lon <= 180.0:
            raise InvalidValue("lon", "must be between -180 and 180")


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A delivery promise: not before ``start``, not after ``end`` (timezone-aware)."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise InvalidValue("window", "start and end need a timezone")
        calendar.check_moment("window.start", self.start)
        calendar.check_moment("window.end", self.end)
        if self.end <= self.start:
            raise InvalidValue("window", "ends before it starts")

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment <= self.end


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """Daily opening of a hub; ``closes`` after midnight is not modelled."""

    opens: time
    closes: time

    def __post_init__(self) -> None:
        if self.closes <= self.opens:
            raise InvalidValue("opening_hours", "closes before it opens")


@dataclass(frozen=True, slots=True)
class Address:
    lines: tuple[str, ...]
    postcode: str
    point: GeoPoint | None
    address_type: AddressType = AddressType.HOUSE
    access_notes: str | None = None
    access_code: str | None = None
    city: str = "London"

    def __post_init__(self) -> None:
        if not self.lines or not self.lines[0].strip():
            raise InvalidValue("address.lines", "needs at least one line")


@dataclass(frozen=True, slots=True)
class Recipient:
    name: str
    phone: str | None = None
    email: str | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidValue("recipient.name", "must not be empty")


@dataclass(eq=False, slots=True)
class Brand:
    """A shipper (tenant): sees only its own orders and parcels.

    ``colour`` (``#rrggbb``) and ``logo`` (the SHA-256 of an uploaded image) dress the
    recipient's tracking page; see :func:`doorstep.domain.brand.check_colour`."""

    id: str
    name: str
    colour: str | None = None
    logo: str | None = None


@dataclass(eq=False, slots=True)
class Hub:
    id: str
    name: str
    point: GeoPoint
    address: str
    opening_hours: OpeningHours


@dataclass(frozen=True, slots=True)
class Capacity:
    parcels: int
    weight_kg: float
    volume_litres: float

    def __post_init__(self) -> None:
        if self.parcels < 0 or self.weight_kg < 0 or self.volume_litres < 0:
            raise InvalidValue("capacity", "must not be negative")


@dataclass(eq=False, slots=True)
class Vehicle:
    id: str
    name: str
    vehicle_type: VehicleType
    capacity: Capacity
    hub_id: str | None = None


@dataclass(eq=False, slots=True)
class Courier:
    id: str
    name: str
    phone: str | None = None
    vehicle_id: str | None = None


@dataclass(eq=False, slots=True)
class Order:
    """A brand's request to deliver one or more parcels to one recipient.

    The aggregate of an order and its parcels: build a new one with :meth:`create`, which
    records ``order.created``; the store rebuilds stored ones with the plain constructor.
    """

    id: str
    brand_id: str
    reference: str
    recipient: Recipient
    address: Address
    service_level: ServiceLevel
    tracking_token: str
    created_at: datetime
    parcels: list[Parcel] = field(default_factory=list)
    window: TimeWindow | None = None
    # Inside ``window``, when nobody can receive it (a shop shut for lunch): the promise is
    # the window less this period (order_rules.closed).
    closed: TimeWindow | None = None
    priority: Priority = Priority.NORMAL
    hub_id: str | None = None
    # What the delivery must prove (domain/proof.py); the PIN is kept only as its hash.
    delivery_pin_hash: str | None = None
    minimum_age: int | None = None
    safe_place: str | None = None  # where the recipient would like it left
    # The recipient's own wishes from the tracking page (domain/preferences.py): a place
    # from the fixed list (``safe_place`` is then its note), a neighbour's house number or
    # name, more time to reach the door, and the day they chose.
    safe_place_choice: str | None = None
    neighbour: str | None = None
    needs_more_time: bool = False
    delivery_date: date | None = None
    # Bumped by each stored change of the order's own fields: two tabs racing a change.
    version: int = 1
    # Outbox events of changes not yet stored (its parcels keep their own).
    new_events: list[DomainEvent] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if not self.reference.strip():
            raise InvalidValue("reference", "must not be empty")
        if self.minimum_age is not None and not MIN_AGE <= self.minimum_age <= MAX_AGE:
            raise InvalidValue("minimum_age", f"must be between {MIN_AGE} and {MAX_AGE}")

    def move_window(self, window: TimeWindow) -> None:
        """A new promised window (another day, or the office's choice). The closed period
        keeps its place from the window's start when it still lies inside the new window
        (the same lunch hour on another day); otherwise it goes, as the new window is
        then the whole promise."""
        closed, old = self.closed, self.window
        self.window = window
        if closed is None or old is None:
            self.closed = None
            return
        start = window.start + (closed.start - old.start)
        end = window.start + (closed.end - old.start)
        inside = window.start < start and end < window.end
        self.closed = TimeWindow(start, end) if inside else None

    @property
    def proof_requirements(self) -> ProofRequirements:
        """A PIN or an age check means handing over to the recipient in person only."""
        personal = self.delivery_pin_hash is not None or self.minimum_age is not None
        methods = frozenset({DeliveryMethod.RECIPIENT}) if personal else frozenset(DeliveryMethod)
        return ProofRequirements(
            methods=methods, pin_hash=self.delivery_pin_hash, minimum_age=self.minimum_age
        )

    @classmethod
    def create(
        cls,
        *,
        id: str,
        brand_id: str,
        reference: str,
        recipient: Recipient,
        address: Address,
        service_level: ServiceLevel,
        tracking_token: str,
        created_at: datetime,
        parcels: list[Parcel],
        window: TimeWindow | None = None,
        closed: TimeWindow | None = None,
        priority: Priority = Priority.NORMAL,
        hub_id: str | None = None,
        delivery_pin_hash: str | None = None,
        minimum_age: int | None = None,
        safe_place: str | None = None,
    ) -> Order:
        """A new order, carrying its ``order.created`` event."""
        order = cls(
            id=id,
            brand_id=brand_id,
            reference=reference,
            recipient=recipient,
            address=address,
            service_level=service_level,
            tracking_token=tracking_token,
            created_at=created_at,
            parcels=parcels,
            window=window,
            closed=closed,
            priority=priority,
            hub_id=hub_id,
            delivery_pin_hash=delivery_pin_hash,
            minimum_age=minimum_age,
            safe_place=safe_place,
        )
        order.new_events.append(
            events.order_created(
                order_id=id,
                brand_id=brand_id,
                reference=reference,
                at=created_at,
                parcels=[(parcel.id, parcel.barcode) for parcel in parcels],
            )
        )
        return order

    def cancel(
        self, *, actor: str, at: datetime, reason_code: str | None = None
    ) -> list[ParcelEvent]:
        """Cancel every parcel, or none: refuses when one is already on its way.

        Records ``order.cancelled`` when a parcel moved; cancelling again records nothing.
        """
        for parcel in self.parcels:
            if parcel.state is not ParcelState.CANCELLED and not parcel.can(ParcelAction.CANCEL):
                # Raise the parcel's own refusal, which names its state and allowed actions.
                parcel.apply(ParcelAction.CANCEL, actor=actor, at=at)
        moved = [
            parcel.apply(ParcelAction.CANCEL, actor=actor, at=at, reason_code=reason_code)
            for parcel in self.parcels
            if parcel.state is not ParcelState.CANCELLED
        ]
        if moved:
            self.new_events.append(
                events.order_cancelled(
                    order_id=self.id,
                    brand_id=self.brand_id,
                    reference=self.reference,
                    at=at,
                    parcel_ids=[event.parcel_id for event in moved],
                )
            )
        return moved

    def collect_events(self) -> list[DomainEvent]:
        """Its parcels' events first, then its own: a cancellation follows its parcels'."""
        collected = [event for parcel in self.parcels for event in parcel.collect_events()]
        return collected + events.drain(self.new_events)
