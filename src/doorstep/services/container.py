"""What the entry points (API, web pages, jobs) are given: the ports, chosen by bootstrap."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from doorstep.domain.chain import FileHash, Purged
from doorstep.domain.model import GeoPoint
from doorstep.planning.params import PlannerParams
from doorstep.services.accounts.throttle import Throttle
from doorstep.services.blobs.signed_urls import BlobLinks
from doorstep.services.notifications.send import Senders
from doorstep.services.pings import DEFAULT_RETENTION
from doorstep.services.ports import (
    BlobStore,
    BlobVariant,
    Broadcaster,
    Clock,
    Geocoder,
    PasswordHasher,
    Routing,
    Subscription,
    UnitOfWorkFactory,
)
from doorstep.services.relay import AfterCommit, EventHandler
from doorstep.services.tracking.view import SnapToRoad, no_snapping
from doorstep.services.webhooks.policy import WebhookPorts


def _no_queue(plan_id: str) -> None:
    raise RuntimeError(f"no job queue is wired: plan {plan_id} stays queued")


def _no_routing(network: str) -> Routing:
    raise RuntimeError(f"no routing back-end is wired for {network!r}")


class _NoGeocoder:
    """Knows no postcode: orders without coordinates stay without a point."""

    def centroid(self, postcode: str) -> GeoPoint | None:
        return None


class _NoBlobStore:
    """Stores nothing: wired where no images are expected (bootstrap wires a real one)."""

    def put(self, sha256: str, variant: BlobVariant, data: bytes, content_type: str) -> None:
        raise RuntimeError("no blob store is wired")

    def get(self, sha256: str, variant: BlobVariant) -> bytes | None:
        return None

    def exists(self, sha256: str, variant: BlobVariant) -> bool:
        return False

    def delete(self, sha256: str, variant: BlobVariant) -> None:
        return None


class _Silent:
    async def receive(self, timeout: float) -> str | None:
        await asyncio.sleep(timeout)
        return None

    def close(self) -> None:
        return None


class _NoBroadcaster:
    """Tells nobody: pages still look again on their own every 30 s (bootstrap wires one)."""

    def publish(self, channel: str, message: str) -> None:
        return None

    def subscribe(self, channels: Sequence[str]) -> Subscription:
        return _Silent()

    def listen(self, hear: Callable[[str], None]) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Container:
    uow_factory: UnitOfWorkFactory
    clock: Clock
    passwords: PasswordHasher
    secret_key: str  # signs operator tokens; never the demo default in production
    public_url: str  # where tracking links point, e.g. ``https://deliver.example``
    token_ttl: timedelta = timedelta(hours=12)
    on_close: Callable[[], None] = field(default=lambda: None)  # releases the engine
    # Called after a plan request commits; bootstrap points it at the job queue.
    enqueue_plan: Callable[[str], None] = _no_queue
    routing_for: Callable[[str], Routing] = _no_routing  # network name -> back-end
    # How plan jobs search; each plan's budget replaces the time. Tests bound iterations.
    planner: PlannerParams = field(default_factory=lambda: PlannerParams(workers=1))
    postcodes: Geocoder = field(default_factory=_NoGeocoder)  # places orders given no lat/lon
    throttle: Throttle = field(default_factory=Throttle)  # no limits unless bootstrap sets them
    strict_transport: bool = False  # send Strict-Transport-Security (outside demo mode)
    # Whether a proof file (by SHA-256) has been uploaded; bootstrap asks the blob store.
    blob_exists: Callable[[str], bool] = field(default=lambda sha256: False)
    geofence_radius_m: float = 150.0  # farther from the address at arrival: a mismatch
    access_code_radius_m: float = 300.0  # within this of the stop, its code may be shown
    # Proof files for `verify`: a stored file's SHA-256 now (None: missing), and whether
    # one was purged after retention. None until bootstrap wires the file store.
    proof_file_hash: FileHash | None = None
    proof_purged: Purged | None = None
    # Couriers' positions are refused when older, and purged once older (settings).
    ping_retention: timedelta = DEFAULT_RETENTION
    blobs: BlobStore = field(default_factory=_NoBlobStore)  # photos and signatures
    photo_retention: timedelta = timedelta(days=90)  # image files are deleted after this
    sms_auth_token: str | None = None  # checks the SMS provider's signature on inbound texts
    # The outbox relay's consumers (notifications, webhooks) and after-commit hooks (live
    # updates), and the e-mail and SMS senders; bootstrap wires them.
    relay_handlers: tuple[EventHandler, ...] = ()
    relay_after: tuple[AfterCommit, ...] = ()
    senders: Senders | None = None
    # Webhooks: the sender, the resolver, demo/test mode; bootstrap wires the real ones.
    webhooks: WebhookPorts = field(default_factory=WebhookPorts)
    # Wakes the webhook sender (after the relay's fan-out commits); the sweep runs anyway.
    enqueue_webhooks: Callable[[], None] = field(default=lambda: None)
    # Live tracking: notices to open pages (in-process, or Redis), and the road snapping
    # that a courier's position goes through before a recipient sees it.
    broadcaster: Broadcaster = field(default_factory=_NoBroadcaster)
    snap_to_road: SnapToRoad = no_snapping

    @property
    def blob_links(self) -> BlobLinks:
        """Signed links to blob copies (the proof answers call ``signed_url``)."""
        return BlobLinks(self.secret_key, self.public_url)

    def close(self) -> None:
        self.on_close()

    @property
    def tracking_base_url(self) -> str:
        return self.public_url.rstrip("/") + "/t/"
