"""A one-page proof of delivery for one order: what a brand forwards to a customer who says
the parcel never came. Pure rendering: the caller passes the images' bytes."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen.canvas import Canvas

from doorstep.domain.model import Order
from doorstep.domain.proof import FAILURE_LABELS, FailureReason


class Attempt(Protocol):
    """One attempt as the renderer reads it (services.ports.Attempt has this shape)."""

    @property
    def outcome(self) -> str: ...
    @property
    def method(self) -> str | None: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def evidence(self) -> dict[str, Any]: ...
    @property
    def device_time(self) -> datetime: ...
    @property
    def recorded_at(self) -> datetime: ...
    @property
    def position(self) -> tuple[float, float, float | None] | None: ...
    @property
    def distance_m(self) -> float | None: ...
    @property
    def geofence_mismatch(self) -> bool: ...
    @property
    def photos(self) -> tuple[str, ...]: ...
    @property
    def signature(self) -> str | None: ...


LONDON = ZoneInfo("Europe/London")
MARGIN = 40.0
_METHOD_LABELS = {
    "recipient": "Handed to the recipient",
    "neighbour": "Left with a neighbour",
    "safe_place": "Left in a safe place",
    "letterbox": "Through the letterbox",
    "reception": "Left at reception",
    "locker": "Left in a locker",
}


def _when(moment: datetime) -> str:
    return moment.astimezone(LONDON).strftime("%a %d %b %Y, %H:%M:%S %Z")


def _outcome(proof: Attempt) -> str:
    if proof.outcome == "delivered":
        return _METHOD_LABELS.get(proof.method or "", proof.method or "Delivered")
    try:
        label = FAILURE_LABELS[FailureReason(proof.reason or "")]
    except ValueError:
        label = proof.reason or "unknown reason"
    return f"Not delivered: {label}"


def render_proof_pdf(
    order: Order,
    attempts: Sequence[Attempt],
    images: Mapping[str, bytes],
    *,
    generated_at: datetime,
) -> bytes:
    """``images`` maps a file's SHA-256 to the bytes to show (display copies)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Proof of delivery {order.reference}")
    width, height = A4
    y = height - MARGIN

    def line(text: str, size: float = 10, bold: bool = False, gap: float = 4) -> None:
        nonlocal y
        canvas.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        for part in simpleSplit(text, canvas._fontname, size, width - 2 * MARGIN):
            canvas.drawString(MARGIN, y - size, part)
            y -= size + gap

    line("Proof of delivery", 18, bold=True, gap=8)
    line(f"Order {order.reference}  ({order.id})", 11, bold=True)
    line(
        f"To {order.recipient.name.split()[0]}, {', '.join(order.address.lines)}, "
        f"{order.address.postcode}"
    )
    line(f"Parcels: {', '.join(p.barcode for p in order.parcels)}")
    y -= 8
    if not attempts:
        line("No delivery attempt has been recorded yet.", 11)
    for number, proof in enumerate(attempts, start=1):
        if y < 200:
            break  # one page: the oldest attempts first, the API lists them all
        line(f"Attempt {number}: {_outcome(proof)}", 12, bold=True)
        evidence = {k: v for k, v in proof.evidence.items() if v}
        for key, label in (
            ("recipient_name", "Received by"),
            ("neighbour_name", "Neighbour"),
            ("neighbour_house", "Neighbour's house"),
            ("safe_place", "Place"),
            ("card_number", "Card left"),
            ("note", "Courier's note"),
        ):
            if key in evidence:
                line(f"{label}: {evidence[key]}")
        line(f"Recorded by the courier's phone: {_when(proof.device_time)}")
        line(f"Received by the server: {_when(proof.recorded_at)}")
        if proof.position is not None:
            lat, lon, accuracy = proof.position
            where = f"Position: {lat:.5f}, {lon:.5f}"
            if accuracy is not None:
                where += f" (within {accuracy:.0f} m)"
            if proof.distance_m is not None:
                where += f"; {proof.distance_m:.0f} m from the address"
            if proof.geofence_mismatch:
                where += " (farther than expected)"
            line(where)
        files = [*proof.photos, *([proof.signature] if proof.signature else [])]
        for sha in files:
            line(f"SHA-256 {sha}", 7, gap=2)
        x = MARGIN
        for sha in files:
            data = images.get(sha)
            if data is None or y < 160:
                continue
            try:
                image = ImageReader(io.BytesIO(data))
                w, h = image.getSize()
            except Exception:  # noqa: S112 - a file that will not draw is listed by hash
                continue
            scale = min(150 / w, 110 / h)
            canvas.drawImage(image, x, y - h * scale - 4, w * scale, h * scale)
            x += w * scale + 10
            if x > width - MARGIN - 150:
                break
        if any(sha in images for sha in files):
            y -= 124
        y -= 8
    canvas.setFont("Helvetica", 7)
    canvas.drawString(
        MARGIN,
        MARGIN / 2,
        f"Generated {_when(generated_at)}. Check the record with `doorstep verify {order.id}`.",
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
