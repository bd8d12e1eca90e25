"""What the OSRM and Valhalla clients share: blocks, HTTP errors, gaps in answers.

A routing server limits how many locations one request may carry, so a large matrix is
asked for in rectangular blocks (rows x columns of the full matrix) and assembled here.
Whatever the vendor, a missing cell (``null``) means the server found no route between
two points, which we report as :class:`UnroutablePoint` naming the point most to blame.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

import httpx
import numpy as np
import numpy.typing as npt

from doorstep.domain.model import GeoPoint, VehicleType
from doorstep.geo.provider import TravelMatrix, UnroutablePoint
from doorstep.geo.traffic import TrafficProfile

FloatArray = npt.NDArray[np.float64]


class RoutingServiceError(Exception):
    """The routing server is unreachable, or answered something other than a matrix."""


@dataclass(frozen=True, slots=True)
class Block:
    rows: range
    cols: range


def blocks(n: int, rows_per_block: int, cols_per_block: int) -> Iterator[Block]:
    for r in range(0, n, rows_per_block):
        for c in range(0, n, cols_per_block):
            yield Block(range(r, min(r + rows_per_block, n)), range(c, min(c + cols_per_block, n)))


def send(client: httpx.Client, request: httpx.Request, vendor: str) -> Any:
    """The decoded JSON body; transport failures become :class:`RoutingServiceError`."""
    try:
        response = client.send(request)
    except httpx.HTTPError as error:
        raise RoutingServiceError(f"{vendor} at {request.url.host}: {error!r}") from error
    try:
        return response.json()
    except ValueError as error:
        raise RoutingServiceError(
            f"{vendor} answered HTTP {response.status_code} with a body that is not JSON"
        ) from error


def cells(rows: Any, shape: tuple[int, int], what: str) -> FloatArray:
    """A block of numbers from the JSON; ``null`` becomes NaN, bad shapes are refused."""
    try:
        block = np.array(rows, dtype=np.float64)  # None -> nan
    except (TypeError, ValueError) as error:
        raise RoutingServiceError(f"{what}: expected a table of numbers") from error
    if block.shape != shape:
        raise RoutingServiceError(f"{what}: expected {shape[0]} x {shape[1]}, got {block.shape}")
    return block


def to_matrix(
    points: Sequence[GeoPoint], seconds: FloatArray, metres: FloatArray, factor: float
) -> TravelMatrix:
    """Check for gaps, apply the traffic factor and round to whole seconds and metres."""
    missing = np.isnan(seconds) | np.isnan(metres)
    np.fill_diagonal(missing, False)
    if missing.any():
        # The point whose row and column hold the most gaps is the one off the network.
        blame = int(np.argmax(missing.sum(axis=0) + missing.sum(axis=1)))
        raise UnroutablePoint(blame, points[blame], "the routing server found no route to it")
    np.fill_diagonal(seconds, 0.0)
    np.fill_diagonal(metres, 0.0)
    return TravelMatrix(
        durations_s=np.rint(seconds / factor).astype(np.int64),
        distances_m=np.rint(metres).astype(np.int64),
    )


@dataclass(frozen=True)
class ServerSettings:
    """Where the server is and how patient to be with it."""

    base_url: str
    timeout_s: float = 30.0
    traffic: TrafficProfile | None = None
    """None: trust the server's durations. A profile: scale them by its band's factor
    (for a server built with free-flow speeds, as OSRM's car profile is)."""

    def factor(self, depart: datetime, profile: VehicleType) -> float:
        return 1.0 if self.traffic is None else self.traffic.factor(depart, profile)


def frozen(mapping: Mapping[VehicleType, str]) -> Mapping[VehicleType, str]:
    return MappingProxyType(dict(mapping))
