"""Postcode to centroid, for orders that give a postcode but no coordinates.

The table ships in the package (``data/london_postcodes.csv.gz``, OS Code-Point Open
2014, see ``data/LONDON_POSTCODES.md`` for the attribution that must travel with it)
and is read on the first look-up, not at import: 181,565 rows take about half a second,
which only a command that geocodes should pay.
"""

from __future__ import annotations

import csv
import gzip
from importlib import resources
from pathlib import Path
from threading import Lock

from doorstep.domain.model import GeoPoint

ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right 2014. "
    "Contains Royal Mail data © Royal Mail copyright and database right 2014. "
    "Contains National Statistics data © Crown copyright and database right 2014."
)


def packaged_table() -> Path:
    return Path(str(resources.files("doorstep.geo") / "data" / "london_postcodes.csv.gz"))


def compact(postcode: str) -> str:
    """``nw1 9ll`` and ``NW19LL`` are one key: upper case, no spaces."""
    return "".join(postcode.split()).upper()


class PostcodeLookup:
    """Centroids from a ``postcode,lat,lon`` gzipped CSV, loaded once on first use."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or packaged_table()
        self._table: dict[str, tuple[float, float]] | None = None
        self._lock = Lock()

    def _load(self) -> dict[str, tuple[float, float]]:
        with self._lock:
            if self._table is None:
                with gzip.open(self.path, "rt", encoding="utf-8", newline="") as handle:
                    reader = csv.reader(handle)
                    next(reader, None)  # header
                    self._table = {
                        compact(code): (float(lat), float(lon)) for code, lat, lon in reader
                    }
            return self._table

    def centroid(self, postcode: str) -> GeoPoint | None:
        """The postcode's centroid, or None when the table does not know it."""
        found = self._load().get(compact(postcode))
        return None if found is None else GeoPoint(*found)

    def __len__(self) -> int:
        return len(self._load())
