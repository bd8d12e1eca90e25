"""Upload, read and purge blobs: proof-of-delivery photos and signatures.

A blob is named by the SHA-256 of its original bytes, which the client computes before
sending (so it can refer to a photo in a queued action before the upload has happened)
and the server checks. Files are written before the record: a failure in between leaves
files that the next upload of the same bytes simply overwrites, never a record without
its files. Uploading the same bytes again is answered "already stored".
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.domain.photos import PhotoPurge
from doorstep.services.blobs import images
from doorstep.services.errors import Gone, NotFound, PayloadTooLarge, PermissionDenied
from doorstep.services.ports import (
    BlobRecord,
    BlobStore,
    BlobVariant,
    Clock,
    Conflict,
    UnitOfWork,
    UnitOfWorkFactory,
)

SHA256_HEX: Final = re.compile(r"^[0-9a-f]{64}$")
PURGER: Final = Principal.system("photo-purge")
LINK_READER: Final = Principal.system("blob-link")  # a signed link has no caller, only a key
PURGE_BATCH: Final = 500


@dataclass(frozen=True, slots=True)
class Uploaded:
    blob: BlobRecord
    created: bool  # False: these bytes were already stored


def require_uploader(principal: Principal) -> None:
    """Couriers, office staff and the system upload proof; a brand never does."""
    if principal.is_brand:
        raise PermissionDenied("Brands may not upload proof-of-delivery images.")


def require_sha256(sha256: str, field: str = "sha256") -> None:
    if not SHA256_HEX.match(sha256):
        raise InvalidValue(field, "must be the 64 lowercase hex characters of a SHA-256")


def upload_blob(
    uow: UnitOfWork,
    store: BlobStore,
    clock: Clock,
    *,
    sha256: str,
    data: bytes,
    content_type: str | None,
) -> Uploaded:
    """Check the body against its name, its type and its limits, store the original and
    its display copy and thumbnail, and record it. Idempotent: the same bytes again are
    answered with the stored record (``created`` False)."""
    require_uploader(uow.principal)
    require_sha256(sha256)
    if len(data) > images.MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(images.MAX_UPLOAD_BYTES)
    if not data:
        raise InvalidValue("body", "is empty")
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise InvalidValue("sha256", f"the body's SHA-256 is {actual}, not the one in the path")
    with uow.read_only():
        known = uow.blobs.get(sha256)
    if known is not None and known.purged_at is not None:
        raise Gone(f"This image was deleted on {known.purged_at:%Y-%m-%d} (photo retention).")
    if known is not None and all(store.exists(sha256, v) for v in BlobVariant):
        return Uploaded(known, created=False)
    found = images.check_type(data, content_type)
    processed = images.process(data, found)
    store.put(sha256, BlobVariant.ORIGINAL, data, found)
    store.put(sha256, BlobVariant.DISPLAY, processed.display, images.DERIVED_CONTENT_TYPE)
    store.put(sha256, BlobVariant.THUMBNAIL, processed.thumbnail, images.DERIVED_CONTENT_TYPE)
    if known is not None:  # its files were missing and are back
        return Uploaded(known, created=False)
    record = BlobRecord(
        sha256=sha256,
        content_type=found,
        size=len(data),
        width=processed.width,
        height=processed.height,
        uploaded_by=uow.principal.actor,
        created_at=clock.now(),
    )
    try:
        with uow:
            uow.blobs.add(record)
            uow.commit()
    except Conflict:  # the same bytes, uploaded at the same moment by another request
        with uow.read_only():
            winner = uow.blobs.get(sha256)
        if winner is None:
            raise
        return Uploaded(winner, created=False)
    return Uploaded(record, created=True)


@dataclass(frozen=True, slots=True)
class BlobContent:
    data: bytes
    content_type: str


def read_blob(
    uow_factory: UnitOfWorkFactory, store: BlobStore, sha256: str, variant: BlobVariant
) -> BlobContent:
    """One copy of a blob, for a link already checked; NotFound or Gone otherwise."""
    if not SHA256_HEX.match(sha256):
        raise NotFound("blob", sha256[:64])
    with uow_factory(LINK_READER).read_only() as uow:
        record = uow.blobs.get(sha256)
    if record is None:
        raise NotFound("blob", sha256)
    if record.purged_at is not None:
        raise Gone("This image was deleted under the photo retention rule.")
    data = store.get(sha256, variant)
    if data is None:
        raise NotFound("blob", sha256)
    kind = record.content_type if variant is BlobVariant.ORIGINAL else images.DERIVED_CONTENT_TYPE
    return BlobContent(data, kind)


def purge_expired_photos(
    uow_factory: UnitOfWorkFactory, store: BlobStore, now: datetime, retention: timedelta
) -> int:
    """Delete every copy of each blob uploaded more than ``retention`` before ``now``, then
    stamp its record purged (one ``proof.photos_purged`` event per batch). The records and
    their hashes stay. Files go first: a run stopped halfway is finished by the next one.
    Run by a periodic job; returns how many blobs were purged."""
    cutoff = now - retention
    purged = 0
    while True:
        with uow_factory(PURGER).read_only() as uow:
            due = uow.blobs.list_due_for_purge(created_before=cutoff, limit=PURGE_BATCH)
        if not due:
            return purged
        for blob in due:
            for variant in BlobVariant:
                store.delete(blob.sha256, variant)
        purge = PhotoPurge.of(
            [blob.sha256 for blob in due], created_before=cutoff, retention=retention, at=now
        )
        with uow_factory(PURGER) as uow:
            uow.blobs.mark_purged(purge)
            uow.commit()
        purged += len(due)
        if len(due) < PURGE_BATCH:
            return purged
