"""How the courier's actions and ``verify`` ask after proof files, by SHA-256.

A delivery names its photos and signature by hash and is accepted only once they are
uploaded; verification rehashes what the store holds now, and tells a file deleted by the
retention purge (a note) from one lost or replaced (a problem).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from doorstep.domain.access import Principal
from doorstep.services.ports import BlobStore, BlobVariant, UnitOfWorkFactory

READER = Principal.system("proof-files")


def uploaded(store: BlobStore) -> Callable[[str], bool]:
    def check(sha256: str) -> bool:
        return store.exists(sha256, BlobVariant.ORIGINAL)

    return check


def file_hash(store: BlobStore) -> Callable[[str], str | None]:
    def rehash(sha256: str) -> str | None:
        data = store.get(sha256, BlobVariant.ORIGINAL)
        return None if data is None else hashlib.sha256(data).hexdigest()

    return rehash


def purged(uow_factory: UnitOfWorkFactory) -> Callable[[str], bool]:
    def check(sha256: str) -> bool:
        with uow_factory(READER).read_only() as uow:
            record = uow.blobs.get(sha256)
            return record is not None and record.purged_at is not None

    return check
