"""A flat view of a checked order, for planning straight from an order CSV.

Every door (JSON API, CSV import) produces a
:class:`~doorstep.services.orders.use_cases.CreateOrder`;
this view is made from that command (:meth:`OrderDraft.of`) for code that reads an order
as flat fields, such as ``plan_input``. It checks nothing itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from doorstep.domain.model import (
    Address,
    AddressType,
    GeoPoint,
    Priority,
    Recipient,
    ServiceLevel,
    TimeWindow,
)
from doorstep.domain.parcel import Dimensions
from doorstep.services.orders.use_cases import CreateOrder


class ParcelDraft(NamedTuple):
    """One parcel of an order: weight, and the three sides when the brand knows them."""

    weight_kg: float
    length_cm: float | None = None
    width_cm: float | None = None
    height_cm: float | None = None

    def dimensions(self) -> Dimensions | None:
        if self.length_cm is None or self.width_cm is None or self.height_cm is None:
            return None
        return Dimensions(self.length_cm, self.width_cm, self.height_cm)


@dataclass(frozen=True, slots=True)
class OrderDraft:
    """A valid order request (command): every field already checked and normalised."""

    reference: str
    recipient_name: str
    address_lines: tuple[str, ...]
    postcode: str
    service_level: ServiceLevel
    parcels: tuple[ParcelDraft, ...]
    recipient_phone: str | None = None
    recipient_email: str | None = None
    city: str = "London"
    lat: float | None = None
    lon: float | None = None
    address_type: AddressType = AddressType.HOUSE
    access_notes: str | None = None
    access_code: str | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    closed_start: datetime | None = None
    closed_end: datetime | None = None
    priority: Priority = Priority.NORMAL
    hub_id: str | None = None

    @classmethod
    def of(cls, command: CreateOrder) -> OrderDraft:
        address, recipient, window = command.address, command.recipient, command.window
        return cls(
            reference=command.reference,
            recipient_name=recipient.name,
            address_lines=address.lines,
            postcode=address.postcode,
            service_level=command.service_level,
            parcels=tuple(
                ParcelDraft(p.weight_kg)
                if p.dimensions is None
                else ParcelDraft(p.weight_kg, *_sides(p.dimensions))
                for p in command.parcels
            ),
            recipient_phone=recipient.phone,
            recipient_email=recipient.email,
            city=address.city,
            lat=address.point.lat if address.point else None,
            lon=address.point.lon if address.point else None,
            address_type=address.address_type,
            access_notes=address.access_notes,
            access_code=address.access_code,
            window_start=window.start if window else None,
            window_end=window.end if window else None,
            closed_start=command.closed.start if command.closed else None,
            closed_end=command.closed.end if command.closed else None,
            priority=command.priority,
            hub_id=command.hub_id,
        )

    def recipient(self) -> Recipient:
        return Recipient(self.recipient_name, self.recipient_phone, self.recipient_email)

    def address(self) -> Address:
        point = None
        if self.lat is not None and self.lon is not None:
            point = GeoPoint(self.lat, self.lon)
        return Address(
            lines=self.address_lines,
            postcode=self.postcode,
            point=point,
            address_type=self.address_type,
            access_notes=self.access_notes,
            access_code=self.access_code,
            city=self.city,
        )

    def window(self) -> TimeWindow | None:
        if self.window_start is None or self.window_end is None:
            return None
        return TimeWindow(self.window_start, self.window_end)

    def closed(self) -> TimeWindow | None:
        if self.closed_start is None or self.closed_end is None:
            return None
        return TimeWindow(self.closed_start, self.closed_end)


def _sides(dimensions: Dimensions) -> tuple[float, float, float]:
    return dimensions.length_cm, dimensions.width_cm, dimensions.height_cm
