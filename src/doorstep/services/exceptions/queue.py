"""The queue's use cases: raise (once), close when the cause is gone, list, read, resolve.

Every function here runs inside a unit of work its caller opened (the relay's, the
sweep's) or opens its own (list, get, resolve, called from the API and the console).
Only operators and the system reach the queue: brands and couriers are refused before
anything is read, and their units of work would find nothing anyway (store/scoping.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.domain.exceptions import (
    DispatchException,
    ExceptionKind,
    ExceptionState,
    Resolution,
    check_note,
)
from doorstep.domain.text import check_no_control
from doorstep.services.access import require_hub_operator, require_id
from doorstep.services.errors import NotFound
from doorstep.services.ports import AuditEntry, Clock, Conflict, ExceptionQuery, UnitOfWork

SYSTEM = Principal.system("exceptions")
StateFilter = Literal["open", "resolved", "all"]
MAX_LIST = 500


def raise_exception(
    uow: UnitOfWork,
    kind: ExceptionKind,
    key: str,
    *,
    at: datetime,
    details: str,
    route_id: str | None = None,
    stop_id: str | None = None,
    parcel_ids: Sequence[str] = (),
    order_ids: Sequence[str] = (),
    moment: datetime | None = None,
) -> DispatchException | None:
    """Raise this occurrence unless it was raised before (open or resolved); the new
    exception, or None. Inside the caller's unit of work, which commits it."""
    if uow.exceptions.find(kind, key) is not None:
        return None
    found = DispatchException.raise_new(
        id=ids.new_id("exc"),
        kind=kind,
        key=key,
        at=at,
        details=details,
        route_id=route_id,
        stop_id=stop_id,
        parcel_ids=parcel_ids,
        order_ids=order_ids,
        moment=moment,
    )
    return found if uow.exceptions.add(found) else None


def close_by_cause(uow: UnitOfWork, found: DispatchException, at: datetime, why: str) -> bool:
    """Close an open exception whose cause went away; False when it was closed already."""
    if not found.resolve(at=at, actor=SYSTEM.actor, note=why, resolution=Resolution.CAUSE_GONE):
        return False
    return uow.exceptions.save_resolution(found)


def open_exceptions(
    uow: UnitOfWork, kind: ExceptionKind, route_id: str | None = None
) -> list[DispatchException]:
    """The open exceptions of a kind (of a route): few, so callers filter them further."""
    query = ExceptionQuery(state=ExceptionState.OPEN, kind=kind, route_id=route_id, limit=MAX_LIST)
    return uow.exceptions.search(query)


def list_exceptions(
    uow: UnitOfWork,
    state: StateFilter = "open",
    kind: str | None = None,
    route_id: str | None = None,
    limit: int = 200,
) -> list[DispatchException]:
    """The queue, newest first; ``state`` "open", "resolved" or "all"."""
    require_hub_operator(uow.principal)
    query = ExceptionQuery(
        state=None if state == "all" else _state(state),
        kind=_kind(kind),
        route_id=route_id,
        limit=max(1, min(limit, MAX_LIST)),
    )
    with uow.read_only():
        return uow.exceptions.search(query)


def get_exception(uow: UnitOfWork, exception_id: str) -> DispatchException:
    require_hub_operator(uow.principal)
    require_id(exception_id, "exc", "exception")
    with uow.read_only():
        found = uow.exceptions.get(exception_id)
    if found is None:
        raise NotFound("exception", exception_id)
    return found


def resolve(uow: UnitOfWork, exception_id: str, note: str, *, clock: Clock) -> DispatchException:
    """A dispatcher closes an exception with a note saying what was done; audited.

    Resolved once: a second resolution (or one racing another) is refused with 409.
    """
    require_hub_operator(uow.principal)
    require_id(exception_id, "exc", "exception")
    note = _note(note)
    now = clock.now()
    with uow:
        found = uow.exceptions.get(exception_id)
        if found is None:
            raise NotFound("exception", exception_id)
        actor = uow.principal.actor
        closed = found.resolve(at=now, actor=actor, note=note, resolution=Resolution.BY_DISPATCHER)
        if not closed or not uow.exceptions.save_resolution(found):
            raise Conflict(f"Exception {exception_id} is already resolved.")
        uow.audit.add(
            AuditEntry(now, actor, "exception.resolved", exception_id, {"note": note[:300]})
        )
        uow.commit()
    return found


def _note(note: str) -> str:
    try:
        check_no_control(note, line_breaks=True)
    except ValueError as refusal:
        raise InvalidValue("note", str(refusal)) from None
    return check_note(note)


def _state(state: str) -> ExceptionState:
    try:
        return ExceptionState(state)
    except ValueError:
        raise InvalidValue("state", "must be open, resolved or all") from None


def _kind(kind: str | None) -> ExceptionKind | None:
    if kind is None or kind == "":
        return None
    try:
        return ExceptionKind(kind)
    except ValueError:
        names = ", ".join(k.value for k in ExceptionKind)
        raise InvalidValue("kind", f"must be one of {names}") from None
