"""Tenant and courier scoping, written once: every scoped query starts here.

What a principal may see is decided by :attr:`Principal.reach` and applied here, in the
query itself: a brand sees only rows of its own brand; a courier only the stops, parcels and
recipients of routes assigned to them, and their own courier record and positions;
operator admins, dispatchers and the system see all. A row outside the reach is filtered
out, so it looks exactly like a missing one (no existence leak through a 403).
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, false, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from doorstep.domain.access import Principal, Reach
from doorstep.domain.errors import InvalidValue
from doorstep.store.tables import (
    ApiKeyRow,
    Base,
    BlobRow,
    BrandRow,
    CourierActionRow,
    CourierPingRow,
    CourierRow,
    ExceptionRow,
    HubRow,
    HubScanRow,
    OrderRow,
    ParcelRow,
    PlanRow,
    ProofRow,
    RouteParcelRow,
    RouteRow,
    VehicleRow,
    WebhookDeliveryRow,
    WebhookEndpointRow,
)

R = TypeVar("R", bound=Base)

_BRAND_COLUMN: dict[type[Base], InstrumentedAttribute[Any]] = {
    OrderRow: OrderRow.brand_pk,
    ParcelRow: ParcelRow.brand_pk,
    HubScanRow: HubScanRow.brand_pk,
    ApiKeyRow: ApiKeyRow.brand_pk,
    ProofRow: ProofRow.brand_pk,
    WebhookEndpointRow: WebhookEndpointRow.brand_pk,
    WebhookDeliveryRow: WebhookDeliveryRow.brand_pk,
}
# Standing data with no personal data, which brands name in their orders (hub_id): the
# use cases decide who may list or change them.
# Blobs are named by the hash of their content: whoever can name one already holds its
# bytes, so its record tells them nothing new (a courier re-uploading learns "stored").
# Who may see the images themselves is decided by signed URLs, not by this query.
_OPEN: frozenset[type[Base]] = frozenset({HubRow, VehicleRow, BlobRow})
# The delivery company's own records (plans, couriers' details and positions): no brand
# sees any.
_OPERATOR_ONLY: frozenset[type[Base]] = frozenset(
    {PlanRow, CourierRow, CourierPingRow, RouteRow, CourierActionRow, ExceptionRow}
)
_SCOPED = frozenset({BrandRow, *_BRAND_COLUMN, *_OPERATOR_ONLY})


def visible(principal: Principal, row_type: type[Base]) -> ColumnElement[bool] | None:
    """The condition that limits ``row_type`` to what ``principal`` may see, or None for all."""
    if row_type not in _SCOPED and row_type not in _OPEN:
        raise TypeError(f"no scoping rule for {row_type.__name__}: add one in store/scoping.py")
    reach = principal.reach
    if reach is Reach.ALL or row_type in _OPEN:
        return None
    if reach is Reach.OWN_BRAND:
        return _own_brand(principal, row_type)
    if reach is Reach.OWN_ORDER:
        return _own_order(principal, row_type)
    return _own_routes(principal, row_type)


def _own_brand(principal: Principal, row_type: type[Base]) -> ColumnElement[bool]:
    if principal.brand_id is None or row_type in _OPERATOR_ONLY:
        return false()
    if row_type is BrandRow:
        return BrandRow.public_id == principal.brand_id
    own_brand = select(BrandRow.pk).where(BrandRow.public_id == principal.brand_id)
    return _BRAND_COLUMN[row_type] == own_brand.correlate(None).scalar_subquery()


def _own_routes(principal: Principal, row_type: type[Base]) -> ColumnElement[bool]:
    """A courier's reach: their own courier record, the routes assigned to them, and the
    orders, parcels, actions and proofs of those routes. Nothing else, brands included."""
    if principal.courier_id is None:
        return false()
    me = (
        select(CourierRow.pk)
        .where(CourierRow.public_id == principal.courier_id)
        .correlate(None)
        .scalar_subquery()
    )
    if row_type is CourierRow:
        return CourierRow.public_id == principal.courier_id
    if row_type is RouteRow:
        return RouteRow.courier_pk == me
    if row_type is CourierPingRow:
        return CourierPingRow.courier_pk == me
    if row_type is CourierActionRow:
        return CourierActionRow.courier_pk == me
    my_parcels = (
        select(RouteParcelRow.parcel_pk)
        .join(RouteRow, RouteRow.pk == RouteParcelRow.route_pk)
        .where(RouteRow.courier_pk == me)
        .correlate(None)
    )
    if row_type is ParcelRow:
        return ParcelRow.pk.in_(my_parcels)
    if row_type is OrderRow:
        my_orders = select(ParcelRow.order_pk).where(ParcelRow.pk.in_(my_parcels)).correlate(None)
        return OrderRow.pk.in_(my_orders)
    if row_type is ProofRow:
        return ProofRow.courier_id == principal.courier_id
    return false()


def _own_order(principal: Principal, row_type: type[Base]) -> ColumnElement[bool]:
    """A recipient's reach: their order, its parcels, its brand, and the routes their parcels
    ride on (a new day takes the stop off its route). Never another order, a courier's
    record or positions, a plan or a proof (the tracking page reads proofs as the system)."""
    if principal.order_id is None:
        return false()
    if row_type is OrderRow:
        return OrderRow.public_id == principal.order_id
    mine = select(OrderRow.pk).where(OrderRow.public_id == principal.order_id).correlate(None)
    if row_type is ParcelRow:
        return ParcelRow.order_pk.in_(mine)
    if row_type is BrandRow:
        return BrandRow.pk.in_(select(OrderRow.brand_pk).where(OrderRow.pk.in_(mine)))
    if row_type is RouteRow:
        my_parcels = select(ParcelRow.pk).where(ParcelRow.order_pk.in_(mine))
        carrying = select(RouteParcelRow.route_pk).where(RouteParcelRow.parcel_pk.in_(my_parcels))
        return RouteRow.pk.in_(carrying.correlate(None))
    return false()


def scoped(principal: Principal, row_type: type[R]) -> Select[R]:
    """``SELECT row_type`` already limited to what ``principal`` may see."""
    query = select(row_type)
    condition = visible(principal, row_type)
    return query if condition is None else query.where(condition)


def pk_of(
    session: Session, principal: Principal, row_type: type[Base], public_id: str, field: str
) -> int:
    """The surrogate key of a referenced row, or InvalidValue naming the field."""
    column = row_type.__table__.c  # type: ignore[attr-defined]
    query = select(column.pk).where(column.public_id == public_id)
    condition = visible(principal, row_type)
    if condition is not None:
        query = query.where(condition)
    pk = session.scalar(query)
    if pk is None:
        raise InvalidValue(field, f"no such {field.removesuffix('_id')}: {public_id}")
    return int(pk)
