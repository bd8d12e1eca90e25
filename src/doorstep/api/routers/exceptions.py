"""The dispatcher's exception queue (``/v1/exceptions``): list, read, resolve with a note.

Admins and dispatchers only: brand keys and couriers are refused with 403 before anything
is read (the use cases check the same rule again).
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from doorstep.api.deps import OperatorPrincipal, Services
from doorstep.api.problems import Problem
from doorstep.api.schemas.common import Items
from doorstep.api.schemas.exceptions import ExceptionPublic, ResolveIn
from doorstep.domain.exceptions import DispatchException
from doorstep.services import exceptions

router = APIRouter(tags=["exceptions"])
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": Problem} for code in (401, 403, 404, 409, 422)
}


def present(found: DispatchException) -> ExceptionPublic:
    return ExceptionPublic(
        id=found.id,
        kind=found.kind.value,
        title=found.kind.words,
        details=found.details,
        route_id=found.route_id,
        stop_id=found.stop_id,
        parcel_ids=list(found.parcel_ids),
        order_ids=list(found.order_ids),
        raised_at=found.raised_at,
        state=found.state.value,
        resolved_at=found.resolved_at,
        resolved_by=found.resolved_by,
        resolution=None if found.resolution is None else found.resolution.value,
        note=found.note,
    )


@router.get("/exceptions", response_model=Items[ExceptionPublic], responses=ERRORS)
def list_exceptions(
    principal: OperatorPrincipal,
    services: Services,
    state: Literal["open", "resolved", "all"] = "open",
    kind: str | None = Query(default=None, max_length=40),
    route_id: str | None = Query(default=None, max_length=40),
    limit: int = Query(default=200, ge=1, le=500),
) -> object:
    """The queue, newest first (open ones unless ``state`` says otherwise)."""
    found = exceptions.list_exceptions(
        services.uow_factory(principal), state, kind=kind, route_id=route_id, limit=limit
    )
    return Items(items=[present(f) for f in found])


@router.get("/exceptions/{exception_id}", response_model=ExceptionPublic, responses=ERRORS)
def get_exception(exception_id: str, principal: OperatorPrincipal, services: Services) -> object:
    return present(exceptions.get_exception(services.uow_factory(principal), exception_id))


@router.post("/exceptions/{exception_id}/resolve", response_model=ExceptionPublic, responses=ERRORS)
def resolve_exception(
    exception_id: str, body: ResolveIn, principal: OperatorPrincipal, services: Services
) -> object:
    """Close an open exception with a note saying what was done (409 once resolved)."""
    done = exceptions.resolve(
        services.uow_factory(principal), exception_id, body.note, clock=services.clock
    )
    return present(done)
