"""OSRM's table service (``/table/v1``) as a :class:`TravelTimeProvider`.

Request: ``GET {base}/table/v1/{profile}/{lon,lat;...}?annotations=duration,distance``
with ``sources``/``destinations`` index lists; answer: ``durations`` (s) and
``distances`` (m), ``null`` where no route exists. ``osrm-routed`` refuses tables with
more than ``--max-table-size`` locations (100 by default), so larger matrices go as
blocks of ``max_locations / 2`` sources by as many destinations.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx
import numpy as np

from doorstep.domain.model import GeoPoint, VehicleType
from doorstep.geo.http_matrix import (
    Block,
    RoutingServiceError,
    ServerSettings,
    blocks,
    cells,
    frozen,
    send,
    to_matrix,
)
from doorstep.geo.provider import TravelMatrix, UnroutablePoint

OSRM_PROFILES = frozen(
    {VehicleType.VAN: "driving", VehicleType.E_CARGO_BIKE: "cycling", VehicleType.ON_FOOT: "foot"}
)
_NO_SEGMENT = re.compile(r"coordinate (\d+)")


class OsrmProvider:
    def __init__(
        self,
        settings: ServerSettings,
        profiles: Mapping[VehicleType, str] = OSRM_PROFILES,
        max_locations: int = 100,
        client: httpx.Client | None = None,
    ) -> None:
        if max_locations < 2:
            raise ValueError("max_locations must be at least 2")
        self.settings = settings
        self.profiles = frozen(profiles)
        self.max_locations = max_locations
        self.client = client or httpx.Client(timeout=settings.timeout_s)
        self.name = f"osrm:{settings.base_url}"

    def cache_identity(self, profile: VehicleType, depart: datetime) -> str:
        return f"{self.name}|{self.profiles[profile]}|{self.settings.factor(depart, profile)}"

    def matrix(
        self, points: Sequence[GeoPoint], profile: VehicleType, depart: datetime
    ) -> TravelMatrix:
        n = len(points)
        seconds, metres = np.full((n, n), np.nan), np.full((n, n), np.nan)
        half = max(1, self.max_locations // 2)
        for block in blocks(n, half, half):
            rows, cols = np.ix_(block.rows, block.cols)
            seconds[rows, cols], metres[rows, cols] = self._block(points, profile, block)
        return to_matrix(points, seconds, metres, self.settings.factor(depart, profile))

    def _block(
        self, points: Sequence[GeoPoint], profile: VehicleType, block: Block
    ) -> tuple[Any, Any]:
        located = [*block.rows, *block.cols]
        coords = ";".join(f"{points[i].lon:.6f},{points[i].lat:.6f}" for i in located)
        url = f"{self.settings.base_url.rstrip('/')}/table/v1/{self.profiles[profile]}/{coords}"
        params = {
            "annotations": "duration,distance",
            "sources": ";".join(str(k) for k in range(len(block.rows))),
            "destinations": ";".join(str(len(block.rows) + k) for k in range(len(block.cols))),
        }
        body = send(self.client, self.client.build_request("GET", url, params=params), "OSRM")
        code = body.get("code") if isinstance(body, dict) else None
        if code == "NoSegment":
            found = _NO_SEGMENT.search(str(body.get("message", "")))
            if found and int(found.group(1)) < len(located):
                index = located[int(found.group(1))]
                raise UnroutablePoint(index, points[index], "OSRM found no road segment near it")
        if code != "Ok":
            message = body.get("message", "") if isinstance(body, dict) else ""
            raise RoutingServiceError(f"OSRM answered {code or 'no code'}: {message}")
        shape = (len(block.rows), len(block.cols))
        return cells(body.get("durations"), shape, "OSRM durations"), cells(
            body.get("distances"), shape, "OSRM distances"
        )
