"""A cap on request bodies, enforced before any route reads them (pure ASGI, no buffering
beyond the cap), so an enormous upload is refused with 413 instead of filling memory.

Routes that read their body as a stream (the CSV import) get a cap of their own and are
not buffered: their bytes are counted as the route reads them, and going over the cap
raises :class:`BodyTooLarge`, which the problem handlers answer with 413.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BODY = 10 * 1024 * 1024
IMPORT_MAX_BODY = 100 * 1024 * 1024  # an order CSV of about 500,000 rows
DRAIN_LIMIT = 64 * 1024 * 1024  # beyond this the connection is simply closed


class BodyTooLarge(Exception):
    """A streamed body went over its route's cap (what was sent was read and dropped)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"The request body is larger than {max_bytes} bytes.")
        self.max_bytes = max_bytes


class BodySizeLimit:
    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = DEFAULT_MAX_BODY,
        streamed: Mapping[str, int] | None = None,
    ) -> None:
        """``streamed`` maps the paths of streaming routes to their own caps: an exact path,
        or a prefix ending in ``/`` for every path under it (``/v1/blobs/``)."""
        self.app = app
        self.max_bytes = max_bytes
        self.streamed = dict(streamed or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        streamed_cap = self._streamed_cap(scope["path"])
        cap = self.max_bytes if streamed_cap is None else streamed_cap
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > cap):
            await self._refuse(send, receive, max_bytes=cap)
            return
        if streamed_cap is not None:
            await self.app(scope, _counted(receive, cap), send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(send, receive, more=message.get("more_body", False))
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _streamed_cap(self, path: str) -> int | None:
        if path in self.streamed:
            return self.streamed[path]
        for prefix, cap in self.streamed.items():
            if prefix.endswith("/") and path.startswith(prefix):
                return cap
        return None

    async def _refuse(
        self, send: Send, receive: Receive, *, more: bool = True, max_bytes: int | None = None
    ) -> None:
        """Read (and drop) what the client is still sending, up to a bound, then answer 413.

        Answering first would not do: the server stops reading once the answer is complete,
        and closing a socket with unread data resets the connection, so the client would see
        a broken connection instead of the answer.
        """
        if not await _drain(receive, more):
            return
        cap = max_bytes or self.max_bytes
        body = json.dumps(
            {
                "type": "https://doorstep.dev/problems/too_large",
                "title": "Content Too Large",
                "status": 413,
                "detail": f"The request body is larger than {cap} bytes.",
                "errors": [{"field": "body", "reason": f"larger than {cap} bytes"}],
            }
        ).encode()
        headers = [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def _drain(receive: Receive, more: bool = True) -> bool:
    """Read and drop the rest of the body, up to a bound; False when the client left."""
    drained = 0
    while more and drained <= DRAIN_LIMIT:
        message = await receive()
        if message["type"] != "http.request":
            return False
        drained += len(message.get("body", b""))
        more = message.get("more_body", False)
    return True


def _counted(receive: Receive, max_bytes: int) -> Receive:
    """``receive`` that counts body bytes and raises :class:`BodyTooLarge` past the cap."""
    size = 0

    async def counting() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > max_bytes:
                await _drain(receive, message.get("more_body", False))
                raise BodyTooLarge(max_bytes)
        return message

    return counting
