"""``GET /console/events``: the console's one live stream (Server-Sent Events).

It forwards the notices on the broadcaster's ``console`` channel
(``services/console/live.py``) as unnamed SSE messages (``EventSource.onmessage``), each
``{"event": name, "route_id": ..., ...}``: ids only. Pages read what changed themselves.
The stream ends when the operator's session expires or the user is deactivated (checked
every ``RECHECK_S``); the browser then reconnects and is refused, as it should be.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Final

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sse_starlette.sse import EventSourceResponse

from doorstep.services.console.live import CONSOLE_CHANNEL
from doorstep.services.errors import AuthenticationFailed
from doorstep.web.console.render import headers
from doorstep.web.console.session import ConsoleRefusal, ConsoleUser, console_user

router = APIRouter()
RECHECK_S: Final = 30.0


@router.get("/console/events")
async def console_events(request: Request, user: ConsoleUser) -> Response:
    """Live notices for open console pages (admins and dispatchers)."""
    sse_headers = {k: v for k, v in headers(request).items() if k != "Cache-Control"}
    return EventSourceResponse(_notices(request), headers=sse_headers, ping=15)


async def _still_allowed(request: Request) -> bool:
    try:
        await run_in_threadpool(console_user, request)
    except (ConsoleRefusal, AuthenticationFailed):
        return False
    return True


async def _notices(request: Request) -> AsyncIterator[dict[str, str]]:
    container = request.app.state.container
    subscription = container.broadcaster.subscribe([CONSOLE_CHANNEL])
    try:
        yield {"event": "ready", "data": "{}"}
        checked = time.monotonic()
        while True:
            message = await subscription.receive(1.0)
            if await request.is_disconnected():
                return
            if time.monotonic() - checked > RECHECK_S:
                if not await _still_allowed(request):
                    yield {"event": "ended", "data": "{}"}
                    return
                checked = time.monotonic()
            if message is not None:
                yield {"data": message}
    except asyncio.CancelledError:
        raise
    finally:
        subscription.close()
