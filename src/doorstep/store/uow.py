"""The SQL unit of work: one session, one transaction, one principal.

Leaving the ``with`` block without :meth:`SqlUnitOfWork.commit` rolls everything back,
outbox rows included, so an event is never published for a change that did not happen.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from doorstep.domain.access import Principal
from doorstep.services import ports
from doorstep.store.accounts import (
    SqlApiKeyRepository,
    SqlAuditLog,
    SqlIdempotencyRepository,
    SqlUserRepository,
)
from doorstep.store.crypto import FieldCipher, PlaintextCipher
from doorstep.store.errors import translated
from doorstep.store.fleet import (
    SqlBrandRepository,
    SqlCourierRepository,
    SqlHubRepository,
    SqlVehicleRepository,
)
from doorstep.store.orders import SqlOrderRepository
from doorstep.store.outbox import SqlOutbox
from doorstep.store.parcels import SqlParcelRepository
from doorstep.store.plans import SqlPlanRepository
from doorstep.store.scans import SqlScanRepository


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

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        principal: Principal,
        cipher: FieldCipher | None = None,
    ) -> None:
        self.principal = principal
        self._session_factory = session_factory
        self._cipher: FieldCipher = cipher or PlaintextCipher()
        self._session: Session | None = None

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open")
        session = self._session_factory()
        self._session = session
        parts = (session, self.principal, self._cipher)
        outbox = SqlOutbox(*parts)
        self.outbox = outbox
        self.brands = SqlBrandRepository(*parts)
        self.hubs = SqlHubRepository(*parts)
        self.vehicles = SqlVehicleRepository(*parts)
        self.couriers = SqlCourierRepository(*parts)
        self.orders = SqlOrderRepository(*parts, outbox=outbox)
        self.parcels = SqlParcelRepository(*parts, outbox=outbox)
        self.scans = SqlScanRepository(*parts)
        self.users = SqlUserRepository(*parts)
        self.api_keys = SqlApiKeyRepository(*parts)
        self.idempotency = SqlIdempotencyRepository(*parts)
        self.plans = SqlPlanRepository(*parts)
        self.audit = SqlAuditLog(*parts)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.rollback()  # a no-op after commit
            session.close()

    def commit(self) -> None:
        with translated():
            self._open().commit()

    def rollback(self) -> None:
        self._open().rollback()

    def _open(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work inside `with uow:`")
        return self._session


def make_uow_factory(
    engine: Engine, cipher: FieldCipher | None = None
) -> Callable[[Principal], SqlUnitOfWork]:
    """The ``UnitOfWorkFactory`` the use cases get: ``factory(principal)`` -> unit of work."""
    session_factory = sessionmaker(engine, expire_on_commit=False, autoflush=True)

    def factory(principal: Principal) -> SqlUnitOfWork:
        return SqlUnitOfWork(session_factory, principal, cipher)

    return factory


def _conforms(factory: Callable[[Principal], SqlUnitOfWork]) -> ports.UnitOfWorkFactory:
    """Never called: makes mypy check that SqlUnitOfWork satisfies the UnitOfWork port."""
    return factory
