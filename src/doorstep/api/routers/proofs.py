"""``/v1/orders/{id}/proof`` (JSON with signed image links) and ``.../proof.pdf``.

A brand reads the proof of its own orders, office staff of all, a courier of those on
their routes; another's order is 404. Image links work without a token until they
expire, and only the office gets links to originals (which keep the phone's EXIF).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from doorstep.api.deps import CurrentPrincipal, Services
from doorstep.api.problems import Problem
from doorstep.api.schemas.proofs import (
    AttemptPublic,
    ImageLink,
    OrderProofPublic,
    PositionPublic,
)
from doorstep.documents.proof_pdf import render_proof_pdf
from doorstep.services.blobs import BlobLinks, linkable_variants
from doorstep.services.orders.use_cases import order_status
from doorstep.services.ports import BlobVariant, ProofRecord
from doorstep.services.routes.proofs import order_proof

router = APIRouter(prefix="/orders", tags=["orders"])
ERRORS: dict[int | str, dict[str, object]] = {code: {"model": Problem} for code in (401, 404)}
LINK_LIFETIME = timedelta(hours=1)


def _link(links: BlobLinks, sha256: str, originals: bool, expires: datetime) -> ImageLink:
    original = links.signed_url(sha256, BlobVariant.ORIGINAL, expires) if originals else None
    return ImageLink(
        sha256=sha256,
        url=links.signed_url(sha256, BlobVariant.DISPLAY, expires),
        thumbnail_url=links.signed_url(sha256, BlobVariant.THUMBNAIL, expires),
        original_url=original,
        expires_at=expires,
    )


def _attempt(
    proof: ProofRecord, links: BlobLinks, originals: bool, services: Services
) -> AttemptPublic:
    expires = services.clock.now().replace(microsecond=0) + LINK_LIFETIME
    evidence = proof.evidence
    position = None
    if proof.position is not None:
        lat, lon, accuracy = proof.position
        position = PositionPublic(lat=lat, lon=lon, accuracy_m=accuracy)
    return AttemptPublic(
        parcel_ids=list(proof.parcel_ids),
        outcome=proof.outcome,
        method=proof.method,
        reason=proof.reason,
        recipient_name=evidence.get("recipient_name"),
        neighbour_name=evidence.get("neighbour_name"),
        neighbour_house=evidence.get("neighbour_house"),
        safe_place=evidence.get("safe_place"),
        card_number=evidence.get("card_number"),
        note=evidence.get("note"),
        pin_checked=evidence.get("pin_checked") == "yes",
        courier_id=proof.courier_id,
        at=proof.recorded_at,
        device_time=proof.device_time,
        position=position,
        distance_from_address_m=None if proof.distance_m is None else round(proof.distance_m),
        geofence_mismatch=proof.geofence_mismatch,
        photos=[_link(links, sha, originals, expires) for sha in proof.photos],
        signature=None
        if proof.signature is None
        else _link(links, proof.signature, originals, expires),
    )


@router.get("/{order_id}/proof", response_model=OrderProofPublic, responses=ERRORS)
def get_proof(order_id: str, principal: CurrentPrincipal, services: Services) -> object:
    """Every delivery attempt of the order: outcome, evidence, where and when, images."""
    found = order_proof(services.uow_factory(principal), order_id)
    originals = BlobVariant.ORIGINAL in linkable_variants(principal)
    links = services.blob_links
    return OrderProofPublic(
        order_id=found.order.id,
        reference=found.order.reference,
        status=order_status(found.order),
        attempts=[_attempt(p, links, originals, services) for p in found.attempts],
    )


@router.get(
    "/{order_id}/proof.pdf",
    response_class=Response,
    responses={**ERRORS, 200: {"content": {"application/pdf": {}}, "description": "One page."}},
)
async def get_proof_pdf(order_id: str, principal: CurrentPrincipal, services: Services) -> Response:
    """The proof of delivery as one printable page, with the photos and signature."""
    found = await run_in_threadpool(order_proof, services.uow_factory(principal), order_id)

    def render() -> bytes:
        images: dict[str, bytes] = {}
        for proof in found.attempts:
            for sha in (*proof.photos, *([proof.signature] if proof.signature else [])):
                data = services.blobs.get(sha, BlobVariant.DISPLAY)
                if data is not None:
                    images[sha] = data
        return render_proof_pdf(
            found.order, found.attempts, images, generated_at=services.clock.now()
        )

    pdf = await run_in_threadpool(render)
    # The order id, not the brand's reference: a header holds only plain ASCII safely.
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="proof-{found.order.id}.pdf"'},
    )
