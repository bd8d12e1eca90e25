"""``/v1/parcels``: one parcel, its history, its label."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from doorstep.api import present
from doorstep.api.deps import UoW
from doorstep.api.problems import Problem, problem
from doorstep.api.schemas.common import Items
from doorstep.api.schemas.orders import ParcelEventPublic, ParcelPublic
from doorstep.services import orders

router = APIRouter(prefix="/parcels", tags=["parcels"])
ERRORS: dict[int | str, dict[str, object]] = {code: {"model": Problem} for code in (401, 404)}


@router.get("/{parcel_id}", response_model=ParcelPublic, responses=ERRORS)
def get_parcel(parcel_id: str, uow: UoW) -> ParcelPublic:
    return present.parcel(orders.get_parcel(uow, parcel_id))


@router.get("/{parcel_id}/events", response_model=Items[ParcelEventPublic], responses=ERRORS)
def parcel_events(parcel_id: str, uow: UoW) -> Items[ParcelEventPublic]:
    """Every transition of the parcel, oldest first."""
    parcel = orders.get_parcel(uow, parcel_id)
    return Items[ParcelEventPublic](items=[present.parcel_event(e) for e in parcel.events])


@router.get("/{parcel_id}/label", responses={**ERRORS, 501: {"model": Problem}})
def parcel_label(parcel_id: str, uow: UoW) -> JSONResponse:
    """The parcel's PDF label (not available in this build yet: 501)."""
    orders.get_parcel(uow, parcel_id)  # 404 for another brand's parcel, as everywhere
    return problem(501, "not_implemented", "Labels are not available in this build yet.")
