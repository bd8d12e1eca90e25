"""The returns manifest: a brand's parcels whose return to it started on one London day.

What the hub hands the brand's driver (and the brand reads before the van comes): each
parcel's barcode, the order's reference, whom it was for, why it is coming back, the
attempts made, and whether it was handed over yet. Operators read every brand's; a brand
key its own (another brand's looks missing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from doorstep.domain import calendar
from doorstep.domain.delivery_policy import attempts_made
from doorstep.domain.model import Order
from doorstep.domain.parcel import Parcel, ParcelAction, ParcelState
from doorstep.domain.preferences import LONDON
from doorstep.services.access import require_id
from doorstep.services.errors import NotFound
from doorstep.services.ports import UnitOfWork
from doorstep.services.returns.policy import require_policy_reader


@dataclass(frozen=True, slots=True)
class ReturnLine:
    parcel_id: str
    barcode: str
    order_id: str
    reference: str
    recipient_name: str
    postcode: str
    state: str  # returning, or returned_to_sender once handed over
    started_at: datetime
    reason: str  # why it goes back: "max_attempts", or the dispatcher's reason
    attempts: int
    handed_over_at: datetime | None


@dataclass(frozen=True, slots=True)
class ReturnsManifest:
    brand_id: str
    brand_name: str
    day: date
    lines: tuple[ReturnLine, ...]

    @property
    def waiting(self) -> int:
        return sum(1 for line in self.lines if line.state == ParcelState.RETURNING.value)


def london_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0, 0), LONDON)
    return start, datetime.combine(day + timedelta(days=1), time(0, 0), LONDON)


def returns_manifest(uow: UnitOfWork, brand_id: str, day: date) -> ReturnsManifest:
    """The manifest of ``brand_id`` for ``day`` (London), oldest return first."""
    require_policy_reader(uow.principal)
    require_id(brand_id, "brd", "brand")
    calendar.check_date("date", day)
    start, end = london_day_bounds(day)
    with uow.read_only():
        brand = uow.brands.get(brand_id)
        if brand is None:
            raise NotFound("brand", brand_id)
        parcel_ids = uow.delivery_policies.returns_started(brand_id, start, end)
        parcels = uow.parcels.get_many(parcel_ids)
        lines = []
        for parcel_id in parcel_ids:
            parcel = parcels.get(parcel_id)
            order = None if parcel is None else uow.orders.get(parcel.order_id)
            if parcel is not None and order is not None:
                lines.append(_line(parcel, order))
    return ReturnsManifest(brand_id, brand.name, day, tuple(lines))


def _line(parcel: Parcel, order: Order) -> ReturnLine:
    started = next(e for e in reversed(parcel.events) if e.action is ParcelAction.START_RETURN)
    handed = next((e.at for e in parcel.events if e.action is ParcelAction.COMPLETE_RETURN), None)
    return ReturnLine(
        parcel_id=parcel.id,
        barcode=parcel.barcode,
        order_id=parcel.order_id,
        reference=order.reference,
        recipient_name=order.recipient.name,
        postcode=order.address.postcode,
        state=parcel.state.value,
        started_at=started.at,
        reason=started.reason_code or started.details.get("why", ""),
        attempts=attempts_made(parcel.events),
        handed_over_at=handed,
    )
