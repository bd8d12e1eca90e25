"""Uploading, reading and purging blobs on the in-memory unit of work and blob store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from doorstep.domain import ids
from doorstep.domain.access import Principal
from doorstep.domain.errors import InvalidValue
from doorstep.domain.events import EventName
from doorstep.domain.model import Role
from doorstep.services import blobs
from doorstep.services.errors import Gone, NotFound, PayloadTooLarge, PermissionDenied
from doorstep.services.ports import BlobVariant
from tests.images import photo, sha256
from tests.unit.fakes import FakeClock, FakeDatabase, MemoryBlobStore
from tests.unit.services.conftest import UowFor

COURIER = Principal.user(ids.new_id("usr"), Role.COURIER, courier_id=ids.new_id("cou"))


@pytest.fixture
def store() -> MemoryBlobStore:
    return MemoryBlobStore()


def _upload(
    uow_for: UowFor,
    store: MemoryBlobStore,
    clock: FakeClock,
    data: bytes,
    *,
    principal: Principal = COURIER,
    name: str | None = None,
    content_type: str = "image/jpeg",
) -> blobs.Uploaded:
    return blobs.upload_blob(
        uow_for(principal),
        store,
        clock,
        sha256=name or sha256(data),
        data=data,
        content_type=content_type,
    )


def test_a_courier_uploads_a_photo_and_every_copy_is_stored(
    uow_for: UowFor, store: MemoryBlobStore, clock: FakeClock, db: FakeDatabase
) -> None:
    data = photo()
    uploaded = _upload(uow_for, store, clock, data)
    assert uploaded.created
    name = sha256(data)
    assert uploaded.blob.sha256 == name
    assert (uploaded.blob.size, uploaded.blob.content_type) == (len(data), "image/jpeg")
    assert (uploaded.blob.width, uploaded.blob.height) == (400, 200)
    assert uploaded.blob.uploaded_by == COURIER.actor
    assert db.blobs[name].created_at == clock.now()
    assert store.files[(name, BlobVariant.ORIGINAL)] == (data, "image/jpeg")
    assert store.files[(name, BlobVariant.DISPLAY)][1] == "image/jpeg"
    assert store.exists(name, BlobVariant.THUMBNAIL)


def test_the_same_bytes_again_are_already_stored(
    uow_for: UowFor, store: MemoryBlobStore, clock: FakeClock, db: FakeDatabase
) -> None:
    data = photo()
    first = _upload(uow_for, store, clock, data)
    clock.advance(minutes=5)
    again = _upload(uow_for, store, clock, data)
    assert not again.created
    assert again.blob == first.blob
    assert len(db.blobs) == 1


def test_lost_files_of_a_known_blob_are_written_again(
    uow_for: UowFor, store: MemoryBlobStore, clock: FakeClock
) -> None:
    data = photo()
    _upload(uow_for, store, clock, data)
    store.delete(sha256(data), BlobVariant.DISPLAY)
    again = _upload(uow_for, store, clock, data)
    assert not again.created
    assert store.exists(sha256(data), BlobVariant.DISPLAY)


def test_a_body_that_does_not_hash_to_its_name_is_refused(
    uow_for: UowFor, store: MemoryBlobStore, clock: FakeClock, db: FakeDatabase
) -> None:
    data = photo()
    with pytest.raises(InvalidValue) as refused:
        _upload(uow_for, store, clock, data, name=sha256(b"something else"))
    assert refused.value.field == "sha256"
    assert sha256(data) in refused.value.reason
    assert store.files == {} and db.blobs == {}


@pytest.mark.parametrize("name", ["ABC", "g" * 64, "A" * 64, "0" * 63])
def test_a_name_that_is_not_a_sha256_is_refused(
    uow_for: UowFor, store: MemoryBlobStore, clock: FakeClock, name: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        _upload(uow_for, store, clock, photo(), name=name)
    assert refused.value.field == "sha256"


def test_a_body_over_15_mb_is_refused(
    uow_for: UowFor, store: MemoryBlobStore, clock: FakeClock
) -> None:
    with pytest.raises(PayloadTooLarge):
        _upload(uow_for, store, clock, b"\xff\xd8\xff" + b"\x00" * blobs.MAX_UPLOAD_BYTES)


def test_brands_may_not_upload(
    uow_for: UowFor, store: MemoryBlobStore, clock: FakeClock, as_brand: Principal
) -> None:
    with pytest.raises(PermissionDenied):
        _upload(uow_for, store, clock, photo(), principal=as_brand)
    assert store.files == {}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER])
def test_office_staff_and_the_system_may_upload(
    uow_for: UowFor, store: MemoryBlobStore, clock: FakeClock, role: Role
) -> None:
    staff = Principal.user(ids.new_id("usr"), role)
    assert _upload(uow_for, store, clock, photo(seed=1), principal=staff).created
    system = Principal.system("tests")
    assert _upload(uow_for, store, clock, photo(seed=2), principal=system).created


def test_reading_gives_the_original_in_its_own_type_and_copies_as_jpeg(
    uow_for: UowFor, store: MemoryBlobStore, clock: FakeClock
) -> None:
    data = photo(kind="WEBP")
    _upload(uow_for, store, clock, data, content_type="image/webp")
    original = blobs.read_blob(uow_for, store, sha256(data), BlobVariant.ORIGINAL)
    assert (original.data, original.content_type) == (data, "image/webp")
    thumbnail = blobs.read_blob(uow_for, store, sha256(data), BlobVariant.THUMBNAIL)
    assert thumbnail.content_type == "image/jpeg"
    with pytest.raises(NotFound):
        blobs.read_blob(uow_for, store, sha256(b"never uploaded"), BlobVariant.DISPLAY)


def test_the_purge_deletes_old_files_keeps_the_records_and_says_so_once(
    uow_for: UowFor, store: MemoryBlobStore, clock: FakeClock, db: FakeDatabase
) -> None:
    old = [photo(seed=1), photo(seed=2)]
    for data in old:
        _upload(uow_for, store, clock, data)
    clock.advance(days=60)
    recent = photo(seed=3)
    _upload(uow_for, store, clock, recent)
    clock.advance(days=31)
    retention = timedelta(days=90)

    assert blobs.purge_expired_photos(uow_for, store, clock.now(), retention) == 2

    for data in old:
        name = sha256(data)
        assert not any(store.exists(name, variant) for variant in BlobVariant)
        assert db.blobs[name].purged_at == clock.now()
    assert all(store.exists(sha256(recent), variant) for variant in BlobVariant)
    assert db.blobs[sha256(recent)].purged_at is None
    [event] = db.events(EventName.PROOF_PHOTOS_PURGED)
    assert event.payload["count"] == 2
    assert sorted(event.payload["hashes"]) == sorted(sha256(data) for data in old)
    assert event.payload["retention_days"] == 90
    assert blobs.purge_expired_photos(uow_for, store, clock.now(), retention) == 0
    assert len(db.events(EventName.PROOF_PHOTOS_PURGED)) == 1


def test_a_purged_blob_is_gone_to_readers_and_to_a_repeat_upload(
    uow_for: UowFor, store: MemoryBlobStore, clock: FakeClock
) -> None:
    data = photo()
    _upload(uow_for, store, clock, data)
    clock.advance(days=91)
    blobs.purge_expired_photos(uow_for, store, clock.now(), timedelta(days=90))
    with pytest.raises(Gone):
        blobs.read_blob(uow_for, store, sha256(data), BlobVariant.DISPLAY)
    with pytest.raises(Gone):
        _upload(uow_for, store, clock, data)
