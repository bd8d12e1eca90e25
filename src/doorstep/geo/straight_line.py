"""The default provider: great-circle distance stretched by a detour factor.

It needs no data and answers any size of matrix in milliseconds, so it is what a
fresh install plans with. Figures are estimates meant to be overridden:

* Detour (circuity) factors: road distance over straight-line distance is typically
  1.2-1.4 for short urban trips (Ballou et al. 2002; Boscoe et al. 2012 report ~1.4 for
  short drives). Vans suffer one-way systems and turn bans (1.35); bikes use contraflow
  lanes and filtered streets (1.3); walkers cut through squares and estates (1.25).
* Free-flow speeds: a van in inner London at night ~28 km/h on 20-30 mph streets (see
  :mod:`doorstep.geo.traffic`); an e-cargo bike ~15 km/h (assistance stops at
  25 km/h, and junctions and a load bring the average down); walking 5 km/h.
* Traffic: the band of ``depart`` scales van speeds only (see :mod:`doorstep.geo.traffic`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

import numpy as np

from doorstep.domain.model import GeoPoint, VehicleType
from doorstep.geo.geometry import coordinates, pairwise_haversine_m
from doorstep.geo.provider import TravelMatrix
from doorstep.geo.traffic import LONDON, TrafficProfile

STRAIGHT_LINE = "straight_line"
"""The network name that means this provider, wherever a network is named (CLI, API)."""

DEFAULT_SPEEDS_KMH: Mapping[VehicleType, float] = MappingProxyType(
    {VehicleType.VAN: 28.0, VehicleType.E_CARGO_BIKE: 15.0, VehicleType.ON_FOOT: 5.0}
)
DEFAULT_DETOURS: Mapping[VehicleType, float] = MappingProxyType(
    {VehicleType.VAN: 1.35, VehicleType.E_CARGO_BIKE: 1.3, VehicleType.ON_FOOT: 1.25}
)


@dataclass(frozen=True)
class StraightLineProvider:
    """Haversine x detour factor, at the profile's speed x the traffic band's factor."""

    speeds_kmh: Mapping[VehicleType, float] = field(default_factory=lambda: DEFAULT_SPEEDS_KMH)
    detours: Mapping[VehicleType, float] = field(default_factory=lambda: DEFAULT_DETOURS)
    traffic: TrafficProfile = LONDON
    name: str = STRAIGHT_LINE

    def __post_init__(self) -> None:
        for profile in VehicleType:
            if self.speeds_kmh.get(profile, 0.0) <= 0:
                raise ValueError(f"speeds_kmh[{profile.value}] must be a positive number")
            if self.detours.get(profile, 0.0) < 1.0:
                raise ValueError(f"detours[{profile.value}] must be at least 1.0")

    def cache_identity(self, profile: VehicleType, depart: datetime) -> str:
        factor = self.traffic.factor(depart, profile)
        speed, detour = self.speeds_kmh[profile], self.detours[profile]
        return f"{self.name}|{profile.value}|{speed}|{detour}|traffic={factor}"

    def matrix(
        self, points: Sequence[GeoPoint], profile: VehicleType, depart: datetime
    ) -> TravelMatrix:
        lat, lon = coordinates(points)
        distance = pairwise_haversine_m(lat, lon) * self.detours[profile]
        speed_ms = self.speeds_kmh[profile] / 3.6 * self.traffic.factor(depart, profile)
        return TravelMatrix(
            durations_s=np.rint(distance / speed_ms).astype(np.int64),
            distances_m=np.rint(distance).astype(np.int64),
        )
