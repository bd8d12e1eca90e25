"""The webhook repository over a :class:`~tests.unit.fakes.FakeDatabase`, for use cases.

Writes are staged as ``("webhook_write", (table, key, value))`` and applied at commit, as
every fake repository's are; scoping is the store's: a brand its own, office staff all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from doorstep.domain.errors import InvalidValue
from doorstep.domain.webhooks import (
    DeliveryAttempt,
    DeliveryStatus,
    EndpointDisabled,
    WebhookDelivery,
    WebhookEndpoint,
)

if TYPE_CHECKING:
    from tests.unit.fakes import FakeUnitOfWork


class FakeWebhooks:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow
        self.db = uow.db

    def _write(self, table: str, key: object, value: object) -> None:
        self.uow.stage("webhook_write", (table, key, value))

    def _rows(self, table: str) -> dict[Any, Any]:
        """The committed rows with this unit of work's own writes on top (read your writes,
        as a database transaction does)."""
        rows = dict(getattr(self.db, table))
        for name, key, value in self.uow.pending("webhook_write"):
            if name == table:
                if value is None:
                    rows.pop(key, None)
                else:
                    rows[key] = value
        return rows

    def _reach(self, brand_id: str) -> bool:
        principal = self.uow.principal
        return (
            principal.sees_all_brands if not principal.is_brand else principal.brand_id == brand_id
        )

    def add_endpoint(self, endpoint: WebhookEndpoint) -> None:
        if endpoint.brand_id not in self.db.brands or not self._reach(endpoint.brand_id):
            raise InvalidValue("brand_id", f"no such brand: {endpoint.brand_id}")
        self._write("webhook_endpoints", endpoint.id, endpoint)

    def get_endpoint(self, endpoint_id: str) -> WebhookEndpoint | None:
        found: WebhookEndpoint | None = self._rows("webhook_endpoints").get(endpoint_id)
        return found if found is not None and self._reach(found.brand_id) else None

    def list_endpoints(self) -> list[WebhookEndpoint]:
        found = [e for e in self._rows("webhook_endpoints").values() if self._reach(e.brand_id)]
        return sorted(found, key=lambda e: e.created_at)

    def save_endpoint(self, endpoint: WebhookEndpoint) -> None:
        if self.get_endpoint(endpoint.id) is None:
            raise LookupError(endpoint.id)
        self._write("webhook_endpoints", endpoint.id, endpoint)

    def delete_endpoint(self, endpoint_id: str, at: datetime) -> None:
        if self.get_endpoint(endpoint_id) is not None:
            self._write("webhook_endpoints", endpoint_id, None)

    def disable(self, disabled: EndpointDisabled) -> None:
        self.save_endpoint(disabled.endpoint)
        for delivery in self.list_deliveries(disabled.endpoint.id, DeliveryStatus.PENDING, 10**9):
            dead = replace(
                delivery,
                status=DeliveryStatus.DEAD_LETTERED,
                dead_lettered_at=disabled.at,
                last_error=f"endpoint disabled: {disabled.reason}",
            )
            self._write("webhook_deliveries", delivery.id, dead)
        self.uow.seen.add(disabled)

    def subscribers(self, brand_ids: Sequence[str], event_name: str) -> list[WebhookEndpoint]:
        return [e for e in self.list_endpoints() if e.brand_id in brand_ids and e.wants(event_name)]

    def add_deliveries(self, deliveries: Sequence[WebhookDelivery]) -> int:
        stored = {(d.outbox_id, d.endpoint_id) for d in self._rows("webhook_deliveries").values()}
        added = 0
        for delivery in deliveries:
            pair = (delivery.outbox_id, delivery.endpoint_id)
            if pair in stored or self.get_endpoint(delivery.endpoint_id) is None:
                continue
            stored.add(pair)
            self._write("webhook_deliveries", delivery.id, delivery)
            added += 1
        return added

    def get_delivery(self, delivery_id: str) -> WebhookDelivery | None:
        found: WebhookDelivery | None = self._rows("webhook_deliveries").get(delivery_id)
        if found is None or self.get_endpoint(found.endpoint_id) is None:
            return None
        return found

    def list_deliveries(
        self, endpoint_id: str | None, status: DeliveryStatus | None, limit: int
    ) -> list[WebhookDelivery]:
        found = [
            d
            for d in self._rows("webhook_deliveries").values()
            if self.get_delivery(d.id) is not None
            and endpoint_id in {None, d.endpoint_id}
            and status in {None, d.status}
        ]
        return sorted(found, key=lambda d: d.created_at, reverse=True)[:limit]

    def due(self, now: datetime, limit: int) -> list[WebhookDelivery]:
        found = [
            d
            for d in self.list_deliveries(None, DeliveryStatus.PENDING, 10**9)
            if d.next_attempt_at <= now and self._rows("webhook_endpoints")[d.endpoint_id].enabled
        ]
        return sorted(found, key=lambda d: d.next_attempt_at)[:limit]

    def claim(self, delivery: WebhookDelivery, until: datetime) -> bool:
        current = self.get_delivery(delivery.id)
        if current is None or current.next_attempt_at != delivery.next_attempt_at:
            return False
        self._write("webhook_deliveries", delivery.id, replace(current, next_attempt_at=until))
        return True

    def save_delivery(self, delivery: WebhookDelivery) -> None:
        self._write("webhook_deliveries", delivery.id, delivery)

    def add_attempt(self, attempt: DeliveryAttempt) -> None:
        self._write("webhook_attempts", (attempt.delivery_id, attempt.at, id(attempt)), attempt)

    def list_attempts(self, endpoint_id: str, limit: int) -> list[DeliveryAttempt]:
        if self.get_endpoint(endpoint_id) is None:
            return []
        found = [a for a in self._rows("webhook_attempts").values() if a.endpoint_id == endpoint_id]
        return sorted(found, key=lambda a: a.at, reverse=True)[:limit]
