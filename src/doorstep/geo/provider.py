"""The travel-time contract every routing back-end satisfies.

Planning and ETAs ask one question: for these points, this kind of vehicle and this
departure time, how long and how far between every pair? Straight-line, OSM road
network, OSRM and Valhalla all answer it; the planner never knows which one did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import numpy as np
import numpy.typing as npt

from doorstep.domain.model import GeoPoint, VehicleType


@dataclass(frozen=True, slots=True)
class TravelMatrix:
    """Square matrices over the requested points, in request order.

    ``durations_s`` are whole seconds and ``distances_m`` whole metres (int64), because
    the solver works in integers; ``durations_s[i, j]`` is the time from point i to j.
    """

    durations_s: npt.NDArray[np.int64]
    distances_m: npt.NDArray[np.int64]

    def __post_init__(self) -> None:
        n = self.durations_s.shape[0]
        if self.durations_s.shape != (n, n) or self.distances_m.shape != (n, n):
            raise ValueError("travel matrices must be square and of the same size")

    @property
    def size(self) -> int:
        return int(self.durations_s.shape[0])


class UnroutablePoint(Exception):
    """A point cannot be placed on the network (too far from any road of the profile).

    ``others`` are further points of the same request found off the network at the same
    time, so a person fixing an order file sees every bad row at once rather than one per
    run (a back-end that can only name one leaves it empty)."""

    def __init__(
        self,
        index: int,
        point: GeoPoint,
        reason: str,
        others: tuple[UnroutablePoint, ...] = (),
    ) -> None:
        super().__init__(f"point {index} ({point.lat:.6f}, {point.lon:.6f}): {reason}")
        self.index = index
        self.point = point
        self.reason = reason
        self.others = others

    @property
    def every(self) -> tuple[UnroutablePoint, ...]:
        return (self, *self.others)


class TravelTimeProvider(Protocol):
    """Many-to-many durations and distances for a vehicle profile at a departure time."""

    name: str

    def matrix(
        self, points: Sequence[GeoPoint], profile: VehicleType, depart: datetime
    ) -> TravelMatrix:
        """Raises :class:`UnroutablePoint` for a point the back-end cannot route."""
        ...
