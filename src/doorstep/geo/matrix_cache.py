"""Matrices kept on disk, so re-planning the same stops does not route them again.

The key is a hash of everything the answer depends on: the provider's own identity for
this profile and departure (network id, the speed factor of the departure's traffic
band, snapping limit...) and the points rounded to 6 decimals (~0.1 m). Keying on the
factor rather than the band's name lets walkers, whom traffic does not slow, share one
entry across the day. Files are written to a temporary name in the
same folder and renamed over the final name with ``os.replace``, which is atomic on
POSIX and Windows, so two processes writing the same entry leave one whole file and a
reader never sees half a file. A file that cannot be read counts as a miss.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

import numpy as np

from doorstep.domain.model import GeoPoint, VehicleType
from doorstep.geo.geometry import coordinates
from doorstep.geo.provider import TravelMatrix, TravelTimeProvider


class CacheableProvider(TravelTimeProvider, Protocol):
    def cache_identity(self, profile: VehicleType, depart: datetime) -> str:
        """Everything besides the points that the matrix depends on, as text."""
        ...


class MatrixCache:
    """A folder of ``<sha256>.npz`` matrices; the caller chooses the folder."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)

    @staticmethod
    def key(identity: str, points: Sequence[GeoPoint]) -> str:
        lat, lon = coordinates(points)
        rounded = np.rint(np.column_stack([lat, lon]) * 1e6).astype(np.int64)
        digest = hashlib.sha256(identity.encode())
        digest.update(rounded.tobytes())
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.npz"

    def get(self, key: str) -> TravelMatrix | None:
        try:
            with np.load(self._path(key)) as archive:
                return TravelMatrix(archive["durations_s"], archive["distances_m"])
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
            return None

    def put(self, key: str, matrix: TravelMatrix) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                np.savez(file, durations_s=matrix.durations_s, distances_m=matrix.distances_m)
            os.replace(temporary, self._path(key))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


class CachedProvider:
    """Wraps a provider: answers from the cache, else asks it and stores the answer."""

    def __init__(self, inner: CacheableProvider, cache: MatrixCache) -> None:
        self.inner = inner
        self.cache = cache
        self.name = f"cached:{inner.name}"

    def matrix(
        self, points: Sequence[GeoPoint], profile: VehicleType, depart: datetime
    ) -> TravelMatrix:
        key = self.cache.key(self.inner.cache_identity(profile, depart), points)
        found = self.cache.get(key)
        if found is not None and found.size == len(points):
            return found
        matrix = self.inner.matrix(points, profile, depart)
        self.cache.put(key, matrix)
        return matrix
