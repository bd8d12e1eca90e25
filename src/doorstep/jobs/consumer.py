"""A huey consumer on threads inside another process (the API server, the demo, tests).

``doorstep worker`` runs huey's own consumer in the foreground. Inside ``doorstep serve``
the server owns the process's signals, so this consumer installs no signal handlers and
is stopped explicitly.
"""

from __future__ import annotations

from huey import Huey
from huey.consumer import Consumer


class InProcessConsumer(Consumer):  # type: ignore[misc]
    """huey's consumer without signal handlers (they may only be set on the main thread)."""

    def _set_signal_handlers(self) -> None:
        return None


def start_in_process(queue: Huey, *, workers: int = 1) -> InProcessConsumer:
    """Worker and scheduler threads polling ``queue``, running its periodic tasks too;
    call ``.stop(graceful=True)`` to end."""
    consumer = InProcessConsumer(
        queue,
        workers=workers,
        worker_type="thread",
        periodic=True,  # the purge of expired idempotency records (jobs/tasks.py)
        check_worker_health=False,
        max_delay=1.0,  # an idle local queue is polled at least every second
    )
    consumer.start()
    return consumer
