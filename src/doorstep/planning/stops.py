"""Parcels to stops: one visit per door (or building entrance), not one per parcel.

Grouping matters twice: the courier parks and rings once, and the solver has fewer nodes.
Two parcels share a stop when they go to the same normalised address, or to the same
entrance (coordinates equal after rounding, and the same postcode, so two flats geocoded
to the building's centroid merge, while neighbours across a postcode boundary do not).
Their windows are intersected (a window with a closed period inside it, a shop shut for
lunch, is two windows); a parcel whose windows do not overlap the group's gets a
separate visit rather than forcing an impossible one. A parcel above
:data:`HEAVY_PARCEL_KG` is a visit of its own: it needs its own handling (and perhaps a
vehicle of its own), and grouped with the small parcels at the same door it would make
the whole stop too heavy for the vehicles that could take them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

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
    closed: TimeWindow | None = None  # inside ``window``: nobody there to receive it
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


Windows = tuple[TimeWindow, ...] | None
"""When a visit may happen: one or more windows, or None for any time."""


def open_windows(request: ParcelRequest) -> Windows:
    """The request's window less its closed period (a shop shut for lunch: two windows)."""
    window, closed = request.window, request.closed
    if window is None:
        return None
    if closed is None:
        return (window,)
    pieces = ((window.start, closed.start), (closed.end, window.end))
    return tuple(TimeWindow(a, b) for a, b in pieces if a < b)


def _split_by_window(members: list[ParcelRequest]) -> list[list[ParcelRequest]]:
    """Greedy first fit by window start: keeps a visit whenever the intersection survives."""
    visits: list[tuple[Windows, list[ParcelRequest]]] = []

    def earliest(r: ParcelRequest) -> tuple[bool, datetime | None]:
        return (r.window is not None, r.window.start if r.window else None)

    for r in sorted(members, key=earliest):
        own = open_windows(r)
        for k, (windows, group) in enumerate(visits):
            merged = _intersect(windows, own)
            if merged is None or merged:
                visits[k] = (merged, [*group, r])
                break
        else:
            visits.append((own, [r]))
    return [group for _, group in visits]


def _intersect(a: Windows, b: Windows) -> Windows:
    """The times both allow: None when neither constrains, empty when they never meet."""
    if a is None or b is None:
        return a if b is None else b
    common = ((max(x.start, y.start), min(x.end, y.end)) for x in a for y in b)
    return tuple(sorted((TimeWindow(s, e) for s, e in common if s < e), key=lambda w: w.start))


def _make_stop(members: list[ParcelRequest]) -> PlanningStop:
    first = members[0]
    windows: Windows = None
    for r in members:
        windows = _intersect(windows, open_windows(r))  # never empty: _split_by_window
    overrides = [r.door_time_s for r in members if r.door_time_s is not None]
    return PlanningStop(
        id=f"stop_{first.parcel.parcel_id}",
        point=first.point,
        parcels=tuple(r.parcel for r in members),
        windows=windows or (),
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
