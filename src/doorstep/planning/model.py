"""What the planner is given and what it returns, as plain dataclasses.

The planner never sees ORM rows or API schemas: a service turns parcels, hubs and the fleet
into a :class:`PlanningProblem`, and gets a :class:`Plan` back. Times are timezone-aware
datetimes; durations are whole seconds and distances whole metres, as the solver needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import (
    AddressType,
    Capacity,
    GeoPoint,
    Priority,
    ServiceLevel,
    TimeWindow,
    VehicleType,
)


class AreaType(StrEnum):
    """How hard it is to stop the vehicle near the door (drives the parking time)."""

    CENTRAL = "central"
    INNER = "inner"
    OUTER = "outer"


class UnassignedReason(StrEnum):
    """Why a stop is not on any route: each names something a dispatcher can act on."""

    TOO_HEAVY_FOR_EVERY_VEHICLE = "too_heavy_for_every_vehicle"
    TOO_LARGE_FOR_EVERY_VEHICLE = "too_large_for_every_vehicle"
    TOO_MANY_PARCELS_FOR_EVERY_VEHICLE = "too_many_parcels_for_every_vehicle"
    WINDOW_IN_PAST = "window_in_past"
    WINDOW_UNREACHABLE = "window_unreachable"
    UNROUTABLE_ADDRESS = "unroutable_address"
    OUTSIDE_SERVICE_AREA = "outside_service_area"
    DEFERRED_CAPACITY_SHORT = "deferred_capacity_short"
    DEFERRED_BY_COST = "deferred_by_cost"
    NO_FEASIBLE_ROUTE = "no_feasible_route"


@dataclass(frozen=True, slots=True)
class ParcelLoad:
    """One parcel as the planner sees it: an id and what it takes up in the vehicle."""

    parcel_id: str
    weight_kg: float
    volume_litres: float = 0.0

    def __post_init__(self) -> None:
        if self.weight_kg < 0 or self.volume_litres < 0:
            raise InvalidValue(f"parcel {self.parcel_id}", "weight and volume must not be negative")


@dataclass(frozen=True, slots=True)
class PlanningStop:
    """One place the courier stops at: one or more parcels handed over in one visit.

    ``windows`` are alternatives (a shop open 9-12 and 14-17); empty means any time in the
    shift. ``door_time_s`` overrides the door-time model for this address (a known locker,
    a reception with a slow security desk).
    """

    id: str
    point: GeoPoint
    parcels: tuple[ParcelLoad, ...]
    windows: tuple[TimeWindow, ...] = ()
    service_level: ServiceLevel = ServiceLevel.NEXT_DAY
    priority: Priority = Priority.NORMAL
    address_type: AddressType = AddressType.HOUSE
    area: AreaType = AreaType.INNER
    door_time_s: int | None = None
    postcode: str = ""
    needs_longer: bool = False  # a recipient asked for more time to reach the door

    def __post_init__(self) -> None:
        if not self.parcels:
            raise InvalidValue(f"stop {self.id}.parcels", "a stop needs at least one parcel")
        if self.door_time_s is not None and self.door_time_s < 0:
            raise InvalidValue(f"stop {self.id}.door_time_s", "must not be negative")

    @property
    def parcel_ids(self) -> tuple[str, ...]:
        return tuple(p.parcel_id for p in self.parcels)

    @property
    def weight_kg(self) -> float:
        return sum(p.weight_kg for p in self.parcels)

    @property
    def volume_litres(self) -> float:
        return sum(p.volume_litres for p in self.parcels)

    @property
    def parcel_count(self) -> int:
        return len(self.parcels)

    @property
    def heaviest_kg(self) -> float:
        return max(p.weight_kg for p in self.parcels)

    @property
    def must_serve(self) -> bool:
        """Same-day and high-priority stops go today unless impossible; others may wait."""
        return self.service_level is not ServiceLevel.NEXT_DAY or self.priority is Priority.HIGH


@dataclass(frozen=True, slots=True)
class Break:
    """One break a courier must take, starting between two times (UK drivers' hours)."""

    earliest_start: datetime
    latest_start: datetime
    duration_s: int

    def __post_init__(self) -> None:
        if self.latest_start < self.earliest_start:
            raise InvalidValue("break", "latest start is before earliest start")
        if self.duration_s <= 0:
            raise InvalidValue("break.duration_s", "must be positive")

    def due(self, start: datetime, end: datetime) -> bool:
        """Whether a route from ``start`` to ``end`` (without the break) must take it:
        only if the courier is still working when the break must have begun. A route
        home by then, or leaving after it, needs none."""
        return start <= self.latest_start < end


@dataclass(frozen=True, slots=True)
class PlanningHub:
    """A place routes start or end: a depot, or a courier's position when re-planning."""

    id: str
    point: GeoPoint


MAX_RELOADS = 20  # trips back to the hub in one shift; more is a data error, not a plan


@dataclass(frozen=True, slots=True)
class PlanningVehicle:
    """One vehicle with its courier's shift. Costs are in the operator's currency."""

    id: str
    vehicle_type: VehicleType
    capacity: Capacity
    shift_start: datetime
    shift_end: datetime
    start_hub: str
    end_hub: str
    break_: Break | None = None
    max_route_duration_s: int | None = None
    cost_per_km: float = 0.5
    cost_per_hour: float = 15.0
    fixed_cost: float = 0.0
    co2_kg_per_km: float | None = None
    # Second and later trips: how many times the vehicle may come back to its start hub
    # to load again, and how long loading takes there each time.
    max_reloads: int = 0
    reload_s: int = 900
    # The heaviest single parcel its crew may handle (a rider, one person without a tail
    # lift); None when the vehicle's payload is the only limit.
    max_parcel_kg: float | None = None

    def __post_init__(self) -> None:
        if self.max_parcel_kg is not None and not self.max_parcel_kg > 0:
            raise InvalidValue(f"vehicle {self.id}.max_parcel_kg", "must be positive")
        if not 0 <= self.max_reloads <= MAX_RELOADS:
            raise InvalidValue(
                f"vehicle {self.id}.max_reloads", f"must be between 0 and {MAX_RELOADS}"
            )
        if self.reload_s < 0:
            raise InvalidValue(f"vehicle {self.id}.reload_s", "must not be negative")
        if self.shift_end <= self.shift_start:
            raise InvalidValue(f"vehicle {self.id}.shift_end", "must be after shift_start")
        if self.max_route_duration_s is not None and self.max_route_duration_s <= 0:
            raise InvalidValue(f"vehicle {self.id}.max_route_duration_s", "must be positive")
        if min(self.cost_per_km, self.cost_per_hour, self.fixed_cost) < 0:
            raise InvalidValue(f"vehicle {self.id}.costs", "must not be negative")

    def handles(self, stop: PlanningStop) -> bool:
        """Whether its crew may handle every parcel of the stop (not whether it has room)."""
        return self.max_parcel_kg is None or stop.heaviest_kg <= self.max_parcel_kg + 1e-9

    def carries(self, stop: PlanningStop) -> bool:
        """Whether the stop fits an empty vehicle and its crew may handle every parcel."""
        c = self.capacity
        return (
            stop.weight_kg <= c.weight_kg
            and stop.volume_litres <= c.volume_litres
            and stop.parcel_count <= c.parcels
            and self.handles(stop)
        )


@dataclass(frozen=True, slots=True)
class PlanningProblem:
    """Everything one planning run needs. ``departure`` is "now" for the planner: nothing
    can happen before it, and every time in the solver is counted from it."""

    date: date
    departure: datetime
    hubs: tuple[PlanningHub, ...]
    stops: tuple[PlanningStop, ...]
    vehicles: tuple[PlanningVehicle, ...]

    def __post_init__(self) -> None:
        if self.departure.tzinfo is None:
            raise InvalidValue("departure", "needs a timezone")
        _require_unique("hubs", (h.id for h in self.hubs))
        _require_unique("stops", (s.id for s in self.stops))
        _require_unique("vehicles", (v.id for v in self.vehicles))
        _require_unique("parcels", (p for s in self.stops for p in s.parcel_ids))
        hub_ids = {h.id for h in self.hubs}
        for v in self.vehicles:
            for name, hub in (("start_hub", v.start_hub), ("end_hub", v.end_hub)):
                if hub not in hub_ids:
                    raise InvalidValue(f"vehicle {v.id}.{name}", f"unknown hub {hub!r}")

    def points(self) -> list[GeoPoint]:
        """The order of matrix rows the solver expects: hubs first, then stops."""
        return [h.point for h in self.hubs] + [s.point for s in self.stops]

    def profiles(self) -> list[VehicleType]:
        """Vehicle profiles in use, in a stable order (one matrix each)."""
        return sorted({v.vehicle_type for v in self.vehicles})

    def hub_index(self, hub_id: str) -> int:
        return next(i for i, h in enumerate(self.hubs) if h.id == hub_id)

    def replace_stops(self, stops: Iterable[PlanningStop]) -> PlanningProblem:
        return PlanningProblem(self.date, self.departure, self.hubs, tuple(stops), self.vehicles)


def _require_unique(what: str, ids: Iterable[str]) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise InvalidValue(what, f"id {i!r} appears twice")
        seen.add(i)


@dataclass(frozen=True, slots=True)
class Load:
    parcels: int
    weight_kg: float
    volume_litres: float


@dataclass(frozen=True, slots=True)
class PlannedStop:
    """A visit on a route. ``arrival`` may precede ``service_start`` (waiting for a window)."""

    stop_id: str
    parcel_ids: tuple[str, ...]
    arrival: datetime
    service_start: datetime
    departure: datetime


@dataclass(frozen=True, slots=True)
class PlannedBreak:
    """The break, taken where the courier is after ``after_stop`` (None: at the start hub)."""

    start: datetime
    duration_s: int
    after_stop: str | None


@dataclass(frozen=True, slots=True)
class PlannedReload:
    """Back at the start hub after ``after_stop`` to load the next trip."""

    after_stop: str
    arrival: datetime
    departure: datetime


@dataclass(frozen=True, slots=True)
class Route:
    vehicle_id: str
    start_hub: str
    end_hub: str
    start: datetime
    end: datetime
    stops: tuple[PlannedStop, ...]
    distance_m: int
    load: Load
    co2_kg: float
    cost: float
    break_: PlannedBreak | None = None
    reloads: tuple[PlannedReload, ...] = ()

    @property
    def duration_s(self) -> int:
        return int((self.end - self.start).total_seconds())


@dataclass(frozen=True, slots=True)
class Unassigned:
    """A stop on no route; ``detail`` says more where the reason alone would not."""

    stop_id: str
    parcel_ids: tuple[str, ...]
    reason: UnassignedReason
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...] = field(default_factory=tuple)

    @property
    def distance_m(self) -> int:
        return sum(r.distance_m for r in self.routes)

    @property
    def duration_s(self) -> int:
        return sum(r.duration_s for r in self.routes)

    @property
    def co2_kg(self) -> float:
        return sum(r.co2_kg for r in self.routes)

    @property
    def cost(self) -> float:
        return sum(r.cost for r in self.routes)

    @property
    def routed_stop_ids(self) -> list[str]:
        return [s.stop_id for r in self.routes for s in r.stops]

    def unassigned_reasons(self) -> dict[str, UnassignedReason]:
        return {u.stop_id: u.reason for u in self.unassigned}
