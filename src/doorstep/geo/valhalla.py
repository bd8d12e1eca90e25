"""Valhalla's matrix service (``POST /sources_to_targets``) as a :class:`TravelTimeProvider`.

Request: ``{"sources": [{"lat", "lon"}], "targets": [...], "costing": "auto"}``; answer:
``sources_to_targets`` as rows of ``{"time": s, "distance": km}`` cells (``null`` where
there is no route), or, from newer servers asked for ``verbose: false``, as
``{"durations": [[...]], "distances": [[...]]}``; both are read. Servers cap the number
of locations per request (``service_limits.<costing>.max_matrix_location_pairs`` or
``max_locations``), so matrices go in blocks of ``max_sources`` x ``max_targets``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx
import numpy as np

from doorstep.domain.model import GeoPoint, VehicleType
from doorstep.geo.http_matrix import (
    Block,
    FloatArray,
    RoutingServiceError,
    ServerSettings,
    blocks,
    cells,
    frozen,
    send,
    to_matrix,
)
from doorstep.geo.provider import TravelMatrix

VALHALLA_COSTINGS = frozen(
    {
        VehicleType.VAN: "auto",
        VehicleType.E_CARGO_BIKE: "bicycle",
        VehicleType.ON_FOOT: "pedestrian",
    }
)


def _columns(body: Any, key: str, shape: tuple[int, int]) -> FloatArray:
    table = body.get("sources_to_targets")
    if isinstance(table, dict):  # columnar answer (verbose: false)
        column = {"time": "durations", "distance": "distances"}[key]
        return cells(table.get(column), shape, f"Valhalla {column}")
    try:
        rows = [[cell.get(key) if cell else None for cell in row] for row in table]
    except (TypeError, AttributeError) as error:
        raise RoutingServiceError("Valhalla: sources_to_targets is not a table") from error
    return cells(rows, shape, f"Valhalla {key}")


class ValhallaProvider:
    def __init__(
        self,
        settings: ServerSettings,
        costings: Mapping[VehicleType, str] = VALHALLA_COSTINGS,
        max_sources: int = 50,
        max_targets: int = 50,
        client: httpx.Client | None = None,
    ) -> None:
        if max_sources < 1 or max_targets < 1:
            raise ValueError("max_sources and max_targets must be at least 1")
        self.settings = settings
        self.costings = frozen(costings)
        self.max_sources, self.max_targets = max_sources, max_targets
        self.client = client or httpx.Client(timeout=settings.timeout_s)
        self.name = f"valhalla:{settings.base_url}"

    def cache_identity(self, profile: VehicleType, depart: datetime) -> str:
        return f"{self.name}|{self.costings[profile]}|{self.settings.factor(depart, profile)}"

    def matrix(
        self, points: Sequence[GeoPoint], profile: VehicleType, depart: datetime
    ) -> TravelMatrix:
        n = len(points)
        seconds, metres = np.full((n, n), np.nan), np.full((n, n), np.nan)
        for block in blocks(n, self.max_sources, self.max_targets):
            rows, cols = np.ix_(block.rows, block.cols)
            seconds[rows, cols], metres[rows, cols] = self._block(points, profile, block)
        return to_matrix(points, seconds, metres, self.settings.factor(depart, profile))

    def _block(
        self, points: Sequence[GeoPoint], profile: VehicleType, block: Block
    ) -> tuple[FloatArray, FloatArray]:
        payload = {
            "sources": [{"lat": points[i].lat, "lon": points[i].lon} for i in block.rows],
            "targets": [{"lat": points[i].lat, "lon": points[i].lon} for i in block.cols],
            "costing": self.costings[profile],
            "units": "kilometers",
        }
        url = f"{self.settings.base_url.rstrip('/')}/sources_to_targets"
        body = send(self.client, self.client.build_request("POST", url, json=payload), "Valhalla")
        if not isinstance(body, dict) or "sources_to_targets" not in body:
            detail = body.get("error", body) if isinstance(body, dict) else body
            code = body.get("error_code", "?") if isinstance(body, dict) else "?"
            raise RoutingServiceError(f"Valhalla answered error {code}: {detail}")
        shape = (len(block.rows), len(block.cols))
        kilometres = _columns(body, "distance", shape)
        return _columns(body, "time", shape), kilometres * 1000.0
