"""The SQL unit of work: one session, one transaction, one principal.

The repositories mark what they store as seen; :meth:`SqlUnitOfWork.commit` collects the
events those aggregates recorded and writes them to the outbox in the same transaction.
Leaving the ``with`` block without a commit rolls everything back, outbox rows included,
so an event is never published for a change that did not happen.

A unit of work writes unless it is opened with :meth:`SqlUnitOfWork.read_only`: on SQLite
a writing transaction takes the database's one write lock when it begins, a reading one
never does (why the two are told apart up front, rather than upgraded on the first write,
is in :mod:`doorstep.store.database`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from doorstep.domain.access import Principal
from doorstep.domain.events import DomainEvent, SeenAggregates
from doorstep.services import ports
from doorstep.store.accounts import (
    SqlApiKeyRepository,
    SqlAuditLog,
    SqlIdempotencyRepository,
    SqlUserRepository,
)
from doorstep.store.blobs import SqlBlobRepository
from doorstep.store.console import SqlConsoleReads
from doorstep.store.crypto import FieldCipher, PlaintextCipher
from doorstep.store.database import reading_engine
from doorstep.store.delivery_policies import SqlDeliveryPolicyRepository
from doorstep.store.errors import translated
from doorstep.store.eta import SqlEtaRepository
from doorstep.store.exceptions import SqlExceptionRepository
from doorstep.store.fleet import (
    SqlBrandRepository,
    SqlCourierRepository,
    SqlHubRepository,
    SqlVehicleRepository,
)
from doorstep.store.notifications import (
    SqlNotificationRepository,
    SqlNotificationSettingsRepository,
    SqlSmsOptOuts,
)
from doorstep.store.orders import SqlOrderRepository
from doorstep.store.outbox import SqlOutbox
from doorstep.store.parcels import SqlParcelRepository
from doorstep.store.pings import SqlPingRepository
from doorstep.store.plans import SqlPlanRepository
from doorstep.store.route_cache import CommittedStops
from doorstep.store.routes import SqlCourierActionRepository, SqlProofRepository, SqlRouteRepository
from doorstep.store.scans import SqlScanRepository
from doorstep.store.tracking import SqlTrackingReads
from doorstep.store.webhooks import SqlWebhookRepository

log = logging.getLogger("doorstep.store")


class SqlUnitOfWork:
    """Satisfies :class:`doorstep.services.ports.UnitOfWork`; repositories exist inside ``with``."""

    # Typed as the ports (protocol attributes are invariant), built in __enter__.
    brands: ports.BrandRepository
    hubs: ports.HubRepository
    vehicles: ports.VehicleRepository
    couriers: ports.CourierRepository
    orders: ports.OrderRepository
    parcels: ports.ParcelRepository
    scans: ports.ScanRepository
    users: ports.UserRepository
    api_keys: ports.ApiKeyRepository
    idempotency: ports.IdempotencyRepository
    outbox: ports.Outbox
    plans: ports.PlanRepository
    audit: ports.AuditLog
    routes: ports.RouteRepository
    courier_actions: ports.CourierActionRepository
    proofs: ports.ProofRepository
    pings: ports.PingRepository
    blobs: ports.BlobRepository
    webhooks: ports.WebhookRepository
    eta: ports.EtaRepository
    notifications: ports.NotificationRepository
    notification_settings: ports.NotificationSettingsRepository
    sms_opt_outs: ports.SmsOptOuts
    tracking: ports.TrackingReads
    exceptions: ports.ExceptionRepository
    console: ports.ConsoleReads
    delivery_policies: ports.DeliveryPolicyRepository

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        principal: Principal,
        cipher: FieldCipher | None = None,
        reader_factory: sessionmaker[Session] | None = None,
        route_stops: CommittedStops | None = None,
        after_commit: Callable[[], None] | None = None,
    ) -> None:
        self.principal = principal
        self._after_commit = after_commit
        self._route_stops = route_stops or CommittedStops()
        self._session_factory = session_factory
        self._reader_factory = reader_factory or session_factory
        self._reading = False
        self._cipher: FieldCipher = cipher or PlaintextCipher()
        self._session: Session | None = None
        self._seen = SeenAggregates()

    def read_only(self) -> Self:
        """Open for reading only: no write lock is taken, and a write fails loudly."""
        if self._session is not None:
            raise RuntimeError("choose read_only() before opening the unit of work")
        self._reading = True
        return self

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open")
        session = (self._reader_factory if self._reading else self._session_factory)()
        self._session = session
        self._seen.clear()
        parts = (session, self.principal, self._cipher)
        seen = self._seen
        self._outbox = SqlOutbox(*parts)
        self.outbox = self._outbox
        self.brands = SqlBrandRepository(*parts)
        self.hubs = SqlHubRepository(*parts)
        self.vehicles = SqlVehicleRepository(*parts)
        self.couriers = SqlCourierRepository(*parts)
        parcels = SqlParcelRepository(*parts, seen=seen)
        self.parcels = parcels
        self.orders = SqlOrderRepository(*parts, seen=seen, parcels=parcels)
        self.scans = SqlScanRepository(*parts, seen=seen)
        self.users = SqlUserRepository(*parts)
        self.api_keys = SqlApiKeyRepository(*parts)
        self.idempotency = SqlIdempotencyRepository(*parts)
        self.plans = SqlPlanRepository(*parts, seen=seen)
        self.audit = SqlAuditLog(*parts)
        self.routes = SqlRouteRepository(*parts, seen=seen, committed=self._route_stops)
        self.courier_actions = SqlCourierActionRepository(*parts)
        self.proofs = SqlProofRepository(*parts)
        self.pings = SqlPingRepository(*parts)
        self.blobs = SqlBlobRepository(*parts, seen=seen)
        self.eta = SqlEtaRepository(*parts, seen=seen)
        self.notifications = SqlNotificationRepository(*parts)
        self.notification_settings = SqlNotificationSettingsRepository(*parts)
        self.sms_opt_outs = SqlSmsOptOuts(*parts)
        self.webhooks = SqlWebhookRepository(*parts, seen=seen)
        self.tracking = SqlTrackingReads(*parts)
        self.exceptions = SqlExceptionRepository(*parts, seen=seen)
        self.console = SqlConsoleReads(*parts)
        self.delivery_policies = SqlDeliveryPolicyRepository(*parts)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        self._seen.clear()
        self._reading = False
        if session is not None:
            session.rollback()  # a no-op after commit
            session.close()

    def commit(self) -> None:
        """Write the stored aggregates' new events to the outbox, then commit both at once.

        When events were written, the ``after_commit`` callback (bootstrap: enqueue the
        relay) is called once the commit has succeeded, never inside the transaction.
        """
        session = self._open()
        wrote_events = False
        for event in self.collect_new_events():
            self._outbox.add(event)
            wrote_events = True
        with translated():
            session.commit()
        if wrote_events and self._after_commit is not None:
            self._after_commit()

    def rollback(self) -> None:
        self._open().rollback()
        self._seen.clear()

    def collect_new_events(self) -> Iterator[DomainEvent]:
        """The events of every aggregate stored so far, each once, in the order stored."""
        return self._seen.collect_new_events()

    def _open(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work inside `with uow:`")
        return self._session


def make_uow_factory(
    engine: Engine,
    cipher: FieldCipher | None = None,
    after_commit: Callable[[], None] | None = None,
) -> Callable[[Principal], SqlUnitOfWork]:
    """The ``UnitOfWorkFactory`` the use cases get: ``factory(principal)`` -> unit of work.

    ``after_commit`` is called after every commit that wrote outbox events (the relay's
    enqueue); a failure in it is logged, never raised: the change is committed, and the
    relay's periodic sweep picks the events up.
    """
    session_factory = sessionmaker(engine, expire_on_commit=False, autoflush=True)
    reader_factory = sessionmaker(reading_engine(engine), expire_on_commit=False, autoflush=True)

    route_stops = CommittedStops()  # shared by every unit of work on this engine

    def factory(principal: Principal) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            session_factory, principal, cipher, reader_factory, route_stops, _safe(after_commit)
        )

    return factory


def _safe(callback: Callable[[], None] | None) -> Callable[[], None] | None:
    if callback is None:
        return None

    def call() -> None:
        try:
            callback()
        except Exception:
            log.exception("the after-commit callback failed; the periodic sweep will relay")

    return call


def _conforms(factory: Callable[[Principal], SqlUnitOfWork]) -> ports.UnitOfWorkFactory:
    """Never called: makes mypy check that SqlUnitOfWork satisfies the UnitOfWork port."""
    return factory
