"""``/v1/webhook-endpoints``: a brand's webhook receivers, their deliveries and attempts.

A brand's key manages its own endpoints; operator admins any brand's; dispatchers read.
The secret is in the answers to create and rotate only; a repeat of either with the same
``Idempotency-Key`` answers 409 with the endpoint's id, never the secret again.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query

from doorstep.api.deps import CurrentPrincipal, Idempotency, Services, json_saved
from doorstep.api.problems import MEDIA_TYPE, Problem, problem_document
from doorstep.api.schemas.common import Items
from doorstep.api.schemas.webhooks import (
    AttemptPublic,
    DeliveryPublic,
    EndpointCreate,
    EndpointPublic,
    EndpointUpdate,
    EndpointWithSecret,
)
from doorstep.domain.webhooks import (
    DeliveryAttempt,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from doorstep.services import webhooks
from doorstep.services.idempotency import BeforeCommit, SavedResponse

router = APIRouter(prefix="/webhook-endpoints", tags=["webhooks"])
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": Problem} for code in (401, 403, 404, 422)
}
SECRET_ERRORS = ERRORS | {409: {"model": Problem, "description": "Already shown (a replay)."}}
Limit = Annotated[int, Query(ge=1, le=200)]


def _endpoint(endpoint: WebhookEndpoint) -> EndpointPublic:
    return EndpointPublic(
        id=endpoint.id,
        brand_id=endpoint.brand_id,
        url=endpoint.url,
        description=endpoint.description,
        event_types=list(endpoint.event_types),
        enabled=endpoint.enabled,
        disabled_reason=endpoint.disabled_reason,
        failing_since=endpoint.failing_since,
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
        previous_secret_until=endpoint.previous_secret_until,
    )


def _with_secret(endpoint: WebhookEndpoint) -> EndpointWithSecret:
    return EndpointWithSecret(**_endpoint(endpoint).model_dump(), secret=endpoint.secret)


def _delivery(delivery: WebhookDelivery) -> DeliveryPublic:
    pending = delivery.status is DeliveryStatus.PENDING
    return DeliveryPublic(
        id=delivery.id,
        endpoint_id=delivery.endpoint_id,
        event_type=delivery.event_name,
        status=delivery.status.value,
        attempts=delivery.attempts,
        created_at=delivery.created_at,
        next_attempt_at=delivery.next_attempt_at if pending else None,
        delivered_at=delivery.delivered_at,
        dead_lettered_at=delivery.dead_lettered_at,
        last_error=delivery.last_error,
    )


def _attempt(attempt: DeliveryAttempt) -> AttemptPublic:
    return AttemptPublic(
        delivery_id=attempt.delivery_id,
        at=attempt.at,
        duration_ms=attempt.duration_ms,
        status_code=attempt.status_code,
        error=attempt.error,
        response_excerpt=attempt.response_excerpt,
    )


def _already_shown(endpoint: WebhookEndpoint) -> SavedResponse:
    """A repeat gets the endpoint's id, never the secret: "shown once" holds for retries."""
    document = problem_document(
        409,
        "webhook_secret_already_shown",
        f"The secret of webhook endpoint {endpoint.id} was already shown for this "
        "Idempotency-Key and is shown only once. If it was lost, rotate the secret.",
        endpoint_id=endpoint.id,
    )
    return SavedResponse(409, json.dumps(document).encode(), content_type=MEDIA_TYPE)


@router.post("", status_code=201, response_model=EndpointWithSecret, responses=SECRET_ERRORS)
def create_endpoint(
    body: EndpointCreate, principal: CurrentPrincipal, services: Services, call: Idempotency
) -> object:
    """A new endpoint. Its ``secret`` (``whsec_...``) is in this answer only: store it now."""
    draft = webhooks.EndpointDraft(
        url=body.url,
        event_types=body.event_types,
        description=body.description,
        brand_id=body.brand_id,
        enabled=body.enabled,
    )

    def action(hook: BeforeCommit[WebhookEndpoint] | None) -> WebhookEndpoint:
        return webhooks.create_endpoint(
            services.uow_factory(principal),
            draft,
            clock=services.clock,
            ports=services.webhooks,
            before_commit=hook,
        )

    return call.run(action, lambda made: json_saved(201, _with_secret(made)), _already_shown)


@router.get("", response_model=Items[EndpointPublic], responses=ERRORS)
def list_endpoints(principal: CurrentPrincipal, services: Services) -> Items[EndpointPublic]:
    found = webhooks.list_endpoints(services.uow_factory(principal))
    return Items[EndpointPublic](items=[_endpoint(e) for e in found])


@router.get("/dead-letters", response_model=Items[DeliveryPublic], responses=ERRORS)
def list_dead_letters(
    principal: CurrentPrincipal, services: Services, limit: Limit = 50
) -> Items[DeliveryPublic]:
    """Deliveries given up after 72 hours, of every endpoint in reach; replay them by id."""
    found = webhooks.list_dead_letters(services.uow_factory(principal), limit)
    return Items[DeliveryPublic](items=[_delivery(d) for d in found])


@router.get("/{endpoint_id}", response_model=EndpointPublic, responses=ERRORS)
def get_endpoint(endpoint_id: str, principal: CurrentPrincipal, services: Services) -> object:
    return _endpoint(webhooks.get_endpoint(services.uow_factory(principal), endpoint_id))


@router.patch("/{endpoint_id}", response_model=EndpointPublic, responses=ERRORS)
def update_endpoint(
    endpoint_id: str, body: EndpointUpdate, principal: CurrentPrincipal, services: Services
) -> object:
    change = webhooks.EndpointChange(
        url=body.url,
        event_types=body.event_types,
        description=body.description,
        enabled=body.enabled,
    )
    changed = webhooks.update_endpoint(
        services.uow_factory(principal),
        endpoint_id,
        change,
        clock=services.clock,
        ports=services.webhooks,
    )
    return _endpoint(changed)


@router.delete("/{endpoint_id}", response_model=EndpointPublic, responses=ERRORS)
def delete_endpoint(endpoint_id: str, principal: CurrentPrincipal, services: Services) -> object:
    """No further deliveries are made or sent to it."""
    gone = webhooks.delete_endpoint(
        services.uow_factory(principal), endpoint_id, clock=services.clock
    )
    return _endpoint(gone)


@router.post(
    "/{endpoint_id}/rotate-secret", response_model=EndpointWithSecret, responses=SECRET_ERRORS
)
def rotate_secret(
    endpoint_id: str, principal: CurrentPrincipal, services: Services, call: Idempotency
) -> object:
    """A new ``secret``, in this answer only; the old one signs alongside for 24 hours."""

    def action(hook: BeforeCommit[WebhookEndpoint] | None) -> WebhookEndpoint:
        return webhooks.rotate_secret(
            services.uow_factory(principal), endpoint_id, clock=services.clock, before_commit=hook
        )

    return call.run(action, lambda made: json_saved(200, _with_secret(made)), _already_shown)


@router.get("/{endpoint_id}/deliveries", response_model=Items[DeliveryPublic], responses=ERRORS)
def list_deliveries(
    endpoint_id: str,
    principal: CurrentPrincipal,
    services: Services,
    status: DeliveryStatus | None = None,
    limit: Limit = 50,
) -> Items[DeliveryPublic]:
    found = webhooks.list_deliveries(services.uow_factory(principal), endpoint_id, status, limit)
    return Items[DeliveryPublic](items=[_delivery(d) for d in found])


@router.get("/{endpoint_id}/attempts", response_model=Items[AttemptPublic], responses=ERRORS)
def list_attempts(
    endpoint_id: str, principal: CurrentPrincipal, services: Services, limit: Limit = 50
) -> Items[AttemptPublic]:
    """Every POST, newest first: time, status or error, duration, a short excerpt."""
    found = webhooks.list_attempts(services.uow_factory(principal), endpoint_id, limit)
    return Items[AttemptPublic](items=[_attempt(a) for a in found])


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/replay",
    status_code=202,
    response_model=DeliveryPublic,
    responses=ERRORS,
)
def replay_delivery(
    endpoint_id: str, delivery_id: str, principal: CurrentPrincipal, services: Services
) -> object:
    """Send the delivery again now, under its own ``webhook-id``; a dead letter gets 72
    hours of retries again."""
    again = webhooks.replay(
        services.uow_factory(principal), endpoint_id, delivery_id, clock=services.clock
    )
    services.enqueue_webhooks()
    return _delivery(again)
