"""Dependencies every route declares: the container, who is calling, a unit of work, and the
Idempotency-Key rule. Routes stay thin: parse, call one use case, present the result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Header, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from doorstep.api import tokens
from doorstep.api.guard import client_address
from doorstep.domain.access import Principal
from doorstep.services import accounts
from doorstep.services.access import require_courier
from doorstep.services.container import Container
from doorstep.services.errors import AuthenticationFailed, PermissionDenied
from doorstep.services.idempotency import (
    BeforeCommit,
    IdempotentRequest,
    SavedResponse,
    fingerprint,
    run_idempotent,
)
from doorstep.services.ports import UnitOfWork

T = TypeVar("T")

_bearer = HTTPBearer(auto_error=False, description="A brand API key or an operator token.")


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


Services = Annotated[Container, Depends(get_container)]


def current_principal(
    request: Request,
    container: Services,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """A brand for a ``dsk_`` key, an operator user for a signed token; 401 otherwise.

    Every wrong key or token counts against the caller's address: an address that keeps
    guessing is locked out (429) before its guesses reach the database.
    """
    if credentials is None:
        raise AuthenticationFailed()
    address, throttle = client_address(request.scope), container.throttle
    throttle.check_address(container.clock.now(), address)
    try:
        return _authenticate(container, credentials.credentials)
    except AuthenticationFailed:
        throttle.failed(container.clock.now(), address)
        raise


def _authenticate(container: Container, token: str) -> Principal:
    if accounts.looks_like_api_key(token):
        return accounts.authenticate_api_key(container.uow_factory, token)
    user_id = tokens.verify(container.secret_key, token, container.clock.now())
    if user_id is None:
        raise AuthenticationFailed()
    return accounts.principal_for(accounts.active_user(container.uow_factory, user_id))


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def operator_principal(principal: CurrentPrincipal) -> Principal:
    """Office endpoints (hubs, scans, fleet, brands, users, plans) refuse brand keys and
    couriers with 403 before reading the body; the use cases check the same rule again."""
    if not principal.may_operate_hub():
        raise PermissionDenied(
            "This endpoint is for the delivery company's admins and dispatchers."
        )
    return principal


OperatorPrincipal = Annotated[Principal, Depends(operator_principal)]


def courier_principal(principal: CurrentPrincipal) -> Principal:
    """The courier app's endpoints refuse office staff and brand keys with 403 before
    reading the body; the use cases check the same rule again."""
    require_courier(principal)
    return principal


CourierPrincipal = Annotated[Principal, Depends(courier_principal)]


def staff_principal(principal: CurrentPrincipal) -> Principal:
    """The delivery company's people (admins, dispatchers, couriers) and the system: brand
    keys are refused with 403 before the body is read; the use cases check again."""
    if principal.is_brand:
        raise PermissionDenied("This endpoint is for the delivery company's staff.")
    return principal


StaffPrincipal = Annotated[Principal, Depends(staff_principal)]


def get_uow(principal: CurrentPrincipal, container: Services) -> UnitOfWork:
    return container.uow_factory(principal)


UoW = Annotated[UnitOfWork, Depends(get_uow)]


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Same key and body within 24 h replays the first answer.",
    ),
]


async def idempotent_request(
    request: Request, container: Services, key: IdempotencyKey = None
) -> IdempotentRequest | None:
    if key is None:
        return None
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    body = await request.body()
    return IdempotentRequest(
        key, fingerprint(request.method, path, body, secret=container.secret_key)
    )


@dataclass(frozen=True, slots=True)
class IdempotentCall:
    container: Container
    principal: Principal
    request: IdempotentRequest | None

    def run(
        self,
        action: Callable[[BeforeCommit[T] | None], T],
        render: Callable[[T], SavedResponse],
        replay: Callable[[T], SavedResponse] | None = None,
    ) -> Response:
        """Send ``render(result)``; a repeat with the same key gets ``replay(result)`` when
        given (for answers carrying a secret, which is never saved), else the same bytes."""
        saved = run_idempotent(
            self.container.uow_factory,
            self.principal,
            self.container.clock,
            self.request,
            action,
            render,
            replay,
        )
        return Response(
            saved.body, saved.status_code, headers=saved.headers, media_type=saved.content_type
        )


def idempotent_call(
    container: Services,
    principal: CurrentPrincipal,
    request: Annotated[IdempotentRequest | None, Depends(idempotent_request)],
) -> IdempotentCall:
    return IdempotentCall(container, principal, request)


Idempotency = Annotated[IdempotentCall, Depends(idempotent_call)]


def json_saved(status: int, model: BaseModel) -> SavedResponse:
    """Render a Pydantic model as the bytes that are both sent and saved for replay."""
    return SavedResponse(status, model.model_dump_json().encode())
