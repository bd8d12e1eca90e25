"""A brand's appearance on its recipients' tracking page: a colour and a logo (admins).

The logo is an uploaded image (JPEG, PNG or WebP, at most 2 MB) kept in the blob store
like a photo, EXIF stripped and redrawn as its display copy, named by its SHA-256. It has no
blob record: the photo retention purge walks those records, and a logo is not personal
data to be deleted after 90 days. It is served from this server at a path naming the brand
and the hash (:func:`logo_image`), only while it is that brand's logo.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

from doorstep.domain.access import Principal
from doorstep.domain.brand import check_colour
from doorstep.domain.errors import InvalidValue
from doorstep.domain.model import Brand
from doorstep.services.access import require_admin
from doorstep.services.blobs import images
from doorstep.services.errors import NotFound, PayloadTooLarge
from doorstep.services.ports import BlobStore, BlobVariant, UnitOfWork, UnitOfWorkFactory

MAX_LOGO_BYTES: Final = 2 * 1024 * 1024
READER: Final = Principal.system("tracking")


def logo_path(brand_id: str, sha256: str) -> str:
    return f"/t/_logo/{brand_id}/{sha256}"


def set_colour(uow: UnitOfWork, brand_id: str, colour: str | None) -> Brand:
    """Set (or with None, clear) the brand's colour, ``#rrggbb``."""
    require_admin(uow.principal)
    value = None if colour is None else check_colour(colour)
    with uow:
        brand = uow.brands.get(brand_id)
        if brand is None:
            raise NotFound("brand", brand_id)
        brand.colour = value
        uow.brands.save_appearance(brand)
        uow.commit()
    return brand


def set_logo(
    uow: UnitOfWork, store: BlobStore, brand_id: str, data: bytes, content_type: str | None
) -> Brand:
    """Check and store the image, then make it the brand's logo."""
    require_admin(uow.principal)
    if len(data) > MAX_LOGO_BYTES:
        raise PayloadTooLarge(MAX_LOGO_BYTES)
    if not data:
        raise InvalidValue("body", "is empty")
    with uow.read_only():
        if uow.brands.get(brand_id) is None:
            raise NotFound("brand", brand_id)
    found = images.check_type(data, content_type)
    processed = images.process(data, found)
    sha256 = hashlib.sha256(data).hexdigest()
    store.put(sha256, BlobVariant.DISPLAY, processed.display, images.DERIVED_CONTENT_TYPE)
    with uow:
        brand = uow.brands.get(brand_id)
        if brand is None:
            raise NotFound("brand", brand_id)
        brand.logo = sha256
        uow.brands.save_appearance(brand)
        uow.commit()
    return brand


@dataclass(frozen=True, slots=True)
class LogoImage:
    data: bytes
    content_type: str


def logo_image(
    uow_factory: UnitOfWorkFactory, store: BlobStore, brand_id: str, sha256: str
) -> LogoImage:
    """The brand's logo by its hash; NotFound unless it is that brand's logo now."""
    with uow_factory(READER).read_only() as uow:
        brand = uow.brands.get(brand_id) if len(brand_id) <= 40 else None
    if brand is None or brand.logo is None or brand.logo != sha256:
        raise NotFound("logo", sha256[:64])
    data = store.get(sha256, BlobVariant.DISPLAY)
    if data is None:
        raise NotFound("logo", sha256)
    return LogoImage(data, images.DERIVED_CONTENT_TYPE)
