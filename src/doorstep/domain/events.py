"""Every domain event: its name, its payload, and how aggregates carry it to the outbox.

An aggregate (an order, a parcel, a hub scan) records the events of its own changes in
``new_events``; the unit of work collects them from the aggregates it stored and writes
them to the outbox in the same transaction as the change. Notifications, webhooks, ETAs
and reports read them there, so a name or a payload field is a published contract:
``docs/events.md`` lists them and a test keeps that page equal to :data:`PAYLOAD_FIELDS`.

This module imports nothing else of the domain, so every other module may import it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Protocol


class EventName(StrEnum):
    """The one list of event names. A parcel's is ``parcel.`` and the state it moved to."""

    ORDER_CREATED = "order.created"
    ORDER_CANCELLED = "order.cancelled"
    ORDER_PREFERENCES_CHANGED = "order.preferences_changed"
    ORDER_RESCHEDULED = "order.rescheduled"
    ORDER_WINDOW_CHANGED = "order.window_changed"
    PARCEL_AT_HUB = "parcel.at_hub"
    PARCEL_SORTED = "parcel.sorted"
    PARCEL_LOADED = "parcel.loaded"
    PARCEL_OUT_FOR_DELIVERY = "parcel.out_for_delivery"
    PARCEL_DELIVERED = "parcel.delivered"
    PARCEL_ATTEMPT_FAILED = "parcel.attempt_failed"
    PARCEL_RETURNING = "parcel.returning"
    PARCEL_RETURNED_TO_SENDER = "parcel.returned_to_sender"
    PARCEL_CANCELLED = "parcel.cancelled"
    SCAN_UNKNOWN_BARCODE = "scan.unknown_barcode"
    SCAN_REFUSED = "scan.refused"
    PLAN_FINISHED = "plan.finished"
    ROUTE_DISPATCHED = "route.dispatched"
    ROUTE_STARTED = "route.started"
    ROUTE_FINISHED = "route.finished"
    ROUTE_STOP_REMOVED = "route.stop_removed"
    ROUTE_STOP_ADDED = "route.stop_added"
    ROUTE_PARCELS_REMOVED = "route.parcels_removed"
    ROUTE_STOPS_REORDERED = "route.stops_reordered"
    ROUTE_REASSIGNED = "route.reassigned"
    STOP_ARRIVED = "stop.arrived"
    STOP_COMPLETED = "stop.completed"
    STOP_FAILED = "stop.failed"
    STOP_SKIPPED = "stop.skipped"
    STOP_ACCESS_CODE_REVEALED = "stop.access_code_revealed"
    PROOF_PHOTOS_PURGED = "proof.photos_purged"
    STOP_WINDOW_ANNOUNCED = "stop.window_announced"
    STOP_DELAY_PREDICTED = "stop.delay_predicted"
    WEBHOOK_ENDPOINT_DISABLED = "webhook_endpoint.disabled"
    EXCEPTION_RAISED = "exception.raised"
    EXCEPTION_RESOLVED = "exception.resolved"

    @classmethod
    def for_parcel_state(cls, state: str) -> EventName:
        """The name of a parcel's move into ``state``; ValueError for a state with none."""
        return cls(f"parcel.{state}")


PARCEL_FIELDS = (
    "parcel_id",
    "barcode",
    "sequence",
    "action",
    "from_state",
    "to_state",
    "actor",
    "place",
    "reason_code",
    "details",
)

PAYLOAD_FIELDS: Mapping[EventName, tuple[str, ...]] = MappingProxyType(
    {
        EventName.ORDER_CREATED: ("order_id", "reference", "parcels"),
        EventName.ORDER_CANCELLED: ("order_id", "reference", "parcel_ids"),
        EventName.ORDER_PREFERENCES_CHANGED: ("order_id", "reference", "actor", "changed"),
        EventName.ORDER_RESCHEDULED: (
            "order_id",
            "reference",
            "actor",
            "from_date",
            "to_date",
            "loaded",
        ),
        EventName.ORDER_WINDOW_CHANGED: (
            "order_id",
            "reference",
            "actor",
            "start",
            "end",
            "delivery_date",
            "reason",
        ),
        EventName.SCAN_UNKNOWN_BARCODE: ("scan_id", "hub_id", "barcode", "kind", "scanned_at"),
        EventName.SCAN_REFUSED: (
            "scan_id",
            "hub_id",
            "parcel_id",
            "barcode",
            "kind",
            "reason",
            "message",
            "scanned_at",
        ),
        EventName.PLAN_FINISHED: (
            "plan_id",
            "hub_id",
            "plan_date",
            "status",
            "unassigned",
            "unroutable_stop_ids",
        ),
        EventName.ROUTE_DISPATCHED: (
            "route_id",
            "actor",
            "plan_id",
            "hub_id",
            "date",
            "courier_id",
            "vehicle_id",
            "stop_ids",
        ),
        EventName.ROUTE_STARTED: ("route_id", "actor", "courier_id"),
        EventName.ROUTE_FINISHED: (
            "route_id",
            "actor",
            "stops_done",
            "stops_failed",
            "stops_not_reached",
        ),
        EventName.ROUTE_STOP_REMOVED: ("route_id", "actor", "stop_id", "reason"),
        EventName.ROUTE_STOP_ADDED: ("route_id", "actor", "stop_id", "moved_from_route"),
        EventName.ROUTE_PARCELS_REMOVED: ("route_id", "actor", "stop_id", "parcel_ids", "reason"),
        EventName.ROUTE_STOPS_REORDERED: ("route_id", "actor", "stop_ids"),
        EventName.ROUTE_REASSIGNED: ("route_id", "actor", "from_courier_id", "to_courier_id"),
        EventName.STOP_ARRIVED: (
            "route_id",
            "actor",
            "stop_id",
            "position",
            "distance_m",
            "geofence_mismatch",
        ),
        EventName.STOP_COMPLETED: ("route_id", "actor", "stop_id", "method"),
        EventName.STOP_FAILED: ("route_id", "actor", "stop_id", "reason"),
        EventName.STOP_SKIPPED: ("route_id", "actor", "stop_id", "note"),
        EventName.STOP_ACCESS_CODE_REVEALED: (
            "route_id",
            "actor",
            "stop_id",
            "distance_m",
            "override_reason",
        ),
        EventName.PROOF_PHOTOS_PURGED: ("count", "hashes", "created_before", "retention_days"),
        EventName.STOP_WINDOW_ANNOUNCED: (
            "route_id",
            "stop_id",
            "order_ids",
            "kind",
            "window_start",
            "window_end",
            "predicted_arrival",
        ),
        EventName.STOP_DELAY_PREDICTED: (
            "route_id",
            "stop_id",
            "order_ids",
            "window_start",
            "window_end",
            "predicted_arrival",
            "lateness_s",
        ),
        EventName.WEBHOOK_ENDPOINT_DISABLED: ("endpoint_id", "url", "failing_since", "reason"),
        EventName.EXCEPTION_RAISED: (
            "exception_id",
            "kind",
            "actor",
            "route_id",
            "stop_id",
            "parcel_ids",
            "order_ids",
        ),
        EventName.EXCEPTION_RESOLVED: (
            "exception_id",
            "kind",
            "actor",
            "route_id",
            "stop_id",
            "parcel_ids",
            "order_ids",
            "resolution",
        ),
    }
    | {name: PARCEL_FIELDS for name in EventName if name.startswith("parcel.")}
)
"""The keys of each event's payload, in the order ``docs/events.md`` lists them."""


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """One event as the outbox stores it. Payload values are JSON: str, int, None, lists, dicts.

    ``name`` is a plain string because the outbox may hold names a newer version wrote;
    everything this version writes uses :class:`EventName`.
    """

    name: str
    aggregate_id: str
    occurred_at: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)
    brand_id: str | None = None


def order_created(
    *,
    order_id: str,
    brand_id: str,
    reference: str,
    at: datetime,
    parcels: Sequence[tuple[str, str]],
) -> DomainEvent:
    """``parcels`` holds ``(parcel_id, barcode)`` pairs."""
    return DomainEvent(
        name=EventName.ORDER_CREATED,
        aggregate_id=order_id,
        occurred_at=at,
        brand_id=brand_id,
        payload={
            "order_id": order_id,
            "reference": reference,
            "parcels": [{"parcel_id": p, "barcode": b} for p, b in parcels],
        },
    )


def order_cancelled(
    *, order_id: str, brand_id: str, reference: str, at: datetime, parcel_ids: Sequence[str]
) -> DomainEvent:
    """``parcel_ids`` are the parcels this cancellation moved (not those cancelled before)."""
    return DomainEvent(
        name=EventName.ORDER_CANCELLED,
        aggregate_id=order_id,
        occurred_at=at,
        brand_id=brand_id,
        payload={"order_id": order_id, "reference": reference, "parcel_ids": list(parcel_ids)},
    )


def order_preferences_changed(
    *,
    order_id: str,
    brand_id: str,
    reference: str,
    actor: str,
    at: datetime,
    changed: Sequence[str],
) -> DomainEvent:
    """``changed`` names the fields only: their values (a door code, a note) are secrets."""
    return DomainEvent(
        name=EventName.ORDER_PREFERENCES_CHANGED,
        aggregate_id=order_id,
        occurred_at=at,
        brand_id=brand_id,
        payload={
            "order_id": order_id,
            "reference": reference,
            "actor": actor,
            "changed": list(changed),
        },
    )


def order_rescheduled(
    *,
    order_id: str,
    brand_id: str,
    reference: str,
    actor: str,
    at: datetime,
    from_date: date | None,
    to_date: date,
    loaded: bool,
) -> DomainEvent:
    """``loaded``: the parcels were already on a van, so the dispatcher must act."""
    return DomainEvent(
        name=EventName.ORDER_RESCHEDULED,
        aggregate_id=order_id,
        occurred_at=at,
        brand_id=brand_id,
        payload={
            "order_id": order_id,
            "reference": reference,
            "actor": actor,
            "from_date": None if from_date is None else from_date.isoformat(),
            "to_date": to_date.isoformat(),
            "loaded": loaded,
        },
    )


def order_window_changed(
    *,
    order_id: str,
    brand_id: str,
    reference: str,
    actor: str,
    at: datetime,
    start: datetime,
    end: datetime,
    delivery_date: date | None,
    reason: str,
) -> DomainEvent:
    """The office moved the order's promised window: ``reason`` is ``office`` (the order
    page's "change window") or ``reattempt`` (a failed parcel queued for another day)."""
    return DomainEvent(
        name=EventName.ORDER_WINDOW_CHANGED,
        aggregate_id=order_id,
        occurred_at=at,
        brand_id=brand_id,
        payload={
            "order_id": order_id,
            "reference": reference,
            "actor": actor,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "delivery_date": None if delivery_date is None else delivery_date.isoformat(),
            "reason": reason,
        },
    )


@dataclass(frozen=True, slots=True)
class ParcelMove:
    """What the outbox says of one parcel transition; states and action as their words."""

    parcel_id: str
    brand_id: str
    barcode: str
    sequence: int
    action: str
    from_state: str
    to_state: str
    actor: str
    at: datetime
    place: str | None
    reason_code: str | None
    details: Mapping[str, str]


def parcel_moved(move: ParcelMove) -> DomainEvent:
    return DomainEvent(
        name=EventName.for_parcel_state(move.to_state),
        aggregate_id=move.parcel_id,
        occurred_at=move.at,
        brand_id=move.brand_id,
        payload={
            "parcel_id": move.parcel_id,
            "barcode": move.barcode,
            "sequence": move.sequence,
            "action": move.action,
            "from_state": move.from_state,
            "to_state": move.to_state,
            "actor": move.actor,
            "place": move.place,
            "reason_code": move.reason_code,
            "details": dict(move.details),
        },
    )


def scan_unknown_barcode(
    *, scan_id: str, hub_id: str, barcode: str, kind: str, scanned_at: datetime, at: datetime
) -> DomainEvent:
    """No brand: nobody knows whose parcel it is, so only the operator sees it."""
    return DomainEvent(
        name=EventName.SCAN_UNKNOWN_BARCODE,
        aggregate_id=scan_id,
        occurred_at=at,
        payload={
            "scan_id": scan_id,
            "hub_id": hub_id,
            "barcode": barcode,
            "kind": kind,
            "scanned_at": scanned_at.isoformat(),
        },
    )


@dataclass(frozen=True, slots=True)
class RefusedScan:
    """What ``scan.refused`` says of a known parcel's scan the hub turned down."""

    scan_id: str
    hub_id: str
    parcel_id: str
    barcode: str
    kind: str
    reason: str  # the outcome: ``refused`` (not allowed now) or ``wrong_hub``
    message: str  # the words the hub worker was shown
    scanned_at: datetime


def scan_refused(scan: RefusedScan, *, at: datetime) -> DomainEvent:
    """No brand: a refusal is the hub's business (a mis-sort for the exceptions queue),
    not the brand's; its parcel's own events tell the brand what happened to it."""
    return DomainEvent(
        name=EventName.SCAN_REFUSED,
        aggregate_id=scan.scan_id,
        occurred_at=at,
        payload={
            "scan_id": scan.scan_id,
            "hub_id": scan.hub_id,
            "parcel_id": scan.parcel_id,
            "barcode": scan.barcode,
            "kind": scan.kind,
            "reason": scan.reason,
            "message": scan.message,
            "scanned_at": scan.scanned_at.isoformat(),
        },
    )


def plan_finished(
    *,
    plan_id: str,
    hub_id: str,
    plan_date: date,
    status: str,
    unassigned: Mapping[str, int],
    unroutable_stop_ids: Sequence[str],
    at: datetime,
) -> DomainEvent:
    """A planning run ended (``succeeded`` or ``failed``). No brand: a plan holds many
    brands' parcels and is the office's; ``unassigned`` counts the stops left out by
    reason, ``unroutable_stop_ids`` names those whose address could not be routed."""
    return DomainEvent(
        name=EventName.PLAN_FINISHED,
        aggregate_id=plan_id,
        occurred_at=at,
        payload={
            "plan_id": plan_id,
            "hub_id": hub_id,
            "plan_date": plan_date.isoformat(),
            "status": status,
            "unassigned": dict(unassigned),
            "unroutable_stop_ids": list(unroutable_stop_ids),
        },
    )


def photos_purged(
    *, sha256s: Sequence[str], created_before: datetime, retention_days: int, at: datetime
) -> DomainEvent:
    """The files of these blobs (every copy) were deleted; their records and hashes stay.
    No brand: one run purges the photos of many brands' deliveries."""
    return DomainEvent(
        name=EventName.PROOF_PHOTOS_PURGED,
        aggregate_id=sha256s[0] if sha256s else "",
        occurred_at=at,
        payload={
            "count": len(sha256s),
            "hashes": list(sha256s),
            "created_before": created_before.isoformat(),
            "retention_days": retention_days,
        },
    )


@dataclass(frozen=True, slots=True)
class StopWindow:
    """What the two ETA events say of a stop and the window it was told (ISO 8601 UTC)."""

    route_id: str
    stop_id: str
    order_ids: Sequence[str]
    window_start: datetime
    window_end: datetime
    predicted_arrival: datetime

    def payload(self) -> dict[str, Any]:
        return {
            "route_id": self.route_id,
            "stop_id": self.stop_id,
            "order_ids": list(self.order_ids),
            "window_start": self.window_start.isoformat(),
            "window_end": self.window_end.isoformat(),
            "predicted_arrival": self.predicted_arrival.isoformat(),
        }


def window_announced(stop: StopWindow, *, kind: str, at: datetime) -> DomainEvent:
    """No brand: one stop may hold orders of several brands (``order_ids`` says whose)."""
    told = stop.payload()
    payload = {
        "route_id": told["route_id"],
        "stop_id": told["stop_id"],
        "order_ids": told["order_ids"],
        "kind": kind,
        "window_start": told["window_start"],
        "window_end": told["window_end"],
        "predicted_arrival": told["predicted_arrival"],
    }
    return DomainEvent(
        name=EventName.STOP_WINDOW_ANNOUNCED,
        aggregate_id=stop.stop_id,
        occurred_at=at,
        payload=payload,
    )


def delay_predicted(stop: StopWindow, *, lateness_s: int, at: datetime) -> DomainEvent:
    """Raised once per stop and announced window; no brand, as for the window itself."""
    return DomainEvent(
        name=EventName.STOP_DELAY_PREDICTED,
        aggregate_id=stop.stop_id,
        occurred_at=at,
        payload={**stop.payload(), "lateness_s": lateness_s},
    )


def webhook_endpoint_disabled(
    *, endpoint_id: str, brand_id: str, url: str, failing_since: datetime, reason: str, at: datetime
) -> DomainEvent:
    """The brand's endpoint kept failing and was switched off: the brand must be told."""
    return DomainEvent(
        name=EventName.WEBHOOK_ENDPOINT_DISABLED,
        aggregate_id=endpoint_id,
        occurred_at=at,
        brand_id=brand_id,
        payload={
            "endpoint_id": endpoint_id,
            "url": url,
            "failing_since": failing_since.isoformat(),
            "reason": reason,
        },
    )


class RecordsEvents(Protocol):
    """An aggregate: it keeps the events of its changes until a unit of work collects them."""

    def collect_events(self) -> list[DomainEvent]:
        """The events recorded since the last collection, oldest first; forgets them."""


def drain(events: list[DomainEvent]) -> list[DomainEvent]:
    """Empty ``events`` in place and return what it held (aggregates may be frozen)."""
    taken = list(events)
    events.clear()
    return taken


class SeenAggregates:
    """The aggregates a unit of work stored, in the order it stored them.

    Kept by identity: the same object stored twice (saved, changed, saved again) is
    collected once, with all its events. Only stored aggregates are collected, so an
    event never reaches the outbox without the change it describes.
    """

    def __init__(self) -> None:
        self._seen: dict[int, RecordsEvents] = {}

    def add(self, aggregate: RecordsEvents) -> None:
        self._seen.setdefault(id(aggregate), aggregate)

    def clear(self) -> None:
        self._seen.clear()

    def collect_new_events(self) -> Iterator[DomainEvent]:
        for aggregate in list(self._seen.values()):
            yield from aggregate.collect_events()
