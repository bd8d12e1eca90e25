"""Small test fixtures for planning: a haversine travel-time provider and problem builders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from doorstep.domain.model import Capacity, GeoPoint, ServiceLevel, TimeWindow, VehicleType
from doorstep.geo.provider import TravelMatrix
from doorstep.planning.model import (
    ParcelLoad,
    PlanningHub,
    PlanningProblem,
    PlanningStop,
    PlanningVehicle,
)

DAY = date(2026, 11, 25)
MORNING = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
HUB = PlanningHub("hub_kentish_town", GeoPoint(51.5502, -0.1405))
SPEED_M_S = {VehicleType.VAN: 6.0, VehicleType.E_CARGO_BIKE: 4.0, VehicleType.ON_FOOT: 1.3}


class HaversineProvider:
    """Great-circle distance times 1.3 for streets, at a constant speed per profile."""

    name = "haversine-test"

    def __init__(self, speeds: dict[VehicleType, float] | None = None) -> None:
        self.speeds = speeds or SPEED_M_S
        self.calls: list[VehicleType] = []

    def matrix(
        self, points: Sequence[GeoPoint], profile: VehicleType, depart: datetime
    ) -> TravelMatrix:
        self.calls.append(profile)
        lat = np.radians([p.lat for p in points])
        lon = np.radians([p.lon for p in points])
        dlat = lat[:, None] - lat[None, :]
        dlon = lon[:, None] - lon[None, :]
        a = (
            np.sin(dlat / 2) ** 2
            + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
        )
        metres = 2 * 6_371_000 * np.arcsin(np.sqrt(a)) * 1.3
        return TravelMatrix(
            durations_s=np.rint(metres / self.speeds[profile]).astype(np.int64),
            distances_m=np.rint(metres).astype(np.int64),
        )


def matrices_for(
    problem: PlanningProblem, provider: HaversineProvider | None = None
) -> dict[VehicleType, TravelMatrix]:
    provider = provider or HaversineProvider()
    return {p: provider.matrix(problem.points(), p, problem.departure) for p in problem.profiles()}


def stop(
    sid: str,
    lat: float = 51.53,
    lon: float = -0.12,
    *,
    kg: float = 2.0,
    window: tuple[float, float] | None = None,
    **overrides: Any,
) -> PlanningStop:
    """A stop with one parcel; ``window`` in hours after MORNING."""
    fields: dict[str, Any] = {
        "id": sid,
        "point": GeoPoint(lat, lon),
        "parcels": (ParcelLoad(f"par_{sid}", kg, 5.0),),
        "service_level": ServiceLevel.SAME_DAY,
    }
    if window is not None:
        fields["windows"] = (
            TimeWindow(MORNING + timedelta(hours=window[0]), MORNING + timedelta(hours=window[1])),
        )
    return PlanningStop(**(fields | overrides))


def vehicle(vid: str = "veh_1", **overrides: Any) -> PlanningVehicle:
    fields: dict[str, Any] = {
        "id": vid,
        "vehicle_type": VehicleType.VAN,
        "capacity": Capacity(parcels=150, weight_kg=800.0, volume_litres=6000.0),
        "shift_start": MORNING,
        "shift_end": MORNING + timedelta(hours=9),
        "start_hub": HUB.id,
        "end_hub": HUB.id,
    }
    return PlanningVehicle(**(fields | overrides))


def problem(
    stops: Sequence[PlanningStop],
    vehicles: Sequence[PlanningVehicle],
    hubs: Sequence[PlanningHub] = (HUB,),
    departure: datetime = MORNING,
) -> PlanningProblem:
    return PlanningProblem(DAY, departure, tuple(hubs), tuple(stops), tuple(vehicles))


def grid_stops(n: int, seed: int = 0, **overrides: Any) -> list[PlanningStop]:
    """``n`` stops spread over a few km around King's Cross, reproducibly."""
    rng = np.random.default_rng(seed)
    return [
        stop(
            f"s{i}", 51.53 + rng.uniform(-0.03, 0.03), -0.12 + rng.uniform(-0.05, 0.05), **overrides
        )
        for i in range(n)
    ]
