"""Build the packaged sample of real Camden delivery addresses used by the demo.

Run once by a maintainer, never at run time (the installed package reads only the
generated file)::

    python -m doorstep.sim.build_address_sample \\
        ../shared/data/osm/derived/camden_addresses.csv \\
        ../shared/data/uk-postcodes/london_postcodes_codepoint_2014.csv.gz \\
        ../shared/data/osm/derived/london_boroughs.geojson \\
        src/doorstep/sim/data/london_addresses.csv.gz --rows 3000 --seed 20261126

Why each step:

* Only rows with a house number and a street are kept: a courier needs both, and a
  demo stop without them would look fake.
* Only points inside the Camden borough polygon are kept (the OSM extract spills into
  neighbouring boroughs at its edges).
* OSM has a postcode on a fifth of the rows; the rest get the nearest Code-Point Open
  centroid within 150 m, measured on a local metric projection. Farther than that the
  guess is unsafe and the row is dropped. A postcode written in OSM is kept when it is
  well formed, but dropped when its own centroid is more than 1 km away (a typo).
* ``address_type`` is a heuristic over OSM tags, see :func:`classify`.

The output is deterministic for a seed (numpy's PCG64, gzip without a timestamp).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from doorstep.sim.addresses import COLUMNS, LINE_SEPARATOR, POSTCODE_RE

CAMDEN = "London Borough of Camden"
FILL_RADIUS_M = 150.0
TYPO_DISTANCE_M = 1000.0
EN_DASH = "\u2013"  # OSM writes some ranges as "78\u201389"
# "12", "12a", "12-14", "12/13"
HOUSE_NUMBER_RE = re.compile(r"\d{1,4}[A-Za-z]?(?:\s*[-/]\s*\d{1,4}[A-Za-z]?)?")
FLAT_BUILDINGS = frozenset({"apartments", "residential"})
BUSINESS_BUILDINGS = frozenset(
    {"commercial", "retail", "office", "industrial", "warehouse", "pub", "supermarket"}
)
RECEPTION_BUILDINGS = frozenset({"hotel", "hospital", "university", "college", "dormitory"})
BLOCK_NAME_RE = re.compile(r"\b(House|Court|Mansions|Lodge|Building|Buildings|Apartments)$")


@dataclass(frozen=True, slots=True)
class SampleRow:
    lines: tuple[str, ...]
    postcode: str
    lat: float
    lon: float
    address_type: str
    street: str


def count_flats(flats: str) -> int:
    """How many flats an OSM ``addr:flats`` value names: "1-47;49;51" is 49, "A-B" is 2."""
    total = 0
    for part in re.split(r"[;,]", flats):
        part = part.strip()
        if not part:
            continue
        low, _, high = part.partition("-")
        if high and low.strip().isdigit() and high.strip().isdigit():
            total += max(1, int(high) - int(low) + 1)
        elif high and len(low.strip()) == 1 and len(high.strip()) == 1:
            total += max(1, ord(high.strip().upper()) - ord(low.strip().upper()) + 1)
        else:
            total += 1
    return total


def classify(row: dict[str, str]) -> str:
    """Guess how a courier meets the door, from OSM tags (first rule that matches wins).

    1. ``reception``: hotels, hospitals, universities, colleges, halls of residence,
       and named office blocks (someone at a front desk signs).
    2. ``business``: a shop/office/pub building, or any object with a ``name`` (in OSM a
       named address point is nearly always a shop, café, office or practice).
    3. ``flat``: ``addr:flats`` names two or more flats; or the building is ``apartments``
       or ``residential`` (in London's OSM, ``residential`` marks mansion blocks and the
       Victorian houses of South Hampstead converted into flats; whole houses are
       tagged ``house``/``terrace``/``semidetached_house``); or an untagged building's
       house name reads like a block ("Napier House", "Chester Court").
    4. ``house``: everything else (terraces, semis, untagged buildings).

    ``locker`` never comes from OSM; the scenario does not invent lockers either.
    """
    building = row["building"].strip().lower()
    name = row["name"].strip()
    housename = row["housename"].strip()
    flats = count_flats(row["flats"]) if row["flats"].strip() else 0
    if building in RECEPTION_BUILDINGS or "hotel" in name.lower():
        return "reception"
    if building == "office" and name:
        return "reception"
    if building in BUSINESS_BUILDINGS or name:
        return "business"
    if flats >= 2 or building in FLAT_BUILDINGS:
        return "flat"
    if building in {"", "yes"} and BLOCK_NAME_RE.search(housename):
        return "flat"
    return "house"


def normalise_postcode(raw: str) -> str | None:
    """Upper case with one space before the inward code, or None when malformed."""
    compact = re.sub(r"\s+", "", raw.upper())
    if len(compact) < 5:
        return None
    candidate = f"{compact[:-3]} {compact[-3:]}"
    return candidate if POSTCODE_RE.fullmatch(candidate) else None


def project(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Metres on a local equirectangular plane around Camden (error well under 1%)."""
    lat0 = math.radians(51.54)
    y = np.radians(lat) * 6_371_000.0
    x = np.radians(lon) * 6_371_000.0 * math.cos(lat0)
    return np.column_stack([x, y])


def inside_polygon(lat: np.ndarray, lon: np.ndarray, ring: Sequence[Sequence[float]]) -> np.ndarray:
    """Even-odd ray casting of many points against one closed ring of (lon, lat)."""
    xs = np.array([p[0] for p in ring])
    ys = np.array([p[1] for p in ring])
    inside = np.zeros(lat.shape, dtype=bool)
    for x1, y1, x2, y2 in zip(xs[:-1], ys[:-1], xs[1:], ys[1:], strict=True):
        crosses = (y1 > lat) != (y2 > lat)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (lon < x_at)
    return inside


def camden_ring(boroughs_geojson: Path) -> list[list[float]]:
    features = json.loads(boroughs_geojson.read_text(encoding="utf-8"))["features"]
    for feature in features:
        if feature["properties"]["name"] == CAMDEN:
            ring: list[list[float]] = feature["geometry"]["coordinates"][0]
            return ring
    raise SystemExit(f"{boroughs_geojson}: no feature named {CAMDEN!r}")


def load_postcodes(path: Path) -> tuple[list[str], np.ndarray]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    codes = [r["postcode"] for r in rows]
    lat = np.array([float(r["lat"]) for r in rows])
    lon = np.array([float(r["lon"]) for r in rows])
    return codes, project(lat, lon)


def address_lines(row: dict[str, str], address_type: str) -> tuple[str, ...]:
    number = re.sub(r"\s*[-\u2013]\s*", "-", row["housenumber"].strip())
    street_line = f"{number} {row['street'].strip()}"
    first = row["name"].strip() if address_type in {"business", "reception"} else ""
    first = first or row["housename"].strip()
    return (first, street_line) if first else (street_line,)


def candidate_rows(rows: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """Rows with a usable house number and street (before any geography)."""
    kept = []
    for row in rows:
        number = row["housenumber"].strip().replace(EN_DASH, "-")
        if row["street"].strip() and HOUSE_NUMBER_RE.fullmatch(number):
            kept.append(row)
    return kept


def assign_postcodes(
    rows: list[dict[str, str]], codes: list[str], code_xy: np.ndarray
) -> list[tuple[dict[str, str], str]]:
    """Pair each row with a trusted or filled postcode; drop the rows that get none."""
    tree = cKDTree(code_xy)
    index_of = {code: i for i, code in enumerate(codes)}
    xy = project(
        np.array([float(r["lat"]) for r in rows]), np.array([float(r["lon"]) for r in rows])
    )
    distance, nearest = tree.query(xy, k=1)
    paired = []
    for i, row in enumerate(rows):
        given = normalise_postcode(row["postcode"]) if row["postcode"].strip() else None
        if given is not None:
            known = index_of.get(given)
            if known is None or np.hypot(*(code_xy[known] - xy[i])) <= TYPO_DISTANCE_M:
                paired.append((row, given))
        elif distance[i] <= FILL_RADIUS_M:
            paired.append((row, codes[int(nearest[i])]))
    return paired


def build(
    addresses_csv: Path, postcodes_gz: Path, boroughs_geojson: Path, rows: int, seed: int
) -> list[SampleRow]:
    with addresses_csv.open(encoding="utf-8", newline="") as handle:
        usable = candidate_rows(csv.DictReader(handle))
    lat = np.array([float(r["lat"]) for r in usable])
    lon = np.array([float(r["lon"]) for r in usable])
    in_camden = inside_polygon(lat, lon, camden_ring(boroughs_geojson))
    usable = [r for r, keep in zip(usable, in_camden, strict=True) if keep]
    codes, code_xy = load_postcodes(postcodes_gz)
    paired = assign_postcodes(usable, codes, code_xy)
    picked = np.random.default_rng(seed).choice(
        len(paired), size=min(rows, len(paired)), replace=False
    )
    sample = []
    for i in sorted(int(p) for p in picked):
        row, postcode = paired[i]
        kind = classify(row)
        sample.append(
            SampleRow(
                lines=address_lines(row, kind),
                postcode=postcode,
                lat=round(float(row["lat"]), 6),
                lon=round(float(row["lon"]), 6),
                address_type=kind,
                street=row["street"].strip(),
            )
        )
    return sample


def write(sample: Sequence[SampleRow], out: Path) -> None:
    """gzip with mtime 0, so the same input and seed give the same bytes."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in sample:
        writer.writerow(
            [LINE_SEPARATOR.join(r.lines), r.postcode, r.lat, r.lon, r.address_type, r.street]
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(text.getvalue().encode("utf-8"))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("addresses_csv", type=Path, help="osm/derived/camden_addresses.csv")
    parser.add_argument("postcodes_gz", type=Path, help="london_postcodes_codepoint_2014.csv.gz")
    parser.add_argument("boroughs_geojson", type=Path, help="osm/derived/london_boroughs.geojson")
    parser.add_argument("out", type=Path, help="where to write london_addresses.csv.gz")
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=20261126)
    args = parser.parse_args(argv)
    sample = build(
        args.addresses_csv, args.postcodes_gz, args.boroughs_geojson, args.rows, args.seed
    )
    write(sample, args.out)
    mix: dict[str, int] = {}
    for r in sample:
        mix[r.address_type] = mix.get(r.address_type, 0) + 1
    print(f"wrote {len(sample)} rows to {args.out} ({args.out.stat().st_size} bytes); {mix}")


if __name__ == "__main__":
    main()
