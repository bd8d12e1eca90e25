"""Exceptions: the things a dispatcher must act on, raised once and resolved once.

An exception is raised from what happened (an event in the outbox, or a fact a periodic
sweep found: a courier who has not moved, a route not started). Its ``key`` says which
occurrence it is (the stop, the route, the scan, the courier and since when), and
``(kind, key)`` is unique in the store: whoever raises it second, a relay racing another
or the next sweep, finds it there and raises nothing. It is resolved once, either by a
dispatcher with a note or by itself when its cause went away (the late stop was delivered
in its window); a second resolution changes nothing.

The rules that decide when a cause is there and when it is gone live here, free of I/O:
the callers pass what they read (the stop's state and times, the distances of a courier's
last positions) and the time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from doorstep.domain.errors import InvalidValue
from doorstep.domain.events import DomainEvent, EventName, drain


class ExceptionKind(StrEnum):
    PREDICTED_LATE = "predicted_late"
    COURIER_STATIONARY = "courier_stationary"
    ROUTE_NOT_STARTED = "route_not_started"
    ATTEMPT_FAILED = "attempt_failed"
    GEOFENCE_MISMATCH = "geofence_mismatch"
    NOT_LOADED = "not_loaded_at_departure"
    UNKNOWN_BARCODE = "unknown_barcode"
    MIS_SORT = "mis_sort"
    ADDRESS_UNROUTABLE = "address_unroutable"

    @property
    def words(self) -> str:
        """The kind as a dispatcher reads it in the queue."""
        return KIND_WORDS[self]


KIND_WORDS: dict[ExceptionKind, str] = {
    ExceptionKind.PREDICTED_LATE: "Predicted late",
    ExceptionKind.COURIER_STATIONARY: "Courier not moving",
    ExceptionKind.ROUTE_NOT_STARTED: "Route not started",
    ExceptionKind.ATTEMPT_FAILED: "Failed attempt",
    ExceptionKind.GEOFENCE_MISMATCH: "Delivered away from the address",
    ExceptionKind.NOT_LOADED: "Parcels not loaded at departure",
    ExceptionKind.UNKNOWN_BARCODE: "Unknown barcode",
    ExceptionKind.MIS_SORT: "Mis-sort at the hub",
    ExceptionKind.ADDRESS_UNROUTABLE: "Address unroutable",
}


class ExceptionState(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Resolution(StrEnum):
    BY_DISPATCHER = "resolved_by_dispatcher"
    CAUSE_GONE = "cause_gone"


STATIONARY_AFTER = timedelta(minutes=15)
"""A courier who stayed within :data:`STATIONARY_RADIUS_M` this long is stationary."""
STATIONARY_RADIUS_M = 50.0
"""Positions this close together are one place (a phone's fix wanders by some metres)."""
AWAY_FROM_STOP_M = 150.0
"""Stationary this far from the next stop is a problem; nearer, the courier is at the door
(the same radius as the arrival geofence)."""
SILENT_AFTER = timedelta(minutes=10)
"""A courier whose last position is older than this is not judged (no signal is not news
of standing still)."""
NOT_STARTED_AFTER = timedelta(minutes=15)
"""A route not started this long after its planned start is an exception."""
MAX_NOTE = 1000
MAX_DETAILS = 500


def key_of(*parts: str | None) -> str:
    """The occurrence key from its parts, e.g. ``key_of(stop_id, window_start)``."""
    return ":".join(part or "-" for part in parts)


@dataclass(eq=False, slots=True)
class DispatchException:
    """One exception in the queue. ``details`` is plain words, no personal data beyond
    what the route already shows a dispatcher (a stop's postcode, a barcode)."""

    id: str
    kind: ExceptionKind
    key: str
    raised_at: datetime
    details: str
    route_id: str | None = None
    stop_id: str | None = None
    parcel_ids: tuple[str, ...] = ()
    order_ids: tuple[str, ...] = ()
    # The time it is about: the promise's end (predicted late), since when the courier
    # stands still (stationary), the planned start (not started, not loaded).
    moment: datetime | None = None
    state: ExceptionState = ExceptionState.OPEN
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolution: Resolution | None = None
    note: str | None = None
    new_events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def raise_new(
        cls,
        *,
        id: str,
        kind: ExceptionKind,
        key: str,
        at: datetime,
        details: str,
        route_id: str | None = None,
        stop_id: str | None = None,
        parcel_ids: Sequence[str] = (),
        order_ids: Sequence[str] = (),
        moment: datetime | None = None,
    ) -> DispatchException:
        """A new open exception, with its ``exception.raised`` event."""
        if not key:
            raise InvalidValue("key", "an exception needs a key")
        found = cls(
            id=id,
            kind=kind,
            key=key,
            raised_at=at,
            details=details[:MAX_DETAILS],
            route_id=route_id,
            stop_id=stop_id,
            parcel_ids=tuple(parcel_ids),
            order_ids=tuple(order_ids),
            moment=moment,
        )
        found._record(EventName.EXCEPTION_RAISED, at, actor="system:exceptions")
        return found

    @property
    def is_open(self) -> bool:
        return self.state is ExceptionState.OPEN

    def age(self, now: datetime) -> timedelta:
        end = self.resolved_at if self.resolved_at is not None else now
        return max(end - self.raised_at, timedelta(0))

    def resolve(self, *, at: datetime, actor: str, note: str, resolution: Resolution) -> bool:
        """Close it; False (nothing changes, no event) when it was closed already.

        A dispatcher must say what was done (the note is the record others read); a cause
        that went away says so itself.
        """
        note = note.strip()
        if resolution is Resolution.BY_DISPATCHER and not note:
            raise InvalidValue("note", "say what was done about it")
        if len(note) > MAX_NOTE:
            raise InvalidValue("note", f"must be at most {MAX_NOTE} characters")
        if not self.is_open:
            return False
        self.state = ExceptionState.RESOLVED
        self.resolved_at = at
        self.resolved_by = actor
        self.resolution = resolution
        self.note = note
        self._record(EventName.EXCEPTION_RESOLVED, at, actor=actor)
        return True

    def _record(self, name: EventName, at: datetime, *, actor: str) -> None:
        payload: dict[str, Any] = {
            "exception_id": self.id,
            "kind": self.kind.value,
            "actor": actor,
            "route_id": self.route_id,
            "stop_id": self.stop_id,
            "parcel_ids": list(self.parcel_ids),
            "order_ids": list(self.order_ids),
        }
        if name is EventName.EXCEPTION_RESOLVED:
            payload["resolution"] = None if self.resolution is None else self.resolution.value
        self.new_events.append(
            DomainEvent(name=name, aggregate_id=self.id, occurred_at=at, payload=payload)
        )

    def collect_events(self) -> list[DomainEvent]:
        return drain(self.new_events)


# -- when a cause is there, and when it is gone -------------------------------------------


def late_still_actionable(stop_done: bool) -> bool:
    """A predicted delay is worth raising only while the stop is still to be done."""
    return not stop_done


def late_cause_gone(
    *,
    completed_at: datetime | None,
    window_end: datetime,
    predicted_arrival: datetime | None = None,
) -> bool:
    """The late stop was delivered inside its promise, or the prediction is back inside it.

    A stop delivered after its window stays open: the customer was let down, and the
    dispatcher says what was done about it.
    """
    if completed_at is not None:
        return completed_at <= window_end
    return predicted_arrival is not None and predicted_arrival <= window_end


def stationary_since(
    readings: Sequence[tuple[datetime, float]],
    *,
    now: datetime,
    radius_m: float = STATIONARY_RADIUS_M,
) -> datetime | None:
    """Since when the courier has stayed in one place, or None when they moved lately.

    ``readings`` are ``(at, metres from the latest position)``, oldest first, the latest
    being ``(at, 0)``. The courier stands still since the first reading of the unbroken
    run of readings within ``radius_m`` that ends at the latest one. None when there is
    no reading, when the latest is older than :data:`SILENT_AFTER`, or when the run is
    shorter than :data:`STATIONARY_AFTER`.
    """
    if not readings:
        return None
    latest_at = readings[-1][0]
    if now - latest_at > SILENT_AFTER:
        return None
    since = latest_at
    for at, distance in reversed(readings):
        if distance > radius_m:
            break
        since = at
    if now - since < STATIONARY_AFTER:
        return None
    return since


def stationary_matters(distance_to_next_stop_m: float | None) -> bool:
    """Standing still matters away from the next stop; at a door the courier is working.
    With no stop left to go to, it does not matter either."""
    return distance_to_next_stop_m is not None and distance_to_next_stop_m > AWAY_FROM_STOP_M


def moved_away(distance_from_anchor_m: float, radius_m: float = STATIONARY_RADIUS_M) -> bool:
    """The courier left the place where they were found standing: the cause is gone."""
    return distance_from_anchor_m > radius_m


def route_not_started(*, planned_start: datetime, started: bool, now: datetime) -> bool:
    """Not started :data:`NOT_STARTED_AFTER` after the planned start."""
    return not started and now - planned_start >= NOT_STARTED_AFTER


def departure_due(*, planned_start: datetime, started: bool, now: datetime) -> bool:
    """The van should be leaving now: parcels not loaded by then are missing at departure."""
    return not started and now >= planned_start


def check_note(note: str) -> str:
    """A dispatcher's note, stripped; refused when empty or too long."""
    note = note.strip()
    if not note:
        raise InvalidValue("note", "say what was done about it")
    if len(note) > MAX_NOTE:
        raise InvalidValue("note", f"must be at most {MAX_NOTE} characters")
    return note
