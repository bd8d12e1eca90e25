"""``/v1/parcels``: one parcel, its history, its label."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from doorstep.api import present
from doorstep.api.deps import Services, UoW
from doorstep.api.problems import Problem
from doorstep.api.schemas.common import Items
from doorstep.api.schemas.orders import ParcelEventPublic, ParcelPublic
from doorstep.documents.label import LabelData, render_label
from doorstep.services import orders
from doorstep.services.orders import labels

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


PDF = {"content": {"application/pdf": {}}, "description": "A 4 x 6 inch PDF label."}


@router.get("/{parcel_id}/label", response_class=Response, responses={**ERRORS, 200: PDF})
def parcel_label(parcel_id: str, uow: UoW, services: Services) -> Response:
    """The parcel's 4 x 6 inch PDF label, shown inline so a browser can print it."""
    source = labels.label_source(uow, parcel_id)
    data = LabelData.for_parcel(
        source.order,
        source.parcel,
        sender=source.sender,
        tracking_url=services.tracking_base_url + source.order.tracking_token,
        hub_name=source.hub_name,
    )
    pdf = render_label(data)
    disposition = f'inline; filename="{source.parcel.barcode}.pdf"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})
