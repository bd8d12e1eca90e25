"""What an upload answers: the blob's name, size and type, nothing of who sent it."""

from __future__ import annotations

from doorstep.api.schemas.common import Public


class BlobPublic(Public):
    sha256: str
    size: int
    content_type: str
