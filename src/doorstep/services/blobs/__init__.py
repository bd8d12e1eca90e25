"""Blobs: proof-of-delivery photos and signatures, their copies, links and retention."""

from doorstep.services.blobs.images import MAX_UPLOAD_BYTES
from doorstep.services.blobs.signed_urls import BlobLinks, LinkRefused, linkable_variants
from doorstep.services.blobs.use_cases import (
    BlobContent,
    Uploaded,
    purge_expired_photos,
    read_blob,
    upload_blob,
)

__all__ = [
    "MAX_UPLOAD_BYTES",
    "BlobContent",
    "BlobLinks",
    "LinkRefused",
    "Uploaded",
    "linkable_variants",
    "purge_expired_photos",
    "read_blob",
    "upload_blob",
]
