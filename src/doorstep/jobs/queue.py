"""The job queue, chosen by settings: local SQLite storage by default, Redis at scale.

Both are the same library (huey), so a task is written once. With the local queue the
web process can run the consumer itself (one machine, nothing else to start); with Redis,
``doorstep worker`` processes on any number of machines share the queue.
"""

from __future__ import annotations

from huey import Huey, RedisHuey, SqliteHuey

from doorstep.config import Settings

QUEUE_NAME = "doorstep"
QUEUE_FILE = "jobs.sqlite3"


def make_queue(settings: Settings, *, name: str = QUEUE_NAME) -> Huey:
    """``RedisHuey`` when ``DOORSTEP_REDIS_URL`` is set, else ``SqliteHuey`` in the data dir.

    Results are not kept: a job writes its outcome to the database, where the API reads it.
    """
    if settings.redis_url:
        return RedisHuey(name, url=settings.redis_url, results=False, utc=True)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = (settings.data_dir / QUEUE_FILE).resolve()
    return SqliteHuey(name, filename=str(path), results=False, utc=True)


def is_local(queue: Huey) -> bool:
    """True for the SQLite queue: only this machine's processes can consume it."""
    return isinstance(queue, SqliteHuey)
