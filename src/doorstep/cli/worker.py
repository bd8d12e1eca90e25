"""``doorstep worker``: run background jobs (plans) from the configured queue.

With ``DOORSTEP_REDIS_URL`` set, start as many workers as you like on any machine that
reaches Redis and the database. Without it the queue is a SQLite file in the data dir,
and ``doorstep serve`` already consumes it in-process; a separate worker is optional.
"""

from __future__ import annotations

import logging

import typer
from huey.consumer import Consumer

from doorstep.bootstrap import build_jobs
from doorstep.cli._common import load_settings, open_container


def worker(
    threads: int = typer.Option(1, min=1, max=32, help="Jobs run at the same time."),
    resume: bool = typer.Option(
        True, help="First re-enqueue plans a stopped worker left queued or running."
    ),
) -> None:
    """Consume the job queue until Ctrl+C (a running plan finishes first)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = load_settings()
    jobs = build_jobs(settings)
    container = open_container(settings, jobs=jobs)
    if resume:
        for plan_id in jobs.resume():
            typer.echo(f"re-enqueued {plan_id}")
    # Periodic tasks too: the 24-hour idempotency purge runs wherever jobs are consumed.
    consumer = Consumer(jobs.queue, workers=threads, worker_type="thread", periodic=True)
    try:
        consumer.run()
    finally:
        container.close()
