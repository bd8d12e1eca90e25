"""Distances on the Earth's surface, vectorised.

Every provider needs the same two pieces: great-circle distance (the straight-line
provider, snap legs, test oracles) and a local flat projection (nearest-road search).
London fits in a few tens of kilometres, so an equirectangular projection around the
centroid is accurate to well under a metre over a borough and far cheaper than a
proper map projection.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from doorstep.domain.model import GeoPoint

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius

FloatArray = npt.NDArray[np.float64]


def coordinates(points: Sequence[GeoPoint]) -> tuple[FloatArray, FloatArray]:
    """Latitudes and longitudes (degrees) of ``points`` as two arrays."""
    lat = np.fromiter((p.lat for p in points), dtype=np.float64, count=len(points))
    lon = np.fromiter((p.lon for p in points), dtype=np.float64, count=len(points))
    return lat, lon


def haversine_m(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> FloatArray:
    """Great-circle distance in metres; broadcasts like numpy arithmetic."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def pairwise_haversine_m(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """The n x n matrix of great-circle distances between the given coordinates."""
    return haversine_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :])


def project_local(lat: FloatArray, lon: FloatArray, lat0: float, lon0: float) -> FloatArray:
    """Equirectangular x/y in metres around (lat0, lon0), as an (n, 2) array."""
    k = np.radians(1.0) * EARTH_RADIUS_M
    x = (np.asarray(lon, dtype=np.float64) - lon0) * k * np.cos(np.radians(lat0))
    y = (np.asarray(lat, dtype=np.float64) - lat0) * k
    return np.column_stack([x, y])
