"""Uploaded photos and signatures: what is accepted, and the copies made to show them.

Only JPEG, PNG and WebP are taken, recognised by their first bytes (a name or a declared
type proves nothing), at most 15 MB and 64 megapixels: a small file can declare a huge
image (a "decompression bomb") that would take gigabytes to open, so the size in the
header is checked before any pixel is decoded. The original is kept byte for byte (its
hash is the proof); what brands and pages see are two JPEG copies made from it, turned
upright by its EXIF orientation and with every EXIF field gone, GPS position above all.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Final

from PIL import Image, ImageOps

from doorstep.domain.errors import InvalidValue
from doorstep.services.errors import UnsupportedMediaType

MAX_UPLOAD_BYTES: Final = 15 * 1024 * 1024
MAX_PIXELS: Final = 64_000_000  # 8000 x 8000; under Pillow's own bomb warning (89.5 M)
DISPLAY_LONG_SIDE: Final = 1600
THUMBNAIL_LONG_SIDE: Final = 320
DERIVED_CONTENT_TYPE: Final = "image/jpeg"  # what the display copy and thumbnail are
JPEG_QUALITY: Final = 85
_ORIENTATION_TAG: Final = 0x0112
_SIDEWAYS: Final = frozenset({5, 6, 7, 8})  # orientations that swap width and height

IMAGE_TYPES: Final = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
"""The accepted content types and Pillow's name for each."""


def sniff(data: bytes) -> str | None:
    """The content type the first bytes show, if it is one of :data:`IMAGE_TYPES`."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_type(data: bytes, declared: str | None) -> str:
    """The body's content type, when it is an accepted image and the declared
    ``Content-Type`` agrees; :class:`UnsupportedMediaType` naming the field otherwise."""
    accepted = ", ".join(IMAGE_TYPES)
    found = sniff(data)
    if found is None:
        raise UnsupportedMediaType("body", f"body: is not a JPEG, PNG or WebP image ({accepted})")
    media = (declared or "").split(";")[0].strip().lower()
    if media != found:
        raise UnsupportedMediaType(
            "Content-Type",
            f"Content-Type: the body is {found}, but {media or 'no type'} was declared",
        )
    return found


@dataclass(frozen=True, slots=True)
class ProcessedImage:
    content_type: str  # of the original
    width: int  # of the original, upright
    height: int
    display: bytes  # JPEG, long side at most DISPLAY_LONG_SIDE, no EXIF
    thumbnail: bytes  # JPEG, long side at most THUMBNAIL_LONG_SIDE, no EXIF


def process(data: bytes, content_type: str) -> ProcessedImage:
    """Open the original (of a type :func:`check_type` accepted) and make its two copies.

    Raises :class:`InvalidValue` on ``body`` for an image too large in pixels or one that
    cannot be decoded (truncated, corrupt).
    """
    try:
        with Image.open(io.BytesIO(data), formats=[IMAGE_TYPES[content_type]]) as image:
            width, height = _upright_size(image)
            if image.format in {"JPEG", "MPO"}:  # decode at a reduced scale when enough
                image.draft("RGB", (DISPLAY_LONG_SIDE, DISPLAY_LONG_SIDE))
            image.load()
            display = _shown(image, DISPLAY_LONG_SIDE)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as bomb:
        raise _too_many_pixels(str(bomb)) from bomb
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise InvalidValue("body", f"cannot be read as {content_type}: {error}") from error
    thumbnail = display.copy()
    thumbnail.thumbnail((THUMBNAIL_LONG_SIDE, THUMBNAIL_LONG_SIDE), Image.Resampling.LANCZOS)
    return ProcessedImage(
        content_type=content_type,
        width=width,
        height=height,
        display=_jpeg(display),
        thumbnail=_jpeg(thumbnail),
    )


def _upright_size(image: Image.Image) -> tuple[int, int]:
    """Width and height as the photo is meant to be seen; refuses too many pixels before
    anything is decoded (the header alone gives the size)."""
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(f"{width} x {height} pixels")
    if image.getexif().get(_ORIENTATION_TAG) in _SIDEWAYS:
        return height, width
    return width, height


def _too_many_pixels(what: str) -> InvalidValue:
    return InvalidValue(
        "body", f"the image is too large to open ({what}); at most {MAX_PIXELS:,} pixels"
    )


def _shown(image: Image.Image, long_side: int) -> Image.Image:
    """An upright RGB copy, at most ``long_side`` on its longer side, carrying nothing of
    the original but its pixels: a new image is painted, so no EXIF, XMP or comment
    travels along. Transparency (a signature drawn on nothing) becomes white."""
    upright = ImageOps.exif_transpose(image)
    transparent = upright.mode in {"RGBA", "LA", "PA"} or "transparency" in upright.info
    pixels = upright.convert("RGBA" if transparent else "RGB")
    pixels.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    clean = Image.new("RGB", pixels.size, "white")
    clean.paste(pixels, mask=pixels.getchannel("A") if transparent else None)
    return clean


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()
