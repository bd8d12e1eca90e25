"""Mis-sorts at the hub and addresses a plan could not route: raised at once from their
events (``scan.refused``, ``plan.finished``), and by the sweep as a safety net.

Both paths call the same functions with the same keys (the scan's id; the plan's id and
the stop's), so whichever comes first raises the exception and the other raises nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from doorstep.domain.events import DomainEvent
from doorstep.domain.exceptions import ExceptionKind, key_of
from doorstep.domain.scan import ScanKind, ScanOutcome, is_mis_sort
from doorstep.planning.model import UnassignedReason
from doorstep.services.exceptions.queue import raise_exception
from doorstep.services.ports import PlanRecord, PlanStatus, UnitOfWork

UNPLACED = "the address could not be placed on the road network"


def raise_mis_sort(
    uow: UnitOfWork,
    *,
    scan_id: str,
    kind: ScanKind,
    parcel_id: str,
    hub_name: str,
    message: str,
    scanned_at: datetime,
    now: datetime,
) -> bool:
    """The mis-sort of one refused scan; False when it was raised already."""
    parcel = uow.parcels.get(parcel_id)
    found = raise_exception(
        uow,
        ExceptionKind.MIS_SORT,
        key_of(scan_id),
        at=now,
        details=f"{kind.value.capitalize()} scan at {hub_name}: {message}",
        parcel_ids=[parcel_id],
        order_ids=[] if parcel is None else [parcel.order_id],
        moment=scanned_at,
    )
    return found is not None


def raise_unroutable(uow: UnitOfWork, plan: PlanRecord, now: datetime) -> int:
    """An exception per stop of a succeeded plan whose address could not be routed; how
    many were raised now."""
    if plan.status is not PlanStatus.SUCCEEDED:
        return 0
    raised = 0
    for item in (plan.result or {}).get("unassigned") or []:
        if item.get("reason") != UnassignedReason.UNROUTABLE_ADDRESS:
            continue
        parcel_ids = [str(p) for p in item.get("parcel_ids") or []]
        detail = item.get("detail") or UNPLACED
        found = raise_exception(
            uow,
            ExceptionKind.ADDRESS_UNROUTABLE,
            key_of(plan.id, str(item.get("stop_id"))),
            at=now,
            details=f"Plan {plan.id} for {plan.plan_date.isoformat()}: {detail}.",
            parcel_ids=parcel_ids,
            order_ids=sorted({p.order_id for p in uow.parcels.get_many(parcel_ids).values()}),
        )
        raised += found is not None
    return raised


def scan_refused(uow: UnitOfWork, event: DomainEvent, now: datetime) -> None:
    """A refused scan that is a mis-sort (wrong hub, wrong van) is raised at once."""
    payload: dict[str, Any] = dict(event.payload)
    try:
        kind = ScanKind(str(payload.get("kind")))
        outcome = ScanOutcome(str(payload.get("reason")))
    except ValueError:
        return  # written by a newer version: the sweep still finds the scan
    parcel_id = payload.get("parcel_id")
    if not parcel_id or not is_mis_sort(outcome, kind):
        return
    hub = uow.hubs.get(str(payload.get("hub_id") or ""))
    raise_mis_sort(
        uow,
        scan_id=str(payload.get("scan_id")),
        kind=kind,
        parcel_id=str(parcel_id),
        hub_name=hub.name if hub else "the hub",
        message=str(payload.get("message") or ""),
        scanned_at=datetime.fromisoformat(str(payload["scanned_at"])),
        now=now,
    )


def plan_finished(uow: UnitOfWork, event: DomainEvent, now: datetime) -> None:
    """A finished plan's unroutable addresses are raised at once (read from the plan
    itself, which holds each stop's parcels and the planner's words)."""
    if not event.payload.get("unroutable_stop_ids"):
        return
    plan = uow.plans.get(str(event.payload.get("plan_id") or ""))
    if plan is not None:
        raise_unroutable(uow, plan, now)
