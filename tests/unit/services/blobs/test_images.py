"""What an uploaded image must be, and the copies brands see: upright, small, no EXIF."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from doorstep.domain.errors import InvalidValue
from doorstep.services.blobs import images
from doorstep.services.errors import UnsupportedMediaType
from tests.images import CAMERA, GPS_IFD, encoded, photo, picture, png_header_only


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_the_display_copy_carries_no_gps_position_nor_any_other_exif(kind: str) -> None:
    original = photo(kind=kind)
    assert _open(original).getexif().get_ifd(GPS_IFD), "the fixture must carry a position"
    made = images.process(original, f"image/{kind.lower()}")
    for copy in (made.display, made.thumbnail):
        shown = _open(copy)
        assert shown.format == "JPEG"
        assert dict(shown.getexif()) == {}
        assert shown.getexif().get_ifd(GPS_IFD) == {}
        assert b"Exif" not in copy
        assert CAMERA.encode() not in copy


def test_the_original_keeps_its_exif_because_it_is_stored_as_uploaded() -> None:
    """The hash of the bytes is the proof, so processing never touches them."""
    original = photo()
    before = bytes(original)
    images.process(original, "image/jpeg")
    assert original == before
    assert CAMERA.encode() in original


@pytest.mark.parametrize("orientation", [6, 8])
def test_a_sideways_photo_is_turned_upright_by_its_exif_orientation(orientation: int) -> None:
    """400 x 200 stored with "turn 90 degrees" is a 200 x 400 photo; the blue corner moves
    to the top right for 6 (clockwise) and to the bottom left for 8 (anticlockwise)."""
    made = images.process(photo((400, 200), orientation=orientation), "image/jpeg")
    assert (made.width, made.height) == (200, 400)
    shown = _open(made.display).convert("RGB")
    assert shown.size == (200, 400)
    blue_at = (shown.width - 5, 5) if orientation == 6 else (5, shown.height - 5)
    red_at = (5, 5)
    assert _is_blue(shown.getpixel(blue_at))
    assert not _is_blue(shown.getpixel(red_at))


def _is_blue(pixel: object) -> bool:
    assert isinstance(pixel, tuple)
    red, _, blue = pixel[:3]
    return bool(blue > 200 and red < 60)


def test_the_display_copy_has_a_long_side_of_1600_and_the_thumbnail_of_320() -> None:
    made = images.process(photo((4000, 3000), gps=False), "image/jpeg")
    assert (made.width, made.height) == (4000, 3000)
    assert _open(made.display).size == (1600, 1200)
    assert _open(made.thumbnail).size == (320, 240)


def test_a_small_image_is_never_enlarged() -> None:
    made = images.process(encoded(picture((120, 80)), "PNG"), "image/png")
    assert _open(made.display).size == (120, 80)
    assert _open(made.thumbnail).size == (120, 80)


def test_a_transparent_signature_is_shown_on_white() -> None:
    signature = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    signature.paste(Image.new("RGBA", (100, 10), (0, 0, 0, 255)), (100, 45))
    made = images.process(encoded(signature, "PNG"), "image/png")
    shown = _open(made.display).convert("RGB")
    assert shown.getpixel((5, 5)) == (255, 255, 255)
    pixel = shown.getpixel((150, 50))
    assert isinstance(pixel, tuple) and max(pixel) < 40


def test_a_multi_picture_jpeg_as_phones_write_is_a_jpeg() -> None:
    first, second = picture((300, 200)), picture((150, 100))
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[second])
    assert images.check_type(out.getvalue(), "image/jpeg") == "image/jpeg"
    made = images.process(out.getvalue(), "image/jpeg")
    assert (made.width, made.height) == (300, 200)


def test_webp_is_accepted() -> None:
    made = images.process(photo((300, 300), kind="WEBP"), "image/webp")
    assert made.content_type == "image/webp"
    assert _open(made.display).format == "JPEG"


@pytest.mark.parametrize(
    ("width", "height"),
    [(9000, 9000), (30000, 30000)],  # over our limit; over Pillow's own (it raises)
)
def test_a_decompression_bomb_is_refused_before_it_is_decoded(width: int, height: int) -> None:
    bomb = png_header_only(width, height)
    assert len(bomb) < 200
    with pytest.raises(InvalidValue) as refused:
        images.process(bomb, "image/png")
    assert refused.value.field == "body"
    assert "too large to open" in refused.value.reason
    assert "64,000,000 pixels" in refused.value.reason


@pytest.mark.parametrize(
    ("body", "declared", "field"),
    [
        (b"%PDF-1.7\n1 0 obj\n", "image/jpeg", "body"),
        (b"hello, this is text", "image/png", "body"),
        (b"GIF89a\x01\x00\x01\x00", "image/gif", "body"),
        (b"", "image/jpeg", "body"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "image/jpeg", "Content-Type"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, None, "Content-Type"),
    ],
)
def test_anything_but_a_jpeg_png_or_webp_of_its_declared_type_is_refused(
    body: bytes, declared: str | None, field: str
) -> None:
    with pytest.raises(UnsupportedMediaType) as refused:
        images.check_type(body, declared)
    assert refused.value.field == field


def test_the_type_is_found_by_its_first_bytes_whatever_the_parameters() -> None:
    assert images.check_type(photo(), "image/jpeg; charset=binary") == "image/jpeg"
    assert images.check_type(encoded(picture(), "PNG"), "IMAGE/PNG") == "image/png"


def test_a_truncated_image_is_refused_as_unreadable() -> None:
    whole = photo((800, 600), gps=False)
    with pytest.raises(InvalidValue) as refused:
        images.process(whole[: len(whole) // 3], "image/jpeg")
    assert refused.value.field == "body"
    assert "cannot be read as image/jpeg" in refused.value.reason
