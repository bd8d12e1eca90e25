"""Each brand's delivery policy, and the parcels it sent back to their sender.

A brand without a row has the defaults (:data:`~doorstep.domain.delivery_policy.DEFAULT_POLICY`);
writes and the returns list reach the brand through the principal's scope.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from doorstep.domain.delivery_policy import DeliveryPolicy
from doorstep.domain.errors import InvalidValue
from doorstep.domain.parcel import ParcelAction
from doorstep.store.base import SqlRepository
from doorstep.store.scoping import scoped
from doorstep.store.tables import BrandDeliveryPolicyRow, BrandRow, ParcelEventRow, ParcelRow


class SqlDeliveryPolicyRepository(SqlRepository):
    def get(self, brand_id: str) -> DeliveryPolicy | None:
        # Not scoped: a courier finishing a route is not shown any brand, yet the brand's
        # rule decides where its failed parcels go. The use cases check who may read it.
        brand_pk = self.session.scalar(select(BrandRow.pk).where(BrandRow.public_id == brand_id))
        if brand_pk is None:
            return None
        row = self.session.get(BrandDeliveryPolicyRow, brand_pk)
        if row is None:
            return None
        return DeliveryPolicy.parse(
            attempts_allowed=row.attempts_allowed,
            reattempt=row.reattempt,
            hold_at_hub_days=row.hold_at_hub_days,
            after_last_attempt=row.after_last_attempt,
        )

    def put(self, brand_id: str, policy: DeliveryPolicy, *, at: datetime, actor: str) -> None:
        brand_pk = self._brand_pk(brand_id)
        if brand_pk is None:
            raise InvalidValue("brand_id", f"no such brand: {brand_id}")
        with self.savepoint():
            row = self.session.get(BrandDeliveryPolicyRow, brand_pk)
            if row is None:
                row = BrandDeliveryPolicyRow(brand_pk=brand_pk)
                self.session.add(row)
            row.attempts_allowed = policy.attempts_allowed
            row.reattempt = policy.reattempt.value
            row.hold_at_hub_days = policy.hold_at_hub_days
            row.after_last_attempt = policy.after_last_attempt.value
            row.updated_at = at
            row.updated_by = actor

    def returns_started(self, brand_id: str, start: datetime, end: datetime) -> list[str]:
        brand_pk = self._brand_pk(brand_id)
        if brand_pk is None:
            return []
        visible = scoped(self.principal, ParcelRow).where(ParcelRow.brand_pk == brand_pk)
        parcel_pks = visible.with_only_columns(ParcelRow.pk).scalar_subquery()
        statement = (
            select(ParcelRow.public_id)
            .join(ParcelEventRow, ParcelEventRow.parcel_pk == ParcelRow.pk)
            .where(
                ParcelRow.pk.in_(parcel_pks),
                ParcelEventRow.action == ParcelAction.START_RETURN.value,
                ParcelEventRow.at >= start,
                ParcelEventRow.at < end,
            )
            .order_by(ParcelEventRow.at, ParcelRow.pk)
        )
        return list(dict.fromkeys(self.session.scalars(statement)))

    def _brand_pk(self, brand_id: str) -> int | None:
        statement = scoped(self.principal, BrandRow).where(BrandRow.public_id == brand_id)
        pk = self.session.scalar(statement.with_only_columns(BrandRow.pk))
        return None if pk is None else int(pk)
