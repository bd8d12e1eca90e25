"""``/v1/brands/{brand_id}/appearance`` and ``/logo``: the colour and logo of the brand's
tracking page (admins). The logo is the raw image as the body (JPEG, PNG or WebP, 2 MB)."""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from doorstep.api.deps import OperatorPrincipal, Services
from doorstep.api.problems import Problem
from doorstep.api.schemas.accounts import BrandAppearance, BrandAppearanceIn
from doorstep.domain.model import Brand
from doorstep.services.blobs.images import IMAGE_TYPES
from doorstep.services.tracking import appearance

router = APIRouter(prefix="/brands", tags=["brands"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem} for code in (401, 403, 404, 413, 415, 422)
}
IMAGE_BODY: Final[dict[str, Any]] = {
    "requestBody": {
        "required": True,
        "content": {
            kind: {"schema": {"type": "string", "format": "binary"}} for kind in IMAGE_TYPES
        },
    }
}


def shown(brand: Brand) -> BrandAppearance:
    logo = appearance.logo_path(brand.id, brand.logo) if brand.logo else None
    return BrandAppearance(id=brand.id, name=brand.name, colour=brand.colour, logo_url=logo)


@router.put("/{brand_id}/appearance", response_model=BrandAppearance, responses=ERRORS)
def set_appearance(
    brand_id: str, body: BrandAppearanceIn, principal: OperatorPrincipal, services: Services
) -> BrandAppearance:
    """Set the tracking page's colour (``#rrggbb``; null for the default)."""
    brand = appearance.set_colour(services.uow_factory(principal), brand_id, body.colour)
    return shown(brand)


@router.put(
    "/{brand_id}/logo", response_model=BrandAppearance, responses=ERRORS, openapi_extra=IMAGE_BODY
)
async def set_logo(
    brand_id: str, request: Request, principal: OperatorPrincipal, services: Services
) -> BrandAppearance:
    """Upload the tracking page's logo: the image itself as the body. Refused: not a JPEG,
    PNG or WebP or not the declared ``Content-Type`` (415), over 2 MB (413), unreadable
    (422 ``body``)."""
    data = await request.body()
    brand = await run_in_threadpool(
        appearance.set_logo,
        services.uow_factory(principal),
        services.blobs,
        brand_id,
        data,
        request.headers.get("content-type"),
    )
    return shown(brand)
