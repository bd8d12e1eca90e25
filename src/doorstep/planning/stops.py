"""Parcels to stops: one visit per door (or building entrance), not one per parcel.

Grouping matters twice: the courier parks and rings once, and the solver has fewer nodes.
Two parcels share a stop when they go to the same normalised address, or to the same
entrance (coordinates equal after rounding, and the same postcode, so two flats geocoded
to the building's centroid merge, while neighbours across a postcode boundary do not).
Their windows are intersected; a parcel whose window does not overlap the group's gets a
separate visit rather than forcing an impossible one. A parcel above
:data:`HEAVY_PARCEL_KG` is a visit of its own: it needs its own handling (and perhaps a
vehicle of its own), and grouped with the small parcels at the same door it would make
the whole stop too heavy for the vehicles that could take them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from doorstep.domain.model import (
    AddressType,
    GeoPoint,
    Priority,
    ServiceLevel,
    TimeWindow,
)
from doorstep.planning.model import AreaType, ParcelLoad, PlanningStop

HEAVY_PARCEL_KG = 30.0  # above this a parcel needs two people, a sack truck or a tail lift

# Earlier in this tuple is more urgent: a stop takes the most urgent level of its parcels.
_URGENCY = (ServiceLevel.SAME_DAY, ServiceLevel.SCHEDULED, ServiceLevel.NEXT_DAY)


@dataclass(frozen=True, slots=True)
class ParcelRequest:
    """One parcel to deliver, as the grouping step needs it."""

    parcel: ParcelLoad
    point: GeoPoint
    address_key: str
    postcode: str
    window: TimeWindow | None = None
    service_level: ServiceLevel = ServiceLevel.NEXT_DAY
    priority: Priority = Priority.NORMAL
    address_type: AddressType = AddressType.HOUSE
    area: AreaType = AreaType.INNER
    door_time_s: int | None = None
    needs_longer: bool = False


def normalise_address(text: str) -> str:
    """Case, commas and spacing do not make a different door."""
    return " ".join(text.lower().replace(",", " ").split())


def group_into_stops(
    requests: Sequence[ParcelRequest], *, coordinate_decimals: int = 5
) -> list[PlanningStop]:
    """Stops in first-seen order; ids are ``stop_<first parcel id>``.

    Five decimals of latitude is about 1.1 m: the same entrance, not the next house.
    """
    groups = _connected_groups(requests, coordinate_decimals)
    stops: list[PlanningStop] = []
    for members in groups:
        light = [r for r in members if r.parcel.weight_kg <= HEAVY_PARCEL_KG]
        for visit in _split_by_window(light):
            stops.append(_make_stop(visit))
        stops += [_make_stop([r]) for r in members if r.parcel.weight_kg > HEAVY_PARCEL_KG]
    return stops


def _connected_groups(
    requests: Sequence[ParcelRequest], decimals: int
) -> list[list[ParcelRequest]]:
    """Union-find over the two keys, so "same address" and "same entrance" chain."""
    parent = list(range(len(requests)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_by_key: dict[tuple[str, ...], int] = {}
    for i, r in enumerate(requests):
        entrance = (
            "entrance",
            f"{round(r.point.lat, decimals):.{decimals}f}",
            f"{round(r.point.lon, decimals):.{decimals}f}",
            normalise_address(r.postcode).replace(" ", ""),
        )
        for key in (("address", normalise_address(r.address_key)), entrance):
            j = first_by_key.setdefault(key, i)
            parent[find(i)] = find(j)
    by_root: dict[int, list[ParcelRequest]] = defaultdict(list)
    for i, r in enumerate(requests):
        by_root[find(i)].append(r)
    return list(by_root.values())  # dicts keep insertion order: first-seen parcel first


def _split_by_window(members: list[ParcelRequest]) -> list[list[ParcelRequest]]:
    """Greedy first fit by window start: keeps a visit whenever the intersection survives."""
    visits: list[tuple[TimeWindow | None, list[ParcelRequest]]] = []
    ordered = sorted(members, key=lambda r: (r.window is not None, r.window and r.window.start))
    for r in ordered:
        for k, (window, group) in enumerate(visits):
            overlaps, merged = _intersect(window, r.window)
            if overlaps:
                visits[k] = (merged, [*group, r])
                break
        else:
            visits.append((r.window, [r]))
    return [group for _, group in visits]


def _intersect(a: TimeWindow | None, b: TimeWindow | None) -> tuple[bool, TimeWindow | None]:
    """Whether they overlap, and the common window (None when neither constrains)."""
    if a is None or b is None:
        return True, a or b
    start, end = max(a.start, b.start), min(a.end, b.end)
    return (True, TimeWindow(start, end)) if start < end else (False, None)


def _make_stop(members: list[ParcelRequest]) -> PlanningStop:
    first = members[0]
    window: TimeWindow | None = None
    for r in members:
        _, window = _intersect(window, r.window)  # overlap guaranteed by _split_by_window
    overrides = [r.door_time_s for r in members if r.door_time_s is not None]
    return PlanningStop(
        id=f"stop_{first.parcel.parcel_id}",
        point=first.point,
        parcels=tuple(r.parcel for r in members),
        windows=(window,) if window else (),
        service_level=min((r.service_level for r in members), key=_URGENCY.index),
        priority=Priority.HIGH
        if any(r.priority is Priority.HIGH for r in members)
        else Priority.NORMAL,
        address_type=first.address_type,
        area=first.area,
        door_time_s=max(overrides) if overrides else None,
        postcode=first.postcode,
        needs_longer=any(r.needs_longer for r in members),
    )
