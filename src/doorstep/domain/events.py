"""Domain events as the outbox stores them: a name, the aggregate, a time and a payload.

Parcel transitions are :class:`~doorstep.domain.parcel.ParcelEvent`; everything the
outside world may react to (notifications, webhooks, ETAs, reports) is turned into a
:class:`DomainEvent` and written in the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from doorstep.domain.parcel import ParcelEvent


@dataclass(frozen=True, slots=True)
class DomainEvent:
    name: str  # "parcel.loaded", "order.created", "scan.unknown_barcode"
    aggregate_id: str
    occurred_at: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)
    brand_id: str | None = None


def from_parcel_event(event: ParcelEvent, *, brand_id: str, barcode: str) -> DomainEvent:
    return DomainEvent(
        name=event.name,
        aggregate_id=event.parcel_id,
        occurred_at=event.at,
        brand_id=brand_id,
        payload={
            "parcel_id": event.parcel_id,
            "barcode": barcode,
            "sequence": event.sequence,
            "action": event.action.value,
            "from_state": event.from_state.value,
            "to_state": event.to_state.value,
            "actor": event.actor,
            "place": event.place,
            "reason_code": event.reason_code,
            "details": dict(event.details),
        },
    )
