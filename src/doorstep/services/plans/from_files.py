"""Order rows, fleet rows, a hub and a day into one :class:`PlanningProblem`.

Everything a person typed is checked here, before any routing, and each problem names
the file, row and column to fix: a window already over at departure, an empty fleet.
Reading the file is this door's order intake, so a row without coordinates is geocoded
here from its postcode, as the API does when an order is created; the rows then take
the one road every door takes (:func:`doorstep.services.plans.problem.build_problem`).

Some things are *warnings*, not errors, because the rest of the day can still be
planned: a postcode nobody knows (its parcels are reported ``unroutable_address``), and
a parcel heavier (or bulkier) than every vehicle (``too_heavy_for_every_vehicle`` or
``too_large_for_every_vehicle``), each with the row named here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Address, Capacity, GeoPoint, TimeWindow
from doorstep.planning.model import Break, PlanningHub, PlanningProblem, PlanningVehicle
from doorstep.planning.service_area import outside_service_area
from doorstep.planning.stops import HEAVY_PARCEL_KG
from doorstep.services.orders.draft import OrderDraft, ParcelDraft
from doorstep.services.plans.problem import BuiltProblem, ParcelToPlan, build_problem
from doorstep.services.ports import Geocoder
from doorstep.services.sheets.fleet_csv import FleetRow
from doorstep.services.sheets.order_csv import AcceptedRow

DEFAULT_HUB = "hub"


@dataclass(frozen=True, slots=True)
class InputProblem:
    """One thing wrong with the input: ``where`` is ``orders``, ``fleet`` or ``--hub``."""

    where: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        place = self.where + (f" row {self.row}" if self.row is not None else "")
        place += f", column {self.column}" if self.column else ""
        return f"{place}: {self.reason}"


class PlanInputError(Exception):
    """The input cannot be planned; ``problems`` lists every reason found."""

    def __init__(self, problems: Sequence[InputProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class PlanInput:
    """The problem, and how to find each parcel and hub again in the files."""

    built: BuiltProblem
    parcel_rows: dict[str, int]
    geocoded_rows: frozenset[int]
    hub_sources: dict[str, str]
    warnings: tuple[InputProblem, ...] = field(default_factory=tuple)
    # Orders outside the service area, left out of the problem so that routing can still
    # name every point off the network in the same run; solving refuses while any remain.
    outside: tuple[InputProblem, ...] = field(default_factory=tuple)

    @property
    def problem(self) -> PlanningProblem:
        return self.built.problem

    def stop_rows(self, stop_id: str) -> list[int]:
        """The order rows of a stop (or of an unplaceable parcel's ``stop_<parcel id>``)."""
        stop = next((s for s in self.problem.stops if s.id == stop_id), None)
        if stop is not None:
            return sorted({self.parcel_rows[p] for p in stop.parcel_ids})
        left = (u for u in self.built.unplaceable if u.stop_id == stop_id)
        return [self.parcel_rows[u.parcel_ids[0]] for u in left]


def parcel_id(reference: str, index: int) -> str:
    """``SHOP-1001-2`` is the second parcel of order ``SHOP-1001`` (1-based, as on labels)."""
    return f"{reference}-{index}"


def build_plan_input(
    orders: Sequence[AcceptedRow],
    fleet: Sequence[FleetRow],
    *,
    hub: GeoPoint,
    plan_date: date,
    departure: datetime,
    postcodes: Geocoder,
) -> PlanInput:
    """Raises :class:`PlanInputError` naming every bad row; returns warnings otherwise."""
    problems: list[InputProblem] = []
    warnings: list[InputProblem] = []
    if not fleet:
        problems.append(InputProblem("fleet", None, None, "the fleet has no vehicles"))
    parcels, parcel_rows, geocoded = _parcels(orders, departure, postcodes, problems, warnings)
    hubs, hub_sources, vehicles = _fleet(fleet, hub, problems)
    if problems:
        raise PlanInputError(problems)
    outside = _far_from_hubs(orders, postcodes, [h.point for h in hubs])
    far_rows = {p.row for p in outside}
    parcels = [p for p in parcels if parcel_rows[p.parcel_id] not in far_rows]
    try:
        built = build_problem(
            parcels, hubs=hubs, vehicles=vehicles, plan_date=plan_date, departure=departure
        )
    except InvalidValue as error:
        raise PlanInputError([InputProblem("input", None, None, str(error))]) from error
    warnings += _too_big(orders, fleet)
    return PlanInput(
        built, parcel_rows, frozenset(geocoded), hub_sources, tuple(warnings), tuple(outside)
    )


def _parcels(
    orders: Sequence[AcceptedRow],
    departure: datetime,
    postcodes: Geocoder,
    problems: list[InputProblem],
    warnings: list[InputProblem],
) -> tuple[list[ParcelToPlan], dict[str, int], set[int]]:
    parcels: list[ParcelToPlan] = []
    parcel_rows: dict[str, int] = {}
    geocoded: set[int] = set()
    for accepted in orders:
        draft, row = accepted.draft, accepted.row
        point = _point(draft, postcodes)
        if point is None:
            reason = f"unknown postcode {draft.postcode!r} and no lat/lon given: not routed"
            warnings.append(InputProblem("orders", row, "postcode", reason))
        elif draft.lat is None or draft.lon is None:
            geocoded.add(row)
        in_time, window = _window(draft, row, departure, problems)
        if not in_time:
            continue
        address = replace(draft.address(), point=point)
        for index, parcel in enumerate(draft.parcels, start=1):
            pid = parcel_id(draft.reference, index)
            parcel_rows[pid] = row
            parcels.append(_parcel(draft, pid, parcel, address, window))
    return parcels, parcel_rows, geocoded


def _far_from_hubs(
    orders: Sequence[AcceptedRow], postcodes: Geocoder, hubs: Sequence[GeoPoint]
) -> list[InputProblem]:
    """Every order whose point is outside the service area, on any network."""
    found = []
    for accepted in orders:
        point = _point(accepted.draft, postcodes)
        far = outside_service_area(point, hubs) if point is not None else None
        if far is not None:
            given = accepted.draft.lat is not None and accepted.draft.lon is not None
            found.append(
                InputProblem("orders", accepted.row, "lat, lon" if given else "postcode", far)
            )
    return found


def _parcel(
    draft: OrderDraft, pid: str, parcel: ParcelDraft, address: Address, window: TimeWindow | None
) -> ParcelToPlan:
    return ParcelToPlan(
        parcel_id=pid,
        reference=draft.reference,
        recipient_name=draft.recipient_name,
        address=address,
        weight_kg=parcel.weight_kg,
        volume_litres=_litres(parcel),
        window=window,
        closed=draft.closed() if window else None,
        service_level=draft.service_level,
        priority=draft.priority,
    )


def _litres(parcel: ParcelDraft) -> float:
    dimensions = parcel.dimensions()
    if dimensions is None:
        return 0.0
    return dimensions.volume_litres


def _point(draft: OrderDraft, postcodes: Geocoder) -> GeoPoint | None:
    if draft.lat is not None and draft.lon is not None:
        return GeoPoint(draft.lat, draft.lon)
    return postcodes.centroid(draft.postcode)


def _window(
    draft: OrderDraft, row: int, departure: datetime, problems: list[InputProblem]
) -> tuple[bool, TimeWindow | None]:
    """Whether the window is still open at departure, and the window (None: any time)."""
    window = draft.window()
    if window is not None and window.end <= departure:
        reason = (
            f"{window.end.isoformat(' ', 'minutes')} is not after the departure "
            f"{departure.isoformat(' ', 'minutes')}: the window is in the past"
        )
        problems.append(InputProblem("orders", row, "window_end", reason))
        return False, None
    return True, window


def _fleet(
    fleet: Sequence[FleetRow], hub: GeoPoint, problems: list[InputProblem]
) -> tuple[tuple[PlanningHub, ...], dict[str, str], tuple[PlanningVehicle, ...]]:
    """Hubs (the plan's hub first, then each other point once) and the vehicles."""
    ids: dict[GeoPoint, str] = {hub: DEFAULT_HUB}
    sources = {DEFAULT_HUB: "--hub"}
    vehicles: list[PlanningVehicle] = []
    for row in fleet:
        ends: list[str] = []
        for column, point in (("start_hub", row.start_hub), ("end_hub", row.end_hub)):
            point = point or hub
            if point not in ids:
                ids[point] = f"hub_{len(ids) + 1}"
                sources[ids[point]] = f"fleet row {row.row}, column {column}"
            ends.append(ids[point])
        try:
            vehicles.append(_vehicle(row, ends[0], ends[1]))
        except InvalidValue as error:
            problems.append(InputProblem("fleet", row.row, error.field, error.reason))
    hubs = tuple(PlanningHub(hub_id, point) for point, hub_id in ids.items())
    return hubs, sources, tuple(vehicles)


def _vehicle(row: FleetRow, start_hub: str, end_hub: str) -> PlanningVehicle:
    brk = row.break_
    return PlanningVehicle(
        id=row.vehicle_id,
        vehicle_type=row.vehicle_type,
        capacity=Capacity(row.capacity_parcels, row.capacity_kg, row.capacity_litres),
        shift_start=row.shift_start,
        shift_end=row.shift_end,
        start_hub=start_hub,
        end_hub=end_hub,
        break_=None if brk is None else Break(brk.earliest, brk.latest, round(brk.minutes * 60)),
        max_route_duration_s=None
        if row.max_route_hours is None
        else round(row.max_route_hours * 3600),
        cost_per_km=row.cost_per_km,
        cost_per_hour=row.cost_per_hour,
        fixed_cost=row.fixed_cost,
        co2_kg_per_km=row.co2_kg_per_km,
        max_reloads=row.max_trips - 1,
        reload_s=round(row.reload_minutes * 60),
        max_parcel_kg=row.max_parcel_kg,
    )


def _too_big(orders: Sequence[AcceptedRow], fleet: Sequence[FleetRow]) -> list[InputProblem]:
    """Parcels no vehicle can carry alone: named now, reported unassigned by the planner."""
    if not fleet:
        return []
    most_kg = max(v.capacity_kg for v in fleet)
    most_litres = max(v.capacity_litres for v in fleet)
    found: list[InputProblem] = []
    for accepted in orders:
        parcel = accepted.draft.parcels[0]  # an order's parcels are identical
        if parcel.weight_kg > most_kg:
            reason = f"{parcel.weight_kg:g} kg is more than any vehicle carries ({most_kg:g} kg)"
            found.append(InputProblem("orders", accepted.row, "weight_kg", reason))
        elif parcel.weight_kg > HEAVY_PARCEL_KG:
            reason = (
                f"{parcel.weight_kg:g} kg: above {HEAVY_PARCEL_KG:g} kg a parcel needs two "
                "people, a sack truck or a tail lift; it is planned as a stop of its own, "
                "with longer at the door, so the other parcels to that address are not held up"
            )
            found.append(InputProblem("orders", accepted.row, "weight_kg", reason))
        if _litres(parcel) > most_litres:
            reason = f"{_litres(parcel):g} litres is more than any vehicle holds ({most_litres:g})"
            found.append(InputProblem("orders", accepted.row, "length_cm", reason))
    return found
