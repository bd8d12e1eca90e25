"""The one road from parcels to a :class:`PlanningProblem`, for every door.

``doorstep plan`` (an order file) and ``POST /v1/plans`` (stored orders) each turn their
parcels into :class:`ParcelToPlan` and call :func:`build_problem`; everything a plan
depends on besides hubs and fleet is decided here once: the parking area of a postcode,
which parcels share a door, and what happens to a parcel with no point (its postcode was
not found at intake): it is left out of the problem and reported ``unroutable_address``
with the reason, while the rest of the day is planned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from doorstep.domain.model import Address, Priority, ServiceLevel, TimeWindow
from doorstep.planning.document import PlanParcel
from doorstep.planning.model import (
    AreaType,
    ParcelLoad,
    PlanningHub,
    PlanningProblem,
    PlanningVehicle,
    Unassigned,
    UnassignedReason,
)
from doorstep.planning.stops import ParcelRequest, group_into_stops

# Postcode areas of central London, where a van rarely parks at the door.
_CENTRAL_AREAS = frozenset({"EC", "WC"})


@dataclass(frozen=True, slots=True)
class ParcelToPlan:
    """One parcel waiting for a route, as every door describes it.

    ``address.point`` is None when the order gave no coordinates and its postcode was
    unknown at intake; ``barcode`` is None for a parcel that has none yet (an order file).
    """

    parcel_id: str
    reference: str
    recipient_name: str
    address: Address
    weight_kg: float
    volume_litres: float = 0.0
    window: TimeWindow | None = None
    closed: TimeWindow | None = None  # inside ``window``: nobody there to receive it
    service_level: ServiceLevel = ServiceLevel.NEXT_DAY
    priority: Priority = Priority.NORMAL
    barcode: str | None = None
    needs_longer: bool = False  # the recipient needs longer to reach the door


@dataclass(frozen=True, slots=True)
class BuiltProblem:
    """The problem to solve, parcels it cannot hold (no point), and every parcel as a
    courier's manifest lists it (by parcel id), for the plan document's stops."""

    problem: PlanningProblem
    unplaceable: tuple[Unassigned, ...]
    manifest: Mapping[str, PlanParcel]


def area_of(postcode: str) -> AreaType:
    """EC and WC postcodes are central London (scarce loading bays); the rest inner."""
    letters = "".join(c for c in postcode[:2] if c.isalpha())
    return AreaType.CENTRAL if letters.upper() in _CENTRAL_AREAS else AreaType.INNER


def first_name(name: str) -> str:
    """What a courier calls out at the door; the full name stays with the order."""
    words = name.split()
    return words[0] if words else ""


def build_problem(
    parcels: Sequence[ParcelToPlan],
    *,
    hubs: Sequence[PlanningHub],
    vehicles: Sequence[PlanningVehicle],
    plan_date: date,
    departure: datetime,
) -> BuiltProblem:
    """Group the parcels into stops (in the order given) and make the problem.

    Raises ``InvalidValue`` when the problem itself is inconsistent (a parcel id twice, a
    vehicle's hub missing): the caller names where that came from.
    """
    requests: list[ParcelRequest] = []
    unplaceable: list[Unassigned] = []
    for parcel in parcels:
        if parcel.address.point is None:
            unplaceable.append(_unplaceable(parcel))
        else:
            requests.append(_request(parcel))
    problem = PlanningProblem(
        plan_date, departure, tuple(hubs), tuple(group_into_stops(requests)), tuple(vehicles)
    )
    manifest = {p.parcel_id: _manifest_line(p) for p in parcels}
    return BuiltProblem(problem, tuple(unplaceable), manifest)


def _request(parcel: ParcelToPlan) -> ParcelRequest:
    address = parcel.address
    assert address.point is not None
    return ParcelRequest(
        parcel=ParcelLoad(parcel.parcel_id, parcel.weight_kg, parcel.volume_litres),
        point=address.point,
        address_key=" ".join((*address.lines, address.postcode)),
        postcode=address.postcode,
        window=parcel.window,
        closed=parcel.closed,
        service_level=parcel.service_level,
        priority=parcel.priority,
        address_type=address.address_type,
        area=area_of(address.postcode),
        needs_longer=parcel.needs_longer,
    )


def _unplaceable(parcel: ParcelToPlan) -> Unassigned:
    postcode = parcel.address.postcode
    return Unassigned(
        f"stop_{parcel.parcel_id}",
        (parcel.parcel_id,),
        UnassignedReason.UNROUTABLE_ADDRESS,
        detail=f"unknown postcode {postcode!r} and no lat/lon given",
    )


def _manifest_line(parcel: ParcelToPlan) -> PlanParcel:
    return PlanParcel(
        parcel_id=parcel.parcel_id,
        reference=parcel.reference,
        barcode=parcel.barcode,
        recipient_first_name=first_name(parcel.recipient_name),
        address_lines=list(parcel.address.lines),
        postcode=parcel.address.postcode,
    )
