"""Which OSM ways each vehicle may use, in which direction, and how fast.

Pure functions of a way's tags, so the rules can be read and tested without a map.
They follow the OSM wiki's access and one-way conventions
(https://wiki.openstreetmap.org/wiki/Key:access, Key:oneway) and UK law: cycling is
allowed on bridleways and on roads other than motorways unless signed otherwise,
walking everywhere but motorways.

Speeds are free-flow (night) speeds. A van rarely holds the limit in a city even at
night (signals, junctions, parked cars), so it gets 85% of ``maxspeed``; that gives
about 27 km/h on Camden's 20 mph streets, in line with the inner-London estimate in
:mod:`doorstep.geo.traffic`. Where ``maxspeed`` is missing, the road class stands in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from doorstep.domain.model import VehicleType

Tags = Mapping[str, str]

MPH = 1.609344
VAN_LIMIT_SHARE = 0.85

# Typical UK urban limits (km/h) by road class, used when maxspeed is missing.
VAN_CLASS_LIMITS_KMH: Mapping[str, float] = {
    "motorway": 70 * MPH,
    "motorway_link": 40 * MPH,
    "trunk": 40 * MPH,
    "trunk_link": 30 * MPH,
    "primary": 30 * MPH,
    "primary_link": 20 * MPH,
    "secondary": 30 * MPH,
    "secondary_link": 20 * MPH,
    "tertiary": 30 * MPH,
    "tertiary_link": 20 * MPH,
    "unclassified": 20 * MPH,
    "residential": 20 * MPH,
    "living_street": 10.0,
    "service": 15.0,
}
# Named UK limits (https://wiki.openstreetmap.org/wiki/Key:maxspeed#United_Kingdom).
NAMED_LIMITS_KMH: Mapping[str, float] = {
    "gb:nsl_single": 60 * MPH,
    "gb:nsl_dual": 70 * MPH,
    "gb:motorway": 70 * MPH,
    "uk:nsl_single": 60 * MPH,
    "uk:nsl_dual": 70 * MPH,
    "uk:motorway": 70 * MPH,
    "walk": 6.0,
}

BIKE_ROAD_KMH = 18.0  # e-cargo bike on a road or cycleway (assistance stops at 25 km/h)
BIKE_SHARED_KMH = 10.0  # on paths and squares shared with people walking
FOOT_KMH = 5.0
FOOT_STEPS_KMH = 2.5

_ROADS_FOR_BIKES = frozenset(VAN_CLASS_LIMITS_KMH) - {"motorway", "motorway_link"}
_SHARED_WAYS = frozenset({"path", "track", "footway", "pedestrian", "bridleway"})
_WALKWAYS = frozenset({"footway", "path", "pedestrian", "steps", "track", "bridleway"})
_YES = frozenset({"yes", "designated", "permissive", "destination", "delivery"})
_NO = frozenset({"no", "private", "agricultural", "forestry", "discouraged_no"})
_SPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$")


@dataclass(frozen=True, slots=True)
class WayAccess:
    forward: bool
    backward: bool
    speed_kmh: float


def parse_maxspeed(value: str | None) -> float | None:
    """``"20 mph"`` -> 32.19, ``"50"`` -> 50.0 (km/h is OSM's default unit), else None."""
    if not value:
        return None
    named = NAMED_LIMITS_KMH.get(value.strip().lower())
    if named is not None:
        return named
    match = _SPEED.match(value)
    if not match or float(match.group(1)) <= 0:
        return None
    speed = float(match.group(1))
    return speed * MPH if match.group(2) == "mph" else speed


def _mode_access(tags: Tags, keys: tuple[str, ...]) -> bool | None:
    """The first of ``keys`` (most specific first: bicycle, vehicle, access) saying yes/no."""
    for key in keys:
        value = tags.get(key)
        if value in _YES:
            return True
        if value in _NO:
            return False
    return None


def _oneway(tags: Tags, default_oneway: bool = False) -> tuple[bool, bool]:
    value = tags.get("oneway")
    if value in ("yes", "true", "1"):
        return True, False
    if value in ("-1", "reverse"):
        return False, True
    if value == "reversible" or value == "alternating":
        return False, False
    if value == "no":
        return True, True
    roundabout = tags.get("junction") in ("roundabout", "circular")
    return (True, not (default_oneway or roundabout))


def van(tags: Tags) -> WayAccess | None:
    highway = tags.get("highway", "")
    limit = VAN_CLASS_LIMITS_KMH.get(highway)
    if limit is None or tags.get("area") == "yes":
        return None
    if _mode_access(tags, ("motor_vehicle", "motorcar", "vehicle", "access")) is False:
        return None
    forward, backward = _oneway(tags, default_oneway=highway == "motorway")
    if not (forward or backward):
        return None
    speed = parse_maxspeed(tags.get("maxspeed")) or limit
    return WayAccess(forward, backward, speed * VAN_LIMIT_SHARE)


def e_cargo_bike(tags: Tags) -> WayAccess | None:
    highway = tags.get("highway", "")
    allowed = _mode_access(tags, ("bicycle", "vehicle", "access"))
    if highway == "cycleway" or highway in _ROADS_FOR_BIKES:
        speed = BIKE_ROAD_KMH
    elif highway in _SHARED_WAYS and (allowed or highway == "bridleway"):
        speed = BIKE_SHARED_KMH
    else:
        return None
    if allowed is False:
        return None
    if tags.get("oneway:bicycle") == "no" or tags.get("cycleway", "").startswith("opposite"):
        return WayAccess(True, True, speed)
    forward, backward = _oneway(tags)
    if tags.get("oneway:bicycle") in ("yes", "-1"):
        forward, backward = tags["oneway:bicycle"] == "yes", tags["oneway:bicycle"] == "-1"
    if not (forward or backward):
        return None
    return WayAccess(forward, backward, speed)


def on_foot(tags: Tags) -> WayAccess | None:
    highway = tags.get("highway", "")
    allowed = _mode_access(tags, ("foot", "access"))
    if highway in _WALKWAYS or highway in _ROADS_FOR_BIKES:
        if allowed is False:
            return None
    elif highway == "cycleway" and allowed:
        pass  # a cycleway people may walk on (foot=yes / designated)
    else:
        return None
    speed = FOOT_STEPS_KMH if highway == "steps" else FOOT_KMH
    return WayAccess(True, True, speed)


RULES = {VehicleType.VAN: van, VehicleType.E_CARGO_BIKE: e_cargo_bike, VehicleType.ON_FOOT: on_foot}
