"""The same contract for every blob store: a local folder, and an S3-compatible server
(moto's, on loopback) reached over real HTTP by the S3 store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from doorstep.bootstrap import build_blob_store
from doorstep.config import Settings
from doorstep.services.ports import BlobStore, BlobVariant
from doorstep.store.blob_files import LocalBlobStore, blob_key
from doorstep.store.blob_s3 import S3BlobStore
from tests.images import sha256
from tests.integration.s3_server import ACCESS_KEY, REGION, SECRET_KEY, S3Server, s3_server

DATA = b"\xff\xd8\xff not really a photo, the store does not care"
NAME = sha256(DATA)


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with s3_server() as server:
        yield server


def _s3_store(s3: S3Server) -> S3BlobStore:
    return S3BlobStore.connect(
        bucket=s3.create_bucket(),
        endpoint_url=s3.endpoint_url,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        region=REGION,
    )


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "local":
        return LocalBlobStore(tmp_path / "blobs")
    return _s3_store(request.getfixturevalue("s3"))


def test_what_is_put_is_got_back_byte_for_byte(store: BlobStore) -> None:
    assert not store.exists(NAME, BlobVariant.ORIGINAL)
    store.put(NAME, BlobVariant.ORIGINAL, DATA, "image/jpeg")
    assert store.exists(NAME, BlobVariant.ORIGINAL)
    assert store.get(NAME, BlobVariant.ORIGINAL) == DATA


def test_each_variant_is_a_copy_of_its_own(store: BlobStore) -> None:
    store.put(NAME, BlobVariant.ORIGINAL, DATA, "image/jpeg")
    store.put(NAME, BlobVariant.THUMBNAIL, b"small", "image/jpeg")
    assert store.get(NAME, BlobVariant.THUMBNAIL) == b"small"
    assert store.get(NAME, BlobVariant.ORIGINAL) == DATA
    assert not store.exists(NAME, BlobVariant.DISPLAY)
    assert store.get(NAME, BlobVariant.DISPLAY) is None


def test_putting_the_same_blob_twice_is_harmless(store: BlobStore) -> None:
    store.put(NAME, BlobVariant.ORIGINAL, DATA, "image/jpeg")
    store.put(NAME, BlobVariant.ORIGINAL, DATA, "image/jpeg")
    assert store.get(NAME, BlobVariant.ORIGINAL) == DATA


def test_delete_removes_one_copy_and_deleting_nothing_is_not_an_error(store: BlobStore) -> None:
    store.put(NAME, BlobVariant.ORIGINAL, DATA, "image/jpeg")
    store.put(NAME, BlobVariant.DISPLAY, b"shown", "image/jpeg")
    store.delete(NAME, BlobVariant.ORIGINAL)
    assert not store.exists(NAME, BlobVariant.ORIGINAL)
    assert store.get(NAME, BlobVariant.ORIGINAL) is None
    assert store.get(NAME, BlobVariant.DISPLAY) == b"shown"
    store.delete(NAME, BlobVariant.ORIGINAL)
    store.delete(sha256(b"never stored"), BlobVariant.THUMBNAIL)


def test_an_unknown_blob_reads_as_missing(store: BlobStore) -> None:
    assert store.get(sha256(b"never stored"), BlobVariant.ORIGINAL) is None
    assert not store.exists(sha256(b"never stored"), BlobVariant.ORIGINAL)


@pytest.mark.parametrize("name", ["../../etc/passwd", "AB" * 32, "ab" * 31, ""])
def test_a_name_that_is_not_a_sha256_never_becomes_a_path(store: BlobStore, name: str) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        store.put(name, BlobVariant.ORIGINAL, DATA, "image/jpeg")


def test_the_local_folder_is_sharded_by_the_first_hex_pairs_and_holds_no_temporary_files(
    tmp_path: Path,
) -> None:
    store = LocalBlobStore(tmp_path)
    for variant in BlobVariant:
        store.put(NAME, variant, DATA, "image/jpeg")
    folder = tmp_path / NAME[:2] / NAME[2:4]
    assert sorted(os.listdir(folder)) == [NAME, f"{NAME}.display", f"{NAME}.thumbnail"]
    assert blob_key(NAME, BlobVariant.ORIGINAL) == f"{NAME[:2]}/{NAME[2:4]}/{NAME}"


def test_bootstrap_builds_the_store_the_settings_name(tmp_path: Path, s3: S3Server) -> None:
    local = build_blob_store(Settings(mode="test", data_dir=tmp_path))
    assert isinstance(local, LocalBlobStore)
    assert local.root == tmp_path / "blobs"
    bucket = s3.create_bucket()
    remote = build_blob_store(
        Settings(
            mode="test",
            data_dir=tmp_path,
            blob_store="s3",
            s3_endpoint_url=s3.endpoint_url,
            s3_bucket=bucket,
            s3_access_key=ACCESS_KEY,
            s3_secret_key=SECRET_KEY,
            s3_region=REGION,
        )
    )
    assert isinstance(remote, S3BlobStore)
    remote.put(NAME, BlobVariant.ORIGINAL, DATA, "image/png")
    assert remote.get(NAME, BlobVariant.ORIGINAL) == DATA


def test_the_settings_refuse_s3_without_a_bucket() -> None:
    with pytest.raises(ValueError, match="DOORSTEP_S3_BUCKET"):
        Settings(mode="test", blob_store="s3")
