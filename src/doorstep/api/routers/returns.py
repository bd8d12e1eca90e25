"""``/v1/brands/{id}/delivery-policy`` and ``/v1/returns``: what happens after a failed
attempt, the parcels going back to each brand, their labels and the handover.

Operators read and write everything; a brand key reads its own policy and manifest (another
brand's looks missing); couriers get nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from doorstep.api.deps import CurrentPrincipal, OperatorPrincipal, Services
from doorstep.api.problems import Problem
from doorstep.api.schemas.common import Day, Token
from doorstep.api.schemas.returns import (
    DeliveryPolicyIn,
    DeliveryPolicyPublic,
    HandedOverPublic,
    HandoverIn,
    HandoverPublic,
    ReturnLinePublic,
    ReturnsManifestPublic,
)
from doorstep.documents.returns_manifest import (
    render_returns_csv,
    render_returns_pdf,
    return_label,
)
from doorstep.domain.delivery_policy import DeliveryPolicy
from doorstep.domain.preferences import london_day
from doorstep.services import returns
from doorstep.services.returns import ReturnsManifest

router = APIRouter(tags=["returns"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem} for code in (401, 403, 404, 409, 422)
}
PDF: dict[str, Any] = {"content": {"application/pdf": {}}, "description": "A PDF document."}
CSV: dict[str, Any] = {"content": {"text/csv": {}}, "description": "UTF-8 CSV with a BOM."}


def _policy(brand_id: str, policy: DeliveryPolicy) -> DeliveryPolicyPublic:
    return DeliveryPolicyPublic(
        brand_id=brand_id,
        attempts_allowed=policy.attempts_allowed,
        reattempt=policy.reattempt.value,
        hold_at_hub_days=policy.hold_at_hub_days,
        after_last_attempt=policy.after_last_attempt.value,
    )


@router.get(
    "/brands/{brand_id}/delivery-policy", response_model=DeliveryPolicyPublic, responses=ERRORS
)
def get_delivery_policy(
    brand_id: str, principal: CurrentPrincipal, services: Services
) -> DeliveryPolicyPublic:
    """The brand's policy for failed attempts (the defaults until it sets one)."""
    policy = returns.delivery_policy(services.uow_factory(principal), brand_id)
    return _policy(brand_id, policy)


@router.put(
    "/brands/{brand_id}/delivery-policy",
    response_model=DeliveryPolicyPublic,
    responses=ERRORS,
    tags=["brands"],  # the office's: operators set it, the brand reads it
)
def put_delivery_policy(
    brand_id: str, body: DeliveryPolicyIn, principal: OperatorPrincipal, services: Services
) -> DeliveryPolicyPublic:
    """Set the brand's policy; parcels already decided keep their decision."""
    policy = DeliveryPolicy.parse(
        attempts_allowed=body.attempts_allowed,
        reattempt=body.reattempt,
        hold_at_hub_days=body.hold_at_hub_days,
        after_last_attempt=body.after_last_attempt,
    )
    stored = returns.set_delivery_policy(
        services.uow_factory(principal), brand_id, policy, clock=services.clock
    )
    return _policy(brand_id, stored)


def _manifest(
    services: Services, principal: CurrentPrincipal, brand_id: str | None, day: date | None
) -> Any:
    """A brand key reads its own brand's manifest without naming it; the day is today in
    London unless given. Office staff name the brand."""
    brand = brand_id or principal.brand_id or ""
    when = day or london_day(services.clock.now())
    return returns.returns_manifest(services.uow_factory(principal), brand, when)


def manifest_public(found: ReturnsManifest) -> ReturnsManifestPublic:
    return ReturnsManifestPublic(
        brand_id=found.brand_id,
        brand_name=found.brand_name,
        date=found.day,
        waiting=found.waiting,
        items=[
            ReturnLinePublic(
                parcel_id=line.parcel_id,
                barcode=line.barcode,
                order_id=line.order_id,
                reference=line.reference,
                recipient_name=line.recipient_name,
                postcode=line.postcode,
                state=line.state,
                return_started_at=line.started_at,
                reason=line.reason,
                attempts=line.attempts,
                handed_over_at=line.handed_over_at,
            )
            for line in found.lines
        ],
    )


BrandQuery = Annotated[Token | None, Query()]
DayQuery = Annotated[Day | None, Query()]


@router.get("/returns", response_model=ReturnsManifestPublic, responses=ERRORS)
def get_returns(
    principal: CurrentPrincipal,
    services: Services,
    brand_id: BrandQuery = None,
    date: DayQuery = None,
) -> ReturnsManifestPublic:
    """The brand's returns manifest for a London day: parcels whose return started then."""
    return manifest_public(_manifest(services, principal, brand_id, date))


@router.get("/returns/manifest.csv", response_class=Response, responses={**ERRORS, 200: CSV})
def get_returns_csv(
    principal: CurrentPrincipal,
    services: Services,
    brand_id: BrandQuery = None,
    date: DayQuery = None,
) -> Response:
    found: ReturnsManifest = _manifest(services, principal, brand_id, date)
    name = f"returns-{found.brand_id}-{found.day.isoformat()}.csv"
    return Response(
        render_returns_csv(found.lines),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/returns/manifest.pdf", response_class=Response, responses={**ERRORS, 200: PDF})
async def get_returns_pdf(
    principal: CurrentPrincipal,
    services: Services,
    brand_id: BrandQuery = None,
    date: DayQuery = None,
) -> Response:
    found: ReturnsManifest = await run_in_threadpool(_manifest, services, principal, brand_id, date)
    pdf = await run_in_threadpool(
        render_returns_pdf, found.lines, brand_name=found.brand_name, day=found.day
    )
    name = f"returns-{found.brand_id}-{found.day.isoformat()}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get(
    "/returns/{parcel_id}/label",
    response_class=Response,
    responses={**ERRORS, 200: PDF},
    tags=["hubs"],  # printed at the hub
)
def get_return_label(parcel_id: str, principal: OperatorPrincipal, services: Services) -> Response:
    """The return label of a parcel going back: from the hub to the brand, same barcode."""
    pdf = render_return_label(services, principal, parcel_id)
    disposition = f'inline; filename="return-{parcel_id}.pdf"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})


def render_return_label(services: Services, principal: Any, parcel_id: str) -> bytes:
    """Shared with the console: the label of a parcel on its way back (404 otherwise)."""
    source = returns.return_label_source(services.uow_factory(principal), parcel_id)
    return return_label(
        source.order,
        source.parcel,
        brand_name=source.sender,
        hub_name=source.hub_name,
        tracking_url=services.tracking_base_url + source.order.tracking_token,
    )


@router.post("/returns/handover", response_model=HandoverPublic, responses=ERRORS, tags=["hubs"])
def post_handover(
    body: HandoverIn, principal: OperatorPrincipal, services: Services
) -> HandoverPublic:
    """Record ``returned_to_sender`` for each parcel handed to the brand's driver. All or
    nothing: an unknown parcel, another brand's, or one not returning refuses it (422,
    each named). Sent again, parcels already handed over say so and do not move."""
    done = returns.handover(
        services.uow_factory(principal), body.brand_id, body.parcels, clock=services.clock
    )
    return HandoverPublic(
        brand_id=body.brand_id,
        items=[
            HandedOverPublic(parcel_id=d.parcel_id, barcode=d.barcode, already_returned=d.already)
            for d in done
        ],
    )
