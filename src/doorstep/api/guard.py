"""Two pure ASGI middlewares around every request: the rate limit, and security headers.

The rate limit runs before routing and before any body is read, so a flood costs one
counter per request. Security headers are added to every answer (errors included) unless
the route set its own.
"""

from __future__ import annotations

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
HSTS = b"max-age=63072000; includeSubDomains"


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
    def __init__(self, app: ASGIApp, *, strict_transport: bool) -> None:
        self.app = app
        self.strict_transport = strict_transport

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = PAGE_POLICY if scope["path"] in PAGES else API_POLICY
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
