"""Tenant scoping, written once: every brand-owned query starts here.

A brand principal sees only rows whose brand is its own; operators and the system see
all. A foreign row is filtered out by the query itself, so it looks exactly like a
missing one (no existence leak through a 403).
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, false, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.store.tables import ApiKeyRow, Base, BrandRow, HubScanRow, OrderRow, ParcelRow

R = TypeVar("R", bound=Base)

_BRAND_COLUMN: dict[type[Base], InstrumentedAttribute[Any]] = {
    OrderRow: OrderRow.brand_pk,
    ParcelRow: ParcelRow.brand_pk,
    HubScanRow: HubScanRow.brand_pk,
    ApiKeyRow: ApiKeyRow.brand_pk,
}


def brand_filter(principal: Principal, row_type: type[Base]) -> ColumnElement[bool] | None:
    """The condition that limits ``row_type`` to the principal's brand, or None for all."""
    if not principal.is_brand:
        return None
    if principal.brand_id is None:
        return false()
    if row_type is BrandRow:
        return BrandRow.public_id == principal.brand_id
    own_brand = select(BrandRow.pk).where(BrandRow.public_id == principal.brand_id)
    return _BRAND_COLUMN[row_type] == own_brand.correlate(None).scalar_subquery()


def scoped(principal: Principal, row_type: type[R]) -> Select[R]:
    """``SELECT row_type`` already limited to what ``principal`` may see."""
    query = select(row_type)
    condition = brand_filter(principal, row_type)
    return query if condition is None else query.where(condition)


def pk_of(
    session: Session, principal: Principal, row_type: type[Base], public_id: str, field: str
) -> int:
    """The surrogate key of a referenced row, or InvalidValue naming the field."""
    column = row_type.__table__.c  # type: ignore[attr-defined]
    query = select(column.pk).where(column.public_id == public_id)
    if row_type is BrandRow or row_type in _BRAND_COLUMN:
        condition = brand_filter(principal, row_type)
        if condition is not None:
            query = query.where(condition)
    pk = session.scalar(query)
    if pk is None:
        raise InvalidValue(field, f"no such {field.removesuffix('_id')}: {public_id}")
    return int(pk)
