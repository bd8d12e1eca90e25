"""The returns manifest's CSV and PDF, and the return label."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from pypdf import PdfReader

from doorstep.documents.returns_manifest import (
    render_returns_csv,
    render_returns_pdf,
    return_label,
)
from doorstep.services.returns import ReturnLine
from tests import factories

AT = datetime(2026, 11, 25, 17, 30, tzinfo=UTC)


def _line(n: int, **changes: object) -> ReturnLine:
    fields: dict[str, object] = {
        "parcel_id": f"par_{n}",
        "barcode": f"DSK{n:06d}",
        "order_id": f"ord_{n}",
        "reference": f"REF-{n}",
        "recipient_name": "Zoë Ångström",
        "postcode": "NW1 7AA",
        "state": "returning",
        "started_at": AT,
        "reason": "max_attempts",
        "attempts": 3,
        "handed_over_at": None,
    }
    return ReturnLine(**(fields | changes))  # type: ignore[arg-type]


def test_the_csv_has_a_header_local_times_and_defused_formulas() -> None:
    data = render_returns_csv([_line(1), _line(2, reference="=HYPERLINK(1)")]).decode("utf-8")
    rows = data.lstrip("\ufeff").splitlines()
    assert rows[0].startswith("barcode,parcel_id,reference,recipient_name,postcode,reason")
    assert "Zoë Ångström" in rows[1] and "2026-11-25 17:30" in rows[1]
    assert "Last attempt failed" in rows[1]
    assert ",'=HYPERLINK(1)," in rows[2]


def test_the_pdf_runs_over_pages_when_the_list_is_long() -> None:
    pdf = render_returns_pdf(
        [_line(n) for n in range(80)], brand_name="Camden Coffee Co", day=date(2026, 11, 25)
    )
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    text = reader.pages[0].extract_text()
    assert "Returns manifest: Camden Coffee Co" in text and "DSK000000" in text


def test_the_return_label_keeps_the_barcode_and_goes_to_the_brand() -> None:
    order = factories.order()
    pdf = return_label(
        order,
        order.parcels[0],
        brand_name="Camden Coffee Co",
        hub_name="Camden hub",
        tracking_url="https://example.com/t/x",
    )
    assert pdf.startswith(b"%PDF")
