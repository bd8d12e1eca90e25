"""The :class:`~doorstep.services.ports.Broadcaster` adapters: in one process, or through
Redis pub/sub so that every server process hears what any process (or job worker) says.

Subscribers are asyncio queues on the server's event loop; a publisher may be any thread
(a request handler, the relay after its commit), so delivery goes through
``call_soon_threadsafe``. A subscriber that does not keep up loses the oldest notices, never
blocks the publisher: a notice only says "look again".

The Redis adapter keeps one pub/sub connection per process, whatever the number of open
pages: it subscribes to a pattern once and fans each message out to the local subscribers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Final

import redis
import redis.asyncio as redis_async

logger = logging.getLogger(__name__)

QUEUE_SIZE: Final = 16  # a page needs only to know that something changed
PREFIX: Final = "doorstep:live:"


class _Queue:
    """One subscriber: an asyncio queue on its own loop."""

    def __init__(self, hub: LocalBroadcaster, channels: Sequence[str]) -> None:
        self.hub = hub
        self.channels = tuple(dict.fromkeys(channels))
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[str] = asyncio.Queue(QUEUE_SIZE)

    def offer(self, message: str) -> None:
        """On the subscriber's loop: keep the newest notices when full."""
        if self.queue.full():
            self.queue.get_nowait()
        self.queue.put_nowait(message)

    async def receive(self, timeout: float) -> str | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None

    def close(self) -> None:
        self.hub.forget(self)


class LocalBroadcaster:
    """Notices within this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[_Queue]] = defaultdict(set)
        self._hearers: list[Callable[[str], None]] = []

    def publish(self, channel: str, message: str) -> None:
        with self._lock:
            targets = list(self._subscribers.get(channel, ()))
            hearers = list(self._hearers)
        for target in targets:
            with contextlib.suppress(RuntimeError):  # its loop has closed
                target.loop.call_soon_threadsafe(target.offer, message)
        for hear in hearers:
            try:
                hear(channel)
            except Exception:  # one bad listener never stops the notice reaching pages
                logger.exception("a listener failed on %s", channel)

    def listen(self, hear: Callable[[str], None]) -> None:
        with self._lock:
            self._hearers.append(hear)

    def subscribe(self, channels: Sequence[str]) -> _Queue:
        subscriber = _Queue(self, channels)
        with self._lock:
            for channel in subscriber.channels:
                self._subscribers[channel].add(subscriber)
        return subscriber

    def forget(self, subscriber: _Queue) -> None:
        with self._lock:
            for channel in subscriber.channels:
                subscribers = self._subscribers.get(channel)
                if subscribers is not None:
                    subscribers.discard(subscriber)
                    if not subscribers:
                        del self._subscribers[channel]

    @property
    def subscriber_count(self) -> int:
        """Open subscriptions (one page listening to three channels counts once)."""
        with self._lock:
            return len({id(s) for subs in self._subscribers.values() for s in subs})


class RedisBroadcaster:
    """Notices through Redis pub/sub: published with a plain client, heard by one listener
    task per process (started with the first subscription) that hands them on locally."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._client = redis.Redis.from_url(url)
        self._local = LocalBroadcaster()
        self._listener: asyncio.Task[None] | None = None
        self._ready: asyncio.Event | None = None

    def publish(self, channel: str, message: str) -> None:
        self._client.publish(PREFIX + channel, message.encode())

    def subscribe(self, channels: Sequence[str]) -> _Queue:
        subscriber = self._local.subscribe(channels)
        self._start_listener()
        return subscriber

    def listen(self, hear: Callable[[str], None]) -> None:
        self._local.listen(hear)
        self._start_listener()

    def _start_listener(self) -> None:
        if self._listener is None or self._listener.done():
            self._ready = asyncio.Event()
            self._listener = asyncio.get_running_loop().create_task(self._listen(self._ready))

    async def ready(self) -> None:
        """Wait until this process's listener is subscribed (tests and start-up)."""
        if self._ready is not None:
            await self._ready.wait()

    async def _listen(self, ready: asyncio.Event) -> None:
        """Hand each message on; after a lost connection, subscribe again a moment later."""
        while True:
            try:
                client = redis_async.Redis.from_url(self._url)
                async with client.pubsub() as pubsub:
                    await pubsub.psubscribe(PREFIX + "*")
                    ready.set()
                    async for message in pubsub.listen():
                        if message.get("type") != "pmessage":
                            continue
                        channel = message["channel"].decode()[len(PREFIX) :]
                        self._local.publish(channel, message["data"].decode())
            except asyncio.CancelledError:
                raise
            except (redis.RedisError, OSError) as error:
                logger.warning("live updates: Redis listener lost (%s); retrying", error)
                await asyncio.sleep(1.0)

    def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
        self._client.close()
