"""Webhook endpoints, deliveries and attempts: rows to domain records and back.

Secrets are sealed with the field cipher on the way in and opened on the way out, so the
table holds only ciphertext. Scoping is :mod:`doorstep.store.scoping`'s: a brand's unit
of work reaches its own endpoints and deliveries; attempts are read through an endpoint
already found in reach.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from doorstep.domain.access import Principal
from doorstep.domain.events import SeenAggregates
from doorstep.domain.webhooks import (
    DeliveryAttempt,
    DeliveryStatus,
    EndpointDisabled,
    WebhookDelivery,
    WebhookEndpoint,
)
from doorstep.services.ports import Conflict
from doorstep.store.base import SqlRepository
from doorstep.store.crypto import FieldCipher, seal, unseal
from doorstep.store.scoping import pk_of, scoped
from doorstep.store.tables import (
    BrandRow,
    WebhookAttemptRow,
    WebhookDeliveryRow,
    WebhookEndpointRow,
)


class SqlWebhookRepository(SqlRepository):
    def __init__(
        self, session: Session, principal: Principal, cipher: FieldCipher, *, seen: SeenAggregates
    ) -> None:
        super().__init__(session, principal, cipher)
        self._seen = seen

    # Endpoints

    def add_endpoint(self, endpoint: WebhookEndpoint) -> None:
        brand_pk = pk_of(self.session, self.principal, BrandRow, endpoint.brand_id, "brand_id")
        row = WebhookEndpointRow(public_id=endpoint.id, brand_pk=brand_pk, deleted_at=None)
        self._fill(row, endpoint)
        self.insert(row)

    def get_endpoint(self, endpoint_id: str) -> WebhookEndpoint | None:
        row = self._endpoint_row(endpoint_id)
        return None if row is None else self._endpoint(row)

    def list_endpoints(self) -> list[WebhookEndpoint]:
        query = self._endpoints().order_by(WebhookEndpointRow.created_at, WebhookEndpointRow.pk)
        return [self._endpoint(row) for row in self.session.scalars(query)]

    def save_endpoint(self, endpoint: WebhookEndpoint) -> None:
        row = self._endpoint_row(endpoint.id)
        if row is None:
            raise LookupError(f"no webhook endpoint {endpoint.id}")
        with self.savepoint():
            self._fill(row, endpoint)

    def delete_endpoint(self, endpoint_id: str, at: datetime) -> None:
        row = self._endpoint_row(endpoint_id)
        if row is not None:
            with self.savepoint():
                row.deleted_at = at
                row.enabled = False

    def disable(self, disabled: EndpointDisabled) -> None:
        self.save_endpoint(disabled.endpoint)
        row = self._endpoint_row(disabled.endpoint.id)
        assert row is not None  # just saved
        with self.savepoint():
            self.session.execute(
                update(WebhookDeliveryRow)
                .where(
                    WebhookDeliveryRow.endpoint_pk == row.pk,
                    WebhookDeliveryRow.status == DeliveryStatus.PENDING.value,
                )
                .values(
                    status=DeliveryStatus.DEAD_LETTERED.value,
                    dead_lettered_at=disabled.at,
                    last_error=f"endpoint disabled: {disabled.reason}"[:300],
                )
                .execution_options(synchronize_session=False)
            )
        self._seen.add(disabled)

    def subscribers(self, brand_ids: Sequence[str], event_name: str) -> list[WebhookEndpoint]:
        if not brand_ids:
            return []
        query = (
            self._endpoints()
            .join(BrandRow, BrandRow.pk == WebhookEndpointRow.brand_pk)
            .where(BrandRow.public_id.in_(list(brand_ids)), WebhookEndpointRow.enabled.is_(True))
            .order_by(WebhookEndpointRow.pk)
        )
        found = [self._endpoint(row) for row in self.session.scalars(query)]
        return [endpoint for endpoint in found if endpoint.wants(event_name)]

    def _endpoints(self) -> Select[WebhookEndpointRow]:
        return scoped(self.principal, WebhookEndpointRow).where(
            WebhookEndpointRow.deleted_at.is_(None)
        )

    def _endpoint_row(self, endpoint_id: str) -> WebhookEndpointRow | None:
        query = self._endpoints().where(WebhookEndpointRow.public_id == endpoint_id)
        row: WebhookEndpointRow | None = self.session.scalar(query)
        return row

    def _fill(self, row: WebhookEndpointRow, endpoint: WebhookEndpoint) -> None:
        row.url = endpoint.url
        row.description = endpoint.description
        row.event_types = {"names": list(endpoint.event_types)}
        row.enabled = endpoint.enabled
        row.secret = self.cipher.encrypt(endpoint.secret)
        row.previous_secret = seal(self.cipher, endpoint.previous_secret)
        row.previous_secret_until = endpoint.previous_secret_until
        row.failing_since = endpoint.failing_since
        row.disabled_reason = endpoint.disabled_reason
        row.created_at = endpoint.created_at
        row.updated_at = endpoint.updated_at

    def _endpoint(self, row: WebhookEndpointRow) -> WebhookEndpoint:
        return WebhookEndpoint(
            id=row.public_id,
            brand_id=row.brand.public_id,
            url=row.url,
            description=row.description,
            event_types=tuple(row.event_types.get("names", [])),
            enabled=row.enabled,
            secret=self.cipher.decrypt(row.secret),
            previous_secret=unseal(self.cipher, row.previous_secret),
            previous_secret_until=row.previous_secret_until,
            failing_since=row.failing_since,
            disabled_reason=row.disabled_reason,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    # Deliveries

    def add_deliveries(self, deliveries: Sequence[WebhookDelivery]) -> int:
        added = 0
        for delivery in deliveries:
            endpoint = self._endpoint_row(delivery.endpoint_id)
            if endpoint is None or self._has_pair(delivery.outbox_id, endpoint.pk):
                continue
            row = WebhookDeliveryRow(
                public_id=delivery.id,
                outbox_id=delivery.outbox_id,
                endpoint_pk=endpoint.pk,
                brand_pk=endpoint.brand_pk,
                event_name=delivery.event_name,
                body=delivery.body,
                created_at=delivery.created_at,
            )
            _fill_delivery(row, delivery)
            try:
                self.insert(row)
            except Conflict:  # the same pair written meanwhile by another relay: one is enough
                continue
            added += 1
        return added

    def _has_pair(self, outbox_id: int, endpoint_pk: int) -> bool:
        query = select(WebhookDeliveryRow.pk).where(
            WebhookDeliveryRow.outbox_id == outbox_id, WebhookDeliveryRow.endpoint_pk == endpoint_pk
        )
        return self.session.scalar(query) is not None

    def get_delivery(self, delivery_id: str) -> WebhookDelivery | None:
        row = self._delivery_row(delivery_id)
        return None if row is None else _delivery(row)

    def list_deliveries(
        self, endpoint_id: str | None, status: DeliveryStatus | None, limit: int
    ) -> list[WebhookDelivery]:
        query = self._deliveries()
        if endpoint_id is not None:
            query = query.where(WebhookEndpointRow.public_id == endpoint_id)
        if status is not None:
            query = query.where(WebhookDeliveryRow.status == status.value)
        query = query.order_by(WebhookDeliveryRow.created_at.desc(), WebhookDeliveryRow.pk.desc())
        return [_delivery(row) for row in self.session.scalars(query.limit(limit))]

    def due(self, now: datetime, limit: int) -> list[WebhookDelivery]:
        query = (
            self._deliveries()
            .where(
                WebhookDeliveryRow.status == DeliveryStatus.PENDING.value,
                WebhookDeliveryRow.next_attempt_at <= now,
                WebhookEndpointRow.enabled.is_(True),
            )
            .order_by(WebhookDeliveryRow.next_attempt_at, WebhookDeliveryRow.pk)
            .limit(limit)
        )
        return [_delivery(row) for row in self.session.scalars(query)]

    def claim(self, delivery: WebhookDelivery, until: datetime) -> bool:
        with self.savepoint():
            done = self.session.execute(
                update(WebhookDeliveryRow)
                .where(
                    WebhookDeliveryRow.public_id == delivery.id,
                    WebhookDeliveryRow.status == DeliveryStatus.PENDING.value,
                    WebhookDeliveryRow.next_attempt_at == delivery.next_attempt_at,
                )
                .values(next_attempt_at=until)
                .execution_options(synchronize_session=False)
            )
        return bool(getattr(done, "rowcount", 0) == 1)

    def save_delivery(self, delivery: WebhookDelivery) -> None:
        row = self._delivery_row(delivery.id)
        if row is None:
            raise LookupError(f"no webhook delivery {delivery.id}")
        with self.savepoint():
            _fill_delivery(row, delivery)

    def _deliveries(self) -> Select[WebhookDeliveryRow]:
        return (
            scoped(self.principal, WebhookDeliveryRow)
            .join(WebhookEndpointRow, WebhookEndpointRow.pk == WebhookDeliveryRow.endpoint_pk)
            .where(WebhookEndpointRow.deleted_at.is_(None))
        )

    def _delivery_row(self, delivery_id: str) -> WebhookDeliveryRow | None:
        query = self._deliveries().where(WebhookDeliveryRow.public_id == delivery_id)
        row: WebhookDeliveryRow | None = self.session.scalar(query)
        return row

    # Attempts

    def add_attempt(self, attempt: DeliveryAttempt) -> None:
        delivery = self._delivery_row(attempt.delivery_id)
        if delivery is None:
            raise LookupError(f"no webhook delivery {attempt.delivery_id}")
        self.insert(
            WebhookAttemptRow(
                delivery_pk=delivery.pk,
                endpoint_pk=delivery.endpoint_pk,
                at=attempt.at,
                duration_ms=attempt.duration_ms,
                status_code=attempt.status_code,
                error=None if attempt.error is None else attempt.error[:300],
                response_excerpt=attempt.response_excerpt[:200],
            )
        )

    def list_attempts(self, endpoint_id: str, limit: int) -> list[DeliveryAttempt]:
        endpoint = self._endpoint_row(endpoint_id)
        if endpoint is None:
            return []
        query = (
            select(WebhookAttemptRow, WebhookDeliveryRow.public_id)
            .join(WebhookDeliveryRow, WebhookDeliveryRow.pk == WebhookAttemptRow.delivery_pk)
            .where(WebhookAttemptRow.endpoint_pk == endpoint.pk)
            .order_by(WebhookAttemptRow.at.desc(), WebhookAttemptRow.pk.desc())
            .limit(limit)
        )
        return [
            DeliveryAttempt(
                delivery_id=delivery_id,
                endpoint_id=endpoint_id,
                at=row.at,
                duration_ms=row.duration_ms,
                status_code=row.status_code,
                error=row.error,
                response_excerpt=row.response_excerpt,
            )
            for row, delivery_id in self.session.execute(query)
        ]


def _fill_delivery(row: WebhookDeliveryRow, delivery: WebhookDelivery) -> None:
    row.status = delivery.status.value
    row.attempts = delivery.attempts
    row.retrying_since = delivery.retrying_since
    row.next_attempt_at = delivery.next_attempt_at
    row.delivered_at = delivery.delivered_at
    row.dead_lettered_at = delivery.dead_lettered_at
    row.last_error = None if delivery.last_error is None else delivery.last_error[:300]


def _delivery(row: WebhookDeliveryRow) -> WebhookDelivery:
    return WebhookDelivery(
        id=row.public_id,
        endpoint_id=row.endpoint.public_id,
        brand_id=row.endpoint.brand.public_id,
        outbox_id=row.outbox_id,
        event_name=row.event_name,
        body=row.body,
        status=DeliveryStatus(row.status),
        created_at=row.created_at,
        retrying_since=row.retrying_since,
        next_attempt_at=row.next_attempt_at,
        attempts=row.attempts,
        delivered_at=row.delivered_at,
        dead_lettered_at=row.dead_lettered_at,
        last_error=row.last_error,
    )
