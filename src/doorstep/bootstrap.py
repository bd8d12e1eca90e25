"""The composition root: the one place that picks implementations and wires them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache, partial
from typing import cast

from fastapi import FastAPI

from doorstep.api import create_app
from doorstep.config import Settings
from doorstep.domain.model import VehicleType
from doorstep.domain.throttle import Backoff, RateLimit, ThrottlePolicy
from doorstep.geo.provider import TravelTimeProvider
from doorstep.geo.road_network import RoadNetworkProvider, load_network
from doorstep.geo.straight_line import StraightLineProvider
from doorstep.geo.traffic import FREE_FLOW, LONDON
from doorstep.jobs.queue import make_queue
from doorstep.jobs.tasks import PlanJobs
from doorstep.security import Argon2PasswordHasher
from doorstep.services.container import Container
from doorstep.services.ports import PasswordHasher, Routing, Tallies
from doorstep.services.throttle import Throttle
from doorstep.store.crypto import FernetCipher
from doorstep.store.database import create_engine_for
from doorstep.store.migrate import check_schema_current
from doorstep.store.tallies import MemoryTallies, RedisTallies
from doorstep.store.uow import make_uow_factory


class SystemClock:
    """The real clock, in UTC. Tests and the simulator pass their own."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def london_leg_factor(moment: datetime) -> float:
    """London's van speed bands as a travel-time multiplier (slower speed, longer leg).

    Applied to every profile: bikes lose a little in peak hours too, and an estimate on
    the slow side keeps promised windows."""
    return 1.0 / LONDON.factor(moment, VehicleType.VAN)


@cache
def routing_for(network: str) -> Routing:
    """Free-flow matrices from the named back-end; the planner adds London's traffic per
    leg. Providers are made once per process (a road network takes a moment to load)."""
    provider: TravelTimeProvider
    if network == "straight_line":
        # A frozen dataclass: its read-only ``name`` satisfies the protocol at run time.
        provider = cast(TravelTimeProvider, StraightLineProvider(traffic=FREE_FLOW))
    else:
        provider = RoadNetworkProvider(load_network(network), traffic=FREE_FLOW)
    return Routing(provider=provider, leg_factor=london_leg_factor)


def build_container(
    settings: Settings,
    *,
    passwords: PasswordHasher | None = None,
    check_schema: bool = True,
    jobs: PlanJobs | None = None,
) -> Container:
    """Engine, unit of work (sensitive fields encrypted), clock, password hasher, the job
    queue (``jobs`` bound to the container; made from settings when not given) and the
    routing back-ends.

    Refuses (``SchemaOutdated``) a database whose schema is not the code's: run
    ``doorstep db upgrade`` first. ``passwords`` lets tests use a cheaper Argon2 cost.
    """
    engine = create_engine_for(settings.effective_database_url)
    if check_schema:
        check_schema_current(engine)
    jobs = jobs or build_jobs(settings)
    container = Container(
        throttle=build_throttle(settings),
        strict_transport=settings.mode != "demo",
        uow_factory=make_uow_factory(engine, FernetCipher(settings.secret_key)),
        clock=SystemClock(),
        passwords=passwords or Argon2PasswordHasher(),
        secret_key=settings.secret_key,
        public_url=settings.public_url,
        on_close=engine.dispose,
        enqueue_plan=jobs.enqueue,
        routing_for=routing_for,
    )
    jobs.bind(container)
    return container


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
    return create_app(build_container(settings))
