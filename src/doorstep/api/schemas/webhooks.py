"""Webhook endpoints, deliveries and attempts as the API shows them. A secret appears in
the answers to creating an endpoint and rotating its secret, and nowhere else."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from doorstep.api.schemas.common import Public, Strict, Token
from doorstep.domain.events import EventName
from doorstep.domain.text import check_no_control

Url = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Description = Annotated[str, StringConstraints(max_length=200), AfterValidator(check_no_control)]
EventTypes = Annotated[
    list[Annotated[str, StringConstraints(min_length=1, max_length=100)]],
    Field(
        min_length=1,
        max_length=len(EventName),
        description="Event names from docs/events.md, e.g. `parcel.delivered`.",
    ),
]


class EndpointCreate(Strict):
    url: Url = Field(description="https:// to a public address (http only in demo mode).")
    event_types: EventTypes
    description: Description = ""
    enabled: bool = True
    brand_id: Token | None = Field(
        default=None, description="Office staff name the brand; a brand's key is its own."
    )


class EndpointUpdate(Strict):
    url: Url | None = None
    event_types: EventTypes | None = None
    description: Description | None = None
    enabled: bool | None = Field(
        default=None, description="true again after a disabling also restarts its failure clock."
    )


class EndpointPublic(Public):
    id: str
    brand_id: str
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime
    previous_secret_until: datetime | None = Field(
        description="Until then the old secret signs too (after a rotation)."
    )


class EndpointWithSecret(EndpointPublic):
    """Shown once: ``secret`` cannot be read again, only rotated."""

    secret: str


class DeliveryPublic(Public):
    id: str = Field(description="The `webhook-id` of every attempt of this delivery.")
    endpoint_id: str
    event_type: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    dead_lettered_at: datetime | None
    last_error: str | None


class AttemptPublic(Public):
    delivery_id: str
    at: datetime
    duration_ms: int
    status_code: int | None
    error: str | None
    response_excerpt: str
