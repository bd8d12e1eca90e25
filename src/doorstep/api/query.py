"""Empty query parameters mean "not given", for every route at once.

Forms, shell scripts and client libraries send ``?state=&reference=`` for a filter the
user left blank. Answering 422 ("'' is not a valid state") punishes a normal habit, so an
empty value is dropped before routing, exactly as if the parameter were absent. A value
that is present but wrong still gets its 422.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Receive, Scope, Send


def without_empty_values(query_string: bytes) -> bytes:
    """The query string minus its ``name=`` (empty) parameters, order kept."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if value != ""]
    return urlencode(kept).encode("latin-1") if len(kept) < len(pairs) else query_string


class DropEmptyQueryValues:
    """Pure ASGI middleware: rewrites ``scope["query_string"]`` for HTTP requests."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            scope = dict(scope, query_string=without_empty_values(scope["query_string"]))
        await self.app(scope, receive, send)
