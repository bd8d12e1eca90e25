"""A plan as documents: the typed plan document, GeoJSON for maps, CSV rows.

The document (:mod:`doorstep.planning.document`) is self-contained, so a stored plan can
be drawn or exported later without the problem it was solved from.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from doorstep.domain.text import spreadsheet_cell
from doorstep.planning.document import (
    PlanBreak,
    PlanDocument,
    PlanHub,
    PlanLoad,
    PlanParcel,
    PlanReload,
    PlanRoute,
    PlanStop,
    PlanTotals,
    PlanUnassigned,
)
from doorstep.planning.model import Plan, PlannedStop, PlanningProblem, PlanningStop, Route

Feature = dict[str, Any]


def _parcel(parcel_id: str, manifest: Mapping[str, PlanParcel]) -> PlanParcel:
    """The manifest's line, or a bare one (callers that plan without a manifest)."""
    found = manifest.get(parcel_id)
    if found is not None:
        return found
    return PlanParcel(
        parcel_id=parcel_id, reference="", barcode=None, recipient_first_name="",
        address_lines=[], postcode="",
    )  # fmt: skip


def _stop(
    sequence: int, planned: PlannedStop, stop: PlanningStop, manifest: Mapping[str, PlanParcel]
) -> PlanStop:
    parcels = [_parcel(p, manifest) for p in planned.parcel_ids]
    return PlanStop(
        sequence=sequence,
        stop_id=planned.stop_id,
        lat=stop.point.lat,
        lon=stop.point.lon,
        postcode=stop.postcode,
        address_lines=parcels[0].address_lines,
        recipient_first_name=parcels[0].recipient_first_name,
        parcel_ids=list(planned.parcel_ids),
        parcels=parcels,
        arrival=planned.arrival,
        service_start=planned.service_start,
        departure=planned.departure,
    )


def _route(route: Route, problem: PlanningProblem, manifest: Mapping[str, PlanParcel]) -> PlanRoute:
    stops = {s.id: s for s in problem.stops}
    vehicle = next(v for v in problem.vehicles if v.id == route.vehicle_id)
    brk = route.break_
    return PlanRoute(
        vehicle_id=route.vehicle_id,
        vehicle_type=vehicle.vehicle_type.value,
        start_hub=route.start_hub,
        end_hub=route.end_hub,
        start=route.start,
        end=route.end,
        distance_m=route.distance_m,
        duration_s=route.duration_s,
        load=PlanLoad(
            parcels=route.load.parcels,
            weight_kg=round(route.load.weight_kg, 3),
            volume_litres=round(route.load.volume_litres, 3),
        ),
        co2_kg=round(route.co2_kg, 3),
        cost=round(route.cost, 2),
        break_=None
        if brk is None
        else PlanBreak(start=brk.start, duration_s=brk.duration_s, after_stop=brk.after_stop),
        reloads=[
            PlanReload(after_stop=r.after_stop, arrival=r.arrival, departure=r.departure)
            for r in route.reloads
        ],
        stops=[
            _stop(sequence, planned, stops[planned.stop_id], manifest)
            for sequence, planned in enumerate(route.stops, start=1)
        ],
    )


def plan_document(
    plan: Plan, problem: PlanningProblem, manifest: Mapping[str, PlanParcel] | None = None
) -> PlanDocument:
    """The plan as a document: routes, totals, and every unassigned stop's reason.

    ``manifest`` (parcel id -> line) fills in what a courier needs at each stop."""
    manifest = manifest or {}
    stops = {s.id: s for s in problem.stops}
    return PlanDocument(
        date=problem.date,
        departure=problem.departure,
        hubs=[PlanHub(id=h.id, lat=h.point.lat, lon=h.point.lon) for h in problem.hubs],
        routes=[_route(route, problem, manifest) for route in plan.routes if route.stops],
        totals=PlanTotals(
            routes=sum(1 for route in plan.routes if route.stops),
            stops=len(plan.routed_stop_ids),
            parcels=sum(route.load.parcels for route in plan.routes),
            distance_m=plan.distance_m,
            duration_s=plan.duration_s,
            co2_kg=round(plan.co2_kg, 3),
            cost=round(plan.cost, 2),
            unassigned_stops=len(plan.unassigned),
        ),
        unassigned=[
            PlanUnassigned(
                stop_id=item.stop_id,
                parcel_ids=list(item.parcel_ids),
                reason=item.reason.value,
                detail=item.detail,
                lat=stops[item.stop_id].point.lat if item.stop_id in stops else None,
                lon=stops[item.stop_id].point.lon if item.stop_id in stops else None,
            )
            for item in plan.unassigned
        ],
    )


def _point(lon: float, lat: float, properties: Feature) -> Feature:
    geometry = {"type": "Point", "coordinates": [lon, lat]}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _route_features(route: PlanRoute, hubs: dict[str, tuple[float, float]]) -> list[Feature]:
    reloaded = {r.after_stop for r in route.reloads}
    path = [list(hubs[route.start_hub])]
    for stop in route.stops:
        path.append([stop.lon, stop.lat])
        if stop.stop_id in reloaded:
            path.append(list(hubs[route.start_hub]))
    path.append(list(hubs[route.end_hub]))
    summary = route.model_dump(
        mode="json",
        include={"vehicle_id", "vehicle_type", "start", "end", "distance_m", "duration_s"},
    ) | {"co2_kg": route.co2_kg}
    line = {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": path},
        "properties": {
            "kind": "route",
            **summary,
            "stops": len(route.stops),
            "reloads": len(route.reloads),
        },
    }
    keep = {"stop_id", "sequence", "arrival", "service_start", "departure", "postcode"}
    points = [
        _point(
            stop.lon,
            stop.lat,
            {"kind": "stop", "vehicle_id": route.vehicle_id}
            | stop.model_dump(mode="json", include=keep)
            | {"parcels": len(stop.parcel_ids)},
        )
        for stop in route.stops
    ]
    return [line, *points]


def geojson(document: PlanDocument) -> Feature:
    """A GeoJSON FeatureCollection: hubs, one line and its stops per route, leftovers.

    Lines join stops in visiting order (straight segments): the order and ETAs are the
    plan, the street-level path is the courier's navigation.
    """
    hubs = {h.id: (h.lon, h.lat) for h in document.hubs}
    features = [_point(lon, lat, {"kind": "hub", "id": hub}) for hub, (lon, lat) in hubs.items()]
    for route in document.routes:
        features += _route_features(route, hubs)
    for item in document.unassigned:
        if item.lat is not None and item.lon is not None:
            properties = {"kind": "unassigned", "stop_id": item.stop_id, "reason": item.reason}
            features.append(_point(item.lon, item.lat, properties))
    return {"type": "FeatureCollection", "features": features}


CSV_COLUMNS = (
    "vehicle_id", "sequence", "stop_id", "parcel_ids", "lat", "lon", "postcode",
    "arrival", "service_start", "departure", "status",
)  # fmt: skip


def csv_rows(document: PlanDocument) -> Iterator[dict[str, Any]]:
    """One row per stop in visiting order, then one per unassigned stop with its reason.

    Cells are safe to open in a spreadsheet (ids carry brands' references, which could
    otherwise be read as formulas): see :func:`doorstep.domain.text.spreadsheet_cell`.
    """
    for row in _rows(document):
        yield {column: spreadsheet_cell(value) for column, value in row.items()}


def _rows(document: PlanDocument) -> Iterator[dict[str, Any]]:
    for route in document.routes:
        reloads = {r.after_stop: r for r in route.reloads}
        for stop in route.stops:
            row = stop.model_dump(mode="json", include=set(CSV_COLUMNS))
            row |= {"vehicle_id": route.vehicle_id, "status": "planned"}
            row["parcel_ids"] = " ".join(stop.parcel_ids)
            yield {column: row.get(column, "") for column in CSV_COLUMNS}
            if stop.stop_id in reloads:
                yield _reload_row(route, reloads[stop.stop_id])
    for item in document.unassigned:
        status = f"unassigned: {item.reason}" + (f" ({item.detail})" if item.detail else "")
        yield {column: "" for column in CSV_COLUMNS} | {
            "stop_id": item.stop_id,
            "parcel_ids": " ".join(item.parcel_ids),
            "lat": item.lat,
            "lon": item.lon,
            "status": status,
        }


def _reload_row(route: PlanRoute, reload: PlanReload) -> dict[str, Any]:
    """A row for a return to the hub between trips, in its place in the visiting order."""
    row: dict[str, Any] = dict.fromkeys(CSV_COLUMNS, "")
    times = reload.model_dump(mode="json", include={"arrival", "departure"})
    return (
        row
        | times
        | {"vehicle_id": route.vehicle_id, "stop_id": route.start_hub, "status": "reload at hub"}
    )
