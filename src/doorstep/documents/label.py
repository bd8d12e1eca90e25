"""The 4 x 6 inch shipping label: what a hub worker scans and a courier reads at the door.

Plain data in (:class:`LabelData`), PDF bytes out; no database. The label never shows the
access code, the phone number or the access notes: it is stuck on the outside of the
parcel for anyone to read. It uses only the PDF standard fonts, which draw Windows-1252
text; other characters are transliterated (``Москва`` -> ``Moskva``) rather than lost.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo

from anyascii import anyascii
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from doorstep.domain.model import Order, Priority, ServiceLevel
from doorstep.domain.parcel import Parcel

WIDTH: Final = 288.0  # 4 inches in points
HEIGHT: Final = 432.0  # 6 inches
MARGIN: Final = 10.0
PRINTER_DOT: Final = 72.0 / 203.0  # one dot of a 203 dpi thermal printer, in points
REGULAR: Final = "Helvetica"
BOLD: Final = "Helvetica-Bold"

# Horizontal bands, bottom edge of each (top of the page is HEIGHT).
TOP_BAND: Final = 390.0
RECIPIENT_BAND: Final = 250.0
INFO_BAND: Final = 200.0
BARCODE_BAND: Final = 100.0


@dataclass(frozen=True, slots=True)
class LabelData:
    """Everything printed on one parcel's label, and nothing more."""

    sender: str
    recipient_name: str
    address_lines: tuple[str, ...]
    postcode: str
    service_level: ServiceLevel
    barcode: str
    tracking_url: str
    parcel_number: int
    parcel_count: int
    weight_kg: float
    city: str = "London"
    window_start: datetime | None = None
    window_end: datetime | None = None
    priority: Priority = Priority.NORMAL
    reference: str | None = None
    hub_name: str | None = None
    bay: str | None = None
    route: str | None = None

    @classmethod
    def for_parcel(
        cls,
        order: Order,
        parcel: Parcel,
        *,
        sender: str,
        tracking_url: str,
        hub_name: str | None = None,
        route: str | None = None,
    ) -> LabelData:
        """The label of ``parcel``; the bay comes from its last sort, if it was sorted."""
        number = next(i for i, p in enumerate(order.parcels, start=1) if p.id == parcel.id)
        window = order.window
        return cls(
            sender=sender,
            recipient_name=order.recipient.name,
            address_lines=order.address.lines,
            city=order.address.city,
            postcode=order.address.postcode,
            service_level=order.service_level,
            barcode=parcel.barcode,
            tracking_url=tracking_url,
            parcel_number=number,
            parcel_count=len(order.parcels),
            weight_kg=parcel.weight_kg,
            window_start=window.start if window else None,
            window_end=window.end if window else None,
            priority=order.priority,
            reference=order.reference,
            hub_name=hub_name,
            bay=parcel.bay,
            route=route,
        )


def render_label(data: LabelData) -> bytes:
    """One page of 288 x 432 pt (4 x 6 in), ready for a thermal label printer."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(WIDTH, HEIGHT), pageCompression=1)
    canvas.setTitle(f"Label {data.barcode}")
    canvas.setAuthor(drawable(data.sender))
    _draw_top(canvas, data)
    _draw_recipient(canvas, data)
    _draw_info(canvas, data)
    _draw_barcode(canvas, data.barcode)
    _draw_tracking(canvas, data)
    for y in (TOP_BAND, RECIPIENT_BAND, INFO_BAND, BARCODE_BAND):
        canvas.setLineWidth(1.5)
        canvas.line(0, y, WIDTH, y)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def drawable(text: str) -> str:
    """``text`` with every character the standard fonts lack transliterated or replaced."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return "".join(_drawable_char(char) for char in text)
    return text


def _drawable_char(char: str) -> str:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        # Letters and digits have a reading (Ł -> L, 北 -> Bei); symbols and emoji do not.
        if unicodedata.category(char)[0] in "LN":
            return anyascii(char) or "?"
        return "?"
    return char


def _draw_top(canvas: Canvas, data: LabelData) -> None:
    canvas.setFont(REGULAR, 7)
    canvas.drawString(MARGIN, HEIGHT - 14, "FROM")
    sender = _fit_one_line(drawable(data.sender), BOLD, 12, 8, 150)
    canvas.setFont(BOLD, sender[1])
    canvas.drawString(MARGIN, HEIGHT - 30, sender[0])
    service = data.service_level.value.replace("_", " ").upper()
    box_width = 110.0
    canvas.rect(WIDTH - MARGIN - box_width, TOP_BAND + 6, box_width, 30, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    centre = WIDTH - MARGIN - box_width / 2
    if data.priority is Priority.HIGH:
        canvas.setFont(BOLD, 13)
        canvas.drawCentredString(centre, TOP_BAND + 21, service)
        canvas.setFont(BOLD, 8)
        canvas.drawCentredString(centre, TOP_BAND + 10, "HIGH PRIORITY")
    else:
        canvas.setFont(BOLD, 15)
        canvas.drawCentredString(centre, TOP_BAND + 16, service)
    canvas.setFillColorRGB(0, 0, 0)


def _draw_recipient(canvas: Canvas, data: LabelData) -> None:
    canvas.setFont(REGULAR, 7)
    canvas.drawString(MARGIN, TOP_BAND - 12, "TO")
    postcode_size = 34.0
    top, bottom = TOP_BAND - 16, RECIPIENT_BAND + postcode_size + 2
    width = WIDTH - 2 * MARGIN
    y = top
    for text, font, size in _fit_address(data, width, top - bottom):
        y -= size + 2
        canvas.setFont(font, size)
        canvas.drawString(MARGIN, y + 2, text)
    postcode, fitted = _fit_one_line(drawable(data.postcode), BOLD, postcode_size, 16, width)
    canvas.setFont(BOLD, fitted)
    canvas.drawString(MARGIN, RECIPIENT_BAND + 8, postcode)


def _fit_address(data: LabelData, width: float, height: float) -> list[tuple[str, str, float]]:
    """Name and address lines shrink, then lose trailing lines, until they fit ``height``."""
    address = [*data.address_lines, data.city]
    for name_size, line_size in ((14.0, 11.0), (12.0, 10.0), (11.0, 9.0), (10.0, 8.0), (9.0, 7.0)):
        name = _wrap(data.recipient_name, BOLD, name_size, width, 2)
        lines = [line for part in address for line in _wrap(part, REGULAR, line_size, width, 2)]
        if len(name) * (name_size + 2) + len(lines) * (line_size + 2) <= height:
            break
    room = max(1, int((height - len(name) * (name_size + 2)) // (line_size + 2)))
    if room < len(lines):
        lines = [
            *lines[: room - 1],
            _ellipsis(" ".join(lines[room - 1 :]), REGULAR, line_size, width),
        ]
    return [(t, BOLD, name_size) for t in name] + [(t, REGULAR, line_size) for t in lines]


def _draw_info(canvas: Canvas, data: LabelData) -> None:
    canvas.setFont(REGULAR, 7)
    canvas.drawString(MARGIN, RECIPIENT_BAND - 11, "DELIVER")
    canvas.setFont(BOLD, 10)
    canvas.drawString(MARGIN, RECIPIENT_BAND - 24, _window_text(data, 0))
    canvas.drawString(MARGIN, RECIPIENT_BAND - 37, _window_text(data, 1))
    right = WIDTH - MARGIN
    parcel_text = f"PARCEL {data.parcel_number} OF {data.parcel_count}"
    if data.bay:
        right = WIDTH - MARGIN - 62
        _draw_bay(canvas, data.bay)
    canvas.setFont(BOLD, 12)
    canvas.drawRightString(right, RECIPIENT_BAND - 22, parcel_text)
    canvas.setFont(REGULAR, 10)
    canvas.drawRightString(right, RECIPIENT_BAND - 37, f"{data.weight_kg:g} kg")


def _draw_bay(canvas: Canvas, bay: str) -> None:
    """The bay in reverse video, big enough to read from across the sorting floor."""
    x, width = WIDTH - MARGIN - 56, 56.0
    canvas.rect(x, INFO_BAND + 5, width, RECIPIENT_BAND - INFO_BAND - 10, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.setFont(REGULAR, 6)
    canvas.drawCentredString(x + width / 2, RECIPIENT_BAND - 14, "BAY")
    text, size = _fit_one_line(drawable(bay), BOLD, 20, 8, width - 6)
    canvas.setFont(BOLD, size)
    canvas.drawCentredString(x + width / 2, INFO_BAND + 12, text)
    canvas.setFillColorRGB(0, 0, 0)


def _window_text(data: LabelData, line: int) -> str:
    if data.window_start is None or data.window_end is None:
        return "Any time" if line == 0 else ""
    start, end = (moment.astimezone(_london()) for moment in (data.window_start, data.window_end))
    if start.date() == end.date():
        text = (f"{start:%a %d %b}", f"{start:%H:%M}\u2013{end:%H:%M}")
    else:
        text = (f"{start:%a %d %b %H:%M} \u2013", f"{end:%a %d %b %H:%M}")
    return text[line]


def _draw_barcode(canvas: Canvas, value: str) -> None:
    """Code 128 with bars a whole number of printer dots wide, so no bar is smeared."""
    available = WIDTH - 2 * MARGIN
    symbol = Code128(value, barWidth=1, barHeight=60, humanReadable=False)
    dots = max(2, int(available / symbol.width / PRINTER_DOT))
    bar_width = dots * PRINTER_DOT if dots * PRINTER_DOT * symbol.width <= available else 0
    bar_width = bar_width or available / symbol.width
    symbol = Code128(value, barWidth=bar_width, barHeight=64, humanReadable=False)
    symbol.drawOn(canvas, (WIDTH - symbol.width) / 2, BARCODE_BAND + 24)
    canvas.setFont(BOLD, 12)
    canvas.drawCentredString(WIDTH / 2, BARCODE_BAND + 9, value)


def _draw_tracking(canvas: Canvas, data: LabelData) -> None:
    size = BARCODE_BAND - 2 * 8
    widget = QrCodeWidget(data.tracking_url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, MARGIN - 4, 8)
    x, width = MARGIN + size + 2, WIDTH - 2 * MARGIN - size - 2
    canvas.setFont(BOLD, 9)
    canvas.drawString(x, BARCODE_BAND - 16, "Track this parcel")
    canvas.setFont(REGULAR, 7)
    y = BARCODE_BAND - 27
    for line in _wrap(data.tracking_url, REGULAR, 7, width, 2, split_anywhere=True):
        canvas.drawString(x, y, line)
        y -= 9
    details = [
        f"Ref {data.reference}" if data.reference else None,
        f"Hub {data.hub_name}" if data.hub_name else None,
        f"Route {data.route}" if data.route else None,
    ]
    y -= 4
    for detail in (d for d in details if d):
        text, font_size = _fit_one_line(drawable(detail), REGULAR, 8, 6, width)
        canvas.setFont(REGULAR, font_size)
        canvas.drawString(x, y, text)
        y -= 10


def _wrap(
    text: str, font: str, size: float, width: float, max_lines: int, split_anywhere: bool = False
) -> list[str]:
    """Wrap to ``width``; words too long for a line are cut; the last line gets an ellipsis."""
    text = drawable(" ".join(text.split()))
    if split_anywhere:
        lines = _split_anywhere(text, font, size, width)
    else:
        lines = [
            piece
            for line in simpleSplit(text, font, size, width)
            for piece in _split_anywhere(line, font, size, width)
        ]
    if len(lines) > max_lines:
        lines = [
            *lines[: max_lines - 1],
            _ellipsis(" ".join(lines[max_lines - 1 :]), font, size, width),
        ]
    return lines


def _split_anywhere(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for char in text:
        if current and stringWidth(current + char, font, size) > width:
            lines.append(current)
            current = ""
        current += char
    return [*lines, current] if current else lines


def _ellipsis(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "\u2026", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "\u2026"


def _fit_one_line(
    text: str, font: str, size: float, smallest: float, width: float
) -> tuple[str, float]:
    """Shrink ``text`` to fit ``width``, down to ``smallest``; then cut it with an ellipsis."""
    while size > smallest and stringWidth(text, font, size) > width:
        size -= 1
    return _ellipsis(text, font, size, width), size


@cache
def _london() -> ZoneInfo:
    return ZoneInfo("Europe/London")
