"""Live-page notices: in one process, and through a real Redis between two "processes"
(two broadcasters, as two server processes each have their own)."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import UTC, datetime

from doorstep.domain.events import DomainEvent
from doorstep.services.tracking.live import publish_for
from doorstep.store.broadcast import LocalBroadcaster, RedisBroadcaster
from tests.integration.redis_server import redis_url

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_a_notice_reaches_the_subscribers_of_its_channel_only() -> None:
    async def scenario() -> tuple[str | None, str | None]:
        hub = LocalBroadcaster()
        mine, other = hub.subscribe(["order:a", "route:r"]), hub.subscribe(["order:b"])
        threading.Thread(target=hub.publish, args=("route:r", "look")).start()
        got = await mine.receive(5.0), await other.receive(0.2)
        mine.close()
        other.close()
        assert hub.subscriber_count == 0
        return got

    assert asyncio.run(scenario()) == ("look", None)


def test_a_slow_subscriber_keeps_the_newest_notices_and_never_blocks_the_publisher() -> None:
    async def scenario() -> list[str]:
        hub = LocalBroadcaster()
        slow = hub.subscribe(["order:a"])
        for n in range(100):
            hub.publish("order:a", str(n))
        await asyncio.sleep(0.05)
        got = []
        while (notice := await slow.receive(0.05)) is not None:
            got.append(notice)
        return got

    got = asyncio.run(scenario())
    assert got[-1] == "99" and len(got) <= 16


def test_publish_for_tells_the_order_parcel_and_route_pages_of_a_batch() -> None:
    events = [
        (1, DomainEvent("parcel.delivered", "par_1", AT, {"parcel_id": "par_1"}, "brd_1")),
        (2, DomainEvent("stop.completed", "rte_1", AT, {"route_id": "rte_1"})),
        (3, DomainEvent("order.created", "ord_1", AT, {"order_id": "ord_1"}, "brd_1")),
        (
            4,
            DomainEvent(
                "stop.window_announced", "rte_1", AT, {"route_id": "rte_1", "order_ids": ["ord_2"]}
            ),
        ),
        (5, DomainEvent("scan.unknown_barcode", "scn_1", AT, {})),
    ]

    async def scenario() -> dict[str, str | None]:
        hub = LocalBroadcaster()
        pages = {
            name: hub.subscribe([name])
            for name in ("parcel:par_1", "route:rte_1", "order:ord_1", "order:ord_2")
        }
        await asyncio.to_thread(publish_for(hub), events)
        return {name: await page.receive(2.0) for name, page in pages.items()}

    got = asyncio.run(scenario())
    assert json.loads(got["parcel:par_1"] or "") == {"event": "parcel.delivered"}
    assert json.loads(got["route:rte_1"] or "") == {"event": "stop.window_announced"}
    assert json.loads(got["order:ord_1"] or "") == {"event": "order.created"}
    assert json.loads(got["order:ord_2"] or "") == {"event": "stop.window_announced"}


def test_a_notice_published_in_one_process_reaches_a_page_served_by_another_over_redis() -> None:
    url = redis_url()

    async def scenario() -> str | None:
        serving, publishing = RedisBroadcaster(url), RedisBroadcaster(url)
        page = serving.subscribe(["order:ord_redis"])
        await serving.ready()
        await asyncio.to_thread(publishing.publish, "order:ord_redis", "look again")
        got = await page.receive(5.0)
        page.close()
        serving.close()
        publishing.close()
        return got

    assert asyncio.run(scenario()) == "look again"


def test_a_listener_hears_every_channel_and_a_failing_one_stops_nothing() -> None:
    heard: list[str] = []

    def broken(channel: str) -> None:
        raise RuntimeError("a listener that fails")

    async def scenario() -> str | None:
        hub = LocalBroadcaster()
        hub.listen(broken)
        hub.listen(heard.append)
        page = hub.subscribe(["order:a"])
        await asyncio.to_thread(hub.publish, "route:r", "look")
        await asyncio.to_thread(hub.publish, "order:a", "look")
        return await page.receive(2.0)

    assert asyncio.run(scenario()) == "look"
    assert heard == ["route:r", "order:a"]


def test_a_listener_in_one_process_hears_a_notice_published_by_another_over_redis() -> None:
    url = redis_url()
    heard: list[str] = []

    async def scenario() -> None:
        serving, publishing = RedisBroadcaster(url), RedisBroadcaster(url)
        serving.listen(heard.append)
        await serving.ready()
        await asyncio.to_thread(publishing.publish, "order:ord_listen", "look again")
        for _ in range(500):  # bounded by iterations: at most 5 s
            if heard:
                break
            await asyncio.sleep(0.01)
        serving.close()
        publishing.close()

    asyncio.run(scenario())
    assert heard == ["order:ord_listen"]
