"""The returns manifest (CSV and a printable A4 PDF) and the return label.

Plain data in, bytes out; no database. The manifest lists what the hub hands the brand's
driver: barcode, the order's reference, the recipient's name and postcode (the brand knows
them: they are its own customers), why each parcel comes back, the attempts made, and
whether it was handed over. CSV cells are defused against spreadsheet formulas. The return
label is the shipping label (documents/label.py) turned round: from the hub, to the brand.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Final, Protocol
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from doorstep.documents.label import BOLD, REGULAR, LabelData, drawable, render_label
from doorstep.domain.model import Order, ServiceLevel
from doorstep.domain.parcel import Parcel
from doorstep.domain.text import spreadsheet_cell

LONDON: Final = ZoneInfo("Europe/London")
MARGIN: Final = 36.0
ROW: Final = 16.0
COLUMNS: Final = (
    "barcode",
    "parcel_id",
    "reference",
    "recipient_name",
    "postcode",
    "reason",
    "attempts",
    "return_started_at",
    "state",
    "handed_over_at",
)
# Column x positions on the landscape page, in points from the left margin.
_PDF_COLUMNS: Final = (
    ("Barcode", 0.0, 120.0),
    ("Reference", 125.0, 110.0),
    ("Recipient", 240.0, 130.0),
    ("Postcode", 375.0, 60.0),
    ("Why", 440.0, 120.0),
    ("Tries", 565.0, 30.0),
    ("Started", 600.0, 60.0),
    ("Handed over", 665.0, 100.0),
)


class Line(Protocol):
    """One parcel of the manifest (services.returns.ReturnLine has this shape)."""

    @property
    def parcel_id(self) -> str: ...
    @property
    def barcode(self) -> str: ...
    @property
    def reference(self) -> str: ...
    @property
    def recipient_name(self) -> str: ...
    @property
    def postcode(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def started_at(self) -> datetime: ...
    @property
    def reason(self) -> str: ...
    @property
    def attempts(self) -> int: ...
    @property
    def handed_over_at(self) -> datetime | None: ...


def reason_text(reason: str) -> str:
    return {
        "max_attempts": "Last attempt failed",
        "dispatcher": "Sent back by the dispatcher",
    }.get(reason, reason.replace("_", " "))


def _local(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return "" if moment is None else moment.astimezone(LONDON).strftime(pattern)


def render_returns_csv(lines: Sequence[Line]) -> bytes:
    """UTF-8 with a byte-order mark, so a spreadsheet opens names with accents right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for line in lines:
        row = (
            line.barcode,
            line.parcel_id,
            line.reference,
            line.recipient_name,
            line.postcode,
            reason_text(line.reason),
            line.attempts,
            _local(line.started_at),
            line.state,
            _local(line.handed_over_at),
        )
        writer.writerow([spreadsheet_cell(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def render_returns_pdf(
    lines: Sequence[Line], *, brand_name: str, day: date, hub_name: str | None = None
) -> bytes:
    """A4 landscape pages with a header, one row per parcel, and a signature box at the end."""
    width, height = landscape(A4)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(width, height), pageCompression=1)
    canvas.setTitle(drawable(f"Returns manifest {brand_name} {day.isoformat()}"))
    y = _header(canvas, brand_name, day, hub_name, len(lines), height)
    for line in lines:
        if y < MARGIN + 3 * ROW:
            canvas.showPage()
            y = _header(canvas, brand_name, day, hub_name, len(lines), height)
        _row(canvas, line, y)
        y -= ROW
    if y < MARGIN + 4 * ROW:
        canvas.showPage()
        y = height - MARGIN
    canvas.setFont(REGULAR, 10)
    canvas.drawString(MARGIN, y - ROW, "Received by (name and signature): ")
    canvas.line(MARGIN + 190, y - ROW - 2, MARGIN + 520, y - ROW - 2)
    canvas.drawString(MARGIN + 540, y - ROW, "Time: ")
    canvas.line(MARGIN + 570, y - ROW - 2, MARGIN + 680, y - ROW - 2)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _header(
    canvas: Canvas, brand_name: str, day: date, hub_name: str | None, count: int, height: float
) -> float:
    canvas.setFont(BOLD, 16)
    canvas.drawString(MARGIN, height - MARGIN - 6, drawable(f"Returns manifest: {brand_name}"))
    canvas.setFont(REGULAR, 10)
    where = f" at {hub_name}" if hub_name else ""
    canvas.drawString(
        MARGIN,
        height - MARGIN - 24,
        drawable(f"{day:%A %-d %B %Y}{where}: {count} parcel{'s' if count != 1 else ''}"),
    )
    y = height - MARGIN - 50
    canvas.setFont(BOLD, 9)
    for title, x, _ in _PDF_COLUMNS:
        canvas.drawString(MARGIN + x, y, title)
    canvas.line(MARGIN, y - 4, MARGIN + 770, y - 4)
    return y - ROW


def _row(canvas: Canvas, line: Line, y: float) -> None:
    canvas.setFont(REGULAR, 9)
    cells = (
        line.barcode,
        line.reference,
        line.recipient_name,
        line.postcode,
        reason_text(line.reason),
        str(line.attempts),
        _local(line.started_at, "%H:%M"),
        _local(line.handed_over_at, "%d %b %H:%M") or "waiting",
    )
    for (_, x, room), text in zip(_PDF_COLUMNS, cells, strict=True):
        canvas.drawString(MARGIN + x, y, _clip(drawable(text), room))


def _clip(text: str, room: float) -> str:
    while text and stringWidth(text, REGULAR, 9) > room:
        text = text[:-1]
    return text


def return_label(
    order: Order, parcel: Parcel, *, brand_name: str, hub_name: str | None, tracking_url: str
) -> bytes:
    """The label stuck over the old one: from the hub back to the brand, same barcode (the
    handover scans it), the order's reference, and RETURN TO SENDER where the address was."""
    data = LabelData(
        sender=hub_name or "Doorstep hub",
        recipient_name=brand_name,
        address_lines=("RETURN TO SENDER", f"Order {order.reference}"),
        postcode="",
        city="",
        service_level=ServiceLevel.NEXT_DAY,
        barcode=parcel.barcode,
        tracking_url=tracking_url,
        parcel_number=next(
            (i for i, p in enumerate(order.parcels, start=1) if p.id == parcel.id), 1
        ),
        parcel_count=max(1, len(order.parcels)),
        weight_kg=parcel.weight_kg,
        reference=order.reference,
        hub_name=hub_name,
    )
    return render_label(data)
