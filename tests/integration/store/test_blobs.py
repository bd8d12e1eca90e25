"""Blob records on SQLite and PostgreSQL: one per hash, open to every caller, purged in
place with one outbox event, and the purge use case over a real database and folder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.domain.events import EventName
from doorstep.domain.model import Role
from doorstep.domain.photos import PhotoPurge
from doorstep.services import blobs
from doorstep.services.ports import BlobRecord, BlobVariant, Conflict
from doorstep.store.blob_files import LocalBlobStore
from tests.images import photo, sha256
from tests.integration.store.conftest import SYSTEM, UowFactory
from tests.unit.fakes import FakeClock

T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def _record(name: str, created_at: datetime = T0) -> BlobRecord:
    return BlobRecord(
        sha256=name,
        content_type="image/jpeg",
        size=1234,
        width=1600,
        height=1200,
        uploaded_by="usr_courier",
        created_at=created_at,
    )


def _add(uow_factory: UowFactory, *records: BlobRecord) -> None:
    with uow_factory(SYSTEM) as uow:
        for record in records:
            uow.blobs.add(record)
        uow.commit()


def test_a_blob_record_is_stored_and_read_back(uow_factory: UowFactory) -> None:
    record = _record(sha256(b"one"))
    _add(uow_factory, record)
    with uow_factory(SYSTEM).read_only() as uow:
        assert uow.blobs.get(record.sha256) == record
        assert uow.blobs.get(sha256(b"other")) is None


def test_a_hash_is_stored_once(uow_factory: UowFactory) -> None:
    _add(uow_factory, _record(sha256(b"one")))
    with pytest.raises(Conflict, match="sha256"), uow_factory(SYSTEM) as uow:
        uow.blobs.add(_record(sha256(b"one")))
        uow.commit()


def test_couriers_and_brands_see_a_blob_they_can_name(uow_factory: UowFactory) -> None:
    """Its name is the hash of its bytes: whoever has the name has the content already."""
    record = _record(sha256(b"one"))
    _add(uow_factory, record)
    courier = Principal.user(ids.new_id("usr"), Role.COURIER, courier_id=ids.new_id("cou"))
    brand = Principal.brand(ids.new_id("brd"), ids.new_id("key"))
    for principal in (courier, brand):
        with uow_factory(principal).read_only() as uow:
            assert uow.blobs.get(record.sha256) == record


def test_marking_a_purge_keeps_the_rows_and_writes_one_event(uow_factory: UowFactory) -> None:
    old = [_record(sha256(b"a"), T0), _record(sha256(b"b"), T0 + timedelta(hours=1))]
    young = _record(sha256(b"c"), T0 + timedelta(days=80))
    _add(uow_factory, *old, young)
    cutoff = T0 + timedelta(days=10)
    with uow_factory(SYSTEM).read_only() as uow:
        due = uow.blobs.list_due_for_purge(created_before=cutoff, limit=10)
    assert [b.sha256 for b in due] == [old[0].sha256, old[1].sha256]
    at = T0 + timedelta(days=100)
    purge = PhotoPurge.of(
        [b.sha256 for b in due], created_before=cutoff, retention=timedelta(days=90), at=at
    )
    with uow_factory(SYSTEM) as uow:
        uow.blobs.mark_purged(purge)
        uow.commit()
    with uow_factory(SYSTEM).read_only() as uow:
        assert [uow.blobs.get(b.sha256).purged_at for b in old] == [at, at]  # type: ignore[union-attr]
        assert uow.blobs.get(young.sha256).purged_at is None  # type: ignore[union-attr]
        assert uow.blobs.list_due_for_purge(created_before=cutoff, limit=10) == []
        events = [e for _, e in uow.outbox.pending() if e.name == EventName.PROOF_PHOTOS_PURGED]
    assert len(events) == 1
    assert events[0].payload == {
        "count": 2,
        "hashes": [old[0].sha256, old[1].sha256],
        "created_before": cutoff.isoformat(),
        "retention_days": 90,
    }
    assert events[0].brand_id is None


def test_the_purge_deletes_every_copy_on_disk_and_stamps_the_record(
    uow_factory: UowFactory, tmp_path: Path
) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    clock = FakeClock(T0)
    courier = Principal.user(ids.new_id("usr"), Role.COURIER, courier_id=ids.new_id("cou"))
    data = photo()
    blobs.upload_blob(
        uow_factory(courier),
        store,
        clock,
        sha256=sha256(data),
        data=data,
        content_type="image/jpeg",
    )
    assert all(store.exists(sha256(data), v) for v in BlobVariant)
    later = T0 + timedelta(days=90, seconds=1)
    assert blobs.purge_expired_photos(uow_factory, store, later, timedelta(days=90)) == 1
    assert not any(store.exists(sha256(data), v) for v in BlobVariant)
    assert [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == []
    with uow_factory(SYSTEM).read_only() as uow:
        record = uow.blobs.get(sha256(data))
    assert record is not None and record.purged_at == later
    assert record.size == len(data)
