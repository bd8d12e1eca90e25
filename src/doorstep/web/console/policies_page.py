"""``/console/settings/delivery-policy``: each brand's policy for failed attempts, one form
per brand (CSRF-checked); a change is audited by the use case (services/returns)."""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from doorstep.domain.delivery_policy import (
    MAX_ATTEMPTS,
    MAX_HOLD_DAYS,
    MIN_ATTEMPTS,
    AfterLastAttempt,
    DeliveryPolicy,
    Reattempt,
)
from doorstep.domain.errors import DomainError, InvalidValue
from doorstep.services import accounts, returns
from doorstep.services.errors import ServiceError
from doorstep.web.console import render
from doorstep.web.console.session import ConsoleUser, checked_form, container_of

router = APIRouter()
PATH: Final = "/console/settings/delivery-policy"
REATTEMPT_LABELS: Final = {
    Reattempt.NEXT_WORKING_DAY: "The next working day",
    Reattempt.CUSTOMER_DAY: "The day the recipient chose (else the next working day)",
}
AFTER_LABELS: Final = {
    AfterLastAttempt.RETURN_TO_SENDER: "Return to the sender",
    AfterLastAttempt.HOLD_AT_HUB: "Hold at the hub for collection",
}


async def _page(request: Request, user: Any, status: int = 200, **flash: str) -> Response:
    container = container_of(request)

    def read() -> list[tuple[Any, DeliveryPolicy]]:
        found = accounts.list_brands(container.uow_factory(user))
        return [(b, returns.delivery_policy(container.uow_factory(user), b.id)) for b in found]

    rows = await run_in_threadpool(read)
    return render.page(
        request,
        "console/policies.html",
        user=user,
        section="settings",
        status_code=status,
        rows=rows,
        reattempt_labels=REATTEMPT_LABELS,
        after_labels=AFTER_LABELS,
        min_attempts=MIN_ATTEMPTS,
        max_attempts=MAX_ATTEMPTS,
        max_hold=MAX_HOLD_DAYS,
        **flash,
    )


@router.get(PATH)
async def policies(request: Request, user: ConsoleUser) -> Response:
    return await _page(request, user)


def _number(value: object, field: str) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise InvalidValue(field, "give a whole number") from None


@router.post(PATH)
async def set_policy(request: Request, user: ConsoleUser) -> Response:
    form = await checked_form(request)
    brand_id = str(form.get("brand_id") or "")
    container = container_of(request)
    try:
        policy = DeliveryPolicy.parse(
            attempts_allowed=_number(form.get("attempts_allowed"), "attempts_allowed"),
            reattempt=str(form.get("reattempt") or ""),
            hold_at_hub_days=_number(form.get("hold_at_hub_days"), "hold_at_hub_days"),
            after_last_attempt=str(form.get("after_last_attempt") or ""),
        )
        await run_in_threadpool(
            lambda: returns.set_delivery_policy(
                container.uow_factory(user), brand_id, policy, clock=container.clock
            )
        )
    except (DomainError, ServiceError) as refused:
        return await _page(request, user, 422, error=refused.message)
    return await _page(request, user, notice="Delivery policy saved.")
