"""Images for tests of uploads: real JPEG, PNG and WebP bytes made with Pillow, photos
carrying EXIF (a GPS position, a camera, an orientation), and hand-made headers that
declare far more pixels than they hold (decompression bombs)."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F
DESCRIPTION = 0x010E
CAMERA = "TelltaleCam"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def picture(size: tuple[int, int] = (400, 200), mode: str = "RGB") -> Image.Image:
    """Red, with a blue square in the top-left corner, so a turn can be seen."""
    image = Image.new(mode, size, "red")
    image.paste(Image.new(mode, (size[0] // 4, size[1] // 4), "blue"), (0, 0))
    return image


def photo(
    size: tuple[int, int] = (400, 200),
    *,
    orientation: int | None = None,
    gps: bool = True,
    kind: str = "JPEG",
    seed: int = 0,
) -> bytes:
    """A photo as a phone sends it: EXIF with the camera, a GPS position in London and, when
    given, an orientation. ``seed`` goes into the description: distinct bytes, same look."""
    image = picture(size)
    exif = Image.Exif()
    exif[MAKE] = CAMERA
    exif[DESCRIPTION] = f"photo {seed}"
    if orientation is not None:
        exif[ORIENTATION] = orientation
    if gps:
        position = exif.get_ifd(GPS_IFD)
        position.update({1: "N", 2: (51.0, 32.0, 12.5), 3: "W", 4: (0.0, 8.0, 33.0)})
    out = io.BytesIO()
    image.save(out, kind, exif=exif)
    return out.getvalue()


def encoded(image: Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    image.save(out, kind)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` pixels but holds a few bytes of
    data: what a decompression bomb looks like before anyone decodes it."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    data = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )
