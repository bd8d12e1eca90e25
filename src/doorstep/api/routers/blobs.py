"""``/v1/blobs``: upload a proof-of-delivery image by its hash, fetch one by a signed link.

``PUT /v1/blobs/{sha256}`` takes the raw image (JPEG, PNG or WebP, at most 15 MB): the
courier app names it by the SHA-256 it computed before it had a connection, and the server
checks the body against that name. ``GET`` needs no bearer token but a signed, expiring
link (``BlobLinks.signed_url``), so that an ``<img>`` tag can show it.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from starlette.requests import ClientDisconnect

from doorstep.api.deps import Services, StaffPrincipal
from doorstep.api.problems import Problem
from doorstep.api.schemas.blobs import BlobPublic
from doorstep.services import blobs
from doorstep.services.blobs.images import IMAGE_TYPES
from doorstep.services.ports import BlobVariant

PREFIX: Final = "/blobs"
router = APIRouter(prefix=PREFIX, tags=["blobs"])
IMAGE_BODY: Final[dict[str, Any]] = {
    "requestBody": {
        "required": True,
        "content": {
            kind: {"schema": {"type": "string", "format": "binary"}} for kind in IMAGE_TYPES
        },
    }
}
IMAGE_ANSWER: Final[dict[str, Any]] = {
    "description": "The image.",
    "content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in IMAGE_TYPES},
}
PUT_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem} for code in (401, 403, 410, 413, 415, 422)
}
GET_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem} for code in (403, 404, 410, 422)
}


@router.put(
    "/{sha256}",
    response_model=BlobPublic,
    status_code=201,
    responses={**PUT_ERRORS, 200: {"model": BlobPublic, "description": "Already stored."}},
    openapi_extra=IMAGE_BODY,
)
async def upload_blob(
    sha256: str, request: Request, services: Services, principal: StaffPrincipal
) -> Response:
    """Store an image named by the SHA-256 of its bytes: 201 when new, 200 when these bytes
    were already stored. Refused: a body whose hash is not the name (422 ``sha256``), not a
    JPEG, PNG or WebP or not the declared ``Content-Type`` (415), over 15 MB (413), too
    many pixels or unreadable (422 ``body``). Brands may not upload (403)."""
    try:
        data = await _read(request)
    except ClientDisconnect:
        return Response(status_code=400)  # nobody is left to read an answer
    declared = request.headers.get("content-type")
    uploaded = await run_in_threadpool(
        blobs.upload_blob,
        services.uow_factory(principal),
        services.blobs,
        services.clock,
        sha256=sha256,
        data=data,
        content_type=declared,
    )
    body = BlobPublic(
        sha256=uploaded.blob.sha256,
        size=uploaded.blob.size,
        content_type=uploaded.blob.content_type,
    )
    return JSONResponse(body.model_dump(), status_code=201 if uploaded.created else 200)


async def _read(request: Request) -> bytes:
    """The body, never more than the cap: the size limit counts it as it arrives."""
    chunks = bytearray()
    async for chunk in request.stream():
        chunks += chunk
    return bytes(chunks)


@router.get("/{sha256}", response_class=Response, responses={**GET_ERRORS, 200: IMAGE_ANSWER})
def get_blob(
    sha256: str,
    services: Services,
    variant: BlobVariant = BlobVariant.DISPLAY,
    expires: Annotated[str, Query(max_length=20, description="Unix seconds.")] = "",
    signature: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """One copy of an image, by a signed link (no bearer token): the link names the copy
    and its expiry, and is refused with 403 once expired or if any part was changed."""
    now = services.clock.now()
    expires_at = services.blob_links.check(sha256, variant, expires, signature, now)
    content = blobs.read_blob(services.uow_factory, services.blobs, sha256, variant)
    seconds = max(0, int((expires_at - now).total_seconds()))
    headers = {
        "Cache-Control": f"private, max-age={seconds}",
        "ETag": f'"{sha256}.{variant.value}"',
        "Content-Disposition": "inline",
    }
    return Response(content.data, media_type=content.content_type, headers=headers)
