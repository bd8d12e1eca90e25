"""The blob store on one machine: a content-addressed folder.

Each blob's copies sit under two levels of two hex characters (``ab/cd/abcd...``), so no
folder holds more than a few hundred entries even with millions of photos. The original
is the file named by the hash alone; the derived copies add their variant
(``abcd....display``). A write goes to a temporary file in the same folder, is flushed to
disk and then renamed over the final name, so a reader (or a crash) never sees half a
file; two writers of the same blob write the same bytes, and the last rename wins.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

from doorstep.services.ports import BlobVariant

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def blob_key(sha256: str, variant: BlobVariant) -> str:
    """The relative name of one copy, ``ab/cd/<sha256>[.<variant>]``; the one layout both
    stores use. Refuses anything but a lowercase SHA-256 hex, so no name can leave the
    folder or bucket prefix."""
    if not _SHA256.match(sha256):
        raise ValueError(f"not a lowercase SHA-256 hex: {sha256[:80]!r}")
    name = sha256 if variant is BlobVariant.ORIGINAL else f"{sha256}.{variant.value}"
    return f"{sha256[:2]}/{sha256[2:4]}/{name}"


class LocalBlobStore:
    """Satisfies :class:`doorstep.services.ports.BlobStore` with files under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str, variant: BlobVariant) -> Path:
        return self.root / blob_key(sha256, variant)

    def put(self, sha256: str, variant: BlobVariant, data: bytes, content_type: str) -> None:
        final = self.path(sha256, variant)
        final.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".incoming-", dir=final.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        _sync_folder(final.parent)

    def get(self, sha256: str, variant: BlobVariant) -> bytes | None:
        try:
            return self.path(sha256, variant).read_bytes()
        except FileNotFoundError:
            return None

    def exists(self, sha256: str, variant: BlobVariant) -> bool:
        return self.path(sha256, variant).is_file()

    def delete(self, sha256: str, variant: BlobVariant) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(sha256, variant).unlink()


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (the folder's entry), where the system allows it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
