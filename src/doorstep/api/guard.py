"""Two pure ASGI middlewares around every request: the rate limit, and security headers.

The rate limit runs before routing and before any body is read, so a flood costs one
counter per request. Security headers are added to every answer (errors included) unless
the route set its own.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from doorstep.api import problems
from doorstep.services.container import Container
from doorstep.services.errors import TooManyRequests

# The API answers JSON, never pages: nothing may load, frame or run from its answers.
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Our pages (/ and /docs) load only what this server serves: Swagger UI is vendored into
# the package. Its start-up script and the styles it sets are inline, hence 'unsafe-inline'
# for this server's own pages only; no other origin is ever named.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'"
)
PAGES = frozenset({"/", "/docs"})
# The courier app (its shell, and its service worker, whose own fetches the policy sent
# with its script governs) runs only this server's scripts, none inline; it draws photos
# and signatures from blob: and data: addresses, runs a worker from this server, and may
# show map tiles from the one tile server an operator configured.
COURIER_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' blob: data:{tiles}; connect-src 'self'; worker-src 'self'; "
    "manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
COURIER_PAGES = frozenset({"/courier", "/courier/sw.js"})
HSTS = b"max-age=63072000; includeSubDomains"


def tile_source(tile_url: str | None) -> str | None:
    """The CSP source for a tile URL template's origin, or None when there is no usable one.

    ``https://{s}.tile.example/{z}/{x}/{y}.png`` gives ``https://*.tile.example``: a
    placeholder may stand only for the leftmost label of the host, as CSP's wildcard does.
    """
    if not tile_url:
        return None
    parts = urlsplit(tile_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    host = re.sub(r"^\{[a-z]+\}\.", "*.", parts.netloc)
    if not re.fullmatch(r"(\*\.)?[A-Za-z0-9.-]+(:\d+)?", host):
        return None
    return f"{parts.scheme}://{host}"


def courier_policy(tile_url: str | None) -> str:
    source = tile_source(tile_url)
    return COURIER_POLICY.format(tiles=f" {source}" if source else "")


def client_address(scope: Scope) -> str:
    """The caller's address as the server saw it (behind a proxy, uvicorn's
    ``--forwarded-allow-ips`` makes this the forwarded one)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _credential(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            return bytes(value).decode("latin-1")
    return None


class RequestLimits:
    """429 problem+json with Retry-After when an address or a credential asks too often."""

    def __init__(self, app: ASGIApp, container: Container) -> None:
        self.app = app
        self.container = container

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            throttle, now = self.container.throttle, self.container.clock.now()
            try:
                await run_in_threadpool(
                    throttle.check_request, now, client_address(scope), _credential(scope)
                )
            except TooManyRequests as refused:
                await too_many(refused)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def too_many(refused: TooManyRequests) -> ASGIApp:
    headers = {"Retry-After": str(refused.retry_after)}
    return problems.problem(429, "too_many_requests", refused.message, headers=headers)


class SecurityHeaders:
    def __init__(
        self, app: ASGIApp, *, strict_transport: bool, tile_url: str | None = None
    ) -> None:
        self.app = app
        self.strict_transport = strict_transport
        self.courier_policy = courier_policy(tile_url)

    def policy(self, path: str) -> str:
        if path in PAGES:
            return PAGE_POLICY
        if path in COURIER_PAGES:
            return self.courier_policy
        return API_POLICY

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.policy(scope["path"])
        extra = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"content-security-policy", policy.encode()),
            (b"cache-control", b"no-store"),  # answers are per caller; tokens above all
        ]
        if self.strict_transport:
            extra.append((b"strict-transport-security", HSTS))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
