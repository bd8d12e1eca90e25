"""Signed links to images: anyone holding one may fetch that copy until it expires.

A proof answer lists its photos as links that work without a bearer token (an ``<img>``
tag cannot send one) but only for the copy they name and only until their expiry: the
signature is an HMAC of the hash, the variant and the expiry time, under a key derived
from the server's secret (so it cannot be used to forge tokens, or the other way round).
Who gets which copy is decided where links are made: the original only for operator
staff, brands the display copy and thumbnail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import urlencode

from doorstep.domain.access import Principal
from doorstep.services.errors import PermissionDenied
from doorstep.services.ports import BlobVariant

BLOB_PATH = "/v1/blobs/"
_PURPOSE = b"doorstep blob links v1"


SHOWN: tuple[BlobVariant, ...] = (BlobVariant.DISPLAY, BlobVariant.THUMBNAIL)


def linkable_variants(principal: Principal) -> tuple[BlobVariant, ...]:
    """The copies ``principal`` may be given links to: the original (with its EXIF, GPS
    included) only to office staff and the system; brands and couriers the copies shown."""
    if principal.sees_all_brands:
        return (BlobVariant.ORIGINAL, *SHOWN)
    return SHOWN


class LinkRefused(PermissionDenied):
    """A blob link with a bad signature, or past its expiry (403, never which blob)."""


class BlobLinks:
    """Makes and checks signed blob links for one server (its secret and public URL)."""

    def __init__(self, secret_key: str, public_url: str) -> None:
        self._key = hmac.new(secret_key.encode(), _PURPOSE, hashlib.sha256).digest()
        self._base = public_url.rstrip("/")

    def signed_url(self, sha256: str, variant: BlobVariant, expires_at: datetime) -> str:
        """The full link to one copy of a blob, good until ``expires_at`` (whole seconds)."""
        expires = int(expires_at.timestamp())
        query = urlencode(
            {
                "variant": variant.value,
                "expires": expires,
                "signature": self.signature(sha256, variant, expires),
            }
        )
        return f"{self._base}{BLOB_PATH}{sha256}?{query}"

    def signature(self, sha256: str, variant: BlobVariant, expires: int) -> str:
        message = f"{sha256}\n{variant.value}\n{expires}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def check(
        self, sha256: str, variant: BlobVariant, expires: str, signature: str, now: datetime
    ) -> datetime:
        """When the link expires, if it is genuine and not yet expired; else LinkRefused."""
        if not expires.isdigit() or len(expires) > 12:
            raise LinkRefused("This link is not valid.")
        expected = self.signature(sha256, variant, int(expires))
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            raise LinkRefused("This link is not valid.")
        expires_at = datetime.fromtimestamp(int(expires), UTC)
        if expires_at <= now:
            raise LinkRefused("This link has expired; ask for the proof again for a new one.")
        return expires_at
