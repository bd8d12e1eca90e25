"""Travel matrices for the day, one per vehicle profile, computed once and shared.

Every solver gets exactly these integer matrices (seconds, metres), so differences in the
results come from the search and not from the data. Van times are taken at the planning
departure (07:30, AM-peak speeds) and used all day: none of the three solvers is given
time-dependent legs, which keeps them comparable and errs on the slow side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np

from doorstep.domain.model import GeoPoint, VehicleType
from doorstep.geo.provider import TravelMatrix, TravelTimeProvider
from doorstep.planning import PlanningProblem, travel_matrices


@dataclass(frozen=True, slots=True)
class Network:
    """The provider in use, its description for the report, and the row filter."""

    provider: TravelTimeProvider
    description: str
    road: bool


def camden_network() -> Network:
    """Geo's packaged Camden road network, or the straight-line provider if absent."""
    try:
        from doorstep.geo.road_network import RoadNetworkProvider, load_network

        network = load_network("camden")
    except (ImportError, LookupError):
        from doorstep.geo.straight_line import StraightLineProvider

        note = "straight line x detour (FALLBACK: road network not available)"
        # cast: geo's protocol declares ``name`` settable, the frozen dataclass cannot be.
        return Network(cast(TravelTimeProvider, StraightLineProvider()), note, road=False)
    description = f"OSM road network camden ({network.attribution})"
    return Network(RoadNetworkProvider(network), description, road=True)


def routable_rows(network: Network, rows: list[dict[str, str]]) -> set[int]:
    """Rows every profile can reach (snapped within the provider's limit)."""
    if not network.road:
        return set(range(len(rows)))
    from doorstep.geo.road_network import RoadNetworkProvider

    provider = network.provider
    assert isinstance(provider, RoadNetworkProvider)
    points = [GeoPoint(float(r["lat"]), float(r["lon"])) for r in rows]
    ok = np.ones(len(points), dtype=bool)
    for profile in VehicleType:
        snapped = provider.network.snap(points, profile)
        ok &= snapped.offsets_m <= provider.max_snap_m
    return {int(i) for i in np.flatnonzero(ok)}


def day_matrices(problem: PlanningProblem, network: Network) -> dict[VehicleType, TravelMatrix]:
    """Planning's own matrix call, so Doorstep sees exactly what ``plan_day`` would."""
    return travel_matrices(problem, network.provider)
