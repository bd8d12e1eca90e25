"""Courier app shell size, compressed: ``python -m benchmarks.courier_app_size --json OUT``.

What a phone downloads before the app works, gzip-compressed as a server or proxy sends
it: the shell page, the service worker, the manifest, the app's own scripts and styles
and the small libraries it imports (signature_pad, idb-keyval). The map library
(Leaflet) is counted apart, as are the icons and the base map (data, cached once). The
issue's bound is 150 KB for the first group.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from doorstep.web import courier

LIMIT_BYTES = 150 * 1024
STATIC_ROOT = courier.courier_static_dir().parent  # .../web/static


def _file(path: str) -> bytes:
    """The bytes served at a ``/static/...`` address."""
    return (STATIC_ROOT / path.removeprefix("/static/")).read_bytes()


def _row(name: str, group: str, body: bytes) -> dict[str, Any]:
    return {
        "name": name,
        "group": group,
        "bytes": len(body),
        "gzip_bytes": len(gzip.compress(body, compresslevel=6, mtime=0)),
    }


def measure() -> list[dict[str, Any]]:
    rows = [
        _row("/courier", "shell", courier.render_shell().encode()),
        _row("/courier/sw.js", "shell", courier.service_worker_source().encode()),
        _row("/courier/manifest.webmanifest", "shell", json.dumps(courier.manifest()).encode()),
    ]
    for name in courier.SHELL_FILES:
        path = f"{courier.STATIC}/{name}"
        if name.endswith((".js", ".css")):
            rows.append(_row(path, "shell", _file(path)))
        else:
            rows.append(_row(path, "icons", _file(path)))
    for path in courier.VENDOR_FILES:
        group = "map library" if path.startswith(courier.LEAFLET) else "shell"
        rows.append(_row(path, group, _file(path)))
    body, _ = courier.basemap_bytes()
    rows.append(_row("/courier/basemap.json", "base map", body))
    return rows


def totals(rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    found: dict[str, int] = {}
    for row in rows:
        found[row["group"]] = found.get(row["group"], 0) + row["gzip_bytes"]
    return found


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    lines = ["| file | group | bytes | gzip bytes |", "|---|---|---:|---:|"]
    lines += [
        f"| {r['name']} | {r['group']} | {r['bytes']:,} | {r['gzip_bytes']:,} |" for r in rows
    ]
    lines.append("")
    for group, size in totals(rows).items():
        lines.append(f"- {group}: {size / 1024:.1f} KB gzip")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", type=Path, help="write the rows and the totals here")
    args = parser.parse_args(argv)
    rows = measure()
    shell = totals(rows)["shell"]
    report = {
        "benchmark": "courier_app_size",
        "shell_gzip_bytes": shell,
        "limit_bytes": LIMIT_BYTES,
        "within_limit": shell <= LIMIT_BYTES,
        "totals_gzip_bytes": totals(rows),
        "rows": rows,
    }
    print(markdown(rows))
    print(
        f"\nShell, scripts and styles without the map library: {shell / 1024:.1f} KB "
        f"(limit {LIMIT_BYTES / 1024:.0f} KB)"
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    sys.exit(0 if main()["within_limit"] else 1)
