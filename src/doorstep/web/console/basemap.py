"""The console's offline base map: the courier app's streets, packed for a desktop map.

The Today page draws every street near 60 routes at once; parsing the GeoJSON form
(``/courier/basemap.json``) was most of its render time. This serves the same lines as
flat integer arrays (``geo.basemap.packed``), built once per process and cached by the
browser for a day. Operators only, like every console address.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import Response

from doorstep.geo.basemap import packed
from doorstep.web.console.session import ConsoleUser
from doorstep.web.courier import basemap_bytes

PATH: Final = "/console/basemap.json"

router = APIRouter()


@cache
def packed_bytes() -> tuple[bytes, bytes]:
    """The packed base map as JSON and gzip (built from the courier app's, once)."""
    body = json.dumps(packed(json.loads(basemap_bytes()[0])), separators=(",", ":")).encode()
    return body, gzip.compress(body, compresslevel=6, mtime=0)


@router.get(PATH)
def console_basemap(request: Request, user: ConsoleUser) -> Response:
    """The streets as ``{attribution, scale, counts, coords}`` (see ``geo.basemap.packed``)."""
    body, zipped = packed_bytes()
    headers = {"Cache-Control": "private, max-age=86400", "Vary": "Accept-Encoding, Cookie"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(zipped, media_type="application/json", headers=headers)
    return Response(body, media_type="application/json", headers=headers)
