"""``/v1/auth/token`` (operator login) and ``/v1/users`` (admin: add, deactivate)."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from doorstep.api import present, tokens
from doorstep.api.deps import Idempotency, OperatorPrincipal, Services, json_saved
from doorstep.api.guard import client_address
from doorstep.api.problems import Problem
from doorstep.api.schemas.accounts import Login, TokenPublic, UserCreate, UserPublic
from doorstep.services import accounts
from doorstep.services.accounts import throttle
from doorstep.services.idempotency import BeforeCommit
from doorstep.services.ports import User

router = APIRouter(tags=["auth"])
_LOGIN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": Login.model_json_schema()},
            "application/x-www-form-urlencoded": {"schema": Login.model_json_schema()},
        },
    }
}


async def _login_fields(request: Request) -> Login:
    """JSON ``{"email", "password"}`` or an OAuth2-style form (``username`` for the e-mail)."""
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith("application/json"):
            raw: Any = json.loads(await request.body())
        else:
            form = await request.form()
            raw = {
                "email": form.get("email") or form.get("username"),
                "password": form.get("password"),
            }
        return Login.model_validate(raw)
    # Bad JSON (RecursionError when nested thousands deep), bad form, failed validation.
    except (ValueError, RecursionError) as error:
        errors = (
            error.errors()
            if isinstance(error, ValidationError)
            else [{"loc": ("body",), "msg": "is not valid JSON or form data"}]
        )
        raise RequestValidationError(errors) from error


@router.post(
    "/auth/token",
    response_model=TokenPublic,
    openapi_extra=_LOGIN_BODY,
    responses={code: {"model": Problem} for code in (401, 422, 429)},
)
async def login(request: Request, services: Services) -> TokenPublic:
    """Exchange an operator's e-mail and password for a bearer token.

    Repeated wrong passwords lock the account for a while, growing with each one; a
    locked account answers like a wrong password. An address that keeps failing gets 429.
    """
    fields = await _login_fields(request)
    user = await run_in_threadpool(
        partial(
            throttle.login,
            services.uow_factory,
            services.passwords,
            services.throttle,
            services.clock,
            email=fields.email,
            password=fields.password,
            address=client_address(request.scope),
        )
    )
    expires_at = services.clock.now() + services.token_ttl
    token = tokens.issue(services.secret_key, user.id, expires_at)
    return TokenPublic(access_token=token, expires_in=int(services.token_ttl.total_seconds()))


@router.post(
    "/users",
    status_code=201,
    response_model=UserPublic,
    tags=["users"],
    responses={code: {"model": Problem} for code in (401, 403, 409, 422)},
)
def create_user(
    body: UserCreate, principal: OperatorPrincipal, services: Services, call: Idempotency
) -> object:
    """Add an operator user (admin only)."""

    def action(hook: BeforeCommit[User] | None) -> User:
        return accounts.create_user(
            services.uow_factory(principal),
            email=body.email,
            name=body.name,
            role=body.role,
            password=body.password,
            hasher=services.passwords,
            courier_id=body.courier_id,
            before_commit=hook,
            clock=services.clock,
        )

    return call.run(action, lambda made: json_saved(201, present.user(made)))


@router.post(
    "/users/{user_id}/deactivate",
    response_model=UserPublic,
    tags=["users"],
    responses={code: {"model": Problem} for code in (401, 403, 404, 409, 422)},
)
def deactivate_user(
    user_id: str, principal: OperatorPrincipal, services: Services, call: Idempotency
) -> object:
    """Stop a user (admin only): no login, and its tokens are refused from the next request.
    Recorded in the audit log; an admin cannot deactivate their own account."""

    def action(hook: BeforeCommit[User] | None) -> User:
        return accounts.deactivate_user(
            services.uow_factory(principal), user_id, clock=services.clock, before_commit=hook
        )

    return call.run(action, lambda done: json_saved(200, present.user(done)))
