"""``doorstep serve``: the HTTP API in one uvicorn process."""

from __future__ import annotations

import typer
import uvicorn

from doorstep.bootstrap import build_app
from doorstep.cli._common import fail, load_settings
from doorstep.store.migrate import SchemaOutdated


def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default from settings)."),
    port: int | None = typer.Option(None, help="Port to listen on (default from settings)."),
) -> None:
    """Serve the API. Refuses to start on an outdated database schema."""
    settings = load_settings()
    try:
        app = build_app(settings)
    except SchemaOutdated as error:
        fail(str(error))
    uvicorn.run(app, host=host or settings.host, port=port or settings.port, log_level="info")
