"""Couriers' positions: take a batch from a courier's phone, and forget old ones.

The phone sends what it recorded since the last batch; the batch is checked whole by the
domain's one rule (:func:`doorstep.domain.pings.check_batch`) and written in one
statement, so ingesting stays cheap however many couriers are out. Positions are personal
data: a periodic job deletes those older than the retention the settings give.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from doorstep.domain.access import Principal
from doorstep.domain.errors import RouteRefused
from doorstep.domain.pings import DEFAULT_RETENTION_DAYS, Ping, check_batch
from doorstep.services.access import require_courier
from doorstep.services.ports import Clock, UnitOfWork, UnitOfWorkFactory

DEFAULT_RETENTION = timedelta(days=DEFAULT_RETENTION_DAYS)
PURGER = Principal.system("ping-purge")


def require_on_duty(uow: UnitOfWork, principal: Principal) -> str:
    """The courier whose positions may be recorded now, or a refusal.

    The one place that decides when a courier is on duty: a courier with their own courier
    record (anyone else: ``PermissionDenied``) and a started route (otherwise refused as a
    route refusal, 409): nothing is recorded off duty.
    """
    courier_id = require_courier(principal)
    if not uow.routes.has_started(courier_id):
        raise RouteRefused("No started route: positions are shared only while you drive one.")
    return courier_id


def record_pings(
    uow: UnitOfWork,
    batch: Sequence[Ping],
    clock: Clock,
    *,
    retention: timedelta = DEFAULT_RETENTION,
    after: Callable[[str], None] | None = None,
) -> int:
    """Store a batch of the calling courier's positions; how many were accepted.

    ``after`` is called with the courier's id once the batch is committed (the ETAs'
    recompute: :meth:`doorstep.services.eta.refresh.EtaRefresh.courier`, which recomputes
    a route at most once per 30 s whatever the ping rate); it must not raise.

    All or nothing: one bad ping refuses the batch (``InvalidValue`` naming
    ``pings[i].field``) and nothing is stored, so the phone can fix its clock or drop the
    reading and send again without duplicating the good ones.
    """
    now = clock.now()
    with uow:
        courier_id = require_on_duty(uow, uow.principal)
        check_batch(batch, now, retention)
        accepted = uow.pings.add_many(courier_id, batch, received_at=now)
        uow.commit()
    if after is not None and accepted:
        after(courier_id)
    return accepted


def purge_old_pings(
    uow_factory: UnitOfWorkFactory, clock: Clock, retention: timedelta = DEFAULT_RETENTION
) -> int:
    """Delete positions taken longer than ``retention`` ago; how many. Run by a periodic job."""
    with uow_factory(PURGER) as uow:
        purged = uow.pings.purge(before=clock.now() - retention)
        uow.commit()
    return purged
