"""The console's Plan page, as use cases: what can be planned, the dispatcher's changes
to a solved plan, and the re-plan that keeps them.

A solved plan is never edited in place: its document is what the solver made. A
dispatcher's change (move a stop to another vehicle, lock a stop, remove a vehicle) is an
audit entry on the plan (who, when, what), and the entries, replayed in order over the
document, say what the next plan must keep. ``replan`` asks for that plan through
``plans.request_plan`` with the kept stops as *pins* (see
:mod:`doorstep.planning.pinned`: a vehicle visits its pinned stops first, in order) and
without the removed vehicles; the job queue solves it like any other plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.planning.document import PlanDocument, PlanStop
from doorstep.services import plans
from doorstep.services.access import require_hub_operator, require_id
from doorstep.services.audit import record as record_audit
from doorstep.services.errors import NotFound
from doorstep.services.plans.request import (
    BreakSpec,
    RequestPlan,
    StoredPlanRequest,
    VehicleShift,
    local_day,
)
from doorstep.services.ports import (
    PLANNABLE_STATES,
    AuditEntry,
    Clock,
    Conflict,
    PlanRecord,
    PlanStatus,
    UnitOfWork,
    UnitOfWorkFactory,
)

MOVED = "plan.stop_moved"
LOCKED = "plan.stop_locked"
REMOVED = "plan.vehicle_removed"
REPLANNED = "plan.replanned"
EDITS = (MOVED, LOCKED, REMOVED)

REASONS = {
    "too_heavy_for_every_vehicle": "Too heavy for every vehicle in the fleet.",
    "too_large_for_every_vehicle": "Too bulky for every vehicle in the fleet.",
    "too_many_parcels_for_every_vehicle": "More parcels than any vehicle carries.",
    "window_in_past": "Its delivery window is already over.",
    "window_unreachable": "No vehicle can reach it within its delivery window.",
    "unroutable_address": "The address could not be placed on the road network.",
    "outside_service_area": "Too far from every hub: the coordinates look wrong.",
    "deferred_capacity_short": "Left for another day: the fleet is full today.",
    "deferred_by_cost": "Left for another day: cheaper than serving it today.",
    "no_feasible_route": "No route could take it within the shifts and windows.",
}


def reason_in_words(reason: str, detail: str | None) -> str:
    """The unassigned reason as a dispatcher reads it, with the planner's detail."""
    words = REASONS.get(reason, reason.replace("_", " ").capitalize() + ".")
    return f"{words} ({detail})" if detail else words


@dataclass(frozen=True, slots=True)
class PlannableDay:
    """What a plan of this hub and day would take: orders and parcels waiting."""

    orders: int
    parcels: int


def plannable(uow: UnitOfWork, hub_id: str, day: date) -> PlannableDay:
    require_hub_operator(uow.principal)
    start, end = local_day(day)
    with uow.read_only():
        orders = uow.orders.list_for_planning(hub_id, start, end)
    parcels = sum(1 for o in orders for p in o.parcels if p.state in PLANNABLE_STATES)
    return PlannableDay(len(orders), parcels)


@dataclass(slots=True)
class EditedRoute:
    """A vehicle's stops after the dispatcher's changes; the first ``pinned`` are kept."""

    vehicle_id: str
    stops: list[PlanStop]
    pinned: int = 0
    moved_in: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Edits:
    """The plan's document with every change replayed, and the changes themselves."""

    routes: dict[str, EditedRoute]
    removed: tuple[str, ...]
    entries: tuple[AuditEntry, ...]

    @property
    def pending(self) -> bool:
        return bool(self.entries)

    def pins(self) -> dict[str, list[str]]:
        """Vehicle id -> parcel ids of its kept stops, in order (for the next plan)."""
        return {
            vid: [p for s in r.stops[: r.pinned] for p in s.parcel_ids]
            for vid, r in self.routes.items()
            if r.pinned and vid not in self.removed
        }

    def locked(self, stop_id: str) -> bool:
        return any(
            stop_id in {s.stop_id for s in r.stops[: r.pinned]} for r in self.routes.values()
        )


def _document(plan: PlanRecord) -> PlanDocument:
    if plan.status is not PlanStatus.SUCCEEDED or plan.result is None:
        raise InvalidValue("plan_id", f"plan {plan.id} is {plan.status.value}: not solved yet")
    return PlanDocument.model_validate(plan.result)


def _initial(plan: PlanRecord, document: PlanDocument) -> dict[str, EditedRoute]:
    """Each route as solved; stops the plan was asked to keep count as pinned again."""
    request = StoredPlanRequest.model_validate(plan.request)
    routes: dict[str, EditedRoute] = {}
    for route in document.routes:
        kept = set(request.pins.get(route.vehicle_id, ()))
        pinned = 0
        for stop in route.stops:
            if not kept.intersection(stop.parcel_ids):
                break
            pinned += 1
        routes[route.vehicle_id] = EditedRoute(route.vehicle_id, list(route.stops), pinned)
    for shift in request.vehicles:
        routes.setdefault(shift.vehicle_id, EditedRoute(shift.vehicle_id, []))
    return routes


def replay(plan: PlanRecord, entries: Sequence[AuditEntry]) -> Edits:
    """The changes applied in order over the solved document."""
    document = _document(plan)
    routes = _initial(plan, document)
    removed: list[str] = []
    edits = [e for e in entries if e.action in EDITS]
    for entry in edits:
        d = entry.details
        if entry.action == REMOVED:
            removed.append(d["vehicle_id"])
            routes[d["vehicle_id"]].pinned = 0
        elif entry.action == LOCKED:
            route = routes[d["vehicle_id"]]
            position = next(i for i, s in enumerate(route.stops) if s.stop_id == d["stop_id"])
            route.pinned = max(route.pinned, position + 1)
        else:
            stop = _take(routes, document, d["stop_id"])
            target = routes[d["to_vehicle_id"]]
            target.stops.insert(target.pinned, stop)
            target.pinned += 1
            target.moved_in.add(stop.stop_id)
    return Edits(routes, tuple(removed), tuple(edits))


def _take(routes: dict[str, EditedRoute], document: PlanDocument, stop_id: str) -> PlanStop:
    """Take the stop off its route (or the unassigned list) to move it."""
    for route in routes.values():
        for i, stop in enumerate(route.stops):
            if stop.stop_id == stop_id:
                if i < route.pinned:
                    route.pinned -= 1
                return route.stops.pop(i)
    unassigned = next(u for u in document.unassigned if u.stop_id == stop_id)
    return PlanStop(
        sequence=0,
        stop_id=stop_id,
        lat=unassigned.lat or 0.0,
        lon=unassigned.lon or 0.0,
        postcode="",
        parcel_ids=unassigned.parcel_ids,
        arrival=document.departure,
        service_start=document.departure,
        departure=document.departure,
    )


def _plan(uow: UnitOfWork, plan_id: str) -> PlanRecord:
    require_id(plan_id, "pln", "plan")
    plan = uow.plans.get(plan_id)
    if plan is None:
        raise NotFound("plan", plan_id)
    return plan


def edits(uow: UnitOfWork, plan_id: str) -> Edits:
    """The plan's changes so far (none once it has been re-planned or dispatched)."""
    require_hub_operator(uow.principal)
    with uow.read_only():
        plan = _plan(uow, plan_id)
        entries = uow.audit.list_for(plan_id)
    return replay(plan, entries)


def _open_plan(uow: UnitOfWork, plan_id: str) -> tuple[PlanRecord, Edits]:
    plan = _plan(uow, plan_id)
    entries = uow.audit.list_for(plan_id)
    if any(e.action == REPLANNED for e in entries):
        raise InvalidValue("plan_id", "this plan has been re-planned: change the newer plan")
    if uow.routes.dispatched_plan_indexes(plan.id):
        raise InvalidValue("plan_id", "this plan is dispatched: change its routes on Today")
    return plan, replay(plan, entries)


def _where(current: Edits, stop_id: str) -> str | None:
    """The vehicle the stop is on now, or None when it is on no route."""
    for vid, route in current.routes.items():
        if any(s.stop_id == stop_id for s in route.stops):
            return vid
    return None


def move_stop(uow: UnitOfWork, plan_id: str, stop_id: str, to_vehicle_id: str, clock: Clock) -> str:
    """Put a stop (on a route or unassigned) on another vehicle, kept there at re-plan."""
    require_hub_operator(uow.principal)
    with uow:
        plan, current = _open_plan(uow, plan_id)
        document = _document(plan)
        known = {s.stop_id for r in document.routes for s in r.stops}
        known |= {u.stop_id for u in document.unassigned if u.lat is not None}
        if stop_id not in known:
            raise InvalidValue("stop_id", "no such stop on this plan (or it has no place to go)")
        if to_vehicle_id not in current.routes or to_vehicle_id in current.removed:
            raise InvalidValue("to_vehicle_id", "choose a vehicle of this plan's fleet")
        if _where(current, stop_id) == to_vehicle_id:
            raise InvalidValue("to_vehicle_id", "the stop is already on that vehicle")
        record_audit(uow, clock.now(), MOVED, plan.id, stop_id=stop_id, to_vehicle_id=to_vehicle_id)
        uow.commit()
    return f"Stop {stop_id} moves to {to_vehicle_id} and stays there when you re-plan."


def lock_stop(uow: UnitOfWork, plan_id: str, stop_id: str, clock: Clock) -> str:
    """Keep a stop on its vehicle at its position (and the stops before it) at re-plan."""
    require_hub_operator(uow.principal)
    with uow:
        plan, current = _open_plan(uow, plan_id)
        vehicle_id = _where(current, stop_id)
        if vehicle_id is None or vehicle_id in current.removed:
            raise InvalidValue("stop_id", "only a stop on a route can be locked")
        record_audit(uow, clock.now(), LOCKED, plan.id, stop_id=stop_id, vehicle_id=vehicle_id)
        uow.commit()
    return f"Stop {stop_id} is locked on {vehicle_id} with the stops before it."


def remove_vehicle(uow: UnitOfWork, plan_id: str, vehicle_id: str, clock: Clock) -> str:
    """Leave a vehicle out of the next plan; its stops go to the others."""
    require_hub_operator(uow.principal)
    with uow:
        plan, current = _open_plan(uow, plan_id)
        if vehicle_id not in current.routes or vehicle_id in current.removed:
            raise InvalidValue("vehicle_id", "choose a vehicle of this plan's fleet")
        if len(current.routes) - len(current.removed) <= 1:
            raise InvalidValue("vehicle_id", "a plan needs at least one vehicle")
        moved_in = [
            e.details["stop_id"]
            for e in current.entries
            if e.action == MOVED and e.details["to_vehicle_id"] == vehicle_id
        ]
        if moved_in:
            raise InvalidValue("vehicle_id", "stops were moved to this vehicle: move them first")
        record_audit(uow, clock.now(), REMOVED, plan.id, vehicle_id=vehicle_id)
        uow.commit()
    return f"{vehicle_id} is left out of the next plan; its stops go to the others."


def replan_command(plan: PlanRecord, current: Edits, budget_s: int | None = None) -> RequestPlan:
    """The next plan's request: the same day and shifts, minus removed vehicles, pinned."""
    request = StoredPlanRequest.model_validate(plan.request)
    shifts = tuple(
        VehicleShift(
            s.vehicle_id,
            shift_start=s.shift_start,
            shift_end=s.shift_end,
            break_=None
            if s.break_ is None
            else BreakSpec(s.break_.earliest, s.break_.latest, s.break_.minutes),
            cost_per_km=s.cost_per_km,
            cost_per_hour=s.cost_per_hour,
        )
        for s in request.vehicles
        if s.vehicle_id not in current.removed
    )
    return RequestPlan(
        hub_id=request.hub_id,
        plan_date=request.plan_date,
        depart=request.depart,
        budget_s=budget_s or request.budget_s,
        network=request.network,
        vehicles=shifts,
        pins=current.pins(),
    )


def replan(
    uow_factory: UnitOfWorkFactory,
    principal: Principal,
    plan_id: str,
    clock: Clock,
    *,
    budget_s: int | None = None,
) -> PlanRecord:
    """Ask for the next plan with the changes kept; the caller enqueues it after commit.

    The old plan is marked re-planned in the new plan's transaction, so two dispatchers
    pressing the button together get one new plan and one clear refusal."""
    require_hub_operator(principal)
    with uow_factory(principal).read_only() as uow:
        plan, current = _open_plan(uow, plan_id)
    cmd = replan_command(plan, current, budget_s)

    def mark(uow: UnitOfWork, made: PlanRecord) -> None:
        if any(e.action == REPLANNED for e in uow.audit.list_for(plan.id)):
            raise Conflict("this plan has just been re-planned: open the newer plan")
        record_audit(uow, clock.now(), REPLANNED, plan.id, new_plan_id=made.id)

    return plans.request_plan(uow_factory(principal), cmd, clock, before_commit=mark)


def replanned_as(uow: UnitOfWork, plan_id: str) -> str | None:
    """The newer plan made from this one, if any."""
    require_hub_operator(uow.principal)
    with uow.read_only():
        entries = uow.audit.list_for(plan_id)
    return next((e.details["new_plan_id"] for e in entries if e.action == REPLANNED), None)


@dataclass(frozen=True, slots=True)
class RouteRow:
    """One line of the review table: the route as solved and its stops after changes."""

    index: int  # the route's place in the plan document (what dispatch names)
    vehicle_id: str
    vehicle_type: str
    stops: int
    parcels: int
    km: float
    hours: float
    co2_kg: float
    edited: EditedRoute


@dataclass(frozen=True, slots=True)
class LeftOver:
    stop_id: str
    parcels: int
    words: str
    placeable: bool  # has a point: may be moved onto a route


@dataclass(frozen=True, slots=True)
class Review:
    document: PlanDocument
    routes: list[RouteRow]
    unassigned: list[LeftOver]
    edits: Edits
    idle: list[str]  # vehicles of the plan with no route (a stop may be moved to them)

    @property
    def km(self) -> float:
        return round(sum(r.km for r in self.routes), 1)

    @property
    def hours(self) -> float:
        return round(sum(r.hours for r in self.routes), 1)

    @property
    def co2_kg(self) -> float:
        return round(sum(r.co2_kg for r in self.routes), 1)


def review(plan: PlanRecord, current: Edits) -> Review:
    """The solved plan as the Plan page shows it: per route and in total, with reasons."""
    document = _document(plan)
    rows = [
        RouteRow(
            index=i,
            vehicle_id=r.vehicle_id,
            vehicle_type=r.vehicle_type.replace("_", " "),
            stops=len(r.stops),
            parcels=r.load.parcels,
            km=round(r.distance_m / 1000, 1),
            hours=round(r.duration_s / 3600, 1),
            co2_kg=round(r.co2_kg, 1),
            edited=current.routes[r.vehicle_id],
        )
        for i, r in enumerate(document.routes)
    ]
    left = [
        LeftOver(
            u.stop_id, len(u.parcel_ids), reason_in_words(u.reason, u.detail), u.lat is not None
        )
        for u in document.unassigned
    ]
    routed = {r.vehicle_id for r in document.routes}
    idle = [v for v in current.routes if v not in routed]
    return Review(document, rows, left, current, idle)
