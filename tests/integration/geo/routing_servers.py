"""A small HTTP server on loopback that answers like OSRM and Valhalla.

Its answers are computed (straight line: metres x 1.3 at 10 m/s), so tests can check
that a client read every cell into the right place. Points east of 10° E count as
off the network (``null`` cells); a latitude of exactly 0 makes OSRM answer
``NoSegment``; more locations than the configured limit get the vendor's refusal.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from doorstep.geo.geometry import haversine_m

DETOUR = 1.3
SPEED_MS = 10.0


@dataclass
class ServerState:
    max_locations: int = 100
    columnar: bool = False  # Valhalla's concise answer (newer servers, verbose: false)
    requests: list[str] = field(default_factory=list)


def _cell(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float] | None:
    """(seconds, metres) between (lat, lon) pairs, None if either is off the network."""
    if a[1] > 10 or b[1] > 10:
        return None
    metres = float(haversine_m(a[0], a[1], b[0], b[1])) * DETOUR
    return metres / SPEED_MS, metres


class _Handler(BaseHTTPRequestHandler):
    state: ServerState

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def _answer(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.state.requests.append(self.path)
        url = urlsplit(self.path)
        parts = url.path.split("/")
        if parts[1:3] != ["table", "v1"] or len(parts) != 5:
            self._answer(400, {"code": "InvalidUrl", "message": "URL string malformed"})
            return
        pairs = [c.split(",") for c in parts[4].split(";")]
        coords = [(float(lat), float(lon)) for lon, lat in pairs]
        if len(coords) > self.state.max_locations:
            self._answer(400, {"code": "TooBig", "message": "Too many table coordinates"})
            return
        for k, (lat, _) in enumerate(coords):
            if lat == 0:
                message = f"Could not find a matching segment for coordinate {k}"
                self._answer(400, {"code": "NoSegment", "message": message})
                return
        query = parse_qs(url.query)
        sources = [int(v) for v in query["sources"][0].split(";")]
        targets = [int(v) for v in query["destinations"][0].split(";")]
        table = [[_cell(coords[s], coords[t]) for t in targets] for s in sources]
        self._answer(
            200,
            {
                "code": "Ok",
                "durations": [[c and round(c[0], 1) for c in row] for row in table],
                "distances": [[c and round(c[1], 1) for c in row] for row in table],
            },
        )

    def do_POST(self) -> None:
        self.state.requests.append(self.path)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path != "/sources_to_targets" or body.get("costing") == "boat":
            self._answer(
                400,
                {
                    "error_code": 125,
                    "error": "No costing method found",
                    "status_code": 400,
                    "status": "Bad Request",
                },
            )
            return
        sources = [(s["lat"], s["lon"]) for s in body["sources"]]
        targets = [(t["lat"], t["lon"]) for t in body["targets"]]
        if len(sources) + len(targets) > self.state.max_locations:
            self._answer(
                400,
                {
                    "error_code": 154,
                    "error": "Exceeded max locations",
                    "status_code": 400,
                    "status": "Bad Request",
                },
            )
            return
        rows = []
        for i, s in enumerate(sources):
            row = []
            for j, t in enumerate(targets):
                cell = _cell(s, t)
                row.append(
                    {
                        "from_index": i,
                        "to_index": j,
                        "time": cell and round(cell[0]),
                        "distance": cell and round(cell[1] / 1000, 3),
                    }
                )
            rows.append(row)
        if self.state.columnar:
            table: Any = {
                "durations": [[c["time"] for c in row] for row in rows],
                "distances": [[c["distance"] for c in row] for row in rows],
            }
        else:
            table = rows
        self._answer(200, {"sources_to_targets": table, "units": "kilometers"})


@contextmanager
def routing_server(state: ServerState) -> Iterator[str]:
    """Serve on 127.0.0.1 at a free port; yields the base URL."""
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
