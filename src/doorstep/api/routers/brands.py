"""``/v1/brands``: the shippers (tenants) and their API keys (admin): issue, list, revoke."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Body

from doorstep.api import present
from doorstep.api.deps import Idempotency, OperatorPrincipal, Services, json_saved
from doorstep.api.problems import MEDIA_TYPE, Problem, problem_document
from doorstep.api.schemas.accounts import (
    ApiKeyCreate,
    ApiKeyIssued,
    ApiKeyPublic,
    BrandCreate,
    BrandPublic,
)
from doorstep.api.schemas.common import Items
from doorstep.domain.model import Brand
from doorstep.services import accounts
from doorstep.services.accounts.use_cases import IssuedKey
from doorstep.services.idempotency import BeforeCommit, SavedResponse
from doorstep.services.ports import ApiKey

router = APIRouter(prefix="/brands", tags=["brands"])
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": Problem} for code in (401, 403, 404, 422)
}
KEY_ERRORS = ERRORS | {409: {"model": Problem, "description": "Already issued (a replay)."}}


@router.get("", response_model=Items[BrandPublic], responses=ERRORS)
def list_brands(principal: OperatorPrincipal, services: Services) -> Items[BrandPublic]:
    found = accounts.list_brands(services.uow_factory(principal))
    return Items[BrandPublic](items=[present.brand(b) for b in found])


@router.post("", status_code=201, response_model=BrandPublic, responses=ERRORS)
def create_brand(
    body: BrandCreate, principal: OperatorPrincipal, services: Services, call: Idempotency
) -> object:
    def action(hook: BeforeCommit[Brand] | None) -> Brand:
        return accounts.create_brand(
            services.uow_factory(principal), body.name, before_commit=hook, clock=services.clock
        )

    return call.run(action, lambda made: json_saved(201, present.brand(made)))


@router.post(
    "/{brand_id}/api-keys", status_code=201, response_model=ApiKeyIssued, responses=KEY_ERRORS
)
def issue_api_key(
    brand_id: str,
    principal: OperatorPrincipal,
    services: Services,
    call: Idempotency,
    body: Annotated[ApiKeyCreate | None, Body()] = None,
) -> object:
    """A new key for the brand. The ``api_key`` is in this answer only: store it now.

    Sent again with the same ``Idempotency-Key``, the request answers 409
    ``api_key_already_issued`` with the key's id, not the key."""
    name = body.name if body else ""

    def action(hook: BeforeCommit[IssuedKey] | None) -> IssuedKey:
        return accounts.issue_api_key(
            services.uow_factory(principal),
            brand_id,
            clock=services.clock,
            name=name,
            before_commit=hook,
        )

    return call.run(
        action, lambda issued: json_saved(201, present.issued_key(issued)), already_issued
    )


def already_issued(issued: IssuedKey) -> SavedResponse:
    """What a repeat of a key-issuing request gets: the key's id, never the key itself, so
    "shown once" holds even for a caller who retries with the same Idempotency-Key."""
    document = problem_document(
        409,
        "api_key_already_issued",
        f"API key {issued.key.id} was already issued for this Idempotency-Key and is shown "
        "only once. If it was lost, issue a new key with a new Idempotency-Key.",
        key_id=issued.key.id,
        prefix=issued.key.prefix,
    )
    return SavedResponse(409, json.dumps(document).encode(), content_type=MEDIA_TYPE)


@router.get("/{brand_id}/api-keys", response_model=Items[ApiKeyPublic], responses=ERRORS)
def list_api_keys(
    brand_id: str, principal: OperatorPrincipal, services: Services
) -> Items[ApiKeyPublic]:
    """The brand's keys, revoked ones included; secrets are never shown again."""
    found = accounts.list_api_keys(services.uow_factory(principal), brand_id)
    return Items[ApiKeyPublic](items=[present.api_key(k) for k in found])


@router.delete("/{brand_id}/api-keys/{key_id}", response_model=ApiKeyPublic, responses=ERRORS)
def revoke_api_key(
    brand_id: str, key_id: str, principal: OperatorPrincipal, services: Services, call: Idempotency
) -> object:
    """Revoke a key: refused from the next request on. Recorded in the audit log."""

    def action(hook: BeforeCommit[ApiKey] | None) -> ApiKey:
        return accounts.revoke_api_key(
            services.uow_factory(principal),
            brand_id,
            key_id,
            clock=services.clock,
            before_commit=hook,
        )

    return call.run(action, lambda key: json_saved(200, present.api_key(key)))
