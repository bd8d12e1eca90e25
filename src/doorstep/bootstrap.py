"""The composition root: the one place that picks implementations and wires them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache, partial
from typing import cast

from fastapi import FastAPI

from doorstep.api import create_app
from doorstep.config import Settings
from doorstep.domain.throttle import Backoff, RateLimit, ThrottlePolicy
from doorstep.geo.matrix_cache import CacheableProvider, CachedProvider, MatrixCache
from doorstep.geo.postcodes import PostcodeLookup
from doorstep.geo.road_network import RoadNetworkProvider, load_network
from doorstep.geo.road_snap import LazyRoadSnapper
from doorstep.geo.straight_line import STRAIGHT_LINE, StraightLineProvider
from doorstep.geo.traffic import LONDON
from doorstep.jobs.queue import make_queue
from doorstep.jobs.tasks import PlanJobs
from doorstep.notify.email_smtp import SmtpEmailSender, SmtpServer
from doorstep.notify.log_senders import LogEmailSender, LogSmsSender
from doorstep.notify.sms_twilio import TwilioAccount, TwilioSmsSender
from doorstep.notify.webhooks import HttpWebhookSender, resolve_host
from doorstep.planning.params import PlannerParams
from doorstep.security import Argon2PasswordHasher
from doorstep.services.accounts.throttle import Throttle
from doorstep.services.blobs import proof_files
from doorstep.services.console.live import publish_console
from doorstep.services.container import Container
from doorstep.services.exceptions import exception_handler
from doorstep.services.notifications.send import Senders
from doorstep.services.ports import (
    BlobStore,
    Broadcaster,
    Clock,
    EmailSender,
    PasswordHasher,
    Routing,
    RoutingFor,
    SmsSender,
    Tallies,
)
from doorstep.services.tracking.live import publish_for
from doorstep.services.webhooks import WebhookPorts, fan_out, send_soon
from doorstep.store.blob_files import LocalBlobStore
from doorstep.store.broadcast import LocalBroadcaster, RedisBroadcaster
from doorstep.store.crypto import FernetCipher
from doorstep.store.database import create_engine_for
from doorstep.store.migrate import check_schema_current
from doorstep.store.tallies import MemoryTallies, RedisTallies
from doorstep.store.uow import make_uow_factory

MESSAGES_LOG = "messages.log"  # the demo's e-mails and texts, written down in its data dir


class SystemClock:
    """The real clock, in UTC. Tests and the simulator pass their own."""

    def now(self) -> datetime:
        return datetime.now(UTC)


TRACKING_NETWORK = "camden"  # the packaged streets a courier's position is snapped to


def build_routing(settings: Settings) -> RoutingFor:
    """Network name -> routing, for the CLI and the API alike: London traffic by time of
    day (vans slowed, bikes and walkers not) and matrices cached on disk under the data
    directory. Providers are made once per name (a road network takes a moment to load).
    ``straight_line`` needs no data; any other name is a packaged road network or the
    path of one made by ``doorstep geo build-network``.

    Raises ``UnknownNetwork`` for a name that is neither straight line nor a network.
    """
    matrix_cache = MatrixCache(settings.data_dir / "matrix-cache")

    @cache
    def routing_for(network: str) -> Routing:
        inner: CacheableProvider
        if network == STRAIGHT_LINE:
            # A frozen dataclass: its read-only ``name`` satisfies the protocol at run time.
            inner = cast(CacheableProvider, StraightLineProvider(traffic=LONDON))
        else:
            inner = RoadNetworkProvider(load_network(network), traffic=LONDON)
        return Routing(provider=CachedProvider(inner, matrix_cache), traffic=LONDON)

    return routing_for


@cache
def postcode_lookup() -> PostcodeLookup:
    """The packaged London postcode table, loaded on first look-up and shared."""
    return PostcodeLookup()


def planner_params() -> PlannerParams:
    """How plan jobs search (the budget comes from each plan). One search per job: workers
    are threads or processes of their own, and forking the solver from inside a server's
    thread is not safe."""
    return PlannerParams(workers=1)


def build_container(
    settings: Settings,
    *,
    passwords: PasswordHasher | None = None,
    check_schema: bool = True,
    jobs: PlanJobs | None = None,
    planner: PlannerParams | None = None,
    clock: Clock | None = None,
) -> Container:
    """Engine, unit of work (sensitive fields encrypted), clock, password hasher, the job
    queue (``jobs`` bound to the container; made from settings when not given) and the
    routing back-ends.

    Refuses (``SchemaOutdated``) a database whose schema is not the code's: run
    ``doorstep db upgrade`` first. ``passwords`` lets tests use a cheaper Argon2 cost, and
    ``planner`` bound a solve by iterations (the plan's budget still sets the time).
    ``clock`` replaces the system clock everywhere it is wired (tests and the simulator
    move time by hand; the relay's handlers and the jobs must see the same time).
    """
    engine = create_engine_for(settings.effective_database_url)
    if check_schema:
        check_schema_current(engine)
    jobs = jobs or build_jobs(settings)
    blob_store = build_blob_store(settings)
    uow_factory = make_uow_factory(
        engine, FernetCipher(settings.secret_key), after_commit=jobs.enqueue_relay
    )
    clock = clock or SystemClock()
    broadcaster = build_broadcaster(settings)
    container = Container(
        throttle=build_throttle(settings),
        strict_transport=settings.mode != "demo",
        uow_factory=uow_factory,
        clock=clock,
        passwords=passwords or Argon2PasswordHasher(),
        secret_key=settings.secret_key,
        public_url=settings.public_url,
        on_close=engine.dispose,
        enqueue_plan=jobs.enqueue,
        routing_for=build_routing(settings),
        planner=planner or planner_params(),
        postcodes=postcode_lookup(),
        ping_retention=timedelta(days=settings.ping_retention_days),
        blobs=blob_store,
        photo_retention=timedelta(days=settings.photo_retention_days),
        blob_exists=proof_files.uploaded(blob_store),
        proof_file_hash=proof_files.file_hash(blob_store),
        proof_purged=proof_files.purged(uow_factory),
        webhooks=build_webhooks(settings),
        enqueue_webhooks=jobs.enqueue_webhooks,
        # The relay makes one webhook delivery per event and endpoint, then wakes the sender;
        # and raises (or closes) the dispatcher's exceptions the events tell of.
        relay_handlers=(fan_out(clock), exception_handler(clock)),
        # After each relayed batch: wake the webhook sender, tell open tracking pages and
        # open consoles.
        relay_after=(
            send_soon(jobs.enqueue_webhooks),
            publish_for(broadcaster),
            publish_console(broadcaster),
        ),
        sms_auth_token=settings.twilio_auth_token,
        senders=build_senders(settings, clock),
        broadcaster=broadcaster,
        snap_to_road=LazyRoadSnapper(TRACKING_NETWORK),
    )
    jobs.bind(container)
    return container


def build_webhooks(settings: Settings) -> WebhookPorts:
    """The webhook sender over HTTP. Only in demo and test mode may endpoints use http and
    private or loopback addresses (a receiver on the same machine); in production every
    URL must be https to a public address, checked when saved and again at each send."""
    allow_private = settings.mode in {"demo", "test"}
    return WebhookPorts(
        sender=HttpWebhookSender(allow_private=allow_private),
        resolve=resolve_host,
        allow_private=allow_private,
    )


def build_senders(settings: Settings, clock: Clock) -> Senders:
    """E-mail over SMTP when ``DOORSTEP_SMTP_URL`` is set, texts through Twilio when
    ``DOORSTEP_SMS_PROVIDER=twilio``; otherwise, and always in demo mode, to the log (the
    demo also writes them in full to ``messages.log`` in its data folder)."""
    written = settings.data_dir / MESSAGES_LOG if settings.mode == "demo" else None
    email: EmailSender = LogEmailSender(written)
    sms: SmsSender = LogSmsSender(written)
    if settings.mode != "demo" and settings.smtp_url:
        email = SmtpEmailSender(SmtpServer.from_url(settings.smtp_url), clock)
    if settings.mode != "demo" and settings.sms_provider == "twilio":
        assert settings.twilio_account_sid and settings.twilio_auth_token and settings.sms_from
        account = TwilioAccount(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token,
            sender=settings.sms_from,
            base_url=settings.twilio_base_url,
        )
        sms = TwilioSmsSender(account)
    return Senders(
        email=email,
        sms=sms,
        email_from=settings.effective_email_from,
        tracking_base_url=settings.public_url.rstrip("/") + "/t/",
        secret=settings.secret_key,
    )


def build_broadcaster(settings: Settings) -> Broadcaster:
    """Live-page notices within this process, or through Redis pub/sub when
    ``DOORSTEP_REDIS_URL`` is set (every server process and job worker then shares them)."""
    if settings.redis_url:
        return RedisBroadcaster(settings.redis_url)
    return LocalBroadcaster()


def build_blob_store(settings: Settings) -> BlobStore:
    """Images in a local content-addressed folder (the default), or in an S3-compatible
    bucket when ``DOORSTEP_BLOB_STORE=s3``. The S3 client is imported only then, so a
    machine on local files never loads it."""
    if settings.blob_store == "s3":
        from doorstep.store.blob_s3 import S3BlobStore

        assert settings.s3_bucket is not None  # the settings refuse s3 without a bucket
        return S3BlobStore.connect(
            bucket=settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            region=settings.s3_region,
        )
    return LocalBlobStore(settings.effective_blob_dir)


def build_throttle(settings: Settings) -> Throttle:
    """The limits from the settings, counted in Redis when ``DOORSTEP_REDIS_URL`` is set
    (every API process shares them) or else in this process's memory."""
    lock = timedelta(seconds=settings.lockout_seconds)
    longest = timedelta(seconds=settings.lockout_max_seconds)
    policy = ThrottlePolicy(
        per_address=RateLimit(settings.requests_per_minute_per_address),
        per_credential=RateLimit(settings.requests_per_minute_per_credential),
        account=Backoff(settings.login_failures_per_account, lock, longest),
        address=Backoff(settings.auth_failures_per_address, lock, longest),
        memory=timedelta(seconds=settings.failure_memory_seconds),
    )
    tallies: Tallies = MemoryTallies()
    if settings.redis_url:
        tallies = RedisTallies.from_url(settings.redis_url)
    return Throttle(tallies, policy)


def build_jobs(settings: Settings) -> PlanJobs:
    """The plan job on the queue the settings choose (SQLite file, or Redis)."""
    return PlanJobs(partial(make_queue, settings))


def build_app(settings: Settings) -> FastAPI:
    """The HTTP API wired for ``settings`` (what ``uvicorn --factory`` and the CLI serve)."""
    return create_app(build_container(settings), tile_url=settings.tile_url)
