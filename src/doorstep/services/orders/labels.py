"""What a parcel's label is printed from: the parcel, its order, its brand and its hub.

Rendering lives in :mod:`doorstep.documents`, a sibling of this layer, so this use case
hands back plain domain objects and the entry point (API, web page) turns them into
``LabelData``. Scoping is the repositories': another brand's parcel is simply not found.
"""

from __future__ import annotations

from dataclasses import dataclass

from doorstep.domain.model import Order
from doorstep.domain.parcel import Parcel
from doorstep.services.access import require_id
from doorstep.services.errors import NotFound
from doorstep.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class LabelSource:
    """Everything a label needs, read in one transaction so the parts agree."""

    order: Order
    parcel: Parcel
    sender: str  # the brand's name: whom the recipient expects a parcel from
    hub_name: str | None = None


def label_source(uow: UnitOfWork, parcel_id: str) -> LabelSource:
    """The parcel with its order, brand and hub, or ``NotFound`` for this principal."""
    require_id(parcel_id, "par", "parcel")
    with uow.read_only():
        parcel = uow.parcels.get(parcel_id)
        order = uow.orders.get(parcel.order_id) if parcel is not None else None
        if parcel is None or order is None:
            raise NotFound("parcel", parcel_id)
        brand = uow.brands.get(order.brand_id)
        hub = uow.hubs.get(order.hub_id) if order.hub_id is not None else None
    # The order's own copy of the parcel is the one whose position gives "parcel 2 of 3".
    own = next((p for p in order.parcels if p.id == parcel.id), parcel)
    return LabelSource(
        order=order,
        parcel=own,
        sender=brand.name if brand is not None else order.brand_id,
        hub_name=hub.name if hub is not None else None,
    )
