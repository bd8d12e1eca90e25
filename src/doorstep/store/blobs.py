"""What is known of each uploaded image: hash, type, size, pixels, who and when, purged when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from doorstep.domain.access import Principal
from doorstep.domain.events import SeenAggregates
from doorstep.domain.photos import PhotoPurge
from doorstep.services.ports import BlobRecord
from doorstep.store.base import SqlRepository
from doorstep.store.crypto import FieldCipher
from doorstep.store.scoping import scoped
from doorstep.store.tables import BlobRow


def _record(row: BlobRow) -> BlobRecord:
    return BlobRecord(
        sha256=row.sha256,
        content_type=row.content_type,
        size=row.size,
        width=row.width,
        height=row.height,
        uploaded_by=row.uploaded_by,
        created_at=row.created_at,
        purged_at=row.purged_at,
    )


class SqlBlobRepository(SqlRepository):
    def __init__(
        self, session: Session, principal: Principal, cipher: FieldCipher, *, seen: SeenAggregates
    ) -> None:
        super().__init__(session, principal, cipher)
        self._seen = seen

    def add(self, blob: BlobRecord) -> None:
        self.insert(
            BlobRow(
                sha256=blob.sha256,
                content_type=blob.content_type,
                size=blob.size,
                width=blob.width,
                height=blob.height,
                uploaded_by=blob.uploaded_by,
                created_at=blob.created_at,
                purged_at=blob.purged_at,
            )
        )

    def get(self, sha256: str) -> BlobRecord | None:
        row = self.session.scalar(scoped(self.principal, BlobRow).where(BlobRow.sha256 == sha256))
        return None if row is None else _record(row)

    def list_due_for_purge(self, *, created_before: datetime, limit: int) -> list[BlobRecord]:
        query = (
            scoped(self.principal, BlobRow)
            .where(BlobRow.created_at < created_before, BlobRow.purged_at.is_(None))
            .order_by(BlobRow.created_at, BlobRow.pk)
            .limit(limit)
        )
        return [_record(row) for row in self.session.scalars(query)]

    def mark_purged(self, purge: PhotoPurge) -> None:
        with self.savepoint():
            self.session.execute(
                update(BlobRow)
                .where(BlobRow.sha256.in_(purge.sha256s), BlobRow.purged_at.is_(None))
                .values(purged_at=purge.at)
            )
        self._seen.add(purge)
