"""A dispatched route: one courier, one vehicle, one day, its stops in order.

The route is the aggregate a courier works through: it starts (parcels go out for
delivery), each stop is arrived at and then completed, failed or skipped, and the route
finishes. Dispatchers may remove, add, reorder and move stops until a stop is done. Every
change records an outbox event named for what happened; the parcels' own moves are
recorded by the parcels (the use cases apply both in one transaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from doorstep.domain.errors import InvalidValue, RouteNotLoaded, RouteRefused
from doorstep.domain.events import DomainEvent, EventName, drain
from doorstep.domain.model import GeoPoint, TimeWindow


class RouteState(StrEnum):
    ASSIGNED = "assigned"
    STARTED = "started"
    FINISHED = "finished"


class StopState(StrEnum):
    PENDING = "pending"
    ARRIVED = "arrived"
    COMPLETED = "completed"
    FAILED = "failed"
    SKIPPED = "skipped"
    REMOVED = "removed"

    @property
    def done(self) -> bool:
        return self not in (StopState.PENDING, StopState.ARRIVED)


@dataclass(frozen=True, slots=True)
class Position:
    """Where a phone said it was, and how sure it was."""

    point: GeoPoint
    accuracy_m: float | None = None

    def __post_init__(self) -> None:
        if self.accuracy_m is not None and not 0 <= self.accuracy_m <= 100_000:
            raise InvalidValue("position.accuracy_m", "must be between 0 and 100000")

    def to_json(self) -> dict[str, Any]:
        return {"lat": self.point.lat, "lon": self.point.lon, "accuracy_m": self.accuracy_m}


@dataclass(eq=False, slots=True)
class RouteStop:
    """One door on a route: what the courier needs there, and what happened."""

    id: str
    sequence: int
    point: GeoPoint
    postcode: str
    address_lines: tuple[str, ...]
    recipient_first_name: str
    parcel_ids: tuple[str, ...]
    planned_arrival: datetime
    window: TimeWindow | None = None
    state: StopState = StopState.PENDING
    arrived_at: datetime | None = None
    arrival_distance_m: float | None = None
    geofence_mismatch: bool = False
    done_at: datetime | None = None
    note: str | None = None


@dataclass(eq=False, slots=True)
class Route:
    id: str
    plan_id: str | None
    hub_id: str
    route_date: date
    courier_id: str
    vehicle_id: str
    stops: list[RouteStop]
    state: RouteState = RouteState.ASSIGNED
    started_at: datetime | None = None
    finished_at: datetime | None = None
    version: int = 0
    new_events: list[DomainEvent] = field(default_factory=list, repr=False)

    # -- reading ---------------------------------------------------------------------------

    def stop(self, stop_id: str) -> RouteStop:
        for stop in self.stops:
            if stop.id == stop_id:
                return stop
        raise RouteRefused(f"Stop {stop_id} is not on route {self.id}.")

    @property
    def active_stops(self) -> list[RouteStop]:
        return [s for s in self.stops if s.state is not StopState.REMOVED]

    @property
    def parcel_ids(self) -> list[str]:
        return [p for s in self.active_stops for p in s.parcel_ids]

    def load_order(self) -> dict[str, int]:
        """Each parcel's load position: the last stop's parcels go in first (position 1)."""
        order: dict[str, int] = {}
        for stop in reversed(self.active_stops):
            for parcel_id in stop.parcel_ids:
                order[parcel_id] = len(order) + 1
        return order

    # -- the courier's day ----------------------------------------------------------------

    @classmethod
    def dispatch(
        cls,
        *,
        id: str,
        plan_id: str | None,
        hub_id: str,
        route_date: date,
        courier_id: str,
        vehicle_id: str,
        stops: list[RouteStop],
        actor: str,
        at: datetime,
    ) -> Route:
        if not stops:
            raise InvalidValue("routes", "a route needs at least one stop")
        route = cls(
            id=id,
            plan_id=plan_id,
            hub_id=hub_id,
            route_date=route_date,
            courier_id=courier_id,
            vehicle_id=vehicle_id,
            stops=stops,
        )
        route._record(
            EventName.ROUTE_DISPATCHED,
            at,
            actor,
            plan_id=plan_id,
            hub_id=hub_id,
            date=route_date.isoformat(),
            courier_id=courier_id,
            vehicle_id=vehicle_id,
            stop_ids=[s.id for s in stops],
        )
        return route

    def start(self, *, at: datetime, actor: str, unloaded_barcodes: Sequence[str]) -> None:
        if self.state is not RouteState.ASSIGNED:
            raise RouteRefused(f"Route {self.id} is {self.state.value}: it cannot start again.")
        if unloaded_barcodes:
            raise RouteNotLoaded(self.id, unloaded_barcodes)
        self.state = RouteState.STARTED
        self.started_at = at
        self._record(EventName.ROUTE_STARTED, at, actor, courier_id=self.courier_id)

    def arrive(
        self,
        stop_id: str,
        *,
        at: datetime,
        actor: str,
        position: Position | None,
        distance_m: float | None,
        geofence_radius_m: float,
    ) -> RouteStop:
        """Record arrival; far from the address is a geofence mismatch, never a refusal."""
        stop = self._open_stop(stop_id)
        if stop.state is StopState.ARRIVED:
            return stop
        stop.state = StopState.ARRIVED
        stop.arrived_at = at
        stop.arrival_distance_m = distance_m
        stop.geofence_mismatch = distance_m is not None and distance_m > geofence_radius_m
        self._record(
            EventName.STOP_ARRIVED,
            at,
            actor,
            stop_id=stop.id,
            position=None if position is None else position.to_json(),
            distance_m=None if distance_m is None else round(distance_m),
            geofence_mismatch=stop.geofence_mismatch,
        )
        return stop

    def complete(self, stop_id: str, *, at: datetime, actor: str, method: str) -> RouteStop:
        stop = self._open_stop(stop_id)
        stop.state = StopState.COMPLETED
        stop.done_at = at
        self._record(EventName.STOP_COMPLETED, at, actor, stop_id=stop.id, method=method)
        return stop

    def fail(self, stop_id: str, *, at: datetime, actor: str, reason: str) -> RouteStop:
        stop = self._open_stop(stop_id)
        stop.state = StopState.FAILED
        stop.done_at = at
        self._record(EventName.STOP_FAILED, at, actor, stop_id=stop.id, reason=reason)
        return stop

    def skip(self, stop_id: str, *, at: datetime, actor: str, note: str | None) -> RouteStop:
        stop = self._open_stop(stop_id)
        stop.state = StopState.SKIPPED
        stop.done_at = at
        stop.note = note
        self._record(EventName.STOP_SKIPPED, at, actor, stop_id=stop.id, note=note)
        return stop

    def finish(self, *, at: datetime, actor: str) -> list[RouteStop]:
        """Finish the day; returns the stops never done, whose parcels go back to the hub."""
        if self.state is not RouteState.STARTED:
            raise RouteRefused(
                f"Route {self.id} is {self.state.value}: only a started route finishes."
            )
        left = [s for s in self.active_stops if not s.state.done]
        for stop in left:
            stop.state = StopState.SKIPPED
            stop.done_at = at
            stop.note = stop.note or "not reached before the route finished"
        self.state = RouteState.FINISHED
        self.finished_at = at
        self._record(
            EventName.ROUTE_FINISHED,
            at,
            actor,
            stops_done=sum(1 for s in self.active_stops if s.state is StopState.COMPLETED),
            stops_failed=sum(1 for s in self.active_stops if s.state is StopState.FAILED),
            stops_not_reached=[s.id for s in left],
        )
        return left

    def note_access_code_revealed(
        self,
        stop_id: str,
        *,
        at: datetime,
        actor: str,
        distance_m: float | None,
        override: str | None,
    ) -> None:
        self._record(
            EventName.STOP_ACCESS_CODE_REVEALED,
            at,
            actor,
            stop_id=stop_id,
            distance_m=None if distance_m is None else round(distance_m),
            override_reason=override,
        )

    # -- the dispatcher's edits -----------------------------------------------------------

    def remove_stop(self, stop_id: str, *, at: datetime, actor: str, reason: str) -> RouteStop:
        """Take a stop off (its parcels go back to the queue); refused once it is done."""
        stop = self._editable_stop(stop_id)
        if not reason.strip():
            raise InvalidValue("reason", "say why the stop is removed")
        stop.state = StopState.REMOVED
        stop.done_at = at
        stop.note = reason
        self._record(EventName.ROUTE_STOP_REMOVED, at, actor, stop_id=stop.id, reason=reason)
        return stop

    def remove_parcels(
        self, stop_id: str, parcel_ids: Sequence[str], *, at: datetime, actor: str, reason: str
    ) -> RouteStop:
        """Take some parcels off a stop (their recipient chose another day) while the stop
        stays for the others; taking off all of them removes the stop. Refused once done."""
        stop = self._editable_stop(stop_id)
        leaving = [p for p in stop.parcel_ids if p in set(parcel_ids)]
        if not leaving:
            raise InvalidValue("parcel_ids", f"none of these parcels rides on stop {stop_id}")
        staying = tuple(p for p in stop.parcel_ids if p not in leaving)
        if not staying:
            return self.remove_stop(stop_id, at=at, actor=actor, reason=reason)
        stop.parcel_ids = staying
        self._record(
            EventName.ROUTE_PARCELS_REMOVED,
            at,
            actor,
            stop_id=stop.id,
            parcel_ids=leaving,
            reason=reason,
        )
        return stop

    def add_stop(
        self, stop: RouteStop, *, at: datetime, actor: str, moved_from: str | None = None
    ) -> None:
        self._editable()
        stop.sequence = max((s.sequence for s in self.stops), default=0) + 1
        self.stops.append(stop)
        self._record(
            EventName.ROUTE_STOP_ADDED, at, actor, stop_id=stop.id, moved_from_route=moved_from
        )

    def reorder(self, stop_ids: Sequence[str], *, at: datetime, actor: str) -> None:
        """Put the stops not yet done in the given order; done stops keep their places."""
        self._editable()
        open_stops = {s.id: s for s in self.active_stops if not s.state.done}
        if sorted(stop_ids) != sorted(open_stops) or len(set(stop_ids)) != len(stop_ids):
            raise InvalidValue("stop_ids", "list every stop not yet done, each once")
        first = max((s.sequence for s in self.stops if s.id not in open_stops), default=0)
        for offset, stop_id in enumerate(stop_ids, start=1):
            open_stops[stop_id].sequence = first + offset
        self.stops.sort(key=lambda s: s.sequence)
        self._record(EventName.ROUTE_STOPS_REORDERED, at, actor, stop_ids=list(stop_ids))

    def reassign(self, courier_id: str, *, at: datetime, actor: str) -> None:
        """Hand the whole route, stops and order kept, to another courier.

        The new courier's app picks it up at its next sync; the old courier's later
        actions are refused because the route is no longer theirs.
        """
        self._editable()
        if courier_id == self.courier_id:
            raise InvalidValue("courier_id", f"route {self.id} is already that courier's")
        previous = self.courier_id
        self.courier_id = courier_id
        self._record(
            EventName.ROUTE_REASSIGNED,
            at,
            actor,
            from_courier_id=previous,
            to_courier_id=courier_id,
        )

    # -- internals --------------------------------------------------------------------------

    def _editable(self) -> None:
        if self.state is RouteState.FINISHED:
            raise RouteRefused(f"Route {self.id} is finished: it cannot change.")

    def _editable_stop(self, stop_id: str) -> RouteStop:
        self._editable()
        stop = self.stop(stop_id)
        if stop.state.done:
            raise RouteRefused(f"Stop {stop_id} is {stop.state.value}: it cannot change.")
        return stop

    def _open_stop(self, stop_id: str) -> RouteStop:
        if self.state is not RouteState.STARTED:
            raise RouteRefused(
                f"Route {self.id} is {self.state.value}: start it before working its stops."
            )
        stop = self.stop(stop_id)
        if stop.state is StopState.REMOVED:
            raise RouteRefused(
                f"Stop {stop_id} was taken off this route by the dispatcher; skip to the next."
            )
        if stop.state.done:
            raise RouteRefused(f"Stop {stop_id} is already {stop.state.value}.")
        return stop

    def _record(self, name: EventName, at: datetime, actor: str, **payload: Any) -> None:
        self.new_events.append(
            DomainEvent(
                name=name,
                aggregate_id=self.id,
                occurred_at=at,
                payload={"route_id": self.id, "actor": actor, **payload},
            )
        )

    def collect_events(self) -> list[DomainEvent]:
        return drain(self.new_events)
