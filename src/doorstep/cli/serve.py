"""``doorstep serve``: the HTTP API in one uvicorn process.

With the local (SQLite) job queue, the same process also runs one consumer thread, so a
single-machine install needs nothing else to plan routes. With ``DOORSTEP_REDIS_URL``
set, run ``doorstep worker`` processes instead (``--jobs`` forces the thread anyway).
"""

from __future__ import annotations

import typer
import uvicorn

from doorstep.api import create_app
from doorstep.bootstrap import build_jobs
from doorstep.cli._common import load_settings, open_container, settle_heap
from doorstep.jobs.consumer import start_in_process
from doorstep.jobs.queue import is_local


def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default from settings)."),
    port: int | None = typer.Option(None, help="Port to listen on (default from settings)."),
    jobs: bool | None = typer.Option(
        None, help="Run a job consumer thread here (default: only with the local queue)."
    ),
) -> None:
    """Serve the API. Refuses to start on an outdated database schema."""
    settings = load_settings()
    plan_jobs = build_jobs(settings)
    container = open_container(settings, jobs=plan_jobs)
    consumer = None
    if jobs if jobs is not None else is_local(plan_jobs.queue):
        plan_jobs.resume()
        consumer = start_in_process(plan_jobs.queue)
    app = create_app(container, tile_url=settings.tile_url)
    settle_heap()
    try:
        uvicorn.run(
            app,
            host=host or settings.host,
            port=port or settings.port,
            log_level="info",
            server_header=False,  # no "server: uvicorn" telling a prober what to aim at
        )
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)
        container.close()
