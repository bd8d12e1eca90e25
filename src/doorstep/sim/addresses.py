"""The packaged sample of real Camden addresses the demo delivers to.

The file is made by :mod:`doorstep.sim.build_address_sample` from OpenStreetMap and
OS Code-Point Open (see ``data/ATTRIBUTION.md``) and is the only data read at run time.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final

COLUMNS: Final = ("lines", "postcode", "lat", "lon", "address_type", "street")
# Address lines are stored in one CSV cell; no OSM name or street in the sample holds "|".
LINE_SEPARATOR: Final = " | "
# A UK postcode in its printed form: outward code, one space, inward code.
POSTCODE_RE: Final = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}")
DATA_FILE: Final = "london_addresses.csv.gz"


@dataclass(frozen=True, slots=True)
class DemoAddress:
    lines: tuple[str, ...]
    postcode: str
    lat: float
    lon: float
    address_type: str
    street: str


def parse_addresses(text: str) -> tuple[DemoAddress, ...]:
    """Read the sample's CSV text; a bad row fails loudly with its line number."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValueError(f"address sample: expected columns {COLUMNS}, got {reader.fieldnames}")
    rows = []
    for row in reader:
        try:
            rows.append(
                DemoAddress(
                    lines=tuple(row["lines"].split(LINE_SEPARATOR)),
                    postcode=row["postcode"],
                    lat=float(row["lat"]),
                    lon=float(row["lon"]),
                    address_type=row["address_type"],
                    street=row["street"],
                )
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(f"address sample line {reader.line_num}: {exc}") from exc
    return tuple(rows)


@cache
def load_addresses() -> tuple[DemoAddress, ...]:
    """All packaged addresses, in file order (read once per process)."""
    blob = resources.files("doorstep.sim").joinpath("data", DATA_FILE).read_bytes()
    return parse_addresses(gzip.decompress(blob).decode("utf-8"))
