"""How far from a hub a stop may be before it is a mistake rather than a delivery.

A point hundreds of kilometres from every hub is almost always a typing slip (latitude
and longitude swapped, a sign lost) or a bad geocode. Straight-line planning would
happily price the trip; a road network would say "unroutable" only if it ends nearby.
This one rule, measured as the crow flies so every network gives the same answer, is
what the planner's pre-check and the order-file door both apply.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from doorstep.domain.model import GeoPoint
from doorstep.geo.geometry import haversine_m

SERVICE_RADIUS_KM = 100.0  # the M25 is about 30 km from central London; a region fits


def outside_service_area(point: GeoPoint, hubs: Sequence[GeoPoint]) -> str | None:
    """Why the point is outside the service area, or None when some hub is near enough."""
    if not hubs:
        return None
    lat = np.array([h.lat for h in hubs])
    lon = np.array([h.lon for h in hubs])
    nearest_km = float(np.min(haversine_m(point.lat, point.lon, lat, lon))) / 1000
    if nearest_km <= SERVICE_RADIUS_KM:
        return None
    return (
        f"{nearest_km:,.0f} km from the nearest hub (the limit is {SERVICE_RADIUS_KM:.0f} km): "
        "check the coordinates, latitude first"
    )
