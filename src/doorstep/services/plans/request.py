"""A plan request in domain terms, its defaults, and the planning problem built from it.

The stored request is normalised: every vehicle with its shift and costs spelled out,
and the parcels chosen when the plan was asked for. The job then plans exactly that,
minus parcels that left the plannable states meanwhile (cancelled, loaded elsewhere).

Defaults, for a vehicle the request does not describe: shift 08:00-18:00 London time, a
30-minute break starting between 12:00 and 14:00, 0.50 per km and 15.00 per hour.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from doorstep.domain import calendar, delivery_policy, ids
from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Order, Vehicle
from doorstep.domain.parcel import Parcel
from doorstep.planning import Break, PlanningHub, PlanningProblem, PlanningVehicle
from doorstep.services.access import require_reference
from doorstep.services.plans.problem import BuiltProblem, ParcelToPlan, build_problem
from doorstep.services.ports import PLANNABLE_STATES, PlanRecord, UnitOfWork

LONDON = ZoneInfo("Europe/London")
HhMm = Annotated[dt.time, PlainSerializer(lambda t: t.isoformat("minutes"), return_type=str)]
"""A London clock time on the plan's date, written ``HH:MM``."""


class _Stored(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class StoredBreak(_Stored):
    earliest: HhMm
    latest: HhMm
    minutes: int


class StoredShift(_Stored):
    vehicle_id: str
    shift_start: HhMm
    shift_end: HhMm
    break_: StoredBreak | None = Field(alias="break")
    cost_per_km: float
    cost_per_hour: float


class StoredPlanRequest(_Stored):
    """The request as planned: every vehicle's shift spelled out, the parcels chosen."""

    hub_id: str
    plan_date: dt.date = Field(alias="date")
    depart: HhMm
    budget_s: int
    network: str
    vehicles: list[StoredShift]
    order_ids: list[str]
    parcel_ids: list[str]
    # Vehicle id -> parcel ids it delivers first, in order (a dispatcher's locks and moves).
    pins: dict[str, list[str]] = Field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


@dataclass(frozen=True, slots=True)
class BreakSpec:
    earliest: time
    latest: time
    minutes: int


@dataclass(frozen=True, slots=True)
class VehicleShift:
    vehicle_id: str
    shift_start: time = time(8, 0)
    shift_end: time = time(18, 0)
    break_: BreakSpec | None = BreakSpec(time(12, 0), time(14, 0), 30)
    cost_per_km: float = 0.5
    cost_per_hour: float = 15.0


@dataclass(frozen=True, slots=True)
class RequestPlan:
    """``vehicles`` None: every vehicle of the hub with the default shift.

    ``pins``: vehicle id -> parcel ids that vehicle delivers first, in that order (what a
    dispatcher locked or moved; see :mod:`doorstep.planning.pinned`). Pinned parcels no
    longer plannable when the plan is asked for are left out.
    """

    hub_id: str
    plan_date: date
    depart: time = time(8, 0)
    budget_s: int = 10
    network: str = "straight_line"
    vehicles: tuple[VehicleShift, ...] | None = None
    pins: Mapping[str, Sequence[str]] = field(default_factory=dict)


def local_day(day: date) -> tuple[datetime, datetime]:
    """The London day's bounds (a clock change makes it 23 or 25 hours long)."""
    start = datetime.combine(day, time(0), LONDON)
    return start, datetime.combine(day + timedelta(days=1), time(0), LONDON)


def _check_shift(index: int, shift: VehicleShift) -> None:
    where = f"vehicles[{index}]"
    if shift.shift_end <= shift.shift_start:
        raise InvalidValue(f"{where}.shift_end", "must be after shift_start")
    if min(shift.cost_per_km, shift.cost_per_hour) < 0:
        raise InvalidValue(f"{where}.cost_per_km", "costs must not be negative")
    brk = shift.break_
    if brk is not None:
        if brk.minutes <= 0:
            raise InvalidValue(f"{where}.break.minutes", "must be positive")
        if brk.latest < brk.earliest:
            raise InvalidValue(f"{where}.break.latest", "must not be before earliest")


def _chosen_vehicles(uow: UnitOfWork, cmd: RequestPlan) -> list[tuple[Vehicle, VehicleShift]]:
    if cmd.vehicles is None:
        fleet = [v for v in uow.vehicles.list() if v.hub_id == cmd.hub_id]
        if not fleet:
            raise InvalidValue("vehicles", "the hub has no vehicles: list the vehicles to use")
        return [(v, VehicleShift(v.id)) for v in fleet]
    if not cmd.vehicles:
        raise InvalidValue("vehicles", "a plan needs at least one vehicle")
    chosen: list[tuple[Vehicle, VehicleShift]] = []
    for index, shift in enumerate(cmd.vehicles):
        field = f"vehicles[{index}].vehicle_id"
        found = (
            uow.vehicles.get(shift.vehicle_id) if ids.has_prefix(shift.vehicle_id, "veh") else None
        )
        if found is None:
            raise InvalidValue(field, f"no such vehicle: {shift.vehicle_id[:40]}")
        if any(v.id == found.id for v, _ in chosen):
            raise InvalidValue(field, "listed twice")
        _check_shift(index, shift)
        chosen.append((found, shift))
    return chosen


def normalise_request(uow: UnitOfWork, cmd: RequestPlan) -> StoredPlanRequest:
    """The request as stored: validated against hub and fleet, with the parcels to plan."""
    calendar.check_date("date", cmd.plan_date)  # 9999-12-31 has no next day to end on
    require_reference(cmd.hub_id, "hub", uow.hubs.get, "hub_id", "hub")
    vehicles = _chosen_vehicles(uow, cmd)
    start, end = local_day(cmd.plan_date)
    orders = uow.orders.list_for_planning(cmd.hub_id, start, end)
    parcels = [p.id for o in orders for p in o.parcels if waiting_for_plan(p)]
    return StoredPlanRequest(
        hub_id=cmd.hub_id,
        plan_date=cmd.plan_date,
        depart=cmd.depart,
        budget_s=cmd.budget_s,
        network=cmd.network,
        vehicles=[
            StoredShift(
                vehicle_id=vehicle.id,
                shift_start=shift.shift_start,
                shift_end=shift.shift_end,
                break_=None
                if shift.break_ is None
                else StoredBreak(
                    earliest=shift.break_.earliest,
                    latest=shift.break_.latest,
                    minutes=shift.break_.minutes,
                ),
                cost_per_km=shift.cost_per_km,
                cost_per_hour=shift.cost_per_hour,
            )
            for vehicle, shift in vehicles
        ],
        order_ids=[o.id for o in orders],
        parcel_ids=parcels,
        pins=_pins(cmd.pins, {v.id for v, _ in vehicles}, parcels),
    )


def _pins(
    asked: Mapping[str, Sequence[str]], vehicles: set[str], parcels: list[str]
) -> dict[str, list[str]]:
    """The pins as stored: each on a chosen vehicle, each parcel once, still plannable."""
    plannable = set(parcels)
    seen: set[str] = set()
    pins: dict[str, list[str]] = {}
    for vehicle_id, parcel_ids in asked.items():
        if vehicle_id not in vehicles:
            raise InvalidValue("pins", f"vehicle {vehicle_id[:40]} is not in this plan's fleet")
        kept = [p for p in parcel_ids if p in plannable and p not in seen]
        seen.update(kept)
        if kept:
            pins[vehicle_id] = kept
    return pins


def stop_pins(problem: PlanningProblem, pins: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Pinned parcels as the problem's stops: a stop is pinned where its first pinned
    parcel is (parcels sharing a door share a stop), in order of first mention."""
    stop_of = {p: s.id for s in problem.stops for p in s.parcel_ids}
    taken: set[str] = set()
    found: dict[str, list[str]] = {}
    for vehicle_id, parcel_ids in pins.items():
        for parcel_id in parcel_ids:
            stop_id = stop_of.get(parcel_id)
            if stop_id is not None and stop_id not in taken:
                taken.add(stop_id)
                found.setdefault(vehicle_id, []).append(stop_id)
    return found


def waiting_for_plan(parcel: Parcel) -> bool:
    """Not yet out of the hub, and not held there for its recipient to collect."""
    last = parcel.events[-1] if parcel.events else None
    return parcel.state in PLANNABLE_STATES and not delivery_policy.held(last)


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, LONDON)


def _vehicle(uow: UnitOfWork, day: date, hub_id: str, spec: StoredShift) -> PlanningVehicle:
    vehicle = uow.vehicles.get(spec.vehicle_id)
    if vehicle is None:
        raise InvalidValue("vehicles", f"vehicle {spec.vehicle_id} no longer exists")
    brk = spec.break_
    return PlanningVehicle(
        id=vehicle.id,
        vehicle_type=vehicle.vehicle_type,
        capacity=vehicle.capacity,
        shift_start=_at(day, spec.shift_start),
        shift_end=_at(day, spec.shift_end),
        start_hub=hub_id,
        end_hub=hub_id,
        break_=None
        if brk is None
        else Break(_at(day, brk.earliest), _at(day, brk.latest), brk.minutes * 60),
        cost_per_km=spec.cost_per_km,
        cost_per_hour=spec.cost_per_hour,
    )


def _to_plan(order: Order, parcel: Parcel) -> ParcelToPlan:
    return ParcelToPlan(
        parcel_id=parcel.id,
        reference=order.reference,
        recipient_name=order.recipient.name,
        address=order.address,
        weight_kg=parcel.weight_kg,
        volume_litres=parcel.dimensions.volume_litres if parcel.dimensions else 0.0,
        window=order.window,
        closed=order.closed,
        service_level=order.service_level,
        priority=order.priority,
        barcode=parcel.barcode,
        needs_longer=order.needs_more_time,
    )


def planning_problem(uow: UnitOfWork, plan: PlanRecord) -> BuiltProblem:
    """The stored request as a problem, by the one road every door takes: the parcels
    still waiting (in the order chosen), the hub, and each vehicle's shift."""
    request = StoredPlanRequest.model_validate(plan.request)
    hub = uow.hubs.get(plan.hub_id)
    if hub is None:
        raise InvalidValue("hub_id", "the hub no longer exists")
    day = plan.plan_date
    vehicles = [_vehicle(uow, day, hub.id, spec) for spec in request.vehicles]
    wanted = set(request.parcel_ids)
    parcels: list[ParcelToPlan] = []
    for order_id in request.order_ids:
        order = uow.orders.get(order_id)
        if order is None:
            continue
        parcels += [
            _to_plan(order, parcel)
            for parcel in order.parcels
            if parcel.id in wanted and waiting_for_plan(parcel)
        ]
    return build_problem(
        parcels,
        hubs=[PlanningHub(hub.id, hub.point)],
        vehicles=vehicles,
        plan_date=day,
        departure=_at(day, request.depart),
    )
