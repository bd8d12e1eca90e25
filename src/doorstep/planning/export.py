"""A plan as documents: the JSON the API stores and returns, GeoJSON for maps, CSV rows.

The JSON document is self-contained (it carries every coordinate), so a stored plan can
be drawn or exported later without the problem it was solved from.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from doorstep.domain.text import spreadsheet_cell
from doorstep.planning.model import Plan, PlanningProblem, Route

Document = dict[str, Any]


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _route_document(route: Route, problem: PlanningProblem) -> Document:
    stops = {s.id: s for s in problem.stops}
    vehicle = next(v for v in problem.vehicles if v.id == route.vehicle_id)
    return {
        "vehicle_id": route.vehicle_id,
        "vehicle_type": vehicle.vehicle_type.value,
        "start_hub": route.start_hub,
        "end_hub": route.end_hub,
        "start": _iso(route.start),
        "end": _iso(route.end),
        "distance_m": route.distance_m,
        "duration_s": route.duration_s,
        "load": {
            "parcels": route.load.parcels,
            "weight_kg": round(route.load.weight_kg, 3),
            "volume_litres": round(route.load.volume_litres, 3),
        },
        "co2_kg": round(route.co2_kg, 3),
        "cost": round(route.cost, 2),
        "break": None
        if route.break_ is None
        else {
            "start": _iso(route.break_.start),
            "duration_s": route.break_.duration_s,
            "after_stop": route.break_.after_stop,
        },
        "stops": [
            {
                "sequence": sequence,
                "stop_id": planned.stop_id,
                "lat": stops[planned.stop_id].point.lat,
                "lon": stops[planned.stop_id].point.lon,
                "postcode": stops[planned.stop_id].postcode,
                "parcel_ids": list(planned.parcel_ids),
                "arrival": _iso(planned.arrival),
                "service_start": _iso(planned.service_start),
                "departure": _iso(planned.departure),
            }
            for sequence, planned in enumerate(route.stops, start=1)
        ],
    }


def plan_document(plan: Plan, problem: PlanningProblem) -> Document:
    """The plan as JSON-ready data: routes, totals, and every unassigned stop's reason."""
    stops = {s.id: s for s in problem.stops}
    return {
        "date": problem.date.isoformat(),
        "departure": _iso(problem.departure),
        "hubs": [{"id": h.id, "lat": h.point.lat, "lon": h.point.lon} for h in problem.hubs],
        "routes": [_route_document(route, problem) for route in plan.routes if route.stops],
        "totals": {
            "routes": sum(1 for route in plan.routes if route.stops),
            "stops": len(plan.routed_stop_ids),
            "parcels": sum(route.load.parcels for route in plan.routes),
            "distance_m": plan.distance_m,
            "duration_s": plan.duration_s,
            "co2_kg": round(plan.co2_kg, 3),
            "cost": round(plan.cost, 2),
            "unassigned_stops": len(plan.unassigned),
        },
        "unassigned": [
            {
                "stop_id": item.stop_id,
                "parcel_ids": list(item.parcel_ids),
                "reason": item.reason.value,
                "lat": stops[item.stop_id].point.lat if item.stop_id in stops else None,
                "lon": stops[item.stop_id].point.lon if item.stop_id in stops else None,
            }
            for item in plan.unassigned
        ],
    }


def _point(lon: float, lat: float, properties: Document) -> Document:
    geometry = {"type": "Point", "coordinates": [lon, lat]}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def geojson(document: Document) -> Document:
    """A GeoJSON FeatureCollection: hubs, one line and its stops per route, leftovers.

    Lines join stops in visiting order (straight segments): the order and ETAs are the
    plan, the street-level path is the courier's navigation.
    """
    hubs = {h["id"]: (h["lon"], h["lat"]) for h in document["hubs"]}
    features = [_point(lon, lat, {"kind": "hub", "id": hub}) for hub, (lon, lat) in hubs.items()]
    for route in document["routes"]:
        path = [list(hubs[route["start_hub"]])]
        path += [[stop["lon"], stop["lat"]] for stop in route["stops"]]
        path.append(list(hubs[route["end_hub"]]))
        summary = {k: route[k] for k in ("vehicle_id", "vehicle_type", "start", "end")}
        summary |= {k: route[k] for k in ("distance_m", "duration_s", "co2_kg")}
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": path},
                "properties": {"kind": "route", **summary, "stops": len(route["stops"])},
            }
        )
        for stop in route["stops"]:
            keep = ("stop_id", "sequence", "arrival", "service_start", "departure", "postcode")
            properties = {"kind": "stop", "vehicle_id": route["vehicle_id"]}
            properties |= {k: stop[k] for k in keep} | {"parcels": len(stop["parcel_ids"])}
            features.append(_point(stop["lon"], stop["lat"], properties))
    for item in document["unassigned"]:
        if item["lat"] is not None:
            properties = {
                "kind": "unassigned",
                "stop_id": item["stop_id"],
                "reason": item["reason"],
            }
            features.append(_point(item["lon"], item["lat"], properties))
    return {"type": "FeatureCollection", "features": features}


CSV_COLUMNS = (
    "vehicle_id", "sequence", "stop_id", "parcel_ids", "lat", "lon", "postcode",
    "arrival", "service_start", "departure", "status",
)  # fmt: skip


def csv_rows(document: Document) -> Iterator[dict[str, Any]]:
    """One row per stop in visiting order, then one per unassigned stop with its reason.

    Cells are safe to open in a spreadsheet (ids carry brands' references, which could
    otherwise be read as formulas): see :func:`doorstep.domain.text.spreadsheet_cell`.
    """
    for row in _rows(document):
        yield {column: spreadsheet_cell(value) for column, value in row.items()}


def _rows(document: Document) -> Iterator[dict[str, Any]]:
    for route in document["routes"]:
        for stop in route["stops"]:
            row = {column: stop.get(column, "") for column in CSV_COLUMNS}
            row |= {"vehicle_id": route["vehicle_id"], "status": "planned"}
            row["parcel_ids"] = " ".join(stop["parcel_ids"])
            yield row
    for item in document["unassigned"]:
        yield {column: "" for column in CSV_COLUMNS} | {
            "stop_id": item["stop_id"],
            "parcel_ids": " ".join(item["parcel_ids"]),
            "lat": item["lat"],
            "lon": item["lon"],
            "status": f"unassigned: {item['reason']}",
        }
