"""Build the packaged London postcode table: ``python -m doorstep.geo.build_postcodes SRC OUT``.

SRC is the Code-Point Open extract described in ``shared/data/uk-postcodes/SOURCE.md``
(a gzipped CSV with ``postcode``, ``lat`` and ``lon`` among its columns). OUT keeps only
those three, coordinates at 5 decimals (about 1 m, finer than a centroid means), sorted
by postcode, gzipped with a fixed timestamp: the same input always gives the same bytes,
so a rebuild shows up in git only when the data changed.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from collections.abc import Iterable
from pathlib import Path


def compact_rows(rows: Iterable[dict[str, str]]) -> list[tuple[str, str, str]]:
    """``(postcode, lat, lon)`` per row, postcode compact upper-case, sorted, deduplicated."""
    table: dict[str, tuple[str, str]] = {}
    for row in rows:
        postcode = "".join(row["postcode"].split()).upper()
        table[postcode] = (f"{float(row['lat']):.5f}", f"{float(row['lon']):.5f}")
    return [(postcode, *table[postcode]) for postcode in sorted(table)]


def build(source: Path, out: Path) -> int:
    """Write OUT from SOURCE; returns the number of postcodes written."""
    with gzip.open(source, "rt", encoding="utf-8", newline="") as handle:
        rows = compact_rows(csv.DictReader(handle))
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(("postcode", "lat", "lon"))
    writer.writerows(rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(text.getvalue().encode("utf-8"))
    return len(rows)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m doorstep.geo.build_postcodes SOURCE.csv.gz OUT.csv.gz")
        return 2
    count = build(Path(argv[0]), Path(argv[1]))
    print(f"wrote {count} postcodes to {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
