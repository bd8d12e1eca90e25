"""Proof images over HTTP: upload by hash, refusals in problem+json naming the field, and
signed links that work without a token until they expire. A real server on loopback, on
SQLite and PostgreSQL, with the blob folder on disk."""

from __future__ import annotations

import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image

from doorstep.domain.model import Role
from doorstep.services import blobs
from doorstep.services.blobs import MAX_UPLOAD_BYTES
from doorstep.services.ports import BlobVariant
from tests.images import CAMERA, GPS_IFD, photo, png_header_only, sha256
from tests.integration.live_server import LiveApi, serve
from tests.unit.fakes import FakeClock

PROBLEM = "application/problem+json"
JPEG = {"Content-Type": "image/jpeg"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def api(database_url: str, clock: FakeClock) -> Iterator[LiveApi]:
    with serve(database_url, clock=clock) as live:
        yield live


@pytest.fixture
def courier(api: LiveApi) -> httpx.Client:
    admin = api.client(api.create_operator(Role.ADMIN))
    made = admin.post("/v1/couriers", json={"name": "Kit Courier", "phone": "+447700900123"})
    assert made.status_code == 201, made.text
    return api.client(api.create_operator(Role.COURIER, courier_id=made.json()["id"]))


def _put(
    http: httpx.Client, data: bytes, name: str | None = None, **headers: str
) -> httpx.Response:
    return http.put(f"/v1/blobs/{name or sha256(data)}", content=data, headers=headers or JPEG)


def _errors(answer: httpx.Response) -> list[str]:
    assert answer.headers["content-type"] == PROBLEM, answer.text
    return [error["field"] for error in answer.json().get("errors", [])]


def _relative(url: str) -> str:
    split = urlsplit(url)
    return f"{split.path}?{split.query}"


def test_a_courier_uploads_a_photo_once_and_again_is_told_it_is_stored(
    courier: httpx.Client,
) -> None:
    data = photo()
    first = _put(courier, data)
    assert first.status_code == 201, first.text
    assert first.json() == {"sha256": sha256(data), "size": len(data), "content_type": "image/jpeg"}
    again = _put(courier, data)
    assert again.status_code == 200, again.text
    assert again.json() == first.json()


def test_the_same_photo_sent_at_once_many_times_is_stored_once(
    api: LiveApi, courier: httpx.Client
) -> None:
    """A flaky connection makes the app resend; the copies race and one wins."""
    data = photo(seed=7)
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: _put(courier, data), range(6)))
    assert sorted(a.status_code for a in answers) == [200] * 5 + [201], [a.text for a in answers]
    assert {a.content for a in answers} == {answers[0].content}


def test_a_body_that_does_not_hash_to_its_name_is_refused_naming_sha256(
    courier: httpx.Client,
) -> None:
    answer = _put(courier, photo(), name=sha256(b"another photo"))
    assert answer.status_code == 422
    assert _errors(answer) == ["sha256"]


def test_a_name_that_is_not_a_sha256_is_refused_naming_sha256(courier: httpx.Client) -> None:
    answer = _put(courier, photo(), name="photo.jpg")
    assert answer.status_code == 422
    assert _errors(answer) == ["sha256"]


def test_a_50_mb_upload_is_refused_with_413_before_it_is_read(courier: httpx.Client) -> None:
    big = b"\xff\xd8\xff" + b"\x00" * (50 * 1024 * 1024)
    answer = _put(courier, big)
    assert answer.status_code == 413
    assert _errors(answer) == ["body"]
    assert str(MAX_UPLOAD_BYTES) in answer.json()["detail"]


def test_an_upload_just_over_15_mb_without_a_length_is_refused_with_413(
    courier: httpx.Client,
) -> None:
    """Sent in chunks with no Content-Length: counted as it arrives."""
    chunk = b"\x00" * (1024 * 1024)

    def body() -> Iterator[bytes]:
        yield b"\xff\xd8\xff"
        for _ in range(16):
            yield chunk

    answer = courier.put(f"/v1/blobs/{'a' * 64}", content=body(), headers=JPEG)
    assert answer.status_code == 413
    assert _errors(answer) == ["body"]


def test_a_file_that_is_not_an_image_is_refused_with_415_naming_the_body(
    courier: httpx.Client,
) -> None:
    pdf = b"%PDF-1.7\n" + b"1 0 obj << >> endobj\n" * 20
    answer = _put(courier, pdf, **{"Content-Type": "image/jpeg"})
    assert answer.status_code == 415
    assert _errors(answer) == ["body"]
    assert "JPEG, PNG or WebP" in answer.json()["detail"]


def test_an_image_of_another_type_than_declared_is_refused_naming_content_type(
    courier: httpx.Client,
) -> None:
    answer = _put(courier, photo(), **{"Content-Type": "image/png"})
    assert answer.status_code == 415
    assert _errors(answer) == ["Content-Type"]


def test_a_decompression_bomb_is_refused_with_422_naming_the_body(courier: httpx.Client) -> None:
    answer = _put(courier, png_header_only(30000, 30000), **{"Content-Type": "image/png"})
    assert answer.status_code == 422
    assert _errors(answer) == ["body"]


def test_a_brand_may_not_upload_and_nobody_without_a_token(api: LiveApi) -> None:
    _, key = api.create_brand()
    refused = _put(api.client(key), photo())
    assert refused.status_code == 403
    assert refused.headers["content-type"] == PROBLEM
    assert _put(api.client(), photo()).status_code == 401


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER])
def test_office_staff_may_upload(api: LiveApi, role: Role) -> None:
    assert _put(api.client(api.create_operator(role)), photo()).status_code == 201


def test_a_signed_link_shows_each_copy_without_a_token(
    api: LiveApi, courier: httpx.Client, clock: FakeClock
) -> None:
    data = photo((2400, 1200), orientation=6)
    assert _put(courier, data).status_code == 201
    links, nobody = api.container.blob_links, api.client()
    expires_at = clock.now() + timedelta(minutes=15)

    shown = nobody.get(_relative(links.signed_url(sha256(data), BlobVariant.DISPLAY, expires_at)))
    assert shown.status_code == 200, shown.text
    assert shown.headers["content-type"] == "image/jpeg"
    assert shown.headers["cache-control"] == "private, max-age=900"
    image = Image.open(io.BytesIO(shown.content))
    assert image.size == (800, 1600)  # upright, long side 1600
    assert image.getexif().get_ifd(GPS_IFD) == {}
    assert CAMERA.encode() not in shown.content

    small = nobody.get(_relative(links.signed_url(sha256(data), BlobVariant.THUMBNAIL, expires_at)))
    assert Image.open(io.BytesIO(small.content)).size == (160, 320)

    original = nobody.get(
        _relative(links.signed_url(sha256(data), BlobVariant.ORIGINAL, expires_at))
    )
    assert original.content == data


def test_an_expired_link_is_refused_with_403(
    api: LiveApi, courier: httpx.Client, clock: FakeClock
) -> None:
    data = photo()
    _put(courier, data)
    url = api.container.blob_links.signed_url(
        sha256(data), BlobVariant.DISPLAY, clock.now() + timedelta(minutes=15)
    )
    clock.advance(minutes=16)
    answer = api.client().get(_relative(url))
    assert answer.status_code == 403
    assert answer.headers["content-type"] == PROBLEM
    assert "expired" in answer.json()["detail"]


@pytest.mark.parametrize("tamper", ["variant", "signature", "expires", "missing"])
def test_a_tampered_link_is_refused_with_403(
    api: LiveApi, courier: httpx.Client, clock: FakeClock, tamper: str
) -> None:
    data = photo()
    _put(courier, data)
    url = _relative(
        api.container.blob_links.signed_url(
            sha256(data), BlobVariant.DISPLAY, clock.now() + timedelta(minutes=15)
        )
    )
    changed = {
        "variant": url.replace("variant=display", "variant=original"),
        "signature": url.replace("signature=", "signature=x"),
        "expires": url.replace("expires=", "expires=9"),
        "missing": url.split("?")[0],
    }[tamper]
    answer = api.client().get(changed)
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert "not valid" in answer.json()["detail"]
    assert answer.content.count(sha256(data).encode()) == 0


def test_a_good_link_to_a_blob_never_uploaded_is_404(api: LiveApi, clock: FakeClock) -> None:
    url = api.container.blob_links.signed_url(
        sha256(b"nothing"), BlobVariant.DISPLAY, clock.now() + timedelta(minutes=5)
    )
    answer = api.client().get(_relative(url))
    assert answer.status_code == 404
    assert answer.headers["content-type"] == PROBLEM


def test_after_the_retention_period_the_image_is_gone_but_its_hash_is_kept(
    api: LiveApi, courier: httpx.Client, clock: FakeClock
) -> None:
    data = photo()
    _put(courier, data)
    clock.advance(days=91)
    container = api.container
    purged = blobs.purge_expired_photos(
        container.uow_factory, container.blobs, clock.now(), container.photo_retention
    )
    assert purged == 1
    url = container.blob_links.signed_url(
        sha256(data), BlobVariant.DISPLAY, clock.now() + timedelta(minutes=5)
    )
    answer = api.client().get(_relative(url))
    assert answer.status_code == 410
    assert answer.headers["content-type"] == PROBLEM
    dispatcher = api.client(api.create_operator(Role.DISPATCHER))  # the courier's token expired
    again = _put(dispatcher, data)
    assert again.status_code == 410
