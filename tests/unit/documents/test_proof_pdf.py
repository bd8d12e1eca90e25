"""The one-page proof of delivery: what it says, and that it shows the photo it was given."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pypdfium2
from PIL import Image
from pypdf import PdfReader

from doorstep.documents.proof_pdf import render_proof_pdf
from doorstep.services.ports import ProofRecord
from tests import factories

T0 = factories.MORNING


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), colour).save(out, format="PNG")
    return out.getvalue()


def _attempt(outcome: str, **fields: object) -> ProofRecord:
    base: dict[str, object] = {
        "id": "pod_1",
        "order_id": "ord_1",
        "brand_id": "brd_1",
        "route_id": "rte_1",
        "stop_id": "stp_1",
        "courier_id": "cou_1",
        "outcome": outcome,
        "method": None,
        "reason": None,
        "parcel_ids": ("par_1",),
        "evidence": {},
        "signature": None,
        "photos": (),
        "device_time": T0,
        "recorded_at": T0 + timedelta(minutes=40),
        "position": (51.5391, -0.1427, 8.0),
        "distance_m": 12.0,
        "geofence_mismatch": False,
    }
    return ProofRecord(**(base | fields))  # type: ignore[arg-type]


def test_it_names_the_order_each_attempt_and_both_clocks() -> None:
    order = factories.order()
    photo = _png((200, 30, 30))
    sha = hashlib.sha256(photo).hexdigest()
    attempts = [
        _attempt("failed", reason="recipient_not_home", evidence={"card_number": "C-17"}),
        _attempt(
            "delivered",
            method="safe_place",
            evidence={"safe_place": "front porch"},
            photos=(sha,),
            device_time=T0 + timedelta(days=1),
        ),
    ]
    pdf = render_proof_pdf(order, attempts, {sha: photo}, generated_at=T0 + timedelta(days=2))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in (
        order.reference,
        "Not delivered: Recipient not home",
        "Card left: C-17",
        "Left in a safe place",
        "Place: front porch",
        "12 m from the address",
        sha,
        "Received by the server",
    ):
        assert expected in text, expected
    # The red photo is drawn on the page.
    page = pypdfium2.PdfDocument(pdf)[0].render(scale=1).to_pil().convert("RGB")
    pixels = page.tobytes()
    reds = sum(
        1
        for i in range(0, len(pixels), 3)
        if pixels[i] > 180 and pixels[i + 1] < 60 and pixels[i + 2] < 60
    )
    assert reds > 1000


def test_an_order_with_no_attempt_says_so() -> None:
    pdf = render_proof_pdf(factories.order(), [], {}, generated_at=T0)
    assert "No delivery attempt" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
